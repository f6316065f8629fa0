"""Signing in without a password: a link sent by e-mail, redeemed once for a short session. The
one mechanism for everyone the registry lets in this way: experts and team leaders (#17).

Decisions, and why:
- **Who gets a link, as what.** The request names the role the link signs in as
  (``LinkRole``), and the link records it:
  - EXPERT: a person with an expert profile that is not WITHDRAWN, whatever its status:
    PENDING, VERIFIED or REJECTED, each may read, correct, export and erase their data (Law
    91/2025/QH15 gives those rights to everyone the registry holds data about);
  - TEAM_LEADER: a person with a running membership of role HEAD (``TEAM_LEADER_ROLE``) in a
    team that is not closed, on the day asked and again on the day the link is opened (a leader
    replaced in between is refused INVALID).
  In both cases the person is not erased and has this e-mail. Anyone else asking gets the same
  answer and no mail.
- **A person who is both an expert and a leader** chooses, by asking for the one or the other:
  a session carries one role and one scope (api/viewer.py), and the two jobs are different
  (their own data as an expert; their team's reports as a leader), so each session opens only
  what its job needs, and the mail says which one was asked for. Asking for the other role later
  simply sends another link (replacing the first: one live link per person, whatever its role).
- **Consent.** A team member gave no consent to be mailed by the registry, and needs none here:
  the link is sent only when the person asks for it themselves, to the address the registry
  holds for them (the same as the address typed), and it carries nothing else.
- **No account-existence oracle.** ``request_link`` answers the same for every address and role,
  and does the same work in the same order: the two rate-limit counters (shared by both roles),
  then one statement that looks the address up and, only when it may sign in as the role,
  replaces the person's earlier links and creates the new one. The one difference is the outbox
  row the eligible path inserts in that same transaction; the API never waits for the mail to
  be sent (delivery runs after the answer, api/mutations/sign_in.py), so the response time does
  not tell either. No audit event is written for a request (the public change feed would say
  who is registered).
- **Unconfirmed e-mail.** The link is sent all the same. Opening it proves that the person
  reads that mailbox, exactly what the confirmation link proves, so redeeming it also confirms
  the address (audited like ``confirmEmail``, ``confirmedWith: SIGN_IN_LINK``): one mail and one
  click instead of two.
- **The token** is 256 bits derived with ``CDS_EMAIL_TOKEN_KEY`` from the link's random id (an
  HMAC), made again when the outbox renders the mail, as confirmation links are signed at
  delivery: the graph keeps only the id and a SHA-256 of the token (looked up by a unique
  index), so no usable link ever rests in the database, and the outbox's parameters hold only
  the id and the role.
- **Single use.** Redeeming takes the link's write lock first, then reads it and sets ``usedAt``
  in the same transaction: two tabs opening one link get one session and one USED.
- **Expiry.** ``CDS_SIGN_IN_LINK_MINUTES`` (15).
- **One live link at a time.** A new request replaces the person's earlier unused links (they
  answer REPLACED): an old mail found later in a mailbox signs no one in, and the per-e-mail
  limit keeps a slow mail from being asked for many times.
- Links are kept a week past their expiry (an expert's export shows them), then removed a few at
  a time by later requests; an erasure removes the person's links at once.
- Links made before the role was recorded have none and sign in as EXPERT, which they were for.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.audit.events import Actor, Change, record
from graph.core import outbox, ratelimit
from graph.core.commands import new_id
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.model import TEAM_LEADER_ROLE
from graph.core.outbox import Mail
from graph.core.ratelimit import Limited
from graph.core.settings import Settings
from graph.units.scopes import Kind

SIGN_IN = "EXPERT_SIGN_IN"
"""The outbox kind of the mail carrying a sign-in link (named when only experts had links; kept
so that mails queued before stay deliverable). ``params.role`` says which role it is for."""

KEEP_AFTER_EXPIRY = dt.timedelta(days=7)


class LinkRole(StrEnum):
    """The role a link signs in as: the viewer roles of api/viewer.py a link may give."""

    EXPERT = "EXPERT"
    TEAM_LEADER = "TEAM_LEADER"


# Whether the person ``p`` may sign in as ``$role`` on ``$today``: the one spelling used when
# the link is asked for and again when it is opened. ``$head`` is TEAM_LEADER_ROLE.
MAY_SIGN_IN: LiteralString = """
    p.erasedAt IS NULL AND (
      ($role = 'EXPERT' AND EXISTS {
        MATCH (p)-[:HAS_PROFILE]->(e:ExpertProfile) WHERE e.status <> 'WITHDRAWN' })
      OR ($role = 'TEAM_LEADER' AND EXISTS {
        MATCH (p)-[m:MEMBER_OF {role: $head}]->(t:CommunityTechTeam)
        WHERE m.since <= $today AND (m.until IS NULL OR m.until >= $today)
          AND t.since <= $today AND (t.until IS NULL OR t.until >= $today) })
    )
