"""withdrawConsent (erasure by anonymisation) and exportMyData."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import httpx

from api.relay import to_global_id
from api.viewer import Role
from graph.audit.events import Actor
from graph.core.db import Graph, Tx, run_single
from graph.core.model import FocalPointMode, HomeAffiliation, OrganisationKind, TeamRole
from graph.core.ratelimit import Limited
from graph.core.settings import Settings
from graph.experts import nominations
from graph.experts.registration import NOTICE_VERSION, ConsentPurpose
from graph.experts.self_service import ERASED_NAME
from graph.network import focal_points, organisations, people, teams
from tests import factories
from tests.experts.support import (
    DAY,
    EXPERT_NODE,
    EXPORT,
    ME,
    NOMINATE,
    WITHDRAW,
    anything_says,
    register_expert,
    verified_experts,
)
from tests.factories import FUTURE, SYSTEM, anyone, unique
from tests.gql import gql
from tests.tokens import bearer

# --- withdrawConsent, exportMyData ------------------------------------------------------------


class TestWithdrawConsent:
    async def test_erasure_everywhere_with_counts_and_history_consistent(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        me = await register_expert(
            web,
            graph,
            ss_settings,
            outbox_dir,
            fullName=f"Đoàn Văn Rút {tag}",
            phone=f"09{uuid.uuid4().int % 10**8:08d}",
        )
        team = await factories.make_team(graph)
        await graph.write(
            teams.add_team_member,
            teams.NewMembership(
                team,
                people.PersonRef(id=me.person_id),
                TeamRole.MEMBER,
                FUTURE,
                HomeAffiliation.RESIDENT,
            ),
            SYSTEM,
            anyone,
        )
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        provincial = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        # A coordinator reads the personal fields: logged, and part of the export.
        read = (await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=provincial))["node"]
        assert read["email"] == me.email
        totals = (await verified_experts(web, None), await verified_experts(web, "01"))
        shape = await graph.read(_shape, me.person_id)

        data = (await gql(web, WITHDRAW, {"p": None}, headers=me.headers))["r"]
        assert data["__typename"] == "ConsentWithdrawn", data
        assert data["erased"] is True
        assert sorted(data["purposes"]) == [p.value for p in sorted(ConsentPurpose)]

        # Gone from every reader.
        for headers in ({}, national, provincial):
            hits = await gql(
                web, "query($t: String!) { search(text: $t) { name } }", {"t": tag}, headers=headers
            )
            assert hits["search"] == []
            listed = await gql(
                web,
                "query($t: String!) { experts(filter: {text: $t}) { totalCount } }",
                {"t": tag},
                headers=headers,
            )
            assert listed["experts"]["totalCount"] == 0
        assert (await gql(web, EXPERT_NODE, {"id": me.expert_id}))["node"] is None
        node = (await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=national))["node"]
        assert node == {
            "fullName": ERASED_NAME,
            "status": "WITHDRAWN",
            "email": None,
            "phone": None,
            "nominations": [],
        }
        person = await gql(
            web,
            "query($id: ID!) { node(id: $id) { ... on Person { fullName email phone } } }",
            {"id": to_global_id("Person", me.person_id)},
            headers=national,
        )
        assert person["node"] == {"fullName": ERASED_NAME, "email": None, "phone": None}
        members = await gql(
            web,
            "query($id: ID!, $d: Date!) { node(id: $id) { ... on CommunityTechTeam { "
            "members(activeOn: $d) { person { fullName } } } } }",
            {"id": to_global_id("CommunityTechTeam", team), "d": DAY},
            headers=national,
        )
        assert members["node"]["members"] == [{"person": {"fullName": ERASED_NAME}}]
        # Audit values never held them; the feed and the trail still do not.
        trail = await gql(
            web,
            "query($id: ID!) { auditTrail(id: $id) { mutation changes { field before after } } }",
            {"id": to_global_id("Person", me.person_id)},
            headers=national,
        )
        assert [e["mutation"] for e in trail["auditTrail"]][-1] == "withdrawConsent"
        feed = await gql(
            web,
            "query { changes(since: 0, first: 500) { changes { after before } } }",
            headers=national,
        )
        for text in (tag, me.email, "+84"):
            assert text not in json.dumps(trail, ensure_ascii=False)
        assert tag not in json.dumps(feed, ensure_ascii=False)
        assert not await graph.read(anything_says, tag)
        assert not await graph.read(anything_says, me.email)

        # Counts drop by the one verified expert, nationally and in the province; nodes and
        # relationships stay.
        assert await verified_experts(web, None) == totals[0] - 1
        assert await verified_experts(web, "01") == totals[1] - 1
        assert await graph.read(_shape, me.person_id) == shape

        # The export keeps the withdrawal and what is left, nothing erased.
        export = (await gql(web, EXPORT, headers=me.headers))["exportMyData"]
        assert export["person"]["fullName"] == ERASED_NAME
        assert "email" not in export["person"]
        [withdrawal] = export["withdrawals"]
        assert withdrawal["erased"] is True
        assert sorted(withdrawal["withdrawn"]) == sorted(data["purposes"])
        assert export["consents"][0]["noticeVersion"] == NOTICE_VERSION
        assert len(export["memberships"]) == 1
        assert export["accessLog"][0]["fields"] == ["email", "phone"]
        assert "withdrawConsent" in [e["mutation"] for e in export["auditEvents"]]
        dumped = json.dumps(export, ensure_ascii=False)
        assert tag not in dumped
        assert me.email not in dumped
        assert (await gql(web, ME, headers=me.headers))["me"]["erasedAt"] is not None

        again = await gql(web, WITHDRAW, {"p": "NETWORK_NEWS"}, headers=me.headers)
        assert again["r"]["__typename"] == "ConflictError"

    async def test_an_optional_purpose_only(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir, verify=False)
        data = (await gql(web, WITHDRAW, {"p": "NETWORK_NEWS"}, headers=me.headers))["r"]
        assert data == {
            "__typename": "ConsentWithdrawn",
            "purposes": ["NETWORK_NEWS"],
            "erased": False,
            "auditSeq": data["auditSeq"],
        }
        mine = (await gql(web, ME, headers=me.headers))["me"]
        assert mine["fullName"] == me.name
        assert sorted(mine["consentedPurposes"]) == ["COORDINATOR_CONTACT", "DIRECTORY_LISTING"]
        assert [c["kind"] for c in mine["consents"]] == ["GIVEN", "WITHDRAWN"]
        again = await gql(web, WITHDRAW, {"p": "NETWORK_NEWS"}, headers=me.headers)
        assert again["r"]["__typename"] == "ConflictError"


class TestExportMyData:
    async def test_everything_held_about_the_person(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        email = f"exp-{uuid.uuid4().hex[:8]}@example.vn"
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        nominated = await gql(
            web,
            NOMINATE,
            {"email": email, "name": "Lý Xuất", "reason": "Xuất sắc"},
            headers=national,
        )
        assert nominated["r"]["__typename"] == "NominationPayload"
        me = await register_expert(web, graph, ss_settings, outbox_dir, email=email)
        org = await graph.write(
            organisations.create_organisation,
            organisations.NewOrganisation(
                unique("Hợp tác xã Xuất"), OrganisationKind.ENTERPRISE, "00004", valid_from=FUTURE
            ),
            SYSTEM,
            anyone,
        )
        await graph.write(
            focal_points.assign_focal_point,
            focal_points.NewFocalPoint(
                org.value.id,
                people.PersonRef(id=me.person_id),
                FocalPointMode.PART_TIME,
                FUTURE,
                "5/QĐ",
                FUTURE,
            ),
            SYSTEM,
            anyone,
        )
        await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=national)  # a logged read
        # A nomination the expert made while experts could still nominate (before hardening 3):
        # theirs, so it is in their export.
        mine = await graph.write(
            nominations.nominate_expert,
            nominations.Nomination(
                f"friend-{uuid.uuid4().hex[:8]}@example.vn",
                "Bạn Tôi",
                ("AI",),
                "Bạn",
                "127.0.0.1",
                me.person_id,
            ),
            Actor(f"expert-{me.person_id}", Role.EXPERT.value),
            anyone,
            ss_settings,
            dt.datetime.now(dt.UTC),
        )
        assert not isinstance(mine, Limited)

        export = (await gql(web, EXPORT, headers=me.headers))["exportMyData"]
        assert export["person"]["email"] == email
        assert export["person"]["fullName"] == me.name
        [profile] = export["profiles"]
        assert profile["status"] == "VERIFIED"
        assert profile["province"]["code"] == "01"
        assert export["consents"][0]["granted"]
        assert export["withdrawals"] == []
        assert export["focalPoints"][0]["organisation"]["id"] == org.value.id
        assert [n["reason"] for n in export["nominationsReceived"]] == ["Xuất sắc"]
        assert [n["reason"] for n in export["nominationsMade"]] == ["Bạn"]
        assert {"registerExpert", "confirmEmail", "verifyExpert", "assignFocalPoint"} <= {
            e["mutation"] for e in export["auditEvents"]
        }
        assert export["accessLog"][0]["role"] == "NATIONAL_COORDINATOR"
        assert export["mail"] == []  # sent mail forgot the address and parameters
        json.dumps(export)  # plain JSON


async def _shape(tx: Tx, person_id: str) -> tuple[int, int, int]:
    """The person's nodes and relationships, which erasure keeps."""
    found = await run_single(
        tx,
        "MATCH (p:Person {id: $id}) "
        "RETURN COUNT { (p)-[r]-() WHERE NOT type(r) IN ['WITHDREW', 'CONCERNS'] } AS rels, "
        "COUNT { (p)-[:HAS_PROFILE]->()-[:LOCATED_IN]->() } AS located, "
        "COUNT { (p)-[:MEMBER_OF]->() } AS memberships",
        id=person_id,
    )
    assert found is not None
    return int(found["rels"]), int(found["located"]), int(found["memberships"])
