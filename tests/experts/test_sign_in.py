"""Expert sign-in without passwords: a link by e-mail, redeemed once for a session. What expires,
what is used up or replaced, what is limited, and that neither the answer, the work done nor
the time taken tells the public whether an address is registered."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
from pydantic import SecretStr

from api.app import create_app
from api.auth import session_issuer
from graph.core import outbox
from graph.core.db import Graph, Tx, run, statements_sent
from graph.core.settings import Settings
from graph.experts import mail
from graph.signin import links as sign_in
from tests.experts.support import (
    EXPORT,
    ME,
    WITHDRAW,
    last_seq,
    mails_to,
    new_sign_in_token,
    register_expert,
    registration_input,
)
from tests.gql import gql

REQUEST = (
    "mutation($e: String!) { r: requestSignInLink(email: $e) { __typename "
    "... on SignInLinkRequested { message linkMinutes } "
    "... on RateLimitedError { scope retryAfterSeconds } "
    "... on ValidationErrors { errors { field code } } } }"
)
REDEEM = (
    "mutation($t: String!) { r: redeemSignInLink(token: $t) { __typename "
    "... on SignInSession { token expiresAt emailConfirmedNow auditSeq } "
    "... on InvalidSignInLink { problem message } } }"
)


def bearer_of(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['token']}"}


async def _links(tx: Tx, person_id: str) -> list[dict[str, Any]]:
    records = await run(
        tx,
        "MATCH (:Person {id: $id})-[:HAS_SIGN_IN_LINK]->(l:SignInLink) "
        "RETURN l {.*} AS l ORDER BY l.createdAt",
        id=person_id,
    )
    return [dict(r["l"]) for r in records]


async def _expire_links(tx: Tx, person_id: str) -> None:
    await run(
        tx,
        "MATCH (:Person {id: $id})-[:HAS_SIGN_IN_LINK]->(l:SignInLink) "
        "SET l.expiresAt = datetime.transaction() - duration({minutes: 1})",
        id=person_id,
    )


async def _confirmed_at(tx: Tx, person_id: str) -> Any:
    records = await run(
        tx, "MATCH (p:Person {id: $id}) RETURN p.emailConfirmedAt AS at", id=person_id
    )
    return records[0]["at"]


class TestNoOracle:
    async def test_the_same_answer_and_the_same_work_for_every_address(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        registered = await register_expert(web, graph, ss_settings, outbox_dir)
        withdrawn = await register_expert(web, graph, ss_settings, outbox_dir, verify=False)
        erased = (await gql(web, WITHDRAW, {"p": None}, headers=withdrawn.headers))["r"]
        assert erased["erased"] is True
        unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.vn"
        addresses = {
            "registered": registered.email,
            "unknown": unknown,
            "withdrawn": withdrawn.email,
        }

        before = await graph.read(last_seq)
        answers = {k: (await gql(web, REQUEST, {"e": e}))["r"] for k, e in addresses.items()}
        assert answers["registered"] == answers["unknown"] == answers["withdrawn"]
        assert answers["registered"]["__typename"] == "SignInLinkRequested"
        assert answers["registered"]["linkMinutes"] == 15
        # No audit event for anyone: the public change feed would say who is registered.
        assert await graph.read(last_seq) == before
        # Only the registered expert is mailed.
        await new_sign_in_token(outbox_dir, registered.email)
        await asyncio.sleep(0.3)  # what else would have been delivered by now
        assert mails_to(outbox_dir, unknown) == []
        assert not any("/sign-in?token=" in m for m in mails_to(outbox_dir, withdrawn.email))

        # The unit of work: the same statements in the same order, the registered address's
        # outbox row (same transaction) the only one more.
        now = dt.datetime.now(dt.UTC)
        sent: dict[str, int] = {}
        for kind, email in addresses.items():
            counter = [0]
            token = statements_sent.set(counter)
            try:
                assert (
                    await graph.write(sign_in.request_link, email, "127.0.32.1", ss_settings, now)
                    is None
                )
            finally:
                statements_sent.reset(token)
            sent[kind] = counter[0]
        assert sent["registered"] == sent["unknown"] + 1 == sent["withdrawn"] + 1

    async def test_the_answer_does_not_wait_for_the_mail(
        self, graph: Graph, ss_settings: Settings, outbox_dir: Path, web: httpx.AsyncClient
    ) -> None:
        """With an SMTP server that never answers, a registered address is answered as fast as
        any: the mail is sent after the answer (and stays queued while it cannot be)."""
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        stalled = ss_settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": silent.getsockname()[1]}
        )
        transport = httpx.ASGITransport(app=create_app(stalled, graph), client=("127.0.32.2", 1))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                began = time.perf_counter()
                answer = (await gql(client, REQUEST, {"e": me.email}))["r"]
                took = time.perf_counter() - began
            assert answer["__typename"] == "SignInLinkRequested"
            assert took < 5, f"the answer waited {took:.1f} s for the SMTP server"
        finally:
            silent.close()  # the stalled delivery fails; the message stays PENDING
        # It is delivered by the next delivery that can (this module's outbox directory).
        for _ in range(100):
            await outbox.deliver(graph, ss_settings, mail.render)
            if any("/sign-in?token=" in m for m in mails_to(outbox_dir, me.email)):
                break
            await asyncio.sleep(0.1)
        assert await new_sign_in_token(outbox_dir, me.email)


class TestTheLink:
    async def test_signs_in_once_with_a_session_the_api_accepts(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        await gql(web, REQUEST, {"e": me.email.upper()})
        token = await new_sign_in_token(outbox_dir, me.email)
        [sent] = [m for m in mails_to(outbox_dir, me.email) if token in m]
        assert sent.index("Mở liên kết") < sent.index("Open this link")  # Vietnamese first
        assert f"{ss_settings.sign_in_url}?token={token}" in sent
        # The graph keeps the hash of the token, never the token.
        [link] = await graph.read(_links, me.person_id)
        assert link["tokenHash"] == sign_in.token_hash(token)
        assert token not in json.dumps(link, default=str)

        session = (await gql(web, REDEEM, {"t": token}))["r"]
        assert session["__typename"] == "ExpertSession", session
        assert session["emailConfirmedNow"] is False
        claims = jwt.decode(session["token"], options={"verify_signature": False})
        assert claims["iss"] == session_issuer(ss_settings)
        assert claims["cds_role"] == "EXPERT"
        assert claims["cds_scope"] == claims["sub"] == me.person_id
        assert 59 * 60 <= claims["exp"] - claims["iat"] <= 60 * 60
        mine = (await gql(web, ME, headers=bearer_of(session)))["me"]
        assert mine["email"] == me.email

        again = (await gql(web, REDEEM, {"t": token}))["r"]
        assert again["__typename"] == "InvalidSignInLink"
        assert again["problem"] == "USED"

        # The sign-in is audited, about the person, with no personal value.
        export = (await gql(web, EXPORT, headers=bearer_of(session)))["exportMyData"]
        [event] = [e for e in export["auditEvents"] if e["mutation"] == "redeemSignInLink"]
        assert event["seq"] == session["auditSeq"]
        assert event["changes"] == [
            {"field": "signedInWith", "before": None, "after": "EMAIL_LINK"}
        ]
        assert [bool(x["usedAt"]) for x in export["signInLinks"]] == [True]
        assert "tokenHash" not in json.dumps(export)

    async def test_an_expired_link_says_expired_and_signs_no_one_in(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        await gql(web, REQUEST, {"e": me.email})
        token = await new_sign_in_token(outbox_dir, me.email)
        await graph.write(_expire_links, me.person_id)
        before = await graph.read(last_seq)
        result = (await gql(web, REDEEM, {"t": token}))["r"]
        assert result["__typename"] == "InvalidSignInLink"
        assert result["problem"] == "EXPIRED"
        assert await graph.read(last_seq) == before
        [link] = await graph.read(_links, me.person_id)
        assert link.get("usedAt") is None

    async def test_a_newer_link_replaces_the_older(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        seen: set[str] = set()
        await gql(web, REQUEST, {"e": me.email})
        first = await new_sign_in_token(outbox_dir, me.email, seen)
        await gql(web, REQUEST, {"e": me.email})
        second = await new_sign_in_token(outbox_dir, me.email, seen)
        old = (await gql(web, REDEEM, {"t": first}))["r"]
        assert old["problem"] == "REPLACED"
        assert (await gql(web, REDEEM, {"t": second}))["r"]["__typename"] == "ExpertSession"

    async def test_two_tabs_opening_one_link_get_one_session(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        await gql(web, REQUEST, {"e": me.email})
        token = await new_sign_in_token(outbox_dir, me.email)
        answers = await asyncio.gather(*(gql(web, REDEEM, {"t": token}) for _ in range(3)))
        kinds = sorted(a["r"]["__typename"] for a in answers)
        assert kinds == ["ExpertSession", "InvalidSignInLink", "InvalidSignInLink"]
        assert {a["r"].get("problem") for a in answers} == {None, "USED"}

    async def test_links_not_ours_are_invalid(
        self, web: httpx.AsyncClient, ss_settings: Settings
    ) -> None:
        foreign = sign_in.link_token(
            ss_settings.model_copy(
                update={"email_token_key": SecretStr("another-key-entirely-0123456789")}
            ),
            "sign-in-x",
        )
        for token in ("garbage", foreign, ""):
            result = (await gql(web, REDEEM, {"t": token}))["r"]
            assert result["problem"] == "INVALID", token

    async def test_an_unconfirmed_address_is_confirmed_by_signing_in(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        email = f"unconfirmed-{uuid.uuid4().hex[:8]}@example.vn"
        data = await gql(
            web,
            "mutation($i: RegisterExpertInput!) { r: registerExpert(input: $i) { __typename } }",
            {"i": registration_input(email=email)},
        )
        assert data["r"]["__typename"] == "RegisterExpertSuccess"
        await gql(web, REQUEST, {"e": email})
        token = await new_sign_in_token(outbox_dir, email)
        session = (await gql(web, REDEEM, {"t": token}))["r"]
        assert session["emailConfirmedNow"] is True
        mine = (
            await gql(
                web,
                "query { me { id emailConfirmedAt expert { status } } }",
                headers=bearer_of(session),
            )
        )["me"]
        assert mine["emailConfirmedAt"] is not None
        assert mine["expert"]["status"] == "PENDING"  # still to be verified by a coordinator


class TestLimits:
    async def test_sign_in_mails_are_limited_per_e_mail_registered_or_not(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.vn"
        limit = ss_settings.rate_limit_sign_in_per_email
        for email in (me.email, unknown):
            answers = [(await gql(web, REQUEST, {"e": email}))["r"] for _ in range(limit + 1)]
            assert {a["__typename"] for a in answers[:-1]} == {"SignInLinkRequested"}
            assert answers[-1]["__typename"] == "RateLimitedError"
            assert answers[-1]["scope"] == "email"
            assert answers[-1]["retryAfterSeconds"] > 0
        # Only the requests within the limit made links (the last replaced the others).
        links = await graph.read(_links, me.person_id)
        assert len(links) == limit
        assert [link.get("replacedAt") is None for link in links] == [False] * (limit - 1) + [True]

    async def test_sign_in_requests_are_limited_per_client_address(
        self, graph: Graph, ss_settings: Settings
    ) -> None:
        strict = ss_settings.model_copy(update={"rate_limit_per_address": 2})
        transport = httpx.ASGITransport(app=create_app(strict, graph), client=("127.0.32.3", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = [
                (await gql(client, REQUEST, {"e": f"a{i}-{uuid.uuid4().hex[:6]}@example.vn"}))["r"]
                for i in range(3)
            ]
        assert [a["__typename"] for a in answers] == [
            "SignInLinkRequested",
            "SignInLinkRequested",
            "RateLimitedError",
        ]
        assert answers[2]["scope"] == "address"

    async def test_a_bad_address_is_a_field_error(self, web: httpx.AsyncClient) -> None:
        result = (await gql(web, REQUEST, {"e": "not-an-address"}))["r"]
        assert result == {
            "__typename": "ValidationErrors",
            "errors": [{"field": "email", "code": "INVALID_EMAIL"}],
        }


async def test_the_mail_link_opens_the_sign_in_page(web: httpx.AsyncClient) -> None:
    response = await web.get("/sign-in", params={"token": "a-b_c"})
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/#/sign-in?token=a-b_c"
