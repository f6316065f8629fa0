"""me and updateMyProfile: an expert reads and corrects their own profile."""

from __future__ import annotations

import json
import unicodedata
import uuid
from pathlib import Path

import httpx

from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from graph.experts.registration import ConsentPurpose
from tests.experts.support import (
    EXPERT_NODE,
    EXPORT,
    ME,
    UPDATE,
    VERIFY,
    WITHDRAW,
    accesses,
    last_seq,
    register_expert,
)
from tests.gql import gql
from tests.tokens import bearer

# --- me, updateMyProfile ----------------------------------------------------------------------


class TestMe:
    async def test_me_shows_every_personal_field_to_the_expert_only(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir, phone="0987 654 321")
        data = (await gql(web, ME, headers=me.headers))["me"]
        assert data["fullName"] == me.name
        assert data["email"] == me.email
        assert data["phone"] == "+84987654321"
        assert data["expert"] == {
            "id": me.expert_id,
            "status": "VERIFIED",
            "affiliation": "Viện Công nghệ Thử",
            "email": me.email,
        }
        assert sorted(data["consentedPurposes"]) == [p.value for p in sorted(ConsentPurpose)]
        # Their own reads are not logged as someone else's access.
        assert not await graph.read(accesses, me.person_id)
        for headers in ({}, bearer(ss_settings, Role.NATIONAL_COORDINATOR)):
            assert (await gql(web, ME, headers=headers))["me"] is None
            assert (await gql(web, EXPORT, headers=headers))["exportMyData"] is None


class TestUpdateMyProfile:
    async def test_corrections_are_normalised_and_audited_redacted(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        tag = uuid.uuid4().hex[:8]
        typed = unicodedata.normalize("NFD", f"Trần Thị\u200b Ánh {tag}") + "  "
        data = (
            await gql(
                web,
                UPDATE,
                {
                    "input": {
                        "fullName": typed,
                        "phone": "0912 000 111",
                        "expertise": ["CYBERSECURITY"],
                        "affiliation": "Trường Đại học Thử",
                        "provinceCode": "79",
                    }
                },
                headers=me.headers,
            )
        )["r"]
        assert data["__typename"] == "MyProfilePayload", data
        assert data["me"] == {
            "fullName": f"Trần Thị Ánh {tag}",
            "phone": "+84912000111",
            "expert": {
                "affiliation": "Trường Đại học Thử",
                "expertise": ["CYBERSECURITY"],
                "province": {"code": "79"},
            },
        }
        # Now the other province's coordinators cover the expert.
        southern = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "79")
        node = (await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=southern))["node"]
        assert node["email"] == me.email
        hits = await gql(
            web,
            "query($t: String!) { experts(filter: {text: $t}) { nodes { fullName } } }",
            {"t": f"tran thi anh {tag}"},
        )
        assert hits["experts"]["nodes"] == [{"fullName": f"Trần Thị Ánh {tag}"}]

        trail = await gql(
            web,
            "query($id: ID!) { auditTrail(id: $id) { seq mutation actorSubject changes { field before after } } }",
            {"id": me.expert_id},
            headers=bearer(ss_settings, Role.NATIONAL_COORDINATOR),
        )
        [event] = [e for e in trail["auditTrail"] if e["mutation"] == "updateMyProfile"]
        assert event["seq"] == data["auditSeq"]
        assert event["actorSubject"] == f"expert-{me.person_id}"
        fields = {c["field"]: (c["before"], c["after"]) for c in event["changes"]}
        assert fields["fullName"] == ("[redacted]", "[redacted]")
        assert fields["phone"] == (None, "[redacted]")
        assert fields["affiliation"] == ("Viện Công nghệ Thử", "Trường Đại học Thử")
        assert fields["expertise"] == (["AI", "DATA"], ["CYBERSECURITY"])
        assert fields["province"][1].endswith(":79")
        assert tag not in json.dumps(trail)

        # Nothing changed: no event. Mistakes: typed, nothing written.
        same = await gql(
            web, UPDATE, {"input": {"expertise": ["CYBERSECURITY"]}}, headers=me.headers
        )
        assert same["r"]["auditSeq"] is None
        wrong = await gql(
            web,
            UPDATE,
            {"input": {"fullName": " ", "phone": "123", "expertise": [], "affiliation": "🎉"}},
            headers=me.headers,
        )
        codes = {(e["field"], e["code"]) for e in wrong["r"]["errors"]}
        assert codes == {
            ("fullName", "REQUIRED"),
            ("phone", "INVALID_PHONE"),
            ("expertise", "REQUIRED"),
            ("affiliation", "INVALID_CHARACTERS"),
        }
        unknown = await gql(web, UPDATE, {"input": {"provinceCode": "99"}}, headers=me.headers)
        assert unknown["r"]["__typename"] == "NotFoundError"

    async def test_only_ones_own_profile(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        one = await register_expert(web, graph, ss_settings, outbox_dir)
        other = await register_expert(web, graph, ss_settings, outbox_dir, verify=False)
        before = await graph.read(last_seq)
        # An expert's token reaches no one else: not another's personal fields, trail or review.
        node = (await gql(web, EXPERT_NODE, {"id": one.expert_id}, headers=other.headers))["node"]
        assert node["email"] is None
        assert node["nominations"] is None
        body = await gql(
            web,
            "query($id: ID!) { auditTrail(id: $id) { seq } }",
            {"id": one.expert_id},
            headers=other.headers,
            expect_errors=True,
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        review = await gql(web, VERIFY, {"id": other.expert_id}, headers=other.headers)
        assert review["r"]["__typename"] == "NotAuthorized"
        # Self-service takes no id: a token names its person; a token naming no expert finds
        # nothing, and coordinators cannot act as experts.
        stray = bearer(ss_settings, Role.EXPERT, "person-nobody")
        for query, variables in (
            (UPDATE, {"input": {"fullName": "Kẻ Lạ"}}),
            (WITHDRAW, {"p": None}),
        ):
            assert (await gql(web, query, variables, headers=stray))["r"][
                "__typename"
            ] == "NotFoundError"
            for role, scope in (
                (Role.NATIONAL_COORDINATOR, None),
                (Role.PROVINCIAL_COORDINATOR, "01"),
                (Role.COMMUNE_OFFICER, "00004"),
                (Role.ORGANISATION_ADMIN, "so-khcn-79"),
            ):
                data = await gql(web, query, variables, headers=bearer(ss_settings, role, scope))
                assert data["r"]["__typename"] == "NotAuthorized"
            assert (await gql(web, query, variables))["r"]["__typename"] == "NotAuthorized"
        assert await graph.read(last_seq) == before
        export = (await gql(web, EXPORT, headers=other.headers))["exportMyData"]
        assert one.name not in json.dumps(export, ensure_ascii=False)
        assert one.email not in json.dumps(export)
