"""Factories for the support tests: a fresh expertise taxonomy of their own (so the demo's
experts, who have none of its areas, are never candidates), verified experts placed where a
ranking fixture needs them, and requests and engagements made through the graph/ commands."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from graph.core.db import Graph, Tx, run
from graph.core.expert_digests import EXPERT_DIGESTS, refresh_expert_digests
from graph.core.expert_province import keep_province_key
from graph.support import engagements, requests
from graph.support.records import WantedArea
from tests.factories import SYSTEM, anyone

# The requester of every fixture: the People's Committee of current commune 00004 (Hà Nội).
REQUESTER = "ubnd-xa-00004"
COMMUNE = "00004"
PERIOD = (dt.date(2031, 3, 1), dt.date(2031, 3, 31))  # 31 days


@dataclass(frozen=True)
class Areas:
    """A root area and two of its sub-areas, and an unrelated root."""

    root: str
    sub1: str
    sub2: str
    other: str


async def make_areas(graph: Graph) -> Areas:
    tag = uuid.uuid4().hex[:8].upper()
    areas = Areas(f"TST{tag}", f"TST{tag}.ONE", f"TST{tag}.TWO", f"TSX{tag}")

    async def write(tx: Tx) -> None:
        await run(
            tx,
            "CREATE (r:ExpertiseArea {code: $root, nameVi: 'Thử', nameEn: 'Test', position: 900})"
            " CREATE (r)-[:HAS_SUBAREA]->(:ExpertiseArea {code: $sub1, nameVi: 'Thử 1', "
            "  nameEn: 'Test 1', position: 901})"
            " CREATE (r)-[:HAS_SUBAREA]->(:ExpertiseArea {code: $sub2, nameVi: 'Thử 2', "
            "  nameEn: 'Test 2', position: 902})"
            " CREATE (:ExpertiseArea {code: $other, nameVi: 'Khác', nameEn: 'Other', "
            "  position: 903})",
            root=areas.root,
            sub1=areas.sub1,
            sub2=areas.sub2,
            other=areas.other,
        )

    await graph.write(write)
    return areas


async def make_expert(
    graph: Graph,
    expertise: list[str],
    province: str = "01",
    *,
    country: str = "VN",
    affiliated_with: str | None = None,
    name: str = "a",
    email: str | None = None,
) -> str:
    """A VERIFIED expert in a current province (or abroad: the central unit); ``name`` orders
    experts of equal score (their ids sort by it)."""
    expert_id = f"expert-match-{name}-{uuid.uuid4().hex[:6]}"
    person_id = f"person-match-{uuid.uuid4().hex}"

    async def write(tx: Tx) -> None:
        await run(
            tx,
            """
            MATCH (u:AdministrativeUnit)
            WHERE ($country = 'VN' AND u.era = 'CURRENT' AND u.level = 'PROVINCE'
                   AND u.code = $province) OR ($country <> 'VN' AND u.level = 'CENTRAL')
            CREATE (p:Person {id: $pid, fullName: $full, searchKey: $full, email: $email})
                   -[:HAS_PROFILE]->(e:ExpertProfile {id: $eid, status: 'VERIFIED',
                     expertise: $expertise, country: $country, affiliation: 'Viện thử',
                     searchKey: $full, submittedAt: datetime(), verifiedAt: datetime()})
                   -[:LOCATED_IN]->(u)
            """
            + keep_province_key("u", "null")
            + """
            WITH e
            OPTIONAL MATCH (o:Organisation {id: $org})
            FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END |
                     CREATE (e)-[:AFFILIATED_WITH]->(o))
            """,
            pid=person_id,
            eid=expert_id,
            full=f"chuyen gia {name}",
            email=email,
            expertise=expertise,
            country=country,
            province=province,
            org=affiliated_with,
        )
        await refresh_expert_digests(tx, profiles=[expert_id])  # as every profile writer does

    await graph.write(write)
    return expert_id


async def make_request(
    graph: Graph,
    wanted: list[WantedArea],
    *,
    remote: bool = False,
    unit: str = COMMUNE,
    organisation: str = REQUESTER,
    email: str | None = None,
) -> str:
    cmd = requests.NewSupportRequest(
        organisation,
        unit,
        "Yêu cầu thử",
        "Nền tảng dữ liệu của tỉnh",
        tuple(wanted),
        remote,
        *PERIOD,
        contact_email=email,
    )
    changed = await graph.write(requests.create_support_request, cmd, SYSTEM, anyone)
    return changed.value.id


async def propose(graph: Graph, request_id: str, expert_id: str) -> str:
    cmd = engagements.Proposal(request_id, expert_id)
    changed = await graph.write(engagements.propose_expert, cmd, SYSTEM, anyone)
    return changed.value.id


async def answer(graph: Graph, engagement_id: str, accept: bool, reason: str | None = None) -> None:
    await graph.write(
        engagements.respond_to_proposal, engagement_id, accept, reason, None, SYSTEM, anyone
    )


async def clean_up(graph: Graph) -> None:
    """Remove every request, engagement and unavailability not from the demo, the fixture
    experts and areas, and the mail they queued."""

    async def write(tx: Tx) -> None:
        await run(
            tx,
            """
            CALL () {
              MATCH (n) WHERE (n:SupportRequest OR n:Engagement OR n:Unavailability)
                AND NOT n:Synthetic RETURN n
              UNION MATCH (n:ExpertProfile) WHERE n.id STARTS WITH 'expert-match-' RETURN n
              UNION MATCH (n:Person) WHERE n.id STARTS WITH 'person-match-' RETURN n
              UNION MATCH (n:ConsentWithdrawal) WHERE n.id STARTS WITH 'withdrawal-match-'
                RETURN n
              UNION MATCH (n:ExpertiseArea) WHERE n.code STARTS WITH 'TST' OR
                n.code STARTS WITH 'TSX' RETURN n
              UNION MATCH (n:OutboxMessage) WHERE n.kind STARTS WITH 'SUPPORT_' RETURN n
            }
            DETACH DELETE n
            """,
        )

    await graph.write(write)
    await EXPERT_DIGESTS.rebuild_all(graph)  # the places of the profiles deleted
