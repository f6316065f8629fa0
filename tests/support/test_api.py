"""Support requests through the API: who may see and do what (api/policy.py), the typed
failures of the status machines, and the mail each side is owed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run, statements_sent
from graph.core.settings import Settings
from tests.experts.conftest import outbox_dir, ss_settings, web
from tests.experts.support import delivered
from tests.gql import gql
from tests.support.factories import REQUESTER, make_areas, make_expert
from tests.tokens import bearer

__all__ = ["outbox_dir", "ss_settings", "web"]

CREATE = """
mutation($i: CreateSupportRequestInput!) { r: createSupportRequest(input: $i) {
  __typename
  ... on SupportRequestPayload { request { id status topic } auditSeq }
  ... on ValidationErrors { errors { field code } }
  ... on NotAuthorized { message }
  ... on ConflictError { field message } } }
"""
ONE = "query($id: ID!) { supportRequest(id: $id) { id status firstAcceptedAt doneAt } }"
LIST = "{ supportRequests { totalCount nodes { id } } }"
MATCH = """
query($id: ID!) { matchExperts(requestId: $id, first: 5) {
  score proximity parts { expertise proximity availability load feedback }
  expert { id fullName } } }
"""
PROPOSE = """
mutation($r: ID!, $e: ID!) { r: proposeExpert(requestId: $r, expertId: $e) {
  __typename
  ... on EngagementPayload { engagement { id status } }
  ... on NotAuthorized { message }
  ... on ConflictError { field message } } }
"""
RESPOND = """
mutation($g: ID!, $accept: Boolean!, $why: String) {
  r: respondToProposal(engagementId: $g, accept: $accept, reason: $why) {
  __typename
  ... on EngagementPayload { engagement { id status request { topic status } } }
  ... on ValidationErrors { errors { field code } }
  ... on NotAuthorized { message }
  ... on ConflictError { field message } } }
"""
MINE = "{ myEngagements { id status request { topic } } }"
COMPLETE = """
mutation($g: ID!) { r: completeEngagement(engagementId: $g, score: 5, text: "Rất tốt") {
  __typename ... on EngagementPayload { engagement { status feedbackScore } } } }
"""
CLOSE = """
mutation($r: ID!) { r: closeSupportRequest(requestId: $r) {
  __typename
  ... on SupportRequestPayload { request { status doneAt } }
  ... on NotAuthorized { message }
  ... on ConflictError { field message } } }
