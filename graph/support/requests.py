"""Support requests: an organisation asks the expert network for help (#15).

Commands have the network's shape (graph/network/teams.py): check the input, place the target
and call the caller's guard, change the graph, write the audit event, all in one transaction.
The status follows ``records.REQUEST_NEXT``: OPEN when filed, MATCHING once an expert is
proposed, ASSIGNED once one accepted (graph/support/engagements.py moves those), DONE when the
requester closes it, CANCELLED at any time before; each step keeps its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph.audit.events import Actor, Change, record
from graph.core.commands import Changed, new_id
from graph.core.db import Tx, run, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.expertise import check_codes
from graph.core.paging import Page
from graph.core.text import fold
from graph.core.validation import Checker, Code
from graph.support.records import (
    ENGAGEMENT_FIELDS,
    REQUEST_FIELDS,
    REQUEST_NEXT,
    EngagementRecord,
    RequestStatus,
    SupportRequestRecord,
    Urgency,
    WantedArea,
)
from graph.units.scopes import Guard, Kind, placement

MAX_EXPERTS = 50
MAX_WEIGHT = 10.0


@dataclass(frozen=True, slots=True)
class NewSupportRequest:
    organisation_id: str  # who asks
    unit_code: str  # where: a current province or commune (official code)
    topic: str
    description: str | None
    wanted: tuple[WantedArea, ...]
    remote_allowed: bool
    period_start: dt.date
    period_end: dt.date
    experts_wanted: int = 1
    urgency: Urgency = Urgency.NORMAL
    contact_email: str | None = None  # the requester's, told of each answer
    synthetic: bool = False
    id: str = field(default_factory=lambda: new_id("request"))


def _check(cmd: NewSupportRequest) -> tuple[str | None, str | None, str | None]:
    check = Checker()
    topic = check.name("topic", cmd.topic)
    description = check.text("description", cmd.description)
    email = check.email("contactEmail", cmd.contact_email, required=False)
    check.non_empty("wanted", cmd.wanted)
    codes = [w.code for w in cmd.wanted]
    check.require(len(set(codes)) == len(codes), "wanted", Code.INVALID_VALUE, "an area twice")
    for i, w in enumerate(cmd.wanted):
        check.require(
            0 < w.weight <= MAX_WEIGHT,
            f"wanted.{i}.weight",
            Code.INVALID_VALUE,
            f"a weight above 0 and at most {MAX_WEIGHT:g}",
        )
    check.date_order("periodEnd", cmd.period_start, cmd.period_end)
    check.require(
        1 <= cmd.experts_wanted <= MAX_EXPERTS,
        "expertsWanted",
        Code.INVALID_VALUE,
        f"between 1 and {MAX_EXPERTS}",
    )
    check.done()
    return topic, description, email


async def request(tx: Tx, id: str) -> SupportRequestRecord:
    found = (await requests_by_ids(tx, [id])).get(id)
    if found is None:
        raise NotFound("SupportRequest", id)
    return found


async def requests_by_ids(tx: Tx, ids: Sequence[str]) -> dict[str, SupportRequestRecord]:
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (r:SupportRequest {id: id}) RETURN " + REQUEST_FIELDS + " AS r",
        ids=list(ids),
    )
    return {r["r"]["id"]: SupportRequestRecord.from_map(r["r"]) for r in records}


async def create_support_request(
    tx: Tx, cmd: NewSupportRequest, actor: Actor, guard: Guard
) -> Changed[SupportRequestRecord]:
    topic, description, email = _check(cmd)
    await check_codes(tx, [w.code for w in cmd.wanted], "wanted")
    guard(await placement(tx, Kind.ORGANISATION, cmd.organisation_id))
    found = await run_single(
        tx,
        "MATCH (o:Organisation {id: $org}) "
        "OPTIONAL MATCH (u:AdministrativeUnit {era: 'CURRENT', code: $code}) "
        "WHERE u.level IN ['PROVINCE', 'COMMUNE'] "
        "RETURN o.validTo AS ceased, u.key AS unitKey",
        org=cmd.organisation_id,
        code=cmd.unit_code.strip(),
    )
    if found is None:  # placement() raised NotFound otherwise
        raise NotFound("Organisation", cmd.organisation_id)
    if found["unitKey"] is None:
        raise NotFound("unit", cmd.unit_code)
    if found["ceased"] is not None:
        raise Conflict("organisationId", "the organisation has ceased; its successor may ask")
    await run(
        tx,
        """
        MATCH (o:Organisation {id: $org}), (u:AdministrativeUnit {key: $unitKey})
        CREATE (o)-[:REQUESTED]->(r:SupportRequest {
            id: $id, topic: $topic, searchKey: $searchKey, description: $description,
            remoteAllowed: $remote, periodStart: $start, periodEnd: $end,
            expertsWanted: $experts, urgency: $urgency, status: 'OPEN', contactEmail: $email,
            createdAt: datetime.transaction(), synthetic: $synthetic})-[:AT]->(u)
        FOREACH (_ IN CASE WHEN $synthetic THEN [1] ELSE [] END | SET r:Synthetic)
        WITH r
        UNWIND $wanted AS w
        MATCH (a:ExpertiseArea {code: w.code})
        CREATE (r)-[:WANTS {weight: w.weight, mustHave: w.mustHave}]->(a)
        """,
        org=cmd.organisation_id,
        unitKey=found["unitKey"],
        id=cmd.id,
        topic=topic,
        searchKey=fold(topic or ""),
        description=description,
        remote=cmd.remote_allowed,
        start=cmd.period_start,
        end=cmd.period_end,
        experts=cmd.experts_wanted,
        urgency=cmd.urgency.value,
        email=email,
        synthetic=cmd.synthetic,
        wanted=as_params(cmd.wanted),
    )
    created = await request(tx, cmd.id)
    changes = [
        Change("topic", None, created.topic),
        Change("organisation", None, cmd.organisation_id),
        Change("unit", None, created.unit_key),
        Change("wanted", None, [w.code for w in created.wanted]),
        Change("periodStart", None, created.period_start),
        Change("periodEnd", None, created.period_end),
        Change("status", None, created.status.value),
    ]
    seq = await record(tx, actor, "createSupportRequest", (Kind.SUPPORT_REQUEST, cmd.id), changes)
    return Changed(created, seq)


# The property that dates each status.
_DATED: dict[RequestStatus, str] = {
    RequestStatus.MATCHING: "matchingAt",
    RequestStatus.ASSIGNED: "assignedAt",
    RequestStatus.DONE: "doneAt",
    RequestStatus.CANCELLED: "cancelledAt",
}


def check_transition(before: RequestStatus, after: RequestStatus, field: str = "status") -> None:
    if after not in REQUEST_NEXT[before]:
        raise Conflict(field, f"the request is {before.value}; it cannot become {after.value}")


async def move(tx: Tx, id: str, before: RequestStatus, after: RequestStatus) -> None:
    """Set the status and date it (the first time it reaches that status)."""
    check_transition(before, after)
    dated = _DATED.get(after)
    await run(
        tx,
        "MATCH (r:SupportRequest {id: $id}) SET r.status = $status "
        "FOREACH (_ IN CASE WHEN $dated = 'matchingAt' AND r.matchingAt IS NULL THEN [1] "
        "  ELSE [] END | SET r.matchingAt = datetime.transaction()) "
        "FOREACH (_ IN CASE WHEN $dated = 'assignedAt' AND r.assignedAt IS NULL THEN [1] "
        "  ELSE [] END | SET r.assignedAt = datetime.transaction()) "
        "FOREACH (_ IN CASE WHEN $dated = 'doneAt' THEN [1] ELSE [] END | "
        "  SET r.doneAt = datetime.transaction()) "
        "FOREACH (_ IN CASE WHEN $dated = 'cancelledAt' THEN [1] ELSE [] END | "
        "  SET r.cancelledAt = datetime.transaction())",
        id=id,
        status=after.value,
        dated=dated,
    )


async def _end(
    tx: Tx,
    id: str,
    after: RequestStatus,
    reason: str | None,
    actor: Actor,
    guard: Guard,
    mutation: str,
) -> Changed[SupportRequestRecord]:
    guard(await placement(tx, Kind.SUPPORT_REQUEST, id))
    before = await request(tx, id)
    check_transition(before.status, after, "requestId")
    await move(tx, id, before.status, after)
    # Proposals nobody answered are withdrawn with the request: the expert's list must not
    # keep asking them about a closed request.
    withdrawn = await run(
        tx,
        "MATCH (g:Engagement {status: 'PROPOSED'})-[:FOR]->(r:SupportRequest {id: $id}) "
        "SET g.status = 'WITHDRAWN', g.withdrawnAt = datetime.transaction() "
        "RETURN g.id AS id",
        id=id,
    )
    if reason is not None:
        await run(
            tx,
            "MATCH (r:SupportRequest {id: $id}) SET r.cancelReason = $reason",
            id=id,
            reason=reason,
        )
    changes = [Change("status", before.status.value, after.value)]
    if reason:
        changes.append(Change("cancelReason", None, reason))
    also = [(Kind.ENGAGEMENT, r["id"]) for r in withdrawn]
    seq = await record(tx, actor, mutation, (Kind.SUPPORT_REQUEST, id), changes, also)
    return Changed(await request(tx, id), seq)


async def close_support_request(
    tx: Tx, id: str, actor: Actor, guard: Guard
) -> Changed[SupportRequestRecord]:
    """ASSIGNED → DONE: the help was given (feedback is per engagement, completeEngagement)."""
    return await _end(tx, id, RequestStatus.DONE, None, actor, guard, "closeSupportRequest")


async def cancel_support_request(
    tx: Tx, id: str, reason: str | None, actor: Actor, guard: Guard
) -> Changed[SupportRequestRecord]:
    check = Checker()
    reason = check.text("reason", reason, required=True)
    check.done()
    return await _end(tx, id, RequestStatus.CANCELLED, reason, actor, guard, "cancelSupportRequest")


@dataclass(frozen=True, slots=True)
class RequestFilter:
    # The viewer's scope (api/policy.py decides it): None is no restriction on that dimension.
    scope_province: str | None = None
    scope_commune: str | None = None
    scope_organisation: str | None = None
    # What the reader asks for.
    statuses: tuple[RequestStatus, ...] = ()
    province_key: str | None = None  # where the help is wanted
    urgencies: tuple[Urgency, ...] = ()


# Newest first: the sort key is the inverted creation time, zero-padded, then the id, so that a
# cursor orders the same as the list.
_LIST: LiteralString = (
    """