"""


class Problem(StrEnum):
    EXPIRED = "EXPIRED"  # older than CDS_SIGN_IN_LINK_MINUTES: ask for a new link
    USED = "USED"  # it signed in once already
    REPLACED = "REPLACED"  # a newer link was asked for: only the latest mail's works
    INVALID = "INVALID"  # not ours, cut short, or the person may no longer sign in as its role


@dataclass(frozen=True, slots=True)
class SignedIn:
    person_id: str
    role: LinkRole  # what the session is for: the role the link was asked for
    seq: int  # the audit event of the sign-in
    confirmed_now: bool  # the link also confirmed the address


@dataclass(frozen=True, slots=True)
class Refused:
    problem: Problem
    message: str


def link_token(settings: Settings, link_id: str) -> str:
    """The link's secret: made from its id with the key, so only the key's holder makes it."""
    key = settings.email_token_key.get_secret_value().encode()
    digest = hmac.new(key, f"sign-in-link:{link_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What the graph keeps of a token (a plain hash suffices: the token is 256 random bits)."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


async def request_link(
    tx: Tx,
    email: str,
    client_address: str,
    settings: Settings,
    now: dt.datetime,
    role: LinkRole = LinkRole.EXPERT,
    today: dt.date | None = None,
) -> Limited | None:
    """A sign-in mail for the person with this address (``email`` already normalised) if they
    may sign in as ``role`` on ``today`` (default: ``now``'s date); the caller answers the same
    either way (see the module's notes)."""
    over = await ratelimit.per_address_and_email(
        tx, "sign-in", client_address, email, settings.rate_limit_sign_in_per_email, settings, now
    )
    if over is not None:
        return over
    link_id = new_id("sign-in")
    # One statement whatever the address: the look-up, and for a person who may sign in as the
    # role the replacement of their earlier links and the new one; links long expired go a few
    # at a time.
    found = await run_single(
        tx,
        """
        CALL () {
          MATCH (l:SignInLink) WHERE l.expiresAt < $purgeBefore
          WITH l LIMIT 20 DETACH DELETE l
        }
        OPTIONAL MATCH (p:Person {email: $email})
        WHERE """
        + MAY_SIGN_IN
        + """
        WITH p LIMIT 1
        CALL (p) {
          WITH p WHERE p IS NOT NULL
          OPTIONAL MATCH (p)-[:HAS_SIGN_IN_LINK]->(old:SignInLink)
          WHERE old.usedAt IS NULL AND old.replacedAt IS NULL
          SET old.replacedAt = datetime.transaction()
          WITH DISTINCT p
          CREATE (p)-[:HAS_SIGN_IN_LINK]->(l:SignInLink {
              id: $linkId, tokenHash: $hash, role: $role, createdAt: datetime.transaction(),
              expiresAt: datetime.transaction() + duration({minutes: $minutes})})
          RETURN l.expiresAt AS expires
        }
        RETURN p.id AS personId, expires
        """,
        email=email,
        role=role.value,
        head=TEAM_LEADER_ROLE.value,
        today=today or now.date(),
        linkId=link_id,
        hash=token_hash(link_token(settings, link_id)),
        minutes=settings.sign_in_link_minutes,
        purgeBefore=now - KEEP_AFTER_EXPIRY,
    )
    if found is not None and found["personId"] is not None:
        expires: dt.datetime = native(found["expires"])
        await outbox.enqueue(
            tx,
            SIGN_IN,
            email,
            {"linkId": link_id, "expiresAt": expires.isoformat(), "role": role.value},
        )
    return None


async def redeem(
    tx: Tx, token: str, now: dt.datetime, today: dt.date | None = None
) -> SignedIn | Refused:
    """Use a link: the person it signs in and as what, or why not. Returned, not raised, so that
    what the attempt wrote (the link's lock) commits with the answer."""
    # The write lock first: a concurrent redeem of the same link waits here until this one
    # commits, then reads its usedAt.
    locked = await run_single(
        tx,
        "MATCH (l:SignInLink {tokenHash: $hash}) "
        "SET l.attempts = coalesce(l.attempts, 0) + 1 "
        "RETURN l.id AS id, coalesce(l.role, 'EXPERT') AS role",
        hash=token_hash(token),
    )
    if locked is None:
        return Refused(Problem.INVALID, "not a valid sign-in link")
    role = LinkRole(locked["role"])
    state = await run_single(
        tx,
        """
        MATCH (l:SignInLink {id: $id})
        OPTIONAL MATCH (p:Person)-[:HAS_SIGN_IN_LINK]->(l)
        RETURN l.usedAt AS used, l.replacedAt AS replaced, l.expiresAt AS expires,
               p.id AS personId, p.emailConfirmedAt AS confirmed,
               p IS NOT NULL AND """
        + MAY_SIGN_IN
        + """ AS allowed
        LIMIT 1
        """,
        id=locked["id"],
        role=role.value,
        head=TEAM_LEADER_ROLE.value,
        today=today or now.date(),
    )
    assert state is not None  # locked in this transaction
    if state["used"] is not None:
        return Refused(Problem.USED, "this sign-in link was used already: ask for a new one")
    if state["replaced"] is not None:
        return Refused(
            Problem.REPLACED, "a newer sign-in link was sent: use the one in the latest mail"
        )
    if native(state["expires"]) < now:
        return Refused(Problem.EXPIRED, "this sign-in link has expired: ask for a new one")
    if not state["allowed"]:
        return Refused(Problem.INVALID, "not a valid sign-in link")
    person_id: str = state["personId"]
    confirm = state["confirmed"] is None
    await run(
        tx,
        """
        MATCH (p:Person {id: $person})-[:HAS_SIGN_IN_LINK]->(l:SignInLink {id: $id})
        SET l.usedAt = datetime.transaction(),
            p.emailConfirmedAt = coalesce(p.emailConfirmedAt, datetime.transaction())
        """,
        person=person_id,
        id=locked["id"],
    )
    changes = [Change("signedInWith", None, "EMAIL_LINK")]
    if confirm:
        changes += [
            Change("emailConfirmed", False, True),
            Change("confirmedWith", None, "SIGN_IN_LINK"),
        ]
    seq = await record(
        tx, Actor(person_id, role.value), "redeemSignInLink", (Kind.PERSON, person_id), changes
    )
    return SignedIn(person_id, role, seq, confirm)


# What the link is for, said in the mail: (Vietnamese, English).
_FOR = {
    LinkRole.EXPERT: (
        "đăng nhập vào hồ sơ chuyên gia của bạn trong mạng lưới chuyển đổi số",
        "sign in to your expert profile in the digital transformation network",
    ),
    LinkRole.TEAM_LEADER: (
        "đăng nhập với vai trò tổ trưởng Tổ Công nghệ số cộng đồng, để báo cáo hoạt động của tổ",
        "sign in as the leader of a community digital technology team, to report its activity",
    ),
}
_SUBJECT = {
    LinkRole.EXPERT: "Đăng nhập hồ sơ chuyên gia / Sign in to your expert profile — mạng lưới "
    "chuyên gia CĐS",
    LinkRole.TEAM_LEADER: "Đăng nhập tổ trưởng / Sign in as a team leader — mạng lưới CĐS",
}


def render_sign_in(params: dict[str, Any], settings: Settings) -> Mail:
    """Vietnamese first, English below; what the link is for, the link, until when it works,
    and what to do if the mail was not asked for."""
    role = LinkRole(params.get("role", LinkRole.EXPERT.value))
    token = link_token(settings, params["linkId"])
    link = f"{settings.sign_in_url}?token={token}"
    until = dt.datetime.fromisoformat(params["expiresAt"]).astimezone(
        dt.timezone(dt.timedelta(hours=7))  # Vietnam's time, as the reader lives it
    )
    when = f"{until:%H:%M %d/%m/%Y} (UTC+7)"
    purpose_vi, purpose_en = _FOR[role]
    vi = [
        f"Bạn (hoặc ai đó) vừa yêu cầu {purpose_vi}.",
        "",
        "Mở liên kết sau để đăng nhập:",
        link,
        "",
        f"Liên kết chỉ dùng được một lần, đến {when}. Yêu cầu liên kết mới sẽ làm liên kết "
        "này hết hiệu lực.",
        "Nếu bạn không yêu cầu, hãy bỏ qua thư này: không ai đăng nhập được nếu không mở liên kết.",
    ]
    en = [
        f"You (or someone) asked to {purpose_en}.",
        "",
        "Open this link to sign in:",
        link,
        "",
        f"The link works once, until {when}. Asking for a new link makes this one stop working.",
        "If you did not ask, ignore this message: no one signs in without opening the link.",
    ]
    return Mail(
        to=params["to"], subject=_SUBJECT[role], body="\n".join([*vi, "", "—", "", *en]) + "\n"
    )
