"""Confirming a self-registered expert's e-mail address: by the link in the mail, by the short
code printed below it, and sending a new mail.

Every confirmation mail is made from one random *issue* kept on the person (``emailIssue``,
with ``emailCodeExpiresAt``), drawn when the mail is enqueued:
- the link carries a token signed with ``CDS_EMAIL_TOKEN_KEY`` when the mail is rendered
  (graph/core/outbox.py renders at delivery), naming the person, a keyed hash of the address and
  the issue;
- the code is 8 characters derived from a keyed hash of (person, issue). The graph holds only the
  issue, from which nobody without the key can work out the code, as it holds no link token;
  the code itself is never stored anywhere.
A new mail (``resend_confirmation``) draws a new issue, so older links and codes stop working.
The issue stays after confirmation, so a used link or code is recognised as used ("already
confirmed") instead of being called invalid.

Code attempts are counted in ``RateLimit`` nodes per e-mail address (a keyed hash: counted the
same whether or not anyone registered it) and per client address. A wrong code, an unknown
address and the code of another address get the same answer, and the resend form answers the
same for every address: neither tells the public who is registered. Limits and wrong codes are
returned as values, not raised, so that the counters commit with the answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from graph.audit.events import Actor, Change, record
from graph.core import outbox, ratelimit
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.outbox import Mail
from graph.core.ratelimit import Limited
from graph.core.settings import Settings
from graph.units.scopes import Kind

CONFIRM_AUDIENCE = "cds:confirm-email"
CONFIRM_EMAIL = "CONFIRM_EMAIL"

# 32 letters and digits without 0/O and 1/I, so a code read off a phone is typed right:
# 8 of them are 40 bits, against a handful of attempts an hour.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class Problem(StrEnum):
    EXPIRED = "EXPIRED"  # the link or code is older than CDS_EMAIL_TOKEN_HOURS
    REPLACED = "REPLACED"  # a newer mail was sent: only its link and code work
    INVALID = "INVALID"  # not ours, altered, a wrong code, or an address not (any more) here


class ConfirmationFailed(Exception):
    """A link that cannot confirm (raised before anything is written: nothing to commit)."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Confirmed:
    person_id: str
    seq: int | None  # the audit event; None when the address was confirmed before
    already: bool


@dataclass(frozen=True, slots=True)
class Rejected:
    problem: Problem
    message: str


def new_issue() -> str:
    return secrets.token_hex(16)