MATCH (o:Organisation)-[:REQUESTED]->(r:SupportRequest)-[:AT]->(u:AdministrativeUnit)
WHERE (size($statuses) = 0 OR r.status IN $statuses)
  AND (size($urgencies) = 0 OR r.urgency IN $urgencies)
  AND ($scopeOrganisation IS NULL OR o.id = $scopeOrganisation)
OPTIONAL MATCH (o)-[:LOCATED_IN]->(ou:AdministrativeUnit)
WITH r, u, o, ou,
     [(ou)-[:PART_OF*0..2]->(x:AdministrativeUnit {level: 'PROVINCE'}) | x.key] AS orgProvinces,
     [(u)-[:PART_OF*0..1]->(x:AdministrativeUnit {level: 'PROVINCE'}) | x.key] AS atProvinces
WHERE ($scopeProvince IS NULL OR $scopeProvince IN orgProvinces)
  AND ($scopeCommune IS NULL OR ou.key = $scopeCommune)
  AND ($provinceKey IS NULL OR $provinceKey IN atProvinces)
WITH r, right('000000000000000' + toString(99999999999999 - r.createdAt.epochMillis), 15)
        + '\\t' + r.id AS sortKey
ORDER BY sortKey
WITH collect({sortKey: sortKey, r: """
    + REQUEST_FIELDS
    + """}) AS items
