"""Nominations: a member of the network introduces a talented person, who joins only by
registering and consenting themselves.

No Person or ExpertProfile is made for the nominee: ``nominate_expert`` keeps a ``Nomination``
(expertise, reason, who nominated, an expiry) holding only a keyed hash of the nominee's e-mail
(``ratelimit.keyed_hash``), and enqueues the invitation in the outbox; the address and the name
live in that message only until it is sent (graph/core/outbox.py forgets them then). When the nominee
registers with that address before the expiry, registration links the nomination to the new
profile (``LED_TO``) and drops the hash; the coordinators who verify the profile see it. An
expired nomination that led nowhere loses its hash too, so nothing is kept that could recognise
someone who never joined.

The nominator gets the same answer whether or not the address is already in the registry (no one
learns who is registered by nominating them); an already registered nominee is linked at once and
not invited again, and a nominee with an open nomination is not invited twice. Attempts are
rate-limited per client address and per nominee address, like registration, and per nominator
(the token's role and subject), and a limit is returned as a value so the counters commit.

The invitation is the registry's fixed text: of what the nominator typed only the nominee's
name goes in, letters only (``check_nomination`` refuses digits, links and addresses in it,
``render_invitation`` strips them again at delivery). The reason stays on the ``Nomination``
for the coordinators who verify the expert and is never mailed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph.audit.events import Actor, Change, record
from graph.core import expertise as areas
from graph.core import outbox, ratelimit
from graph.core.commands import Changed, new_id
from graph.core.confusables import email_skeleton
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.outbox import Mail
from graph.core.ratelimit import Limited
from graph.core.settings import Settings
from graph.core.validation import NAME_MAX, Checker, Code
from graph.units.scopes import EVERYWHERE, Guard, Kind

NOMINATION_DAYS = 90
"""How long an invitation stays open: a registration after that is not linked to it."""

INVITE = "NOMINATION_INVITE"


@dataclass(frozen=True, slots=True)
class Nomination:
    email: str
    name: str
    expertise: tuple[str, ...]  # area codes
    reason: str
    client_address: str
    nominator_person_id: str | None = None  # an EXPERT nominating: their own person id
    id: str = field(default_factory=lambda: new_id("nomination"))


@dataclass(frozen=True, slots=True)
class NominationRecord:
    """A nomination as shown to a verifying coordinator or to the people it concerns."""

    id: str
    expertise: tuple[str, ...]  # area codes
    reason: str | None
    nominated_at: dt.datetime
    expires_at: dt.datetime
    nominator_subject: str | None
    nominator_role: str
    status: str  # OPEN, REGISTERED, EXPIRED

    @staticmethod
    def from_map(m: dict[str, Any]) -> NominationRecord:
        return NominationRecord(
            m["id"],
            tuple(m.get("expertise") or ()),
            m.get("reason"),
            native(m["nominatedAt"]),
            native(m["expiresAt"]),
            m.get("nominatorSubject"),
            m["nominatorRole"],
            m["status"],
        )


NOMINATION_FIELDS: LiteralString = (
    ".id, .expertise, .reason, .nominatedAt, .expiresAt, .nominatorSubject, .nominatorRole, .status"
)


# What the registry's mail may say of a nominee: their name as letters (any script, with their
# marks), spaces and the punctuation of names. Nothing a mail client would turn into a link.
_NAME_PUNCTUATION = frozenset(" '’-.")
# Two letters, a dot, two letters: a host name ("evil.example"), which clients link by themselves;
# initials ("J. R. Smith") are single letters and pass.
_HOST_LIKE = re.compile(r"[^\W\d_]{2,}\.[^\W\d_]{2,}")


def _is_name_character(ch: str) -> bool:
    return ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM"


def check_nomination(cmd: Nomination) -> Nomination:
    """Validate and normalise before any transaction (raises ValidationFailed)."""
    check = Checker()
    email = check.email("email", cmd.email)
    name = check.name("name", cmd.name)
    # The name is the only text of the nominator's that goes into the invitation mail.
    if name is not None and (
        not all(_is_name_character(ch) for ch in name) or _HOST_LIKE.search(name)
    ):
        check.fail(
            "name",
            Code.INVALID_CHARACTERS,
            "a person's name only: letters, spaces, ' - and . (no digits, links or addresses)",
        )
        name = None
    expertise = check.non_empty("expertise", areas.normalise(cmd.expertise))
    reason = check.text("reason", cmd.reason, required=True)
    check.done()
    return Nomination(
        email or "",
        name or "",
        expertise,
        reason or "",
        cmd.client_address,
        cmd.nominator_person_id,
        cmd.id,
    )


async def nominate_expert(
    tx: Tx, cmd: Nomination, actor: Actor, guard: Guard, settings: Settings, now: dt.datetime
) -> Changed[NominationRecord] | Limited:
    """One unit of work: guard, limits, the nomination, the invitation, the audit event."""
    guard(EVERYWHERE)  # not about a placed node: the role decides
    secret = settings.email_token_key.get_secret_value()
    email_hash = ratelimit.keyed_hash(secret, cmd.email)
    nominator = ratelimit.keyed_hash(secret, f"{actor.role}:{actor.subject}")
    over = await ratelimit.per_address_and_email(
        tx,
        "nominate",
        cmd.client_address,
        cmd.email,
        settings.rate_limit_per_email,
        settings,
        now,
        ("nominator", f"nominate:who:{nominator}", settings.rate_limit_nominations_per_nominator),
    )
    if over is not None:
        return over
    await areas.check_codes(tx, cmd.expertise)
    # Expired nominations that led nowhere forget the nominee (a few at a time, like counters).
    await run(
        tx,
        "MATCH (n:Nomination {status: 'OPEN'}) WHERE n.expiresAt < $now "
        "WITH n LIMIT 50 SET n.status = 'EXPIRED', n.nomineeEmailHash = null",
        now=now,
    )
    state = await run_single(
        tx,
        """
        // The address, or one that reads the same (graph/core/confusables.py), is known.
        OPTIONAL MATCH (p:Person {emailSkeleton: $skeleton})
        OPTIONAL MATCH (p)-[:HAS_PROFILE]->(e:ExpertProfile)
        OPTIONAL MATCH (open:Nomination {nomineeEmailHash: $hash, status: 'OPEN'})
        RETURN p IS NOT NULL AS known, e.id AS profile, count(open) > 0 AS invited
        """,
        skeleton=email_skeleton(cmd.email),
        hash=email_hash,
    )
    assert state is not None
    known, profile, invited = bool(state["known"]), state["profile"], bool(state["invited"])
    await run(
        tx,
        """
        CREATE (n:Nomination {id: $id, nomineeEmailHash: $hash, expertise: $expertise,
                              reason: $reason, nominatedAt: datetime.transaction(),
                              expiresAt: datetime.transaction() + duration({days: $days}),
                              nominatorSubject: $subject, nominatorRole: $role,
                              status: $status})
        WITH n
        OPTIONAL MATCH (e:ExpertProfile {id: $profile})
        FOREACH (_ IN CASE WHEN e IS NULL THEN [] ELSE [1] END | CREATE (n)-[:LED_TO]->(e))
        WITH n
        OPTIONAL MATCH (me:Person {id: $nominator})
        FOREACH (_ IN CASE WHEN me IS NULL THEN [] ELSE [1] END | CREATE (me)-[:NOMINATED]->(n))
        """,
        id=cmd.id,
        hash=None if known else email_hash,
        expertise=list(cmd.expertise),
        reason=cmd.reason,
        days=NOMINATION_DAYS,
        subject=actor.subject,
        role=actor.role,
        status="REGISTERED" if profile else "OPEN",
        profile=profile,
        nominator=cmd.nominator_person_id,
    )
    invite = not known and not invited
    if invite:
        await outbox.enqueue(tx, INVITE, cmd.email, {"name": cmd.name, "days": NOMINATION_DAYS})
    seq = await record(
        tx,
        actor,
        "nominateExpert",
        (Kind.NOMINATION, cmd.id),
        [
            Change("nomineeEmail", None, cmd.email),
            Change("nomineeName", None, cmd.name),
            Change("expertise", None, list(cmd.expertise)),
            Change("nominationReason", None, cmd.reason),
        ],
    )
    found = await run_single(
        tx, "MATCH (n:Nomination {id: $id}) RETURN n {" + NOMINATION_FIELDS + "} AS n", id=cmd.id
    )
    assert found is not None
    return Changed(NominationRecord.from_map(found["n"]), seq)


async def of_experts(tx: Tx, expert_ids: list[str]) -> dict[str, list[NominationRecord]]:
    """The nominations that led to each profile, oldest first (a DataLoader batch)."""
    records = await run(
        tx,
        """
        UNWIND $ids AS id
        MATCH (n:Nomination)-[:LED_TO]->(:ExpertProfile {id: id})
        WITH id, n ORDER BY n.nominatedAt
        RETURN id, collect(n {"""
        + NOMINATION_FIELDS
        + """}) AS found
        """,
        ids=expert_ids,
    )
    return {r["id"]: [NominationRecord.from_map(m) for m in r["found"]] for r in records}


def mail_safe_name(name: object) -> str | None:
    """The nominee's name as the invitation may print it, or None to greet no one by name.

    ``check_nomination`` already refuses anything else; this holds for messages enqueued before
    that rule, whatever their params say: only name characters, no host name, one line, short."""
    if not isinstance(name, str):
        return None
    kept = " ".join("".join(ch for ch in name if _is_name_character(ch)).split())[:NAME_MAX]
    if not kept.strip(" '’-.") or _HOST_LIKE.search(kept):
        return None
    return kept


def render_invitation(params: dict[str, Any], settings: Settings) -> Mail:
    """Fixed text: the only thing of the nominator's in it is the nominee's name, reduced to
    letters (``mail_safe_name``). The reason is kept for the verifying coordinators and never
    mailed; nothing here is HTML, and no link but the registry's own."""
    name = mail_safe_name(params.get("name"))
    greeting = f"Kính gửi {name},\n\n" if name else "Kính gửi anh/chị,\n\n"
    return Mail(
        to=params["to"],
        subject="Lời mời tham gia mạng lưới chuyên gia CĐS / Invitation to the CĐS expert network",
        body=(
            greeting
            + "Một thành viên của mạng lưới chuyển đổi số đã giới thiệu bạn vào mạng lưới chuyên "
            "gia CĐS. Hồ sơ của bạn chỉ được tạo khi chính bạn đăng ký và đồng ý.\n"
            "A member of the digital transformation network has nominated you for the CĐS "
            "expert network. No profile exists until you register and consent yourself.\n\n"
            f"Register with this address within {NOMINATION_DAYS} days:\n"
            f"{settings.register_url}\n\n"
            "If you are not interested, ignore this message: nothing is kept that names you.\n"
        ),
    )
