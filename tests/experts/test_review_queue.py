"""The review queue (pendingExperts, pendingCountsByProvince) and the decisions taken from it:
who sees which queue, its order and what each profile carries, the outcome mail and audit of a
decision, bulk decisions with a typed result per profile, and a page's fixed cost in round
trips."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

from api.app import create_app
from api.relay import from_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from tests.experts.support import (
    NOMINATE,
    REGISTER,
    mails_to,
    register_expert,
    registration_input,
)
from tests.gql import gql
from tests.tokens import bearer

P = ParamSpec("P")
T = TypeVar("T")

QUEUE = """
query($p: String, $first: Int, $after: String) {
  pendingExperts(provinceCode: $p, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id fullName status submittedAt emailState province { code }
            possibleDuplicates { id fullName } nominations { reason nominatorRole } }
  }
}
"""
COUNTS = "{ pendingCountsByProvince { pending oldestSubmittedAt province { code } } }"
REVIEW_FIELDS = (
    "__typename ... on ExpertReviewPayload { auditSeq expert { status rejectionReason } } "
    "... on ConflictError { message } ... on NotAuthorized { message } "
    "... on ValidationErrors { errors { field code } } ... on NotFoundError { kind }"
)
VERIFY_ONE = "mutation($id: ID!) { r: verifyExpert(id: $id) { " + REVIEW_FIELDS + " } }"
REJECT_ONE = (
    "mutation($id: ID!, $why: String!) { r: rejectExpert(id: $id, reason: $why) { "
    + REVIEW_FIELDS
    + " } }"
)
BULK_FIELDS = (
    "__typename ... on BulkReviewPayload { reviewed items { id result { "
    + REVIEW_FIELDS
    + " } } } ... on ValidationErrors { errors { field code } } ... on NotAuthorized { message }"
)
VERIFY_MANY = "mutation($ids: [ID!]!) { r: verifyExperts(ids: $ids) { " + BULK_FIELDS + " } }"
REJECT_MANY = (
    "mutation($ids: [ID!]!, $why: String!) { r: rejectExperts(ids: $ids, reason: $why) { "
    + BULK_FIELDS
    + " } }"
)


async def pending_registration(web: httpx.AsyncClient, **over: Any) -> str:
    """A new self-registration, not confirmed: its expert global id."""
    result = (await gql(web, REGISTER, {"input": registration_input(**over)}))["r"]
    assert result["__typename"] == "RegisterExpertSuccess", result
    return str(result["expertId"])


async def queue(
    web: httpx.AsyncClient, headers: dict[str, str], province: str | None = None, first: int = 500
) -> dict[str, Any]:
    data = await gql(web, QUEUE, {"p": province, "first": first}, headers=headers)
    found: dict[str, Any] = data["pendingExperts"]
    return found


async def _events(tx: Tx, expert_key: str) -> list[str]:
    records = await run(
        tx,
        "MATCH (a:AuditEvent)-[:CONCERNS]->(:ExpertProfile {id: $id}) "
        "RETURN a.mutation AS m ORDER BY a.seq",
        id=expert_key,
    )
    return [r["m"] for r in records]


class TestWhoSeesWhichQueue:
    async def test_a_provincial_coordinator_sees_their_province_oldest_first(
        self, web: httpx.AsyncClient, ss_settings: Settings
    ) -> None:
        first = await pending_registration(web, provinceCode="01")
        second = await pending_registration(web, provinceCode="01")
        elsewhere = await pending_registration(web, provinceCode="79")
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        found = await queue(web, hanoi)
        ids = [n["id"] for n in found["nodes"]]
        assert first in ids
        assert second in ids
        assert elsewhere not in ids
        assert ids.index(first) < ids.index(second)
        stamps = [n["submittedAt"] for n in found["nodes"]]
        assert stamps == sorted(stamps)
        assert {n["province"]["code"] for n in found["nodes"]} == {"01"}
        assert {n["status"] for n in found["nodes"]} == {"PENDING"}
        assert found["totalCount"] == len(ids)
        # Naming their own province is the same queue; another province is refused.
        assert (await queue(web, hanoi, "01"))["totalCount"] == found["totalCount"]
        refused = await gql(web, QUEUE, {"p": "79"}, headers=hanoi, expect_errors=True)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    async def test_the_national_coordinator_sees_every_province_with_counts(
        self, web: httpx.AsyncClient, ss_settings: Settings
    ) -> None:
        await pending_registration(web, provinceCode="79")
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        everything = await queue(web, national)
        counts = (await gql(web, COUNTS, headers=national))["pendingCountsByProvince"]
        by_code = {c["province"]["code"]: c["pending"] for c in counts}
        assert sum(by_code.values()) == everything["totalCount"]
        assert by_code["79"] == (await queue(web, national, "79"))["totalCount"] >= 1
        assert [c["pending"] for c in counts] == sorted(by_code.values(), reverse=True)
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        own = (await gql(web, COUNTS, headers=hanoi))["pendingCountsByProvince"]
        assert [c["province"]["code"] for c in own] in ([], ["01"])

    async def test_no_one_else_reads_the_queue(
        self, web: httpx.AsyncClient, ss_settings: Settings
    ) -> None:
        for headers in (
            {},
            bearer(ss_settings, Role.COMMUNE_OFFICER, "00004"),
            bearer(ss_settings, Role.EXPERT, "person-someone"),
        ):
            for query in (QUEUE, COUNTS):
                body = await gql(web, query, headers=headers, expect_errors=True)
                assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", headers
                assert body["data"] is None

    async def test_paging_follows_the_order(
        self, web: httpx.AsyncClient, ss_settings: Settings
    ) -> None:
        for _ in range(3):
            await pending_registration(web, provinceCode="01")
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        whole = [n["id"] for n in (await queue(web, hanoi))["nodes"]]
        paged: list[str] = []
        after = None
        while True:
            data = await gql(web, QUEUE, {"first": 2, "after": after}, headers=hanoi)
            page = data["pendingExperts"]
            paged += [n["id"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert paged == whole


class TestWhatEachProfileCarries:
    async def test_email_state_duplicates_and_nominations(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        # Letters only: a nominee's name may hold no digits (it goes into the invitation mail).
        suffix = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6])
        name = f"Đỗ Trùng Tên {suffix}"
        earlier = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, fullName=name, provinceCode="01"
        )
        email = f"nominee-{uuid.uuid4().hex[:8]}@example.vn"
        commune = bearer(ss_settings, Role.COMMUNE_OFFICER, "00004")
        nominated = await gql(
            web,
            NOMINATE,
            {"email": email, "name": name, "reason": "Chuyên gia dữ liệu mở", "x": ["DATA"]},
            headers=commune,
        )
        assert nominated["r"]["__typename"] == "NominationPayload"
        later = await pending_registration(web, fullName=name, email=email, provinceCode="01")

        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        nodes = {n["id"]: n for n in (await queue(web, hanoi))["nodes"]}
        assert nodes[earlier.expert_id]["emailState"] == "CONFIRMED"
        flagged = nodes[later]
        assert flagged["emailState"] == "UNCONFIRMED"
        assert flagged["possibleDuplicates"] == [{"id": earlier.expert_id, "fullName": name}]
        assert flagged["nominations"] == [
            {"reason": "Chuyên gia dữ liệu mở", "nominatorRole": "COMMUNE_OFFICER"}
        ]
        # Demo profiles were not self-registered: nothing to confirm.
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        states = {n["emailState"] for n in (await queue(web, national))["nodes"]}
        assert "NOT_REQUIRED" in states


class TestDecisions:
    async def test_verify_mails_the_expert_audits_and_publishes(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        expert = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, provinceCode="01"
        )
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        result = (await gql(web, VERIFY_ONE, {"id": expert.expert_id}, headers=hanoi))["r"]
        assert result["__typename"] == "ExpertReviewPayload", result
        key = from_global_id(expert.expert_id)[1]
        assert (await graph.read(_events, key))[-1] == "verifyExpert"
        outcome = [m for m in mails_to(outbox_dir, expert.email) if "Kính gửi" in m]
        assert len(outcome) == 1
        assert outcome[0].index("đã được điều phối viên xác minh") < outcome[0].index(
            "has verified your expert profile"
        )
        assert expert.expert_id not in [n["id"] for n in (await queue(web, hanoi))["nodes"]]
        public = await gql(
            web,
            "query($id: ID!) { node(id: $id) { ... on Expert { status } } }",
            {"id": expert.expert_id},
        )
        assert public["node"] == {"status": "VERIFIED"}

    async def test_reject_needs_a_reason_and_sends_it(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        expert = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, provinceCode="01"
        )
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        blank = await gql(web, REJECT_ONE, {"id": expert.expert_id, "why": " "}, headers=hanoi)
        assert blank["r"]["__typename"] == "ValidationErrors"
        why = "Chưa có minh chứng về kinh nghiệm"
        result = await gql(web, REJECT_ONE, {"id": expert.expert_id, "why": why}, headers=hanoi)
        assert result["r"]["expert"] == {"status": "REJECTED", "rejectionReason": why}
        [outcome] = [m for m in mails_to(outbox_dir, expert.email) if why in m]
        assert outcome.index("Lý do") < outcome.index("Reason")
        key = from_global_id(expert.expert_id)[1]
        assert (await graph.read(_events, key))[-1] == "rejectExpert"


class TestBulk:
    async def test_each_profile_gets_its_own_typed_result(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        ready = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, provinceCode="01"
        )
        unconfirmed = await pending_registration(web, provinceCode="01")
        elsewhere = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, provinceCode="79"
        )
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        ids = [ready.expert_id, unconfirmed, elsewhere.expert_id, "not-an-id", ready.expert_id]
        result = (await gql(web, VERIFY_MANY, {"ids": ids}, headers=hanoi))["r"]
        assert result["__typename"] == "BulkReviewPayload"
        assert result["reviewed"] == 1
        kinds = {item["id"]: item["result"]["__typename"] for item in result["items"]}
        assert kinds == {
            ready.expert_id: "ExpertReviewPayload",
            unconfirmed: "ConflictError",
            elsewhere.expert_id: "NotAuthorized",
            "not-an-id": "ValidationErrors",
        }
        # The one that could not be decided here is still waiting, untouched.
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        assert elsewhere.expert_id in [n["id"] for n in (await queue(web, national, "79"))["nodes"]]

        rejected = (
            await gql(
                web,
                REJECT_MANY,
                {"ids": [elsewhere.expert_id, unconfirmed], "why": "Trùng hồ sơ"},
                headers=national,
            )
        )["r"]
        assert rejected["reviewed"] == 2
        assert [m for m in mails_to(outbox_dir, elsewhere.email) if "Trùng hồ sơ" in m]

    async def test_limits_and_roles(self, web: httpx.AsyncClient, ss_settings: Settings) -> None:
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        for ids in ([], [f"id-{i}" for i in range(101)]):
            result = (await gql(web, VERIFY_MANY, {"ids": ids}, headers=national))["r"]
            assert result == {
                "__typename": "ValidationErrors",
                "errors": [{"field": "ids", "code": "INVALID_VALUE"}],
            }
        commune = bearer(ss_settings, Role.COMMUNE_OFFICER, "00004")
        refused = (await gql(web, VERIFY_MANY, {"ids": ["x"]}, headers=commune))["r"]
        assert refused["__typename"] == "NotAuthorized"


@dataclass(frozen=True)
class CountingGraph(Graph):
    """The session's graph, counting the transactions a request opens (its round trips)."""

    calls: list[str] = field(default_factory=list)

    async def read(
        self, work: Callable[Concatenate[Tx, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        self.calls.append(getattr(work, "__name__", "?"))
        return await super().read(work, *args, **kwargs)


async def test_a_page_costs_a_fixed_number_of_round_trips(
    graph: Graph, ss_settings: Settings, web: httpx.AsyncClient
) -> None:
    """Whatever the page's size, each kind of look-up (the page, placements, provinces,
    duplicates, nominations) is one batched read: no read per profile."""
    for province in ("01", "01", "79"):
        await pending_registration(web, provinceCode=province)
    counting = CountingGraph(graph.driver, graph.database, graph.uri)
    transport = httpx.ASGITransport(app=create_app(ss_settings, counting))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for role, scope in ((Role.NATIONAL_COORDINATOR, None), (Role.PROVINCIAL_COORDINATOR, "01")):
            counting.calls.clear()
            page = await queue(client, bearer(ss_settings, role, scope), first=50)
            assert len(page["nodes"]) >= 3
            assert len(counting.calls) == len(set(counting.calls)) <= 6, counting.calls