"""


def request_input(area: str, **over: Any) -> dict[str, Any]:
    data = {
        "organisationId": to_global_id("Organisation", REQUESTER),
        "unitCode": "00004",
        "topic": "Xây dựng nền tảng dữ liệu",
        "wanted": [{"code": area, "weight": 2.0, "mustHave": True}],
        "periodStart": "2031-05-01",
        "periodEnd": "2031-05-31",
        "contactEmail": "so-khcn@example.vn",
    }
    return data | over


@pytest.fixture
def prov_01(ss_settings: Settings) -> dict[str, str]:
    return bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")


@pytest.fixture
def prov_79(ss_settings: Settings) -> dict[str, str]:
    return bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "79")


def expert_token(settings: Settings, person_id: str) -> dict[str, str]:
    return bearer(settings, Role.EXPERT, person_id, subject=f"expert-{person_id}")


async def person_of(graph: Graph, expert_id: str) -> str:
    async def read(tx: Tx) -> str:
        [found] = await run(
            tx,
            "MATCH (p:Person)-[:HAS_PROFILE]->(:ExpertProfile {id: $id}) RETURN p.id AS id",
            id=expert_id,
        )
        return str(found["id"])

    return await graph.read(read)


async def test_a_request_from_filing_to_closing_with_each_side_in_its_lane(
    web: httpx.AsyncClient,
    graph: Graph,
    ss_settings: Settings,
    outbox_dir: Path,
    prov_01: dict[str, str],
    prov_79: dict[str, str],
) -> None:
    a = await make_areas(graph)
    best = await make_expert(
        graph, [a.sub1], affiliated_with=REQUESTER, name="a", email="best@example.vn"
    )
    other = await make_expert(graph, [a.sub1], "79", name="b", email="other@example.vn")

    # Another province's coordinator cannot file for an organisation of Hà Nội.
    refused = (await gql(web, CREATE, {"i": request_input(a.sub1)}, headers=prov_79))["r"]
    assert refused["__typename"] == "NotAuthorized"
    bad = (
        await gql(
            web, CREATE, {"i": request_input(a.sub1, periodEnd="2031-04-01")}, headers=prov_01
        )
    )["r"]
    assert bad == {
        "__typename": "ValidationErrors",
        "errors": [{"field": "periodEnd", "code": "INVALID_DATE"}],
    }

    made = (await gql(web, CREATE, {"i": request_input(a.sub1)}, headers=prov_01))["r"]
    assert made["__typename"] == "SupportRequestPayload"
    assert made["request"]["status"] == "OPEN"
    request_id = made["request"]["id"]

    # Visible to its province and the national coordinator, not to another province.
    nat = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
    assert (await gql(web, ONE, {"id": request_id}, headers=prov_01))["supportRequest"]
    assert (await gql(web, ONE, {"id": request_id}, headers=nat))["supportRequest"]
    assert (await gql(web, ONE, {"id": request_id}, headers=prov_79))["supportRequest"] is None
    listed_79 = (await gql(web, LIST, headers=prov_79))["supportRequests"]["nodes"]
    assert request_id not in [n["id"] for n in listed_79]
    listed_01 = (await gql(web, LIST, headers=prov_01))["supportRequests"]["nodes"]
    assert request_id in [n["id"] for n in listed_01]
    await gql(web, MATCH, {"id": request_id}, headers=prov_79, expect_errors=True)

    ranked = (await gql(web, MATCH, {"id": request_id}, headers=prov_01))["matchExperts"]
    assert [c["expert"]["id"] for c in ranked] == [
        to_global_id("Expert", best),
        to_global_id("Expert", other),
    ]
    assert ranked[0]["proximity"] == "COMMUNE"
    assert ranked[0]["parts"]["expertise"] == 1.0

    top = ranked[0]["expert"]["id"]
    assert (await gql(web, PROPOSE, {"r": request_id, "e": top}, headers=prov_79))["r"][
        "__typename"
    ] == "NotAuthorized"
    proposed = (await gql(web, PROPOSE, {"r": request_id, "e": top}, headers=prov_01))["r"]
    assert proposed["engagement"]["status"] == "PROPOSED"
    engagement = proposed["engagement"]["id"]
    again = (await gql(web, PROPOSE, {"r": request_id, "e": top}, headers=prov_01))["r"]
    assert (again["__typename"], again["field"]) == ("ConflictError", "expertId")
    [proposal_mail] = await delivered(outbox_dir, "best@example.vn", 1)
    assert "Xây dựng nền tảng dữ liệu" in proposal_mail
    assert ss_settings.sign_in_url in proposal_mail

    # The expert sees their proposal; another expert sees none and cannot answer it.
    best_token = expert_token(ss_settings, await person_of(graph, best))
    other_token = expert_token(ss_settings, await person_of(graph, other))
    mine = (await gql(web, MINE, headers=best_token))["myEngagements"]
    assert [(g["id"], g["status"]) for g in mine] == [(engagement, "PROPOSED")]
    assert (await gql(web, MINE, headers=other_token))["myEngagements"] == []
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql(web, node, {"id": engagement}, headers=best_token))["node"]
    assert (await gql(web, node, {"id": engagement}, headers=prov_01))["node"]
    assert (await gql(web, node, {"id": engagement}, headers=other_token))["node"] is None
    assert (await gql(web, node, {"id": engagement}, headers=prov_79))["node"] is None
    stranger = (await gql(web, RESPOND, {"g": engagement, "accept": True}, headers=other_token))[
        "r"
    ]
    assert stranger["__typename"] == "NotAuthorized"
    coordinator = (await gql(web, RESPOND, {"g": engagement, "accept": True}, headers=prov_01))["r"]
    assert coordinator["__typename"] == "NotAuthorized"
    no_reason = (await gql(web, RESPOND, {"g": engagement, "accept": False}, headers=best_token))[
        "r"
    ]
    assert no_reason == {
        "__typename": "ValidationErrors",
        "errors": [{"field": "reason", "code": "REQUIRED"}],
    }

    # Closing before anyone accepted is a typed conflict naming the field.
    early = (await gql(web, CLOSE, {"r": request_id}, headers=prov_01))["r"]
    assert (early["__typename"], early["field"]) == ("ConflictError", "requestId")

    accepted = (await gql(web, RESPOND, {"g": engagement, "accept": True}, headers=best_token))["r"]
    assert accepted["engagement"]["status"] == "ACCEPTED"
    assert accepted["engagement"]["request"]["status"] == "ASSIGNED"
    twice = (await gql(web, RESPOND, {"g": engagement, "accept": True}, headers=best_token))["r"]
    assert (twice["__typename"], twice["field"]) == ("ConflictError", "engagementId")
    [answer_mail] = await delivered(outbox_dir, "so-khcn@example.vn", 1)
    assert "accepted" in answer_mail
    now = (await gql(web, ONE, {"id": request_id}, headers=prov_01))["supportRequest"]
    assert now["firstAcceptedAt"] is not None

    done = (await gql(web, COMPLETE, {"g": engagement}, headers=prov_01))["r"]
    assert done["engagement"] == {"status": "COMPLETED", "feedbackScore": 5}
    closed = (await gql(web, CLOSE, {"r": request_id}, headers=prov_79))["r"]
    assert closed["__typename"] == "NotAuthorized"
    closed = (await gql(web, CLOSE, {"r": request_id}, headers=prov_01))["r"]
    assert closed["request"]["status"] == "DONE"
    assert closed["request"]["doneAt"] is not None


CANCEL = """
mutation($r: ID!, $why: String!) { r: cancelSupportRequest(requestId: $r, reason: $why) {
  __typename
  ... on SupportRequestPayload { request { status cancelReason } }
  ... on NotAuthorized { message } } }
