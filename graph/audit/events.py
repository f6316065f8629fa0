"""The audit trail: one AuditEvent per change, written in the transaction that makes the change.

Sequence numbers are the graph's change counter (``graph/core/changes.py``), bumped by the same
transaction: so every mutation also invalidates the read caches keyed by it. The counter node's
write lock is held until commit, so numbers are handed out in commit order: a client that has
read the feed up to N will never later find a committed event below N (a clock or ids could not
promise that). Imports bump the counter without writing events, so the feed may skip numbers;
it never goes back. The price is that writers are serialised on that node for the few
milliseconds of their commit, which the registry's write rate (people, not machines) affords.

Before/after values of personal fields are never stored, only that they changed: the trail must
survive an erasure (``withdrawConsent``) without keeping what was erased.

Reads of personal data by anyone but the person are logged too, as ``PersonalDataAccess`` nodes
(who, in which role and scope, whose, which fields, when), written once per request in one batched
statement. They are not part of the change feed: reading is not a change. The person reads their
own log (``reads_of``) with the reader's role and the name of their scope, never the reader's
subject: that is the reader's own personal data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core import changes as change_counter
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.paging import Page
from graph.units.scopes import NOWHERE, Guard, Kind, Placement, placement, placements

REDACTED = "[redacted]"

# Never written into an event, in any node kind: personal data (Law 91/2025/QH15).
PERSONAL_FIELDS = frozenset(
    {"email", "phone", "birthDate", "fullName", "nomineeEmail", "nomineeName", "nominationReason"}
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the token's subject and role (``None`` subject: an anonymous caller), and the
    scope the role is bound to (a province or commune key, an organisation id; None for the
    national coordinator), which the person whose data were read is shown."""

    subject: str | None
    role: str
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: Any
    after: Any


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The fields whose value differs, in the order of ``after``."""
    return [
        Change(k, before.get(k), v) for k, v in after.items() if _plain(before.get(k)) != _plain(v)
    ]


def _plain(value: Any) -> Any:
    value = native(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _redacted(changes: Iterable[Change]) -> str:
    return json.dumps(
        [
            {
                "field": c.field,
                "before": REDACTED
                if c.field in PERSONAL_FIELDS and c.before is not None
                else _plain(c.before),
                "after": REDACTED
                if c.field in PERSONAL_FIELDS and c.after is not None
                else _plain(c.after),
            }
            for c in changes
        ],
        ensure_ascii=False,
        default=str,
    )


async def record(
    tx: Tx,
    actor: Actor,
    mutation: str,
    target: tuple[Kind, str],
    changes: Iterable[Change] = (),
    also_about: Iterable[tuple[Kind, str]] = (),
) -> int:
    """Write one event linked (CONCERNS) to its target and to the other nodes it is about;
    return its sequence number."""
    about = [{"label": k.value, "id": i} for k, i in [target, *also_about]]
    seq = await change_counter.bump(tx)
    await run(
        tx,
        """
        CREATE (a:AuditEvent {seq: $seq, at: datetime.transaction(), subject: $subject,
                              role: $role, mutation: $mutation, targetType: $targetType,
                              targetId: $targetId, changes: $changes})
        WITH a
        UNWIND $about AS x
        CALL {
          WITH x MATCH (n:Organisation {id: x.id}) WHERE x.label = 'Organisation' RETURN n
          UNION WITH x MATCH (n:CommunityTechTeam {id: x.id})
                WHERE x.label = 'CommunityTechTeam' RETURN n
          UNION WITH x MATCH (n:Person {id: x.id}) WHERE x.label = 'Person' RETURN n
          UNION WITH x MATCH (n:ExpertProfile {id: x.id}) WHERE x.label = 'ExpertProfile' RETURN n
          UNION WITH x MATCH (n:FocalPointAssignment {id: x.id})
                WHERE x.label = 'FocalPointAssignment' RETURN n
          UNION WITH x MATCH (n:Nomination {id: x.id}) WHERE x.label = 'Nomination' RETURN n
          UNION WITH x MATCH (n:SupportRequest {id: x.id})
                WHERE x.label = 'SupportRequest' RETURN n
          UNION WITH x MATCH (n:Engagement {id: x.id}) WHERE x.label = 'Engagement' RETURN n
          UNION WITH x MATCH (n:Target {id: x.id}) WHERE x.label = 'Target' RETURN n
        }
        MERGE (a)-[:CONCERNS]->(n)
        """,
        seq=seq,
        subject=actor.subject,
        role=actor.role,
        mutation=mutation,
        targetType=target[0].value,
        targetId=target[1],
        changes=_redacted(changes),
        about=about,
    )
    return seq


@dataclass(frozen=True, slots=True)
class AuditEventRecord:
    seq: int
    at: dt.datetime
    subject: str | None
    role: str
    mutation: str
    target_type: str
    target_id: str
    changes: tuple[Change, ...]


def _event(m: Mapping[str, Any]) -> AuditEventRecord:
    return AuditEventRecord(
        seq=m["seq"],
        at=native(m["at"]),
        subject=m["subject"],
        role=m["role"],
        mutation=m["mutation"],
        target_type=m["targetType"],
        target_id=m["targetId"],
        changes=tuple(
            Change(c["field"], c["before"], c["after"]) for c in json.loads(m["changes"] or "[]")
        ),
    )


async def events_since(
    tx: Tx, since: int, first: int, upto: int | None = None
) -> list[AuditEventRecord]:
    """The feed: events after ``since`` (and at most ``upto``), oldest first."""
    records = await run(
        tx,
        "MATCH (a:AuditEvent) WHERE a.seq > $since AND ($upto IS NULL OR a.seq <= $upto) "
        "RETURN a { .seq, .at, .subject, .role, .mutation, .targetType, .targetId, .changes } AS a "
        "ORDER BY a.seq LIMIT $first",
        since=since,
        upto=upto,
        first=first,
    )
    return [_event(r["a"]) for r in records]


@dataclass(frozen=True, slots=True)
class PlacedEvent:
    """An event with where its target is now (``NOWHERE`` once the target is gone)."""

    event: AuditEventRecord
    placement: Placement


async def placed_events(tx: Tx, since: int, upto: int, first: int) -> list[PlacedEvent]:
    """A page of the feed in ``(since, upto]`` with the current placement of each target: what
    live updates filter by scope. One query for the page, one per kind of target in it."""
    events = await events_since(tx, since, first, upto)
    ids_by_kind: dict[Kind, set[str]] = {}
    for e in events:
        ids_by_kind.setdefault(Kind(e.target_type), set()).add(e.target_id)
    found: dict[tuple[Kind, str], Placement] = {}
    for kind, ids in ids_by_kind.items():
        found.update(((kind, i), p) for i, p in (await placements(tx, kind, ids)).items())
    return [PlacedEvent(e, found.get((Kind(e.target_type), e.target_id), NOWHERE)) for e in events]


async def trail(tx: Tx, kind: Kind, id: str, guard: Guard, first: int) -> list[AuditEventRecord]:
    """Every event that concerns one node, oldest first, once the guard admits the caller."""
    guard(await placement(tx, kind, id))
    records = await run(
        tx,
        """
        CALL {
          MATCH (n:Organisation {id: $id}) WHERE $label = 'Organisation' RETURN n
          UNION MATCH (n:CommunityTechTeam {id: $id}) WHERE $label = 'CommunityTechTeam' RETURN n
          UNION MATCH (n:Person {id: $id}) WHERE $label = 'Person' RETURN n
          UNION MATCH (n:ExpertProfile {id: $id}) WHERE $label = 'ExpertProfile' RETURN n
          UNION MATCH (n:FocalPointAssignment {id: $id})
                WHERE $label = 'FocalPointAssignment' RETURN n
          UNION MATCH (n:Nomination {id: $id}) WHERE $label = 'Nomination' RETURN n
          UNION MATCH (n:SupportRequest {id: $id}) WHERE $label = 'SupportRequest' RETURN n
          UNION MATCH (n:Engagement {id: $id}) WHERE $label = 'Engagement' RETURN n
          UNION MATCH (n:Target {id: $id}) WHERE $label = 'Target' RETURN n
        }
        MATCH (a:AuditEvent)-[:CONCERNS]->(n)
        RETURN a { .seq, .at, .subject, .role, .mutation, .targetType, .targetId, .changes } AS a
        ORDER BY a.seq LIMIT $first
        """,
        id=id,
        label=kind.value,
        first=first,
    )
    return [_event(r["a"]) for r in records]


@dataclass(frozen=True, slots=True)
class PersonalRead:
    person_id: str
    fields: tuple[str, ...]


async def log_personal_reads(
    tx: Tx, actor: Actor, request_id: str, reads: Iterable[PersonalRead]
) -> int:
    """One statement for all the personal reads of a request."""
    rows = [{"personId": r.person_id, "fields": sorted(r.fields)} for r in reads]
    if not rows:
        return 0
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        CREATE (:PersonalDataAccess {personId: row.personId, fields: row.fields,
                                     subject: $subject, role: $role, scope: $scope,
                                     requestId: $requestId, at: datetime.transaction()})
        RETURN count(*) AS n
        """,
        rows=rows,
        subject=actor.subject,
        role=actor.role,
        scope=actor.scope,
        requestId=request_id,
    )
    return int(records[0]["n"])


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """One logged read of a person's data, as that person sees it: the reader's role and the
    name of the place or organisation their role is bound to (None: the whole country, or a
    read logged before scopes were), never who they are."""

    at: dt.datetime
    role: str
    scope_name: str | None
    fields: tuple[str, ...]