def code_for(settings: Settings, person_id: str, issue: str) -> str:
    key = settings.email_token_key.get_secret_value().encode()
    digest = hmac.new(key, f"email-code:{person_id}:{issue}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "".join(chars)


def shown(code: str) -> str:
    """As printed in the mail: two groups of four, easier to read aloud and to type."""
    return f"{code[:4]}-{code[4:]}"


def typed(code: str) -> str:
    """What someone typed, as the code is kept: separators and spaces dropped, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", code).upper()


# Sets a new issue on the person found by ``who`` (a MATCH or OPTIONAL MATCH binding ``p``,
# at most one row); no row when there is no such person.
_ISSUE = """
CALL (p) {
  WITH p WHERE p IS NOT NULL
  SET p.emailIssue = $issue,
      p.emailCodeExpiresAt = datetime.transaction() + duration({hours: $hours})
  RETURN p.emailCodeExpiresAt AS expires
}
RETURN p.id AS id, expires
"""


async def _issue(tx: Tx, who: str, to: str, settings: Settings, **params: Any) -> bool:
    """A new issue for the person ``who`` finds, and the mail carrying its link and code, in
    one statement whether or not someone is found (then the mail, if they were)."""
    found = await run_single(
        tx, who + _ISSUE, issue=(value := new_issue()), hours=settings.email_token_hours, **params
    )
    if found is None:
        return False
    expires: dt.datetime = native(found["expires"])
    await outbox.enqueue(
        tx,
        CONFIRM_EMAIL,
        to,
        {"personId": found["id"], "issue": value, "expiresAt": expires.isoformat()},
    )
    return True


async def issue(tx: Tx, person_id: str, email: str, settings: Settings) -> None:
    """A new issue for the person, and the mail carrying its link and code, in the caller's
    transaction (registration)."""
    made = await _issue(tx, "MATCH (p:Person {id: $id})", email, settings, id=person_id)
    assert made, "the caller made or found the person in this transaction"


def confirmation_token(
    settings: Settings,
    person_id: str,
    email: str,
    now: dt.datetime,
    issue: str | None = None,
    expires: dt.datetime | None = None,
) -> str:
    secret = settings.email_token_key.get_secret_value()
    claims: dict[str, Any] = {
        "sub": person_id,
        "em": ratelimit.keyed_hash(secret, email),  # a changed address voids the token
        "aud": CONFIRM_AUDIENCE,
        "iat": now,
        "exp": expires or now + dt.timedelta(hours=settings.email_token_hours),
    }
    if issue is not None:
        claims["n"] = issue
    return jwt.encode(claims, secret, algorithm="HS256")


def _claims(settings: Settings, token: str) -> tuple[dict[str, Any], bool]:
    """The token's claims if we signed it, and whether it has expired. An expired link is
    still read, so that a used one says "already confirmed" rather than "expired"."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.email_token_key.get_secret_value(),
            algorithms=["HS256"],
            audience=CONFIRM_AUDIENCE,
            options={"require": ["exp", "sub", "em"], "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        raise ConfirmationFailed(Problem.INVALID, "not a valid confirmation link") from None
    expired = int(claims["exp"]) < dt.datetime.now(dt.UTC).timestamp()
    return claims, expired


_STATE = (
    "MATCH (p:Person {id: $id}) "
    "RETURN p.email AS email, p.emailConfirmedAt AS at, p.emailIssue AS issue, "
    "p.emailCodeExpiresAt AS expires"
)


async def confirm_link(tx: Tx, token: str, settings: Settings) -> Confirmed:
    """Confirm with the link's token; raises ConfirmationFailed saying why it cannot."""
    claims, expired = _claims(settings, token)
    secret = settings.email_token_key.get_secret_value()
    found = await run_single(tx, _STATE, id=claims["sub"])
    person = found if found is not None and found["email"] is not None else None
    if person is not None and not hmac.compare_digest(
        ratelimit.keyed_hash(secret, person["email"]), claims["em"]
    ):
        raise ConfirmationFailed(Problem.INVALID, "the address changed since this link was sent")
    # Used before expired: an old link of a confirmed address says it is done, not to retry.
    if person is not None and person["at"] is not None:
        return Confirmed(claims["sub"], None, already=True)
    if expired:
        raise ConfirmationFailed(Problem.EXPIRED, "the confirmation link has expired")
    if person is None:  # erased, or never here
        raise ConfirmationFailed(Problem.INVALID, "not a valid confirmation link")
    if "n" in claims and claims["n"] != person["issue"]:
        raise ConfirmationFailed(
            Problem.REPLACED, "a newer confirmation mail was sent: use its link or code"
        )
    return await _confirm(tx, claims["sub"], "LINK")


async def confirm_code(
    tx: Tx, email: str, code: str, client_address: str, settings: Settings, now: dt.datetime
) -> Confirmed | Rejected | Limited:
    """Confirm with the code typed beside the address it was sent to (``email`` already
    normalised). Counted per address and per e-mail before anything is looked up."""
    over = await ratelimit.per_address_and_email(
        tx, "confirm-code", client_address, email, settings.email_code_attempts, settings, now
    )
    if over is not None:
        return over
    wrong = Rejected(Problem.INVALID, "this code does not match the address, or has been replaced")
    person = await run_single(tx, "MATCH (p:Person {email: $email}) RETURN p.id AS id", email=email)
    if person is None:
        return wrong
    state = await run_single(tx, _STATE, id=person["id"])
    assert state is not None
    expected = code_for(settings, person["id"], state["issue"]) if state["issue"] else None
    if expected is None or not hmac.compare_digest(expected, typed(code)):
        return wrong
    if state["at"] is not None:
        return Confirmed(person["id"], None, already=True)
    if native(state["expires"]) < now:
        return Rejected(Problem.EXPIRED, "this code has expired: ask for a new mail")
    return await _confirm(tx, person["id"], "CODE")


async def _confirm(tx: Tx, person_id: str, by: str) -> Confirmed:
    await run(
        tx,
        "MATCH (p:Person {id: $id}) SET p.emailConfirmedAt = datetime.transaction()",
        id=person_id,
    )
    seq = await record(
        tx,
        Actor(person_id, "ANONYMOUS"),
        "confirmEmail",
        (Kind.PERSON, person_id),
        [Change("emailConfirmed", False, True), Change("confirmedWith", None, by)],
    )
    return Confirmed(person_id, seq, already=False)


async def resend_confirmation(
    tx: Tx, email: str, client_address: str, settings: Settings, now: dt.datetime
) -> Limited | None:
    """A new confirmation mail for a pending self-registration with this address, if there is
    one; the caller answers the same either way. No audit event: the registry's data do not
    change, and an event would tell the change feed's readers that the address is registered."""
    over = await ratelimit.per_address_and_email(
        tx, "confirm-resend", client_address, email, settings.rate_limit_per_email, settings, now
    )
    if over is not None:
        return over
    # The look-up and, for a waiting registration, the new issue are one statement, so the
    # same statements run whatever the address (only the mail's row differs).
    await _issue(
        tx,
        """
        OPTIONAL MATCH (p:Person {email: $email})-[:HAS_PROFILE]->(e:ExpertProfile)
        WHERE p.emailConfirmedAt IS NULL AND p.erasedAt IS NULL
          AND e.source = 'SELF_REGISTRATION' AND e.status = 'PENDING'
        WITH p LIMIT 1
        """,
        email,
        settings,
        email=email,
    )
    return None


def render_confirmation(params: dict[str, Any], settings: Settings) -> Mail:
    """Vietnamese first, English below; the link and the code of the same issue."""
    now = dt.datetime.now(dt.UTC)
    issued = params.get("issue")
    # Messages enqueued before issues existed carry only the person: a link, no code.
    expires = dt.datetime.fromisoformat(params["expiresAt"]) if "expiresAt" in params else None
    token = confirmation_token(settings, params["personId"], params["to"], now, issued, expires)
    link = f"{settings.confirm_url}?token={token}"
    until = (expires or now + dt.timedelta(hours=settings.email_token_hours)).astimezone(
        dt.timezone(dt.timedelta(hours=7))  # Vietnam's time, as the reader lives it
    )
    when = f"{until:%H:%M %d/%m/%Y} (UTC+7)"
    code = shown(code_for(settings, params["personId"], issued)) if issued else None
    vi = [
        "Cảm ơn bạn đã đăng ký vào mạng lưới chuyên gia chuyển đổi số.",
        "",
        "Mở liên kết sau để xác nhận địa chỉ thư điện tử của bạn:",
        link,
    ]
    en = [
        "Thank you for registering with the CĐS (digital transformation) expert network.",
        "",
        "Open this link to confirm your e-mail address:",
        link,
    ]
    if code:
        vi += ["", f"Hoặc nhập mã xác nhận này trên trang xác nhận: {code}"]
        en += ["", f"Or type this confirmation code on the confirmation page: {code}"]
    vi += [
        f"Liên kết và mã có hiệu lực đến {when}.",
        "Sau khi xác nhận, điều phối viên của tỉnh sẽ xem xét và xác minh hồ sơ của bạn.",
        "Nếu bạn không đăng ký, hãy bỏ qua thư này.",
    ]
    en += [
        f"The link and the code are valid until {when}.",
        "Once you confirm, a coordinator of your province reviews and verifies your profile.",
        "If you did not register, ignore this message.",
    ]
    return Mail(
        to=params["to"],
        subject="Xác nhận địa chỉ thư điện tử / Confirm your e-mail — mạng lưới chuyên gia CĐS",
        body="\n".join([*vi, "", "—", "", *en]) + "\n",
    )
