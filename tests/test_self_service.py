"""Nominations and expert self-service over HTTP, on the real graph: nominees stay invisible until
they register themselves; me, updateMyProfile, withdrawConsent (erasure) and exportMyData; and
injection and Unicode edge cases through every string input of every mutation.

Everything written here is removed when the module ends (the nodes the module's audit events are
about, plus the profiles made directly), so the seeded graph other modules read is left as found.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, LiteralString

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from api.context import Role
from api.relay import from_global_id, to_global_id
from graph import changes, roster, stewardship
from graph.db import Graph, Tx, run, run_single
from graph.model import FocalPointMode, HomeAffiliation, OrganisationKind, TeamRole
from graph.registration import NOTICE_VERSION, ConsentPurpose
from graph.self_service import ERASED_NAME
from graph.settings import Settings
from tests import factories
from tests.factories import FUTURE, SYSTEM, anyone, unique
from tests.gql import gql
from tests.tokens import bearer

DAY = FUTURE.isoformat()
MADE_HERE: list[str] = []  # ids of profiles written directly (no audit event names them)

FAILURES = {
    "ValidationErrors": "... on ValidationErrors { errors { field code message } }",
    "NotAuthorized": "... on NotAuthorized { message }",
    "NotFoundError": "... on NotFoundError { kind key }",
    "ConflictError": "... on ConflictError { field message }",
    "RateLimitedError": "... on RateLimitedError { scope retryAfterSeconds }",
}


def failures(*names: str) -> str:
    return " ".join(["__typename", *(FAILURES[n] for n in names)])


RESULT = failures("ValidationErrors", "NotAuthorized", "NotFoundError", "ConflictError")
NOMINATE = (
    "mutation($email: String!, $name: String!, $reason: String!, $x: [Expertise!]! = [AI]) "
    "{ r: nominateExpert(email: $email, name: $name, expertise: $x, reason: $reason) { "
    + failures("ValidationErrors", "NotAuthorized", "RateLimitedError")
    + " ... on NominationPayload { nominationId expiresAt auditSeq } } }"
)
REGISTER = (
    "mutation($input: RegisterExpertInput!) { r: registerExpert(input: $input) { "
    + failures("ValidationErrors", "NotFoundError", "RateLimitedError")
    + " ... on RegisterExpertSuccess { expertId } ... on AlreadyRegistered { field } } }"
)
CONFIRM = (
    "mutation($t: String!) { r: confirmEmail(token: $t) { __typename "
    "... on EmailConfirmed { auditSeq } ... on InvalidConfirmation { message } } }"
)
VERIFY = (
    "mutation($id: ID!) { r: verifyExpert(id: $id) { " + RESULT + " ... on ExpertReviewPayload "
    "{ expert { status nominations { reason expertise nominatorRole nominatorSubject } } } } }"
)
UPDATE = (
    "mutation($input: UpdateMyProfileInput!) { r: updateMyProfile(input: $input) { "
    + RESULT
    + " ... on MyProfilePayload { auditSeq me { fullName phone expert { affiliation expertise "
    "province { code } } } } } }"
)
WITHDRAW = (
    "mutation($p: ConsentPurpose) { r: withdrawConsent(purpose: $p) { "
    + RESULT
    + " ... on ConsentWithdrawn { purposes erased auditSeq } } }"
)
ME = (
    "query { me { id fullName email phone erasedAt consentedPurposes "
    "consents { kind granted withdrawn } expert { id status affiliation email } } }"
)
EXPORT = "query { exportMyData }"
EXPERT_NODE = (
    "query($id: ID!) { node(id: $id) { ... on Expert { fullName status email phone "
    "nominations { reason } } } }"
)
COVERAGE = "query($c: String) { coverage(scopeCode: $c) { totals { verifiedExperts } } }"


def registration_input(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fullName": unique("Chuyên Gia Tự Phục Vụ"),
        "email": f"ss-{uuid.uuid4().hex[:10]}@example.vn",
        "phone": None,
        "expertise": ["AI", "DATA"],
        "affiliation": "Viện Công nghệ Thử",
        "provinceCode": "01",
        "noticeVersion": NOTICE_VERSION,
        "consents": [
            {"purpose": "DIRECTORY_LISTING", "granted": True},
            {"purpose": "COORDINATOR_CONTACT", "granted": True},
            {"purpose": "NETWORK_NEWS", "granted": True},
        ],
    }
    data.update(over)
    return data


@pytest.fixture(scope="module")
def outbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox-self-service")


@pytest.fixture(scope="module")
def ss_settings(settings: Settings, outbox_dir: Path) -> Settings:
    return settings.model_copy(update={"outbox_dir": outbox_dir, "rate_limit_per_address": 100_000})


async def _last_seq(tx: Tx) -> int:
    return await changes.current(tx)


@pytest_asyncio.fixture(scope="module")
async def web(graph: Graph, ss_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    start = await graph.read(_last_seq)
    transport = httpx.ASGITransport(app=create_app(ss_settings, graph), client=("127.0.30.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
    await graph.write(_clean_up, start)


async def _clean_up(tx: Tx, start: int) -> None:
    """Remove what this module made: every node its audit events are about, with the records
    hanging off them, and the profiles written directly."""
    await run(
        tx,
        """
        MATCH (a:AuditEvent)-[:CONCERNS]->(n) WHERE a.seq > $start
        WITH collect(DISTINCT n) AS made
        UNWIND made AS n
        OPTIONAL MATCH (n)-[:ESTABLISHED_BY]->(d:Decision)
        OPTIONAL MATCH (n)-[:HAS_PROFILE]->(e:ExpertProfile)
        OPTIONAL MATCH (n)-[:GAVE|WITHDREW|NOMINATED]->(c)
        OPTIONAL MATCH (nom:Nomination)-[:LED_TO]->(n)
        OPTIONAL MATCH (claim:ContactClaim {personId: n.id})
        WITH collect(n) + collect(d) + collect(e) + collect(c) + collect(nom) + collect(claim)
             AS doomed
        UNWIND doomed AS x
        WITH DISTINCT x
        DETACH DELETE x
        """,
        start=start,
    )
    await run(
        tx,
        """
        UNWIND $ids AS id MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: id})
        DETACH DELETE p, e
        """,
        ids=MADE_HERE,
    )
    await changes.bump(tx)


def mails_to(outbox_dir: Path, email: str) -> list[str]:
    found = []
    for path in outbox_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == email:
            body = message.get_body()
            assert body is not None
            found.append(str(body.get_content()))
    return found


@dataclass(frozen=True)
class Registered:
    expert_id: str  # global
    person_id: str  # key
    email: str
    name: str
    headers: dict[str, str]  # the expert's own token


async def register_expert(
    web: httpx.AsyncClient,
    graph: Graph,
    settings: Settings,
    outbox_dir: Path,
    *,
    verify: bool = True,
    **over: Any,
) -> Registered:
    data = registration_input(**over)
    result = (await gql(web, REGISTER, {"input": data}))["r"]
    assert result["__typename"] == "RegisterExpertSuccess", result
    email = data["email"].lower()
    token = next(
        line.split("token=")[1]
        for mail in mails_to(outbox_dir, email)
        for line in mail.splitlines()
        if "token=" in line
    )
    assert (await gql(web, CONFIRM, {"t": token}))["r"]["__typename"] == "EmailConfirmed"
    if verify:
        national = bearer(settings, Role.NATIONAL_COORDINATOR)
        verified = (await gql(web, VERIFY, {"id": result["expertId"]}, headers=national))["r"]
        assert verified["__typename"] == "ExpertReviewPayload", verified
    person_id = await graph.read(_person_of, from_global_id(result["expertId"])[1])
    return Registered(
        result["expertId"],
        person_id,
        email,
        unicodedata.normalize("NFC", data["fullName"]),
        bearer(settings, Role.EXPERT, person_id, subject=f"expert-{person_id}"),
    )


async def _person_of(tx: Tx, expert_key: str) -> str:
    # The person's id is what the ministry's provider would put in an EXPERT token's scope.
    found = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(:ExpertProfile {id: $id}) RETURN p.id AS id",
        id=expert_key,
    )
    assert found is not None
    return str(found["id"])


async def verified_experts(web: httpx.AsyncClient, scope: str | None) -> int:
    data = await gql(web, COVERAGE, {"c": scope})
    return int(data["coverage"]["totals"]["verifiedExperts"])


# --- nominations ------------------------------------------------------------------------------


class TestNominateExpert:
    async def test_nominee_appears_only_after_registering_themselves(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        email = f"nominee-{tag}@example.vn"
        name = f"Phạm Đề Cử {tag}"
        commune = bearer(ss_settings, Role.COMMUNE_OFFICER, "00004", subject="officer-ss")
        before = await graph.read(_fingerprint)
        data = (
            await gql(
                web,
                NOMINATE,
                {"email": email, "name": name, "reason": "Giỏi về dữ liệu mở", "x": ["DATA"]},
                headers=commune,
            )
        )["r"]
        assert data["__typename"] == "NominationPayload", data

        # Invited through the outbox, by name, with where to register.
        [mail] = mails_to(outbox_dir, email)
        assert name in mail
        assert ss_settings.register_url in mail
        # Nothing that names them is in the graph: no person, no address or name anywhere.
        assert await graph.read(_fingerprint) == before | {"Nomination": before["Nomination"] + 1}
        assert not await graph.read(_anything_says, email)
        assert not await graph.read(_anything_says, name)
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        hits = await gql(
            web, "query($t: String!) { search(text: $t) { name } }", {"t": tag}, headers=national
        )
        assert hits["search"] == []
        listed = await gql(
            web,
            "query($t: String!) { experts(filter: {text: $t, statuses: [PENDING, VERIFIED, "
            "REJECTED, WITHDRAWN]}) { totalCount } }",
            {"t": tag},
            headers=national,
        )
        assert listed["experts"]["totalCount"] == 0

        # A second nomination is kept too, but the nominee is not invited twice.
        again = await gql(
            web,
            NOMINATE,
            {"email": email.upper(), "name": name, "reason": "Cũng giới thiệu"},
            headers=bearer(ss_settings, Role.NATIONAL_COORDINATOR, subject="nat-ss"),
        )
        assert again["r"]["__typename"] == "NominationPayload"
        assert len(mails_to(outbox_dir, email)) == 1

        # They register and consent themselves: the nominations are linked to the profile and
        # shown to the coordinators who verify them, and to no one else.
        me = await register_expert(web, graph, ss_settings, outbox_dir, verify=False, email=email)
        provincial = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        verified = (await gql(web, VERIFY, {"id": me.expert_id}, headers=provincial))["r"]
        nominations = verified["expert"]["nominations"]
        assert [n["reason"] for n in nominations] == ["Giỏi về dữ liệu mở", "Cũng giới thiệu"]
        assert nominations[0]["expertise"] == ["DATA"]
        assert nominations[0]["nominatorRole"] == "COMMUNE_OFFICER"
        assert nominations[0]["nominatorSubject"] is None  # actors: national only
        seen = await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=national)
        assert len(seen["node"]["nominations"]) == 2
        for headers in ({}, bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "79"), commune):
            node = (await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=headers))["node"]
            assert node["nominations"] is None
        # Linked, the nominations forget the address's hash.
        assert await graph.read(_nomination_hashes, from_global_id(me.expert_id)[1]) == [None, None]

    async def test_every_member_may_nominate_anonymous_may_not(
        self, web: httpx.AsyncClient, ss_settings: Settings, graph: Graph
    ) -> None:
        scopes = {
            Role.NATIONAL_COORDINATOR: None,
            Role.PROVINCIAL_COORDINATOR: "79",
            Role.COMMUNE_OFFICER: "00004",
            Role.ORGANISATION_ADMIN: "so-khcn-79",
            Role.EXPERT: "person-nobody",
        }
        for role, scope in scopes.items():
            variables = {
                "email": f"n-{uuid.uuid4().hex[:8]}@example.vn",
                "name": "Võ Tài",
                "reason": "Giỏi",
            }
            data = await gql(web, NOMINATE, variables, headers=bearer(ss_settings, role, scope))
            assert data["r"]["__typename"] == "NominationPayload", (role, data)
        before = await graph.read(_last_seq)
        variables = {"email": "anon@example.vn", "name": "Võ Tài", "reason": "Giỏi"}
        assert (await gql(web, NOMINATE, variables))["r"]["__typename"] == "NotAuthorized"
        assert await graph.read(_last_seq) == before

    async def test_registered_address_gets_the_same_answer_and_no_mail(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        known = await register_expert(web, graph, ss_settings, outbox_dir, verify=False)
        mails = len(mails_to(outbox_dir, known.email))
        variables = {"email": known.email, "name": "Ai Đó", "reason": "Đã biết"}
        data = await gql(
            web, NOMINATE, variables, headers=bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        )
        assert data["r"]["__typename"] == "NominationPayload"
        assert len(mails_to(outbox_dir, known.email)) == mails
        node = await gql(
            web,
            EXPERT_NODE,
            {"id": known.expert_id},
            headers=bearer(ss_settings, Role.NATIONAL_COORDINATOR),
        )
        assert [n["reason"] for n in node["node"]["nominations"]] == ["Đã biết"]

    async def test_rate_limited_per_nominee_address(
        self, graph: Graph, ss_settings: Settings
    ) -> None:
        strict = ss_settings.model_copy(update={"rate_limit_per_email": 2})
        transport = httpx.ASGITransport(app=create_app(strict, graph), client=("127.0.30.2", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            variables = {
                "email": f"rl-{uuid.uuid4().hex[:8]}@example.vn",
                "name": "Hà Lim",
                "reason": "x",
            }
            headers = bearer(strict, Role.EXPERT, "person-nobody")
            kinds = [(await gql(c, NOMINATE, variables, headers=headers))["r"] for _ in range(3)]
        assert [k["__typename"] for k in kinds] == [
            "NominationPayload",
            "NominationPayload",
            "RateLimitedError",
        ]
        assert kinds[2]["scope"] == "email"


async def _fingerprint(tx: Tx) -> dict[str, int]:
    """Counts of what mutations create, and of everything else (from the count store)."""
    found = await run_single(
        tx,
        """
        RETURN COUNT { (:AdministrativeUnit) } AS AdministrativeUnit,
               COUNT { (:Organisation) } AS Organisation,
               COUNT { (:CommunityTechTeam) } AS CommunityTechTeam,
               COUNT { (:Decision) } AS Decision,
               COUNT { (:Person) } AS Person,
               COUNT { (:ExpertProfile) } AS ExpertProfile,
               COUNT { (:FocalPointAssignment) } AS FocalPointAssignment,
               COUNT { (:Consent) } AS Consent,
               COUNT { (:Nomination) } AS Nomination,
               COUNT { ()-[:MEMBER_OF]->() } AS MEMBER_OF,
               COUNT { ()-[:PART_OF]->() } AS PART_OF,
               COUNT { ()-[:LOCATED_IN]->() } AS LOCATED_IN
        """,
    )
    assert found is not None
    return dict(found.data())


async def _anything_says(tx: Tx, text: str) -> bool:
    """Whether any property of a nomination, outbox message or audit event holds the text."""
    records = await run(
        tx,
        """
        MATCH (n) WHERE n:Nomination OR n:OutboxMessage OR n:AuditEvent
        WITH n WHERE any(k IN keys(n) WHERE
          (n[k] IS :: STRING AND n[k] CONTAINS $text)
          OR (n[k] IS :: LIST<STRING> AND any(x IN n[k] WHERE x CONTAINS $text)))
        RETURN count(n) > 0 AS found
        """,
        text=text,
    )
    return bool(records[0]["found"])


async def _nomination_hashes(tx: Tx, expert_id: str) -> list[str | None]:
    records = await run(
        tx,
        "MATCH (n:Nomination)-[:LED_TO]->(:ExpertProfile {id: $id}) "
        "RETURN n.nomineeEmailHash AS h ORDER BY n.nominatedAt",
        id=expert_id,
    )
    return [r["h"] for r in records]


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
        assert not await graph.read(_accesses, me.person_id)
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
        before = await graph.read(_last_seq)
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
        assert await graph.read(_last_seq) == before
        export = (await gql(web, EXPORT, headers=other.headers))["exportMyData"]
        assert one.name not in json.dumps(export, ensure_ascii=False)
        assert one.email not in json.dumps(export)


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
            roster.add_team_member,
            roster.NewMembership(
                team,
                roster.PersonRef(id=me.person_id),
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
        assert not await graph.read(_anything_says, tag)
        assert not await graph.read(_anything_says, me.email)

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
            stewardship.create_organisation,
            stewardship.NewOrganisation(
                unique("Hợp tác xã Xuất"), OrganisationKind.ENTERPRISE, "00004", valid_from=FUTURE
            ),
            SYSTEM,
            anyone,
        )
        await graph.write(
            roster.assign_focal_point,
            roster.NewFocalPoint(
                org.value.id,
                roster.PersonRef(id=me.person_id),
                FocalPointMode.PART_TIME,
                FUTURE,
                "5/QĐ",
                FUTURE,
            ),
            SYSTEM,
            anyone,
        )
        await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=national)  # a logged read
        mine = await gql(
            web,
            NOMINATE,
            {
                "email": f"friend-{uuid.uuid4().hex[:8]}@example.vn",
                "name": "Bạn Tôi",
                "reason": "Bạn",
            },
            headers=me.headers,
        )
        assert mine["r"]["__typename"] == "NominationPayload"

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


async def _accesses(tx: Tx, person_id: str) -> int:
    records = await run(
        tx, "MATCH (a:PersonalDataAccess {personId: $id}) RETURN count(a) AS n", id=person_id
    )
    return int(records[0]["n"])


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
        ("nominateExpert", "name", "name", nominate("name")),
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
        stewardship.create_organisation,
        stewardship.NewOrganisation(
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
    before, seq = await graph.read(_fingerprint), await graph.read(_last_seq)
    result = (await gql(web, call.query, call.variables, headers=call.headers))["r"]
    after = await graph.read(_fingerprint)
    outcome, code = EXPECT[kind][label]
    if outcome != STORE:
        assert result["__typename"] == outcome, result
        if code is not None:
            assert (field, code) in [
                (e["field"].split(".")[-1], e["code"]) for e in result["errors"]
            ], result
        assert after == before  # nothing else changed
        assert await graph.read(_last_seq) == seq
        return
    assert result["__typename"] == SUCCESS[mutation], result
    assert await graph.read(_last_seq) == seq + 1  # one change, audited
    adds = ADDS[mutation]
    assert after == {k: v + adds.get(k, 0) for k, v in before.items()}
    assert call.stored is not None
    stored_value = await call.stored(graph, seq + 1)
    assert stored_value == STORED_AS.get(label, value)
    assert unicodedata.is_normalized("NFC", stored_value)
