"""Fixed-window attempt counters kept in Neo4j, so that every API process counts the same.

A counter is a ``(:RateLimit {key})`` node per key and window; ``MERGE`` on the uniquely
constrained key and an increment in the caller's transaction make concurrent attempts from
several processes count exactly. Keys never hold personal data in clear: e-mails are keyed
hashes (``keyed_hash``). Expired counters are removed a few at a time by later attempts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from graph.core.db import Tx, run
from graph.core.settings import Settings


def keyed_hash(secret: str, value: str) -> str:
    """A stable pseudonym for a personal value (an e-mail, a phone), unusable without the key."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


async def hit(tx: Tx, key: str, limit: int, window_seconds: int, now: dt.datetime) -> int | None:
    """Count one attempt; return the seconds until the window ends when over the limit."""
    window = int(now.timestamp()) // window_seconds
    ends = dt.datetime.fromtimestamp((window + 1) * window_seconds, dt.UTC)
    records = await run(
        tx,
        """
        MERGE (r:RateLimit {key: $key})
        ON CREATE SET r.count = 0, r.expiresAt = $ends
        SET r.count = r.count + 1
        RETURN r.count AS count
        """,
        key=f"{key}@{window}",
        ends=ends,
    )
    await run(
        tx,
        "MATCH (r:RateLimit) WHERE r.expiresAt < $now WITH r LIMIT 50 DELETE r",
        now=now,
    )
    if int(records[0]["count"]) > limit:
        return max(1, int((ends - now).total_seconds()))
    return None


@dataclass(frozen=True, slots=True)
class Limited:
    """Over a limit: which one (``scope``: address, email, nominator…) and when to retry."""

    scope: str
    retry_after_seconds: int


async def first_over(
    tx: Tx, limits: Sequence[tuple[str, str, int]], window_seconds: int, now: dt.datetime
) -> Limited | None:
    """Count one attempt against each ``(scope, key, limit)`` in order; the first limit passed
    (what comes after it is not counted), or None when the caller may go on."""
    for scope, key, limit in limits:
        retry = await hit(tx, key, limit, window_seconds, now)
        if retry is not None:
            return Limited(scope, retry)
    return None


async def per_address_and_email(
    tx: Tx,
    action: str,
    client_address: str,
    email: str,
    email_limit: int,
    settings: Settings,
    now: dt.datetime,
    *more: tuple[str, str, int],
) -> Limited | None:
    """What every anonymous mail-sending or code-checking action counts: one attempt for the
    client address (``settings.rate_limit_per_address``), one for the keyed hash of the e-mail
    (``email_limit``), then any ``more`` limits, in the settings' window."""
    secret = settings.email_token_key.get_secret_value()
    limits = [
        ("address", f"{action}:addr:{client_address}", settings.rate_limit_per_address),
        ("email", f"{action}:email:{keyed_hash(secret, email)}", email_limit),
        *more,
    ]
    return await first_over(tx, limits, settings.rate_limit_window_seconds, now)
