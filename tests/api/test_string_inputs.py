"""Injection and Unicode edge cases through every string input of every mutation, on the real
graph."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

import httpx
import pytest
import pytest_asyncio

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run_single
from graph.core.model import OrganisationKind
from graph.core.settings import Settings
from graph.network import organisations
from tests import factories
from tests.experts.support import (
    CONFIRM,
    DAY,
    MADE_HERE,
    NOMINATE,
    REGISTER,
    RESULT,
    UPDATE,
    Registered,
    fingerprint,
    last_seq,
    mails_to,
    register_expert,
    registration_input,
)
from tests.factories import FUTURE, SYSTEM, anyone, unique
from tests.gql import gql
from tests.tokens import bearer

# --- injection attempts and Unicode edge cases through every string input ----------------------

NFD = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
VALUES: dict[str, str] = {
    "cypher": '") DETACH DELETE n //',
    "cypher-quote": "x'}) MATCH (n) DETACH DELETE n RETURN 1 //",
    "braces": "{{",
    "graphql": '"} } mutation { closeTeam(teamId: "x") { __typename } } #',
    "nfd": NFD,
    "zero-width": "Tổ\u200b Thử\u200d Nghiệm\ufeff",
    "300-chars": "Â" * 300,
    "emoji": "Lê Văn 🙂 Vui",
    "emoji-only": "🎉🚀",
}
STORED_AS = {"nfd": "Nguyễn Thị Ánh", "zero-width": "Tổ Thử Nghiệm"}

# What each kind of input must answer to each value: a stored (cleaned, NFC) value, or an
# expected failure (typename, code).
STORE = "stored"
EXPECT: dict[str, dict[str, tuple[str, str | None]]] = {
    "name": {
        label: (STORE, None)
        for label in VALUES
        if label not in {"braces", "300-chars", "emoji-only"}
    }
    | {
        "braces": ("ValidationErrors", "INVALID_CHARACTERS"),
        "300-chars": ("ValidationErrors", "TOO_LONG"),
        "emoji-only": ("ValidationErrors", "INVALID_CHARACTERS"),
    },
    # A nominee's name is printed in the registry's mail: letters, spaces, ' - . only.
    "person-name": {
        label: ("ValidationErrors", "INVALID_CHARACTERS")
        for label in VALUES
        if label not in {"nfd", "zero-width", "300-chars"}
    }
    | {
        "nfd": (STORE, None),
        "zero-width": (STORE, None),
        "300-chars": ("ValidationErrors", "TOO_LONG"),
    },
    "text": {label: (STORE, None) for label in VALUES},
    "email": {label: ("ValidationErrors", "INVALID_EMAIL") for label in VALUES},
    "phone": {label: ("ValidationErrors", "INVALID_PHONE") for label in VALUES},
    "code": {label: ("NotFoundError", None) for label in VALUES},
    "id": {label: ("ValidationErrors", "INVALID_ID") for label in VALUES},
    "key": {label: ("NotFoundError", None) for label in VALUES},
    "token": {label: ("InvalidConfirmation", None) for label in VALUES},
    "notice": {label: ("ValidationErrors", "OUTDATED_NOTICE") for label in VALUES},
}

# What a success adds to the fingerprint.
ADDS: dict[str, dict[str, int]] = {
    "registerExpert": {"Person": 1, "ExpertProfile": 1, "Consent": 1, "LOCATED_IN": 1},
    "createTeam": {"CommunityTechTeam": 1, "Decision": 1},
    "closeTeam": {},
    "addTeamMember": {"Person": 1, "MEMBER_OF": 1},
    "assignFocalPoint": {"Person": 1, "FocalPointAssignment": 1, "Decision": 1},
    "createOrganisation": {"Organisation": 1, "LOCATED_IN": 1},
    "updateOrganisation": {},
    "rejectExpert": {},
    "nominateExpert": {"Nomination": 1},
    "updateMyProfile": {},
}
SUCCESS = {
    "registerExpert": "RegisterExpertSuccess",
    "createTeam": "TeamPayload",
    "closeTeam": "TeamPayload",
    "addTeamMember": "MembershipPayload",
    "assignFocalPoint": "FocalPointPayload",
    "createOrganisation": "OrganisationPayload",
    "updateOrganisation": "OrganisationPayload",
    "rejectExpert": "ExpertReviewPayload",
    "nominateExpert": "NominationPayload",
    "updateMyProfile": "MyProfilePayload",
}


@dataclass
class Fixtures:
    """What the rows act on, made once per module (and removed with it)."""

    org_id: str
    expert: Registered
    outbox_dir: Path


@dataclass(frozen=True)
class Call:
    query: str
    variables: dict[str, Any]
    headers: dict[str, str]
    stored: Callable[[Graph, int], Awaitable[Any]] | None = None  # the value, from the event


def stored(query: LiteralString) -> Callable[[Graph, int], Awaitable[Any]]:
    """The stored value, by a statement over the audit event ($seq) of the mutation."""

    async def read(graph: Graph, seq: int) -> Any:
        async def go(tx: Tx) -> Any:
            found = await run_single(tx, query, seq=seq)
            return found["v"] if found else None

        return await graph.read(go)

    return read


def changed_after(field: str) -> Callable[[Graph, int], Awaitable[Any]]:
    """A value kept only in the audit event (closeTeam's reason)."""
    read_changes = stored("MATCH (a:AuditEvent {seq: $seq}) RETURN a.changes AS v")

    async def read(graph: Graph, seq: int) -> Any:
        found = json.loads(await read_changes(graph, seq))
        return next(c["after"] for c in found if c["field"] == field)

    return read


CONCERNED: dict[str, LiteralString] = {
    "team.name": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(t:CommunityTechTeam) RETURN t.name AS v",
    "team.village": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(t:CommunityTechTeam) RETURN t.villageName AS v",
    "team.decision": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(:CommunityTechTeam)-[:ESTABLISHED_BY]->(d) RETURN d.number AS v",
    "person.name": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(p:Person) RETURN p.fullName AS v",
    "post.decision": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(:FocalPointAssignment)-[:ESTABLISHED_BY]->(d) RETURN d.number AS v",
    "post.title": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(f:FocalPointAssignment) RETURN f.title AS v",
    "org.name": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(o:Organisation) RETURN o.name AS v",
    "expert.reason": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(e:ExpertProfile) RETURN e.rejectionReason AS v",
    "expert.affiliation": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(e:ExpertProfile) RETURN e.affiliation AS v",
    "nomination.reason": "MATCH (:AuditEvent {seq: $seq})-[:CONCERNS]->(n:Nomination) RETURN n.reason AS v",
}


def _nat(s: Settings) -> dict[str, str]:
    return bearer(s, Role.NATIONAL_COORDINATOR, subject="injection-tester")


def _team_id(key: str = "team-none") -> str:
    return to_global_id("CommunityTechTeam", key)


R = " { r: %s { " + RESULT + " } }"


def _team_input(**over: Any) -> dict[str, Any]:
    data = {
        "communeCode": "00004",
        "name": "Tổ CNSCĐ thử",
        "level": "COMMUNE",
        "since": DAY,
        "decisionNumber": "9/QĐ-UBND",
        "decisionDate": DAY,
    }
    return data | over


CREATE_TEAM = "mutation($i: CreateTeamInput!)" + R % "createTeam(input: $i)"
CLOSE_TEAM = (
    "mutation($t: ID!, $d: Date!, $why: String)"
    + R % "closeTeam(teamId: $t, until: $d, reason: $why)"
)
ADD_MEMBER = "mutation($i: AddTeamMemberInput!)" + R % "addTeamMember(input: $i)"
END_MEMBER = (
    "mutation($t: ID!, $p: ID!, $d: Date!)"
    + R % "endTeamMembership(teamId: $t, personId: $p, until: $d)"
)
ASSIGN = "mutation($i: AssignFocalPointInput!)" + R % "assignFocalPoint(input: $i)"
END_POST = "mutation($a: String!, $d: Date!)" + R % "endFocalPoint(assignmentId: $a, until: $d)"
CREATE_ORG = "mutation($i: CreateOrganisationInput!)" + R % "createOrganisation(input: $i)"
UPDATE_ORG = "mutation($i: UpdateOrganisationInput!)" + R % "updateOrganisation(input: $i)"
VERIFY_ID = "mutation($e: ID!)" + R % "verifyExpert(id: $e)"
REJECT = "mutation($e: ID!, $why: String!)" + R % "rejectExpert(id: $e, reason: $why)"


def _member(person: dict[str, Any], team: str) -> dict[str, Any]:
    return {
        "teamId": team,
        "person": person,
        "role": "MEMBER",
        "since": DAY,
        "homeAffiliation": "RESIDENT",
    }


def _post(f: Fixtures, person: dict[str, Any], **over: Any) -> dict[str, Any]:
    data = {
        "organisationId": to_global_id("Organisation", f.org_id),
        "person": person,
        "mode": "PART_TIME",
        "since": DAY,
        "decisionNumber": "7/QĐ",
        "decisionDate": DAY,
    }
    return data | over


def _org(**over: Any) -> dict[str, Any]:
    return {
        "name": "Hợp tác xã Số Thử",
        "kind": "ENTERPRISE",
        "unitCode": "00004",
        "validFrom": DAY,
    } | over


Build = Callable[[Graph, Fixtures, Settings, str], Awaitable[Call]]


async def _b_register(
    field: str, v: str, lookup: Callable[[Graph, int], Awaitable[Any]] | None = None
) -> Call:
    return Call(REGISTER, {"input": registration_input(**{field: v})}, {}, lookup)


def _rows() -> list[tuple[str, str, str, Build]]:
    """(mutation, input field, kind, build): every string input of every mutation."""

    def reg(field: str, lookup: str | None = None) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            return await _b_register(field, v, stored(CONCERNED[lookup]) if lookup else None)

        return build

    async def confirm(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(CONFIRM, {"t": v}, {})

    def team(over: str, lookup: str | None, **extra: Any) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            return Call(
                CREATE_TEAM,
                {"i": _team_input(**{over: v}, **extra)},
                _nat(s),
                stored(CONCERNED[lookup]) if lookup else None,
            )

        return build

    async def close_id(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(CLOSE_TEAM, {"t": v, "d": DAY, "why": None}, _nat(s))

    async def close_reason(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        team = await factories.make_team(g)
        return Call(
            CLOSE_TEAM, {"t": _team_id(team), "d": DAY, "why": v}, _nat(s), changed_after("reason")
        )

    def member(person: Callable[[str], dict[str, Any]], lookup: str | None) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            team = await factories.make_team(g)
            return Call(
                ADD_MEMBER,
                {"i": _member(person(v), _team_id(team))},
                _nat(s),
                stored(CONCERNED[lookup]) if lookup else None,
            )

        return build

    async def member_team(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(ADD_MEMBER, {"i": _member({"new": {"fullName": "Lò Văn Thử"}}, v)}, _nat(s))

    async def end_member(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(END_MEMBER, {"t": v, "p": to_global_id("Person", "p"), "d": DAY}, _nat(s))

    async def end_member_person(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(END_MEMBER, {"t": _team_id(), "p": v, "d": DAY}, _nat(s))

    def post(
        person: Callable[[str], dict[str, Any]], field: str | None, lookup: str | None
    ) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            over = {field: v} if field else {}
            lookup_fn = stored(CONCERNED[lookup]) if lookup else None
            return Call(ASSIGN, {"i": _post(f, person(v), **over)}, _nat(s), lookup_fn)

        return build

    def new(v: str) -> dict[str, Any]:
        return {"new": {"fullName": "Nguyễn Thị Đầu Mối"}}

    async def end_post(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(END_POST, {"a": v, "d": DAY}, _nat(s))

    def org(field: str, lookup: str | None) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            return Call(
                CREATE_ORG,
                {"i": _org(**{field: v})},
                _nat(s),
                stored(CONCERNED[lookup]) if lookup else None,
            )

        return build

    async def update_org_id(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(UPDATE_ORG, {"i": {"id": v, "name": "Tên Mới"}}, _nat(s))

    async def update_org_name(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(
            UPDATE_ORG,
            {"i": {"id": to_global_id("Organisation", f.org_id), "name": v}},
            _nat(s),
            stored(CONCERNED["org.name"]),
        )

    async def verify_id(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(VERIFY_ID, {"e": v}, _nat(s))

    async def reject_id(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        return Call(REJECT, {"e": v, "why": "Thiếu hồ sơ"}, _nat(s))

    async def reject_reason(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
        expert, _ = await factories.make_pending_expert(g)
        MADE_HERE.append(expert)
        return Call(
            REJECT,
            {"e": to_global_id("Expert", expert), "why": v},
            _nat(s),
            stored(CONCERNED["expert.reason"]),
        )

    def nominate(field: str) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            email = f"inj-{uuid.uuid4().hex[:10]}@example.vn"
            variables = {"email": email, "name": "Đinh Tài", "reason": "Giỏi"} | {field: v}

            async def invited(graph: Graph, seq: int) -> str:
                [mail] = mails_to(f.outbox_dir, email)
                return mail.split("Kính gửi ", 1)[1].split(",\n", 1)[0]

            lookup = {"name": invited, "reason": stored(CONCERNED["nomination.reason"])}.get(field)
            return Call(NOMINATE, variables, _nat(s), lookup)

        return build

    def mine(field: str, lookup: str | None) -> Build:
        async def build(g: Graph, f: Fixtures, s: Settings, v: str) -> Call:
            return Call(
                UPDATE,
                {"input": {field: v}},
                f.expert.headers,
                stored(CONCERNED[lookup]) if lookup else None,
            )

        return build

    def member_new(key: str) -> Callable[[str], dict[str, Any]]:
        return lambda v: {"new": {"fullName": "Lò Văn Thử"} | {key: v}}

    return [
        ("registerExpert", "fullName", "name", reg("fullName", "person.name")),
        ("registerExpert", "email", "email", reg("email")),
        ("registerExpert", "phone", "phone", reg("phone")),
        ("registerExpert", "affiliation", "name", reg("affiliation", "expert.affiliation")),
        ("registerExpert", "provinceCode", "code", reg("provinceCode")),
        ("registerExpert", "noticeVersion", "notice", reg("noticeVersion")),
        ("confirmEmail", "token", "token", confirm),
        ("createTeam", "communeCode", "code", team("communeCode", None)),
        ("createTeam", "name", "name", team("name", "team.name")),
        ("createTeam", "decisionNumber", "name", team("decisionNumber", "team.decision")),
        (
            "createTeam",
            "villageName",
            "name",
            team("villageName", "team.village", level="VILLAGE", villageKind="THON"),
        ),
        ("closeTeam", "teamId", "id", close_id),
        ("closeTeam", "reason", "text", close_reason),
        ("addTeamMember", "teamId", "id", member_team),
        ("addTeamMember", "id", "id", member(lambda v: {"id": v}, None)),
        ("addTeamMember", "fullName", "name", member(member_new("fullName"), "person.name")),
        ("addTeamMember", "email", "email", member(member_new("email"), None)),
        ("addTeamMember", "phone", "phone", member(member_new("phone"), None)),
        ("endTeamMembership", "teamId", "id", end_member),
        ("endTeamMembership", "personId", "id", end_member_person),
        ("assignFocalPoint", "organisationId", "id", post(new, "organisationId", None)),
        ("assignFocalPoint", "id", "id", post(lambda v: {"id": v}, None, None)),
        (
            "assignFocalPoint",
            "fullName",
            "name",
            post(lambda v: {"new": {"fullName": v}}, None, "person.name"),
        ),
        (
            "assignFocalPoint",
            "email",
            "email",
            post(lambda v: {"new": {"fullName": "Mai Thử", "email": v}}, None, None),
        ),
        (
            "assignFocalPoint",
            "phone",
            "phone",
            post(lambda v: {"new": {"fullName": "Mai Thử", "phone": v}}, None, None),
        ),
        (
            "assignFocalPoint",
            "decisionNumber",
            "name",
            post(new, "decisionNumber", "post.decision"),
        ),
        ("assignFocalPoint", "title", "name", post(new, "title", "post.title")),
        ("endFocalPoint", "assignmentId", "key", end_post),
        ("createOrganisation", "name", "name", org("name", "org.name")),
        ("createOrganisation", "unitCode", "code", org("unitCode", None)),
        ("createOrganisation", "parentId", "id", org("parentId", None)),
        ("updateOrganisation", "id", "id", update_org_id),
        ("updateOrganisation", "name", "name", update_org_name),
        ("verifyExpert", "id", "id", verify_id),
        ("rejectExpert", "id", "id", reject_id),
        ("rejectExpert", "reason", "text", reject_reason),
        ("nominateExpert", "email", "email", nominate("email")),
        ("nominateExpert", "name", "person-name", nominate("name")),
        ("nominateExpert", "reason", "text", nominate("reason")),
        ("updateMyProfile", "fullName", "name", mine("fullName", "person.name")),
        ("updateMyProfile", "phone", "phone", mine("phone", None)),
        ("updateMyProfile", "affiliation", "name", mine("affiliation", "expert.affiliation")),
        ("updateMyProfile", "provinceCode", "code", mine("provinceCode", None)),
    ]


ROWS = _rows()


@pytest_asyncio.fixture(scope="module")
async def targets(
    web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
) -> Fixtures:
    org = await graph.write(
        organisations.create_organisation,
        organisations.NewOrganisation(
            unique("Viện Thử Tiêm"), OrganisationKind.INSTITUTE, "00004", valid_from=FUTURE
        ),
        SYSTEM,
        anyone,
    )
    expert = await register_expert(web, graph, ss_settings, outbox_dir, verify=False)
    return Fixtures(org.value.id, expert, outbox_dir)


@pytest.mark.parametrize("label", list(VALUES))
@pytest.mark.parametrize(
    ("mutation", "field", "kind", "build"), ROWS, ids=[f"{m}.{f}" for m, f, _, _ in ROWS]
)
async def test_every_string_input(
    web: httpx.AsyncClient,
    graph: Graph,
    ss_settings: Settings,
    targets: Fixtures,
    mutation: str,
    field: str,
    kind: str,
    build: Build,
    label: str,
) -> None:
    value = VALUES[label]
    call = await build(graph, targets, ss_settings, value)
    before, seq = await graph.read(fingerprint), await graph.read(last_seq)
    result = (await gql(web, call.query, call.variables, headers=call.headers))["r"]
    after = await graph.read(fingerprint)
    outcome, code = EXPECT[kind][label]
    if outcome != STORE:
        assert result["__typename"] == outcome, result
        if code is not None:
            assert (field, code) in [
                (e["field"].split(".")[-1], e["code"]) for e in result["errors"]
            ], result
        assert after == before  # nothing else changed
        assert await graph.read(last_seq) == seq
        return
    assert result["__typename"] == SUCCESS[mutation], result
    assert await graph.read(last_seq) == seq + 1  # one change, audited
    adds = ADDS[mutation]
    assert after == {k: v + adds.get(k, 0) for k, v in before.items()}
    assert call.stored is not None
    stored_value = await call.stored(graph, seq + 1)
    assert stored_value == STORED_AS.get(label, value)
    assert unicodedata.is_normalized("NFC", stored_value)
