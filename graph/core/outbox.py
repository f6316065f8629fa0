"""Outgoing mail: enqueued in the graph by the transaction that causes it, delivered after commit.

A mutation that sends mail writes an ``(:OutboxMessage {status: 'PENDING'})`` in its own
transaction, so the message exists exactly when the change does: a rolled-back registration
sends nothing, a committed one cannot lose its mail. After commit the API calls ``deliver``:
it claims pending messages (a write, so two processes never send the same one at once), renders
and sends each (a file in ``outbox_dir``, or SMTP when ``smtp_host`` is set), then marks it SENT
and forgets the address. A crash between commit and send leaves the message PENDING (or a stale
SENDING claim) and the next ``deliver`` sends it: at least once, never silently dropped.

Bodies are rendered at delivery, not stored: a confirmation link's token is signed then, so no
live token ever rests in the database. Files are named by message id and written atomically, so a
resend after a crash replaces the file instead of duplicating it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from graph.core.db import Graph, Tx, run, run_single
from graph.core.settings import Settings

log = logging.getLogger("cds.outbox")

CLAIM_TIMEOUT = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str


Renderer = Callable[[str, dict[str, Any], Settings], Mail]
"""(kind, params, settings) → the message; see graph/experts/registration.py."""


async def enqueue(tx: Tx, kind: str, to: str, params: dict[str, Any]) -> str:
    message_id = f"mail-{uuid.uuid4().hex}"
    await run(
        tx,
        "CREATE (:OutboxMessage {id: $id, kind: $kind, to: $to, params: $params, "
        "status: 'PENDING', attempts: 0, createdAt: datetime.transaction()})",
        id=message_id,
        kind=kind,
        to=to,
        params=json.dumps(params, ensure_ascii=False),
    )
    return message_id


async def _claim(tx: Tx, claim: str, now: dt.datetime, limit: int) -> list[dict[str, Any]]:
    records = await run(
        tx,
        """
        MATCH (m:OutboxMessage)
        WHERE m.status = 'PENDING' OR (m.status = 'SENDING' AND m.claimedAt < $stale)
        WITH m ORDER BY m.createdAt LIMIT $limit
        SET m.status = 'SENDING', m.claim = $claim, m.claimedAt = $now,
            m.attempts = m.attempts + 1
        RETURN m {.id, .kind, .to, .params, .createdAt} AS m
        """,
        claim=claim,
        now=now,
        stale=now - CLAIM_TIMEOUT,
        limit=limit,
    )
    return [dict(r["m"]) for r in records]


async def _settle(tx: Tx, claim: str, sent: list[str], failed: dict[str, str]) -> None:
    # Sent: the address and parameters are no longer needed (data minimisation).
    await run(
        tx,
        "UNWIND $ids AS id MATCH (m:OutboxMessage {id: id, claim: $claim}) "
        "SET m.status = 'SENT', m.sentAt = datetime.transaction(), m.to = null, m.params = null",
        ids=sent,
        claim=claim,
    )
    await run(
        tx,
        "UNWIND keys($failed) AS id MATCH (m:OutboxMessage {id: id, claim: $claim}) "
        "SET m.status = 'PENDING', m.lastError = $failed[id]",
        failed=failed,
        claim=claim,
    )


def _message(mail: Mail, settings: Settings, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = f"<{message_id}@cds-registry>"
    msg.set_content(mail.body)
    return msg


def _write_file(directory: Path, name: str, msg: EmailMessage) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.tmp"
    tmp.write_bytes(msg.as_bytes())
    os.replace(tmp, directory / name)  # atomic: a reader never sees half a message


def _send_smtp(settings: Settings, msg: EmailMessage) -> None:
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(msg)


async def deliver(graph: Graph, settings: Settings, render: Renderer, limit: int = 50) -> int:
    """Send what is pending; return how many were sent. Failures stay pending for next time."""
    claim = uuid.uuid4().hex
    claimed = await graph.write(_claim, claim, dt.datetime.now(dt.UTC), limit)
    if not claimed:
        return 0
    sent: list[str] = []
    failed: dict[str, str] = {}
    for m in claimed:
        try:
            mail = render(m["kind"], json.loads(m["params"] or "{}") | {"to": m["to"]}, settings)
            msg = _message(mail, settings, m["id"])
            if settings.smtp_host:
                await asyncio.to_thread(_send_smtp, settings, msg)
            else:
                # Microseconds, so the names sort as the messages were written (two mails to
                # one person in one second: a registration and its resend).
                name = f"{m['createdAt'].to_native():%Y%m%dT%H%M%S.%f}-{m['id']}.eml"
                await asyncio.to_thread(_write_file, settings.outbox_dir, name, msg)
            sent.append(m["id"])
        except Exception as error:  # any transport failure: keep the message for next time
            log.warning("outbox message %s not sent: %s", m["id"], error)
            failed[m["id"]] = f"{error.__class__.__name__}: {error}"[:500]
    await graph.write(_settle, claim, sent, failed)
    return len(sent)


async def pending(tx: Tx) -> int:
    """Messages not sent yet (the backlog operators watch)."""
    found = await run_single(
        tx,
        "MATCH (m:OutboxMessage) WHERE m.status IN ['PENDING', 'SENDING'] RETURN count(m) AS n",
    )
    return int(found["n"]) if found else 0
