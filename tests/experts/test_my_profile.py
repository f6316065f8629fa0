"""me and updateMyProfile: an expert reads and corrects their own profile."""

from __future__ import annotations

import json
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import httpx

from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from graph.experts.registration import ConsentPurpose
from tests.experts.support import (
    EXPERT_NODE,
    EXPORT,
    ME,
    RESULT,
    UPDATE,
    VERIFY,
    WITHDRAW,
    accesses,
    last_seq,
    mails_to,
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


# --- editing a verified profile -----------------------------------------------------------------

EDIT = (
    "mutation($input: UpdateMyProfileInput!) { r: updateMyProfile(input: $input) { "
    + RESULT
    + " ... on MyProfilePayload { auditSeq me { expert { status affiliation "
    "changedSinceVerification changedSinceVerificationAt } } } } }"
)
QUEUE = (
    'query { pendingExperts(provinceCode: "01", first: 500) { nodes { id status '
    "changedSinceVerification } } }"
)
PUBLIC_VIEW = (
    "query($id: ID!) { node(id: $id) { ... on Expert { status affiliation "
    "changedSinceVerification changedSinceVerificationAt } } }"
)
REJECT = (
    'mutation($id: ID!) { r: rejectExpert(id: $id, reason: "Đơn vị không đúng") { '
    + RESULT
    + " } }"
)


async def _in_queue(web: httpx.AsyncClient, headers: dict[str, str], expert_id: str) -> Any:
    nodes = (await gql(web, QUEUE, headers=headers))["pendingExperts"]["nodes"]
    return next((n for n in nodes if n["id"] == expert_id), None)


class TestEditAfterVerification:
    async def test_a_verified_profile_stays_listed_and_is_reviewed_again(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        # The phone is not public: correcting it is not a change to review.
        phone = (await gql(web, EDIT, {"input": {"phone": "0912 345 987"}}, headers=me.headers))[
            "r"
        ]
        assert phone["me"]["expert"]["changedSinceVerification"] is None
        # The same areas in another order (as a form lists them) are no change at all.
        same = await gql(web, EDIT, {"input": {"expertise": ["DATA", "AI"]}}, headers=me.headers)
        assert same["r"]["auditSeq"] is None
        assert await _in_queue(web, hanoi, me.expert_id) is None

        edited = (
            await gql(web, EDIT, {"input": {"affiliation": "Viện Dữ liệu Mới"}}, headers=me.headers)
        )["r"]
        expert = edited["me"]["expert"]
        assert expert["status"] == "VERIFIED"
        assert expert["changedSinceVerification"] == ["affiliation"]
        first_changed = expert["changedSinceVerificationAt"]
        # Still listed, with the new value; the review state is not the public's business.
        public = (await gql(web, PUBLIC_VIEW, {"id": me.expert_id}))["node"]
        assert public == {
            "status": "VERIFIED",
            "affiliation": "Viện Dữ liệu Mới",
            "changedSinceVerification": None,
            "changedSinceVerificationAt": None,
        }
        # Back in the queue of the province's coordinators; later edits add up.
        assert (await _in_queue(web, hanoi, me.expert_id))["changedSinceVerification"] == [
            "affiliation"
        ]
        more = (await gql(web, EDIT, {"input": {"expertise": ["HEALTH"]}}, headers=me.headers))["r"]
        assert more["me"]["expert"]["changedSinceVerification"] == ["affiliation", "expertise"]
        assert more["me"]["expert"]["changedSinceVerificationAt"] == first_changed

        # Verifying accepts the changes: out of the queue, no mail (nothing new for the expert).
        mails = len(mails_to(outbox_dir, me.email))
        verified = (await gql(web, VERIFY, {"id": me.expert_id}, headers=hanoi))["r"]
        assert verified["expert"]["status"] == "VERIFIED"
        assert await _in_queue(web, hanoi, me.expert_id) is None
        assert len(mails_to(outbox_dir, me.email)) == mails
        trail = await gql(
            web,
            "query($id: ID!) { auditTrail(id: $id) { mutation changes { field before after } } }",
            {"id": me.expert_id},
            headers=hanoi,
        )
        last = trail["auditTrail"][-1]
        assert last["mutation"] == "verifyExpert"
        assert last["changes"] == [
            {
                "field": "changedSinceVerification",
                "before": ["affiliation", "expertise"],
                "after": None,
            }
        ]

        # Rejecting a change ends the listing, and the expert is told why.
        await gql(web, EDIT, {"input": {"affiliation": "Công ty Không Rõ"}}, headers=me.headers)
        rejected = (await gql(web, REJECT, {"id": me.expert_id}, headers=hanoi))["r"]
        assert rejected["__typename"] == "ExpertReviewPayload"
        assert (await gql(web, PUBLIC_VIEW, {"id": me.expert_id}))["node"] is None
        assert any("Đơn vị không đúng" in m for m in mails_to(outbox_dir, me.email))

    async def test_a_pending_profile_is_not_flagged(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir, verify=False)
        edited = (
            await gql(web, EDIT, {"input": {"affiliation": "Viện Chờ Duyệt"}}, headers=me.headers)
        )["r"]
        assert edited["me"]["expert"]["status"] == "PENDING"
        assert edited["me"]["expert"]["changedSinceVerification"] is None


# --- who read my data ------------------------------------------------------------------------------

READS = (
    "query($first: Int, $after: String) { myDataReads(first: $first, after: $after) { "
    "totalCount pageInfo { hasNextPage endCursor } nodes { at role scope fields } } }"
)


class TestMyDataReads:
    async def test_only_this_persons_reads_with_role_and_scope_never_who(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir, phone="0933 111 222")
        other = await register_expert(web, graph, ss_settings, outbox_dir)
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR, subject="quoc-gia@cds.gov.vn")
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01", subject="ha-noi@cds.vn")
        await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=national)
        await gql(web, EXPERT_NODE, {"id": other.expert_id}, headers=national)
        contact = "query($id: ID!) { node(id: $id) { ... on Expert { phone } } }"
        await gql(web, contact, {"id": me.expert_id}, headers=hanoi)

        reads = (await gql(web, READS, headers=me.headers))["myDataReads"]
        assert reads["totalCount"] == 2
        newest, oldest = reads["nodes"]
        hanoi_name = (await gql(web, 'query { administrativeUnit(code: "01") { name } }'))[
            "administrativeUnit"
        ]["name"]
        assert (newest["role"], newest["scope"], newest["fields"]) == (
            "PROVINCIAL_COORDINATOR",
            hanoi_name,
            ["phone"],
        )
        assert (oldest["role"], oldest["scope"], oldest["fields"]) == (
            "NATIONAL_COORDINATOR",
            None,
            ["email", "phone"],
        )
        assert newest["at"] >= oldest["at"]
        assert "@cds" not in json.dumps(reads)  # the readers' subjects
        # Paged, newest first.
        first = (await gql(web, READS, {"first": 1}, headers=me.headers))["myDataReads"]
        assert first["pageInfo"]["hasNextPage"] is True
        assert first["nodes"] == [newest]
        rest = await gql(
            web, READS, {"first": 1, "after": first["pageInfo"]["endCursor"]}, headers=me.headers
        )
        assert rest["myDataReads"]["nodes"] == [oldest]
        assert rest["myDataReads"]["pageInfo"]["hasNextPage"] is False
        # Another expert sees their own only; no one else sees any.
        theirs = (await gql(web, READS, headers=other.headers))["myDataReads"]
        assert [n["fields"] for n in theirs["nodes"]] == [["email"]]
        for headers in ({}, national, hanoi):
            assert (await gql(web, READS, headers=headers))["myDataReads"] is None