WITH size(items) AS total, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
RETURN total, rest[0..$first] AS page, size(rest) > $first AS hasNext
"""
)


async def list_support_requests(tx: Tx, f: RequestFilter, first: int, after: str | None) -> Page:
    """Page items are (sortKey, SupportRequestRecord) pairs, newest first."""
    found = await run_single(
        tx,
        _LIST,
        statuses=[s.value for s in f.statuses],
        urgencies=[u.value for u in f.urgencies],
        scopeProvince=f.scope_province,
        scopeCommune=f.scope_commune,
        scopeOrganisation=f.scope_organisation,
        provinceKey=f.province_key,
        first=first,
        after=after,
    )
    assert found is not None  # an aggregate always answers one row
    items = [(m["sortKey"], SupportRequestRecord.from_map(m["r"])) for m in found["page"]]
    return Page(items, found["total"], found["hasNext"])


async def engagements_of_requests(tx: Tx, ids: Sequence[str]) -> dict[str, list[EngagementRecord]]:
    """Each request's engagements, oldest proposal first (a DataLoader batch)."""
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (g:Engagement)-[:FOR]->(:SupportRequest {id: id}) "
        "WITH id, g ORDER BY g.proposedAt, g.id "
        "RETURN id, collect(" + ENGAGEMENT_FIELDS + ") AS gs",
        ids=list(ids),
    )
    found: dict[str, list[EngagementRecord]] = {i: [] for i in ids}
    for r in records:
        found[r["id"]] = [EngagementRecord.from_map(m) for m in r["gs"]]
    return found


def as_params(wanted: Sequence[WantedArea]) -> list[dict[str, Any]]:
    return [{"code": w.code, "weight": w.weight, "mustHave": w.must_have} for w in wanted]


async def current_province_key(tx: Tx, code: str) -> str | None:
    found = await run_single(
        tx,
        "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE', code: $code}) "
        "RETURN u.key AS key",
        code=code,
    )
    return None if found is None else str(found["key"])
