"""nominateExpert: nominees stay invisible until they register themselves."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx

from api.app import create_app
from api.relay import from_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from graph.experts.nominations import render_invitation
from tests.experts.support import (
    EXPERT_NODE,
    NOMINATE,
    VERIFY,
    anything_says,
    fingerprint,
    last_seq,
    mails_to,
    register_expert,
)
from tests.gql import gql
from tests.tokens import bearer

# --- nominations ------------------------------------------------------------------------------


class TestNominateExpert:
    async def test_nominee_appears_only_after_registering_themselves(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        tag = letters(uuid.uuid4().hex[:8])  # a name has no digits
        email = f"nominee-{tag}@example.vn"
        name = f"Phạm Đề Cử {tag}"
        commune = bearer(ss_settings, Role.COMMUNE_OFFICER, "00004", subject="officer-ss")
        before = await graph.read(fingerprint)
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
        assert await graph.read(fingerprint) == before | {"Nomination": before["Nomination"] + 1}
        assert not await graph.read(anything_says, email)
        assert not await graph.read(anything_says, name)
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

    async def test_officials_may_nominate_experts_and_anonymous_may_not(
        self, web: httpx.AsyncClient, ss_settings: Settings, graph: Graph, outbox_dir: Path
    ) -> None:
        scopes = {
            Role.NATIONAL_COORDINATOR: None,
            Role.PROVINCIAL_COORDINATOR: "79",
            Role.COMMUNE_OFFICER: "00004",
            Role.ORGANISATION_ADMIN: "so-khcn-79",
        }
        for role, scope in scopes.items():
            variables = {
                "email": f"n-{uuid.uuid4().hex[:8]}@example.vn",
                "name": "Võ Tài",
                "reason": "Giỏi",
            }
            data = await gql(web, NOMINATE, variables, headers=bearer(ss_settings, role, scope))
            assert data["r"]["__typename"] == "NominationPayload", (role, data)
        # An EXPERT token is anyone who self-registered: it does not make the registry mail
        # strangers. Neither does no token. Nothing is written, nothing is sent.
        before = await graph.read(last_seq)
        for headers in ({}, bearer(ss_settings, Role.EXPERT, "person-nobody")):
            variables = {"email": "anon@example.vn", "name": "Võ Tài", "reason": "Giỏi"}
            answer = await gql(web, NOMINATE, variables, headers=headers)
            assert answer["r"]["__typename"] == "NotAuthorized", answer
        assert await graph.read(last_seq) == before
        assert mails_to(outbox_dir, "anon@example.vn") == []

    async def test_invitation_is_fixed_text_without_the_nominators_links(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        commune = bearer(ss_settings, Role.COMMUNE_OFFICER, "00004")
        email = f"spam-{uuid.uuid4().hex[:8]}@example.vn"
        # The attacker's requests: links, addresses and markup in the name are refused.
        for name in (
            "Win a prize at https://evil.example/x",
            "Anh Ba evil.example",
            "Bà Tư <a href=x>",
            "ring 0912345678",
            "mail boss@evil.example",
        ):
            variables = {"email": email, "name": name, "reason": "x"}
            answer = (await gql(web, NOMINATE, variables, headers=commune))["r"]
            assert answer["__typename"] == "ValidationErrors", (name, answer)
            assert [(e["field"], e["code"]) for e in answer["errors"]] == [
                ("name", "INVALID_CHARACTERS")
            ], name
        assert mails_to(outbox_dir, email) == []

        # Accepted: the mail greets them by name, says nothing of the reason, links only to us.
        reason = "Xem hồ sơ tại https://evil.example/cv và gọi 0912345678"
        variables = {"email": email, "name": "Nguyễn Thị O'Hara-Lê", "reason": reason}
        answer = (await gql(web, NOMINATE, variables, headers=commune))["r"]
        assert answer["__typename"] == "NominationPayload", answer
        [mail] = mails_to(outbox_dir, email)
        assert "Kính gửi Nguyễn Thị O'Hara-Lê," in mail
        assert "evil" not in mail
        assert "0912345678" not in mail
        assert re.findall(r"https?://\S+", mail) == [ss_settings.register_url]
        # The reason is kept for the coordinators who verify the nominee.
        me = await register_expert(web, graph, ss_settings, outbox_dir, verify=False, email=email)
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        node = await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=national)
        assert [n["reason"] for n in node["node"]["nominations"]] == [reason]

    def test_a_message_queued_before_the_rule_is_rendered_without_links(
        self, ss_settings: Settings
    ) -> None:
        params = {"to": "x@example.vn", "name": "Claim at http://evil.example now", "days": 1}
        mail = render_invitation(params, ss_settings)
        assert mail.body.startswith("Kính gửi anh/chị,")
        assert "evil" not in mail.body
        assert "http://evil" not in mail.subject
        assert "within 90 days" in mail.body  # fixed text, not the stored params
        params["name"] = "Trần Văn Bình\nBcc: x@evil.example"
        assert render_invitation(params, ss_settings).body.startswith("Kính gửi anh/chị,")

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
            headers = bearer(strict, Role.COMMUNE_OFFICER, "00004", subject="officer-rl")
            kinds = [(await gql(c, NOMINATE, variables, headers=headers))["r"] for _ in range(3)]
        assert [k["__typename"] for k in kinds] == [
            "NominationPayload",
            "NominationPayload",
            "RateLimitedError",
        ]
        assert kinds[2]["scope"] == "email"

    async def test_rate_limited_per_nominator(self, graph: Graph, ss_settings: Settings) -> None:
        strict = ss_settings.model_copy(update={"rate_limit_nominations_per_nominator": 2})
        kinds = []
        # From three different addresses, to three different nominees: one official's token.
        for n, peer in enumerate(("127.0.31.1", "127.0.31.2", "127.0.31.3")):
            app = create_app(strict, graph)
            transport = httpx.ASGITransport(app=app, client=(peer, 1))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                headers = bearer(strict, Role.COMMUNE_OFFICER, "00004", subject="bulk-sender")
                variables = {
                    "email": f"bulk-{uuid.uuid4().hex[:8]}@example.vn",
                    "name": "Hà Lim",
                    "reason": "x",
                }
                kinds.append((await gql(c, NOMINATE, variables, headers=headers))["r"])
                if n == 2:
                    # Another official is not held back by the first one's count.
                    other = bearer(strict, Role.COMMUNE_OFFICER, "00004", subject="someone-else")
                    variables["email"] = f"bulk-{uuid.uuid4().hex[:8]}@example.vn"
                    answer = (await gql(c, NOMINATE, variables, headers=other))["r"]
                    assert answer["__typename"] == "NominationPayload", answer
        assert [k["__typename"] for k in kinds] == [
            "NominationPayload",
            "NominationPayload",
            "RateLimitedError",
        ]
        assert kinds[2]["scope"] == "nominator"


def letters(tag: str) -> str:
    return tag.translate(str.maketrans("0123456789", "ghijklmnop"))


async def _nomination_hashes(tx: Tx, expert_id: str) -> list[str | None]:
    records = await run(
        tx,
        "MATCH (n:Nomination)-[:LED_TO]->(:ExpertProfile {id: $id}) "
        "RETURN n.nomineeEmailHash AS h ORDER BY n.nominatedAt",
        id=expert_id,
    )
    return [r["h"] for r in records]