# Newest first: the sort key counts down from the far future, then the node's id breaks ties,
# so that a cursor orders the same as the list.
_READS: LiteralString = """
MATCH (r:PersonalDataAccess {personId: $personId})
WITH r, right('000000000000000' + toString(99999999999999 - r.at.epochMillis), 15)
        + '\t' + elementId(r) AS sortKey
ORDER BY sortKey
WITH collect({sortKey: sortKey, r: r}) AS items
WITH size(items) AS total, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
WITH total, rest[0..$first] AS page, size(rest) > $first AS hasNext
CALL (page) {
  UNWIND page AS x
  WITH x, x.r AS r
  OPTIONAL MATCH (u:AdministrativeUnit {key: r.scope})
  OPTIONAL MATCH (o:Organisation {id: r.scope})
  RETURN collect({sortKey: x.sortKey, at: r.at, role: r.role, fields: r.fields,
                  scopeName: coalesce(u.name, o.name)}) AS shown
}
RETURN total, shown, hasNext
"""


async def reads_of(tx: Tx, person_id: str, first: int, after: str | None) -> Page:
    """Who read this person's personal data: page items are (sortKey, ReadRecord), newest first."""
    found = await run_single(tx, _READS, personId=person_id, first=first, after=after)
    assert found is not None  # an aggregate always answers one row
    items = [
        (
            m["sortKey"],
            ReadRecord(native(m["at"]), m["role"], m["scopeName"], tuple(m["fields"] or ())),
        )
        for m in sorted(found["shown"], key=lambda m: m["sortKey"])
    ]
    return Page(items, found["total"], found["hasNext"])
