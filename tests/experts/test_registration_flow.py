"""Self-registration end to end over HTTP: register, mail in the outbox, confirm, verify, read;
duplicates, real concurrency, rate limits, consent, injection and Unicode edge cases."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from graph.experts.confirmation import confirmation_token
from graph.experts.registration import NOTICE_VERSION
from tests.gql import gql
from tests.tokens import bearer

REGISTER = """
mutation($input: RegisterExpertInput!) { registerExpert(input: $input) {
  __typename
  ... on RegisterExpertSuccess { expertId status }
  ... on AlreadyRegistered { field }
  ... on RateLimitedError { scope retryAfterSeconds }
  ... on ValidationErrors { errors { field code message } }
  ... on NotFoundError { kind }
} }
"""
CONFIRM = "mutation($t: String!) { confirmEmail(token: $t) { __typename ... on EmailConfirmed { auditSeq } ... on InvalidConfirmation { message } } }"
VERIFY = "mutation($id: ID!) { verifyExpert(id: $id) { __typename ... on ConflictError { message } ... on ExpertReviewPayload { expert { status } } } }"
EXPERT = "query($id: ID!) { node(id: $id) { ... on Expert { fullName status email phone } } }"


def registration(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fullName": "Nguyễn Văn Chuyên Gia",
        "email": f"cg-{uuid.uuid4().hex[:10]}@example.vn",
        "phone": None,
        "expertise": ["AI", "DATA"],
        "affiliation": "Đại học Bách khoa Hà Nội",
        "provinceCode": "01",
        "noticeVersion": NOTICE_VERSION,
        "consents": [
            {"purpose": "DIRECTORY_LISTING", "granted": True},
            {"purpose": "COORDINATOR_CONTACT", "granted": True},
            {"purpose": "NETWORK_NEWS", "granted": False},
        ],
    }
    data.update(over)
    return data


async def register(client: httpx.AsyncClient, **over: Any) -> dict[str, Any]:
    data = await gql(client, REGISTER, {"input": registration(**over)})
    result: dict[str, Any] = data["registerExpert"]
    return result


def _client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture(scope="module")
def outbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox")


@pytest.fixture(scope="module")
def reg_settings(settings: Settings, outbox_dir: Path) -> Settings:
    return settings.model_copy(update={"outbox_dir": outbox_dir, "rate_limit_per_address": 1000})


@pytest_asyncio.fixture(scope="module")
async def web(graph: Graph, reg_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(create_app(reg_settings, graph), "127.0.10.1") as c:
        yield c


def mail_to(outbox_dir: Path, email: str) -> str:
    """The body of the one message the outbox holds for this address."""
    messages = [
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox_dir.glob("*.eml")
    ]
    found = [m for m in messages if m["To"] == email]
    assert len(found) == 1, f"{len(found)} messages to {email}"
    body = found[0].get_body()
    assert body is not None
    text: str = body.get_content()
    return text


def token_in(mail: str) -> str:
    match = re.search(r"token=([A-Za-z0-9_.\-]+)", mail)
    assert match, mail
    return match.group(1)


async def test_self_registration_end_to_end(
    web: httpx.AsyncClient, outbox_dir: Path, reg_settings: Settings
) -> None:
    email = f"an.nguyen.{uuid.uuid4().hex[:8]}@example.vn"
    # NFD input with a zero-width space and outer spaces: stored NFC and clean.
    typed = "  " + unicodedata.normalize("NFD", "Nguyễn Thị\u200b Ân") + " "
    result = await register(web, fullName=typed, email=email.upper(), phone="0912 345 678")
    assert result["__typename"] == "RegisterExpertSuccess", result
    expert_id = result["expertId"]

    # Not public while pending.
    assert (await gql(web, EXPERT, {"id": expert_id}))["node"] is None

    national = bearer(reg_settings, Role.NATIONAL_COORDINATOR)
    early = await gql(web, VERIFY, {"id": expert_id}, headers=national)
    assert "confirmed" in early["verifyExpert"]["message"]

    mail = mail_to(outbox_dir, email)  # the address was lower-cased
    confirmed = await gql(web, CONFIRM, {"t": token_in(mail)})
    assert confirmed["confirmEmail"]["__typename"] == "EmailConfirmed"

    provincial = bearer(reg_settings, Role.PROVINCIAL_COORDINATOR, "01")
    verified = await gql(web, VERIFY, {"id": expert_id}, headers=provincial)
    assert verified["verifyExpert"]["expert"]["status"] == "VERIFIED"

    public = (await gql(web, EXPERT, {"id": expert_id}))["node"]
    assert public == {
        "fullName": "Nguyễn Thị Ân",
        "status": "VERIFIED",
        "email": None,
        "phone": None,
    }
    assert unicodedata.is_normalized("NFC", public["fullName"])
    listed = await gql(
        web,
        'query { experts(filter: {text: "nguyen thi an"}) { nodes { fullName email } } }',
    )
    assert {"fullName": "Nguyễn Thị Ân", "email": None} in listed["experts"]["nodes"]
    seen = (await gql(web, EXPERT, {"id": expert_id}, headers=provincial))["node"]
    assert seen["email"] == email
    assert seen["phone"] == "+84912345678"
    elsewhere = bearer(reg_settings, Role.PROVINCIAL_COORDINATOR, "79")
    assert (await gql(web, EXPERT, {"id": expert_id}, headers=elsewhere))["node"]["email"] is None


async def test_confirmation_tokens_that_must_fail(
    web: httpx.AsyncClient, reg_settings: Settings
) -> None:
    result = await register(web)
    assert result["__typename"] == "RegisterExpertSuccess"
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    expired = confirmation_token(reg_settings, "person-x", "a@example.vn", old)
    for token, reason in ((expired, "expired"), ("garbage", "valid"), (expired[:-3] + "abc", "")):
        data = await gql(web, CONFIRM, {"t": token})
        assert data["confirmEmail"]["__typename"] == "InvalidConfirmation"
        assert reason in data["confirmEmail"]["message"]


ATTEMPT_NOTICE = "Someone just tried to register with the CĐS expert network"


def mails_to(outbox_dir: Path, email: str) -> list[str]:
    found = []
    for path in outbox_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == email:
            body = message.get_body()
            assert body is not None
            found.append(str(body.get_content()))
    return found


async def _count(tx: Tx, label: str) -> int:
    records = await run(tx, "MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n", label=label)
    return int(records[0]["n"])


async def _people(tx: Tx) -> tuple[int, int]:
    return await _count(tx, "Person"), await _count(tx, "ExpertProfile")


class TestTakenAddressOrPhone:
    """The attacker, anonymous, asks whether an e-mail or phone is someone's by registering it.
    The answer is the one a new registration gets; nothing is created; the owner is told."""

    async def test_same_email_or_phone_answers_like_a_registration(
        self, web: httpx.AsyncClient, graph: Graph, outbox_dir: Path
    ) -> None:
        email = f"dup-{uuid.uuid4().hex[:8]}@example.vn"
        phone = f"091{uuid.uuid4().int % 10**7:07d}"
        first = await register(web, email=email, phone=phone)
        assert first["__typename"] == "RegisterExpertSuccess"
        people = await graph.read(_people)
        fresh = await register(web)  # someone new, for the shape of the answer
        people_after_fresh = await graph.read(_people)
        assert people_after_fresh == (people[0] + 1, people[1] + 1)

        for attempt in (
            {"email": email.upper()},
            {"phone": "+84" + phone[1:]},
            {"email": email, "phone": phone},
        ):
            again = await register(web, **attempt)
            assert again.keys() == fresh.keys()
            assert again["__typename"] == "RegisterExpertSuccess", again
            assert again["status"] == fresh["status"] == "PENDING"
            assert again["expertId"] != first["expertId"]
            # The id answered leads nowhere for the public, as a real pending profile does.
            assert (await gql(web, EXPERT, {"id": again["expertId"]}))["node"] is None
            assert (await gql(web, EXPERT, {"id": fresh["expertId"]}))["node"] is None
        assert await graph.read(_people) == people_after_fresh  # nothing was created
        # The owner got the confirmation once, then one notice per attempt (fixed text).
        notices = [m for m in mails_to(outbox_dir, email) if ATTEMPT_NOTICE in m]
        assert len(notices) == 3
        assert all(phone not in m and "+84" not in m for m in notices)

    async def test_look_alike_addresses_are_the_same_person(
        self, graph: Graph, reg_settings: Settings, outbox_dir: Path
    ) -> None:
        # Five attempts on one address: above the per-e-mail limit, which counts look-alikes
        # as one address (test_rate_limits_per_address_and_per_email).
        lenient = reg_settings.model_copy(update={"rate_limit_per_email": 100})
        async with _client(create_app(lenient, graph), "127.0.10.2") as web:
            await self._look_alikes(web, graph, outbox_dir)

    async def _look_alikes(self, web: httpx.AsyncClient, graph: Graph, outbox_dir: Path) -> None:
        local = f"ava{uuid.uuid4().hex[:8]}"
        email = f"{local}@example.vn"
        assert (await register(web, email=email))["__typename"] == "RegisterExpertSuccess"
        people = await graph.read(_people)
        fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in local) + "＠ｅｘａｍｐｌｅ．ｖｎ"
        cyrillic = email.replace("a", "\u0430", 1)  # CYRILLIC SMALL LETTER A
        greek = email.replace("e", "\u0435").replace("o", "\u03bf")  # Cyrillic ie, Greek o
        for look_alike in (fullwidth, cyrillic, greek, email.replace("ava", "ＡＶＡ", 1)):
            answer = await register(web, email=look_alike)
            assert answer["__typename"] == "RegisterExpertSuccess", (look_alike, answer)
        assert await graph.read(_people) == people
        assert len([m for m in mails_to(outbox_dir, email) if ATTEMPT_NOTICE in m]) == 4
        # No confirmation went to a look-alike address: nothing was registered there.
        assert mails_to(outbox_dir, cyrillic) == []
        # ASCII addresses that differ stay different people (no "1" for "l" here).
        other = email.replace("ava", "av4", 1)
        assert (await register(web, email=other))["__typename"] == "RegisterExpertSuccess"
        assert await graph.read(_people) == (people[0] + 1, people[1] + 1)

    async def test_racing_look_alikes_make_one_profile(
        self, web: httpx.AsyncClient, graph: Graph
    ) -> None:
        local = f"race{uuid.uuid4().hex[:8]}"
        email = f"{local}@example.vn"
        look_alike = email.replace("a", "\u0430", 1)
        people = await graph.read(_people)
        results = await asyncio.gather(register(web, email=email), register(web, email=look_alike))
        assert [r["__typename"] for r in results] == ["RegisterExpertSuccess"] * 2
        assert await graph.read(_people) == (people[0] + 1, people[1] + 1)


async def _profiles_with(tx: Tx, email: str) -> int:
    records = await run(
        tx,
        "MATCH (p:Person {email: $e})-[:HAS_PROFILE]->(e:ExpertProfile) RETURN count(e) AS n",
        e=email,
    )
    return int(records[0]["n"])


async def test_concurrent_registrations_make_one_profile(
    web: httpx.AsyncClient, graph: Graph
) -> None:
    email = f"race-{uuid.uuid4().hex[:8]}@example.vn"
    results = await asyncio.gather(register(web, email=email), register(web, email=email))
    # The loser of the race gets the same answer as the winner (nobody learns who won).
    assert [r["__typename"] for r in results] == ["RegisterExpertSuccess"] * 2
    assert await graph.read(_profiles_with, email) == 1


async def test_rate_limits_per_address_and_per_email(graph: Graph, reg_settings: Settings) -> None:
    strict = reg_settings.model_copy(
        update={"rate_limit_per_address": 3, "rate_limit_per_email": 2}
    )
    app = create_app(strict, graph)
    async with _client(app, "127.0.20.1") as one, _client(app, "127.0.20.2") as two:
        email = f"rl-{uuid.uuid4().hex[:8]}@example.vn"
        first = await register(one, email=email)
        assert first["__typename"] == "RegisterExpertSuccess"
        # Probing an address that exists counts too (and answers like a registration).
        assert (await register(one, email=email))["__typename"] == "RegisterExpertSuccess"
        # A look-alike of the address is the same address for the count.
        limited = await register(two, email=email.replace("example", "ex\u0430mple"))
        assert limited["__typename"] == "RateLimitedError"
        assert limited["scope"] == "email"
        assert 0 < limited["retryAfterSeconds"] <= strict.rate_limit_window_seconds
        assert (await register(one))["__typename"] == "RegisterExpertSuccess"
        assert (await register(one))["__typename"] == "RateLimitedError"  # 4th from address


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        (
            {"consents": [{"purpose": "DIRECTORY_LISTING", "granted": True}]},
            "consents.COORDINATOR_CONTACT",
            "CONSENT_REQUIRED",
        ),
        (
            {
                "consents": [
                    {"purpose": "DIRECTORY_LISTING", "granted": False},
                    {"purpose": "COORDINATOR_CONTACT", "granted": True},
                ]
            },
            "consents.DIRECTORY_LISTING",
            "CONSENT_REQUIRED",
        ),
        ({"noticeVersion": "2020-01"}, "noticeVersion", "OUTDATED_NOTICE"),
        ({"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ({"phone": "+1 202 555 0100"}, "phone", "INVALID_PHONE"),
        ({"phone": "12345"}, "phone", "INVALID_PHONE"),
        ({"fullName": "Â" * 300}, "fullName", "TOO_LONG"),
        ({"fullName": "\u200b\u200b  "}, "fullName", "REQUIRED"),
        ({"fullName": "🎉🚀"}, "fullName", "INVALID_CHARACTERS"),
        ({"fullName": "Tên\x00Ẩn"}, "fullName", "INVALID_CHARACTERS"),
        ({"expertise": []}, "expertise", "REQUIRED"),
    ],
)
async def test_input_mistakes_are_typed(
    web: httpx.AsyncClient, over: dict[str, Any], field: str, code: str
) -> None:
    result = await register(web, **over)
    assert result["__typename"] == "ValidationErrors", result
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in result["errors"]
    ]


async def test_unknown_province_and_vocabulary(web: httpx.AsyncClient) -> None:
    assert (await register(web, provinceCode="99"))["__typename"] == "NotFoundError"
    # Areas are data (expertiseAreas): an unknown code is a typed error naming the field and
    # the code, not a GraphQL error.
    result = await register(web, expertise=["AI", "ASTROLOGY"])
    assert result["__typename"] == "ValidationErrors", result
    [error] = result["errors"]
    assert (error["field"], error["code"]) == ("expertise", "NOT_IN_VOCABULARY")
    assert "ASTROLOGY" in error["message"]


INJECTIONS = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'Robert"); DROP DATABASE neo4j; --',
    "$name} RETURN 1 UNION MATCH (p:Person) RETURN p.email AS x //",
    '"} } mutation { closeTeam(teamId: "x") { __typename } } #',
    "Lê Văn 🙂 Vui",  # an emoji inside a real name is kept
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_injection_attempts_are_stored_as_text(
    web: httpx.AsyncClient, graph: Graph, text: str
) -> None:
    async def counts(tx: Tx) -> tuple[int, int]:
        units = await run(tx, "MATCH (u:AdministrativeUnit) RETURN count(u) AS n")
        people = await run(tx, "MATCH (p:Person) RETURN count(p) AS n")
        return int(units[0]["n"]), int(people[0]["n"])

    units, people = await graph.read(counts)
    result = await register(web, fullName=text, affiliation=text)
    assert result["__typename"] == "RegisterExpertSuccess", result

    async def stored(tx: Tx) -> str:
        records = await run(
            tx,
            "MATCH (p:Person)-[:HAS_PROFILE]->(:ExpertProfile {id: $id}) RETURN p.fullName AS n",
            id=result["expertId"] and _key(result["expertId"]),
        )
        return str(records[0]["n"])

    assert await graph.read(stored) == text
    assert await graph.read(counts) == (units, people + 1)


def _key(global_id: str) -> str:
    from api.relay import from_global_id

    return from_global_id(global_id)[1]


async def test_similar_name_in_the_same_province_is_flagged(
    web: httpx.AsyncClient, reg_settings: Settings
) -> None:
    name = f"Lê Thị Trùng Tên {uuid.uuid4().hex[:6]}"
    first = await register(web, fullName=name)
    second = await register(web, fullName=unicodedata.normalize("NFD", name.upper()))
    assert first["__typename"] == second["__typename"] == "RegisterExpertSuccess"
    query = "query($id: ID!) { node(id: $id) { ... on Expert { possibleDuplicates { id } } } }"
    national = bearer(reg_settings, Role.NATIONAL_COORDINATOR)
    flagged = await gql(web, query, {"id": second["expertId"]}, headers=national)
    assert flagged["node"]["possibleDuplicates"] == [{"id": first["expertId"]}]
    elsewhere = bearer(reg_settings, Role.PROVINCIAL_COORDINATOR, "79")
    hidden = await gql(web, query, {"id": second["expertId"]}, headers=elsewhere)
    # Not their province: a pending profile is not theirs to see at all (hardening 1).
    assert hidden["node"] is None
