"""Confirming an e-mail address: the link, the short code, a new mail; what expires, what is
used up, what is limited, and that none of it tells the public whether an address is
registered."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from api.dashboard import RedactLinkTokens
from graph.core.db import Graph, Tx, run, run_single
from graph.core.settings import Settings
from graph.experts.confirmation import confirmation_token
from tests.experts.support import REGISTER, delivered, last_seq, mails_to, registration_input
from tests.gql import gql

CONFIRM = (
    "mutation($t: String!) { r: confirmEmail(token: $t) { __typename "
    "... on EmailConfirmed { auditSeq alreadyConfirmed } "
    "... on InvalidConfirmation { problem message } } }"
)
CODE = (
    "mutation($e: String!, $c: String!) { r: confirmEmailWithCode(email: $e, code: $c) { "
    "__typename ... on EmailConfirmed { auditSeq alreadyConfirmed } "
    "... on InvalidConfirmation { problem message } "
    "... on RateLimitedError { scope retryAfterSeconds } "
    "... on ValidationErrors { errors { field code } } } }"
)
RESEND = (
    "mutation($e: String!) { r: resendConfirmation(email: $e) { __typename "
    "... on ConfirmationMailRequested { message } "
    "... on RateLimitedError { scope } ... on ValidationErrors { errors { field code } } } }"
)
CODE_LINE = re.compile(r"([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})")


def link_in(mail: str) -> str:
    found = re.search(r"(\S+\?token=[A-Za-z0-9_.\-]+)", mail)
    assert found, mail
    return found.group(1)


def code_in(mail: str) -> str:
    found = CODE_LINE.search(mail)
    assert found, mail
    return found.group(1)


async def register(web: httpx.AsyncClient, **over: Any) -> tuple[str, str]:
    """(e-mail, expert global id) of a new self-registration."""
    data = registration_input(**over)
    result = (await gql(web, REGISTER, {"input": data}))["r"]
    assert result["__typename"] == "RegisterExpertSuccess", result
    return data["email"].lower(), result["expertId"]


async def _person(tx: Tx, email: str) -> dict[str, Any]:
    records = await run(
        tx,
        "MATCH (p:Person {email: $e}) RETURN p.id AS id, p.emailConfirmedAt AS at, "
        "p.emailIssue AS issue",
        e=email,
    )
    return dict(records[0])


async def _expire_code(tx: Tx, email: str) -> None:
    await run(
        tx,
        "MATCH (p:Person {email: $e}) "
        "SET p.emailCodeExpiresAt = datetime.transaction() - duration({minutes: 1})",
        e=email,
    )


class TestTheMail:
    async def test_mail_is_vietnamese_first_with_a_link_and_a_short_code(
        self, web: httpx.AsyncClient, outbox_dir: Path, ss_settings: Settings, graph: Graph
    ) -> None:
        email, _ = await register(web)
        [mail] = mails_to(outbox_dir, email)
        assert mail.index("Mở liên kết") < mail.index("Open this link")
        link = link_in(mail)
        assert link.startswith(f"{ss_settings.confirm_url}?token=")
        code = code_in(mail)
        assert len(code.replace("-", "")) == 8
        # Only the issue the code is derived from is kept, never the code or the link's token.
        person = await graph.read(_person, email)
        assert person["issue"]
        assert code not in str(person)
        assert code.replace("-", "") not in str(person)

    async def test_the_links_of_mails_open_the_pages(self, web: httpx.AsyncClient) -> None:
        confirm = await web.get("/confirm-email", params={"token": "a.b-c_d"})
        assert confirm.status_code == 303
        assert confirm.headers["location"] == "/dashboard/#/confirm?token=a.b-c_d"
        register_page = await web.get("/register")
        assert register_page.status_code == 303
        assert register_page.headers["location"] == "/dashboard/#/register"

    def test_the_access_log_does_not_keep_link_tokens(self) -> None:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5", "GET", "/confirm-email?token=eyJ.secret.sig&x=1", "1.1", 303),
            None,
        )
        assert RedactLinkTokens().filter(record)
        assert "secret" not in record.getMessage()
        assert "token=…&x=1" in record.getMessage()


class TestTheLink:
    async def test_confirms_once_then_says_it_was_used(
        self, web: httpx.AsyncClient, outbox_dir: Path, graph: Graph
    ) -> None:
        email, _ = await register(web)
        token = link_in(mails_to(outbox_dir, email)[0]).split("token=")[1]
        first = (await gql(web, CONFIRM, {"t": token}))["r"]
        assert first["__typename"] == "EmailConfirmed"
        assert first["alreadyConfirmed"] is False
        assert first["auditSeq"] is not None
        assert (await graph.read(_person, email))["at"] is not None
        again = (await gql(web, CONFIRM, {"t": token}))["r"]
        assert again == {"__typename": "EmailConfirmed", "auditSeq": None, "alreadyConfirmed": True}

    async def test_expired_link_says_expired(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings
    ) -> None:
        email, _ = await register(web)
        person = await graph.read(_person, email)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
        token = confirmation_token(
            ss_settings, person["id"], email, past, person["issue"], past + dt.timedelta(days=2)
        )
        result = (await gql(web, CONFIRM, {"t": token}))["r"]
        assert result["__typename"] == "InvalidConfirmation"
        assert result["problem"] == "EXPIRED"
        assert (await graph.read(_person, email))["at"] is None

    async def test_a_new_mail_replaces_the_old_link_and_code(
        self, web: httpx.AsyncClient, outbox_dir: Path
    ) -> None:
        email, _ = await register(web)
        [old] = mails_to(outbox_dir, email)
        resent = (await gql(web, RESEND, {"e": email}))["r"]
        assert resent["__typename"] == "ConfirmationMailRequested"
        new = next(m for m in await delivered(outbox_dir, email, 2) if m != old)
        old_link = (await gql(web, CONFIRM, {"t": link_in(old).split("token=")[1]}))["r"]
        assert old_link["problem"] == "REPLACED"
        old_code = (await gql(web, CODE, {"e": email, "c": code_in(old)}))["r"]
        assert old_code["problem"] == "INVALID"
        confirmed = (await gql(web, CODE, {"e": email, "c": code_in(new)}))["r"]
        assert confirmed["__typename"] == "EmailConfirmed"

    async def test_altered_or_foreign_tokens_are_invalid(self, web: httpx.AsyncClient) -> None:
        foreign = confirmation_token(
            Settings(
                environment="test",
                email_token_key="someone-else-whose-key-is-long-enough-for-hs256",
            ),
            "person-x",
            "x@example.vn",
            dt.datetime.now(dt.UTC),
        )
        for token in ("garbage", foreign):
            result = (await gql(web, CONFIRM, {"t": token}))["r"]
            assert result["problem"] == "INVALID", token


class TestTheCode:
    async def test_code_typed_loosely_confirms_then_is_used(
        self, web: httpx.AsyncClient, outbox_dir: Path, graph: Graph
    ) -> None:
        email, _ = await register(web)
        code = code_in(mails_to(outbox_dir, email)[0])
        loose = f" {code.replace('-', ' ').lower()} "
        result = (await gql(web, CODE, {"e": email.upper(), "c": loose}))["r"]
        assert result["__typename"] == "EmailConfirmed"
        assert result["alreadyConfirmed"] is False
        assert (await graph.read(_person, email))["at"] is not None
        again = (await gql(web, CODE, {"e": email, "c": code}))["r"]
        assert again["alreadyConfirmed"] is True

    async def test_expired_code_says_expired(
        self, web: httpx.AsyncClient, outbox_dir: Path, graph: Graph
    ) -> None:
        email, _ = await register(web)
        code = code_in(mails_to(outbox_dir, email)[0])
        await graph.write(_expire_code, email)
        result = (await gql(web, CODE, {"e": email, "c": code}))["r"]
        assert result["__typename"] == "InvalidConfirmation"
        assert result["problem"] == "EXPIRED"
        assert (await graph.read(_person, email))["at"] is None

    async def test_wrong_code_and_unknown_address_get_the_same_answer(
        self, web: httpx.AsyncClient, outbox_dir: Path
    ) -> None:
        email, _ = await register(web)
        code = code_in(mails_to(outbox_dir, email)[0])
        wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
        registered = (await gql(web, CODE, {"e": email, "c": wrong}))["r"]
        unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.vn"
        stranger = (await gql(web, CODE, {"e": unknown, "c": code}))["r"]
        assert registered == stranger
        assert registered["problem"] == "INVALID"

    async def test_a_bad_address_is_a_field_error(self, web: httpx.AsyncClient) -> None:
        result = (await gql(web, CODE, {"e": "not-an-address", "c": "ABCD-2345"}))["r"]
        assert result == {
            "__typename": "ValidationErrors",
            "errors": [{"field": "email", "code": "INVALID_EMAIL"}],
        }

    async def test_attempts_are_limited_per_address_registered_or_not(
        self, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        strict = ss_settings.model_copy(update={"email_code_attempts": 3})
        transport = httpx.ASGITransport(app=create_app(strict, graph), client=("127.0.31.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
            email, _ = await register(web)
            code = code_in(mails_to(outbox_dir, email)[0])
            unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.vn"
            for address in (email, unknown):
                answers = [
                    (await gql(web, CODE, {"e": address, "c": "ZZZZ-ZZZ2"}))["r"] for _ in range(3)
                ]
                assert {a["__typename"] for a in answers} == {"InvalidConfirmation"}
                limited = (await gql(web, CODE, {"e": address, "c": code}))["r"]
                # Counted before anything is looked up: even the right code waits, and an
                # address no one registered is limited the same.
                assert limited["__typename"] == "RateLimitedError"
                assert limited["scope"] == "email"
                assert limited["retryAfterSeconds"] > 0
            assert (await graph.read(_person, email))["at"] is None

    async def test_attempts_are_limited_per_client_address(
        self, graph: Graph, ss_settings: Settings
    ) -> None:
        strict = ss_settings.model_copy(update={"rate_limit_per_address": 2})
        transport = httpx.ASGITransport(app=create_app(strict, graph), client=("127.0.31.2", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
            answers = [
                (await gql(web, CODE, {"e": f"a{i}-{uuid.uuid4().hex[:6]}@example.vn", "c": "X"}))[
                    "r"
                ]
                for i in range(3)
            ]
        assert [a["__typename"] for a in answers] == [
            "InvalidConfirmation",
            "InvalidConfirmation",
            "RateLimitedError",
        ]
        assert answers[2]["scope"] == "address"


async def unsent_to(tx: Tx, addresses: list[str]) -> int:
    """Messages queued for these addresses and not sent yet (a sent one forgets its address)."""
    found = await run_single(
        tx, "MATCH (m:OutboxMessage) WHERE m.to IN $to RETURN count(m) AS n", to=addresses
    )
    return int(found["n"]) if found else 0


class TestResend:
    async def test_the_answer_is_the_same_for_every_address(
        self, web: httpx.AsyncClient, outbox_dir: Path, graph: Graph
    ) -> None:
        waiting, _ = await register(web)
        confirmed, _ = await register(web)
        code = code_in(mails_to(outbox_dir, confirmed)[0])
        assert (await gql(web, CODE, {"e": confirmed, "c": code}))["r"]["__typename"] == (
            "EmailConfirmed"
        )
        unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.vn"
        before = await graph.read(last_seq)
        answers = [(await gql(web, RESEND, {"e": e}))["r"] for e in (waiting, confirmed, unknown)]
        assert answers[0] == answers[1] == answers[2]
        assert answers[0]["__typename"] == "ConfirmationMailRequested"
        # Only the registration waiting for it gets a mail; no audit event (the change feed's
        # readers would learn that the address is registered).
        # Mail goes out after the answer, so the waiting one's is awaited; for the others, the
        # outbox holds nothing unsent that could still arrive.
        assert len(await delivered(outbox_dir, waiting, 2)) == 2
        assert len(mails_to(outbox_dir, confirmed)) == 1
        assert mails_to(outbox_dir, unknown) == []
        assert await graph.read(unsent_to, [confirmed, unknown]) == 0  # none still to come
        assert await graph.read(last_seq) == before

    async def test_resending_is_limited_per_e_mail_registered_or_not(
        self, web: httpx.AsyncClient, ss_settings: Settings
    ) -> None:
        waiting, _ = await register(web)
        unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.vn"
        for email in (waiting, unknown):
            answers = [
                (await gql(web, RESEND, {"e": email}))["r"]["__typename"]
                for _ in range(ss_settings.rate_limit_per_email + 1)
            ]
            assert answers[-1] == "RateLimitedError"
            assert set(answers[:-1]) == {"ConfirmationMailRequested"}