"""


async def test_the_requester_scope_below_the_province_and_cancelling(
    web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, prov_01: dict[str, str]
) -> None:
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1], name="a")
    made = (await gql(web, CREATE, {"i": request_input(a.sub1)}, headers=prov_01))["r"]
    request_id = made["request"]["id"]

    def sees(headers: dict[str, str]) -> Any:
        return gql(web, ONE, {"id": request_id}, headers=headers)

    # The requesting organisation's admin and its commune's officer see it; those of another
    # organisation or commune do not, and an expert lists nothing.
    own_admin = bearer(ss_settings, Role.ORGANISATION_ADMIN, REQUESTER)
    other_admin = bearer(ss_settings, Role.ORGANISATION_ADMIN, "so-khcn-79")
    own_commune = bearer(ss_settings, Role.COMMUNE_OFFICER, "00004")
    assert (await sees(own_admin))["supportRequest"]["id"] == request_id
    assert (await sees(own_commune))["supportRequest"]["id"] == request_id
    assert (await sees(other_admin))["supportRequest"] is None
    listed = (await gql(web, LIST, headers=own_admin))["supportRequests"]["nodes"]
    assert request_id in [n["id"] for n in listed]
    listed = (await gql(web, LIST, headers=other_admin))["supportRequests"]["nodes"]
    assert request_id not in [n["id"] for n in listed]
    token = expert_token(ss_settings, await person_of(graph, expert))
    await gql(web, LIST, headers=token, expect_errors=True)

    # Cancelling withdraws the unanswered proposal: the expert sees it so, and cannot answer.
    proposed = (
        await gql(
            web, PROPOSE, {"r": request_id, "e": to_global_id("Expert", expert)}, headers=own_admin
        )
    )["r"]
    engagement = proposed["engagement"]["id"]
    refused = (await gql(web, CANCEL, {"r": request_id, "why": "x"}, headers=other_admin))["r"]
    assert refused["__typename"] == "NotAuthorized"
    cancelled = (await gql(web, CANCEL, {"r": request_id, "why": "Đã tự làm"}, headers=prov_01))[
        "r"
    ]
    assert cancelled["request"] == {"status": "CANCELLED", "cancelReason": "Đã tự làm"}
    mine = (await gql(web, MINE, headers=token))["myEngagements"]
    assert [(g["id"], g["status"]) for g in mine] == [(engagement, "WITHDRAWN")]
    late = (await gql(web, RESPOND, {"g": engagement, "accept": True}, headers=token))["r"]
    assert (late["__typename"], late["field"]) == ("ConflictError", "engagementId")


PAGE = """
query($id: ID!) { supportRequest(id: $id) { topic status wanted { code weight } }
  matchExperts(requestId: $id, first: 20) { score proximity
    parts { expertise proximity availability load feedback }
    expert { fullName affiliation email } } }
"""


async def test_the_request_page_costs_as_many_round_trips_for_20_candidates_as_for_2(
    web: httpx.AsyncClient, graph: Graph, prov_01: dict[str, str]
) -> None:
    """The request with its candidates, their names and (personal, so gated and logged) e-mail
    addresses: a fixed number of statements whatever the number of candidates, and every
    address read is in the personal-read log."""
    counts = []
    for n in (2, 20):
        a = await make_areas(graph)
        for i in range(n):
            await make_expert(graph, [a.sub1], name=f"page{i:02}", email=f"page{n}-{i}@example.vn")
        made = (await gql(web, CREATE, {"i": request_input(a.sub1)}, headers=prov_01))["r"]
        counter = [0]
        mark = statements_sent.set(counter)
        try:
            response = await web.post(
                "/graphql",
                json={"query": PAGE, "variables": {"id": made["request"]["id"]}},
                headers=prov_01,
            )
        finally:
            statements_sent.reset(mark)
        page = response.json()["data"]
        assert page["supportRequest"]["topic"] == "Xây dựng nền tảng dữ liệu"
        emails = sorted(c["expert"]["email"] for c in page["matchExperts"])
        assert emails == sorted(f"page{n}-{i}@example.vn" for i in range(n))
        counts.append(counter[0])

        async def logged(tx: Tx, request_id: str = response.headers["x-request-id"]) -> int:
            [found] = await run(
                tx,
                "MATCH (r:PersonalDataAccess {requestId: $id}) WHERE 'email' IN r.fields "
                "RETURN count(DISTINCT r.personId) AS n",
                id=request_id,
            )
            return int(found["n"])

        assert await graph.read(logged) == n
    assert counts[0] == counts[1], counts
