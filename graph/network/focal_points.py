"""The CĐS network proper: focal-point assignments (cán bộ đầu mối CĐS) at organisations, and the
provincial networks (mạng lưới CĐS) each province establishes by decision.

Coordinators' commands (one unit of work each for ``Graph.write``) check the input, place the
target and call the caller's guard, then change the graph and write the audit event, all in the
one transaction. Ends are never deletions: closing a team, ending a membership or a post sets
``until`` and keeps the record. Ids are made by the commands, outside the transaction, so a
driver retry writes the same ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph.audit.events import Actor, Change, record
from graph.core.commands import Changed, new_id
from graph.core.cypher import active_on, columns, iso, require, synthetic_only, unwind, valid_on
from graph.core.db import Tx, run, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.model import FocalPointMode
from graph.core.org_digests import refresh_org_digests
from graph.core.text import clean_name
from graph.core.validation import Checker
from graph.network.people import PersonRef, check_person, person_id_of
from graph.units.scopes import Guard, Kind, placement


def has_focal_point(org: LiteralString, on: LiteralString = "$d") -> LiteralString:
    """The one spelling of "the organisation ``org`` has a CĐS focal point on ``on``": an
    assignment active then, at the organisation itself or at one of its named units (bộ phận,
    kind ORGANISATION_UNIT, PART_OF it) that existed then. Coverage and gaps both use it."""
    return (
        "EXISTS { MATCH ("
        + org
        + ")<-[:PART_OF*0..1]-(fpAt:Organisation)<-[:AT]-(fpPost:FocalPointAssignment) WHERE (fpAt = "
        + org
        + " OR (fpAt.kind = 'ORGANISATION_UNIT' AND "
        + valid_on("fpAt", on)
        + ")) AND "
        + active_on("fpPost", on)
        + " }"
    )


def focal_posts(org: LiteralString) -> LiteralString:
    """An expression: the posts that can cover ``org`` (at it, or at one of its named units,
    with that unit's dates), read once so a series tests them against every period end with
    ``covered_by``; the same rule as ``has_focal_point``."""
    return (
        "COLLECT { MATCH ("
        + org
        + ")<-[:PART_OF*0..1]-(fpAt:Organisation)<-[:AT]-(fpPost:FocalPointAssignment) WHERE fpAt = "
        + org
        + " OR fpAt.kind = 'ORGANISATION_UNIT' RETURN {since: fpPost.since, until: fpPost.until,"
        " validFrom: CASE WHEN fpAt = "
        + org
        + " THEN null ELSE fpAt.validFrom END, validTo: CASE WHEN fpAt = "
        + org
        + " THEN null ELSE fpAt.validTo END} }"
    )


def covered_by(posts: LiteralString, on: LiteralString) -> LiteralString:
    """A predicate: one of ``posts`` (``focal_posts``) covers its organisation on ``on``."""
    return (
        "any(fpX IN "
        + posts
        + " WHERE "
        + active_on("fpX", on)
        + " AND "
        + valid_on("fpX", on)
        + ")"
    )


@dataclass(frozen=True, slots=True)
class FocalPointInput:
    id: str
    person_id: str
    organisation_id: str
    decision_id: str
    mode: FocalPointMode
    since: dt.date
    until: dt.date | None = None  # set when the assignment ended; assignments are never deleted
    title: str | None = None  # the post the person holds, e.g. "Phó Giám đốc Sở"
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(
            bool(self.id and self.person_id and self.organisation_id and self.decision_id),
            f"focal point {self.id!r}: id, person, organisation and decision",
        )
        require(self.until is None or self.until >= self.since, f"focal point {self.id!r}: until")

    def as_param(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "personId": self.person_id,
            "organisationId": self.organisation_id,
            "decisionId": self.decision_id,
            "mode": self.mode.value,
            "since": self.since.isoformat(),
            "until": iso(self.until),
            "title": clean_name(self.title) if self.title else None,
            "isSynthetic": self.synthetic,
        }


@dataclass(frozen=True, slots=True)
class NetworkInput:
    id: str
    name: str
    unit_key: str  # the (current) province
    decision_id: str
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(
            bool(self.id and self.name.strip() and self.unit_key and self.decision_id),
            f"network {self.id!r}: id, name, province and decision",
        )

    def as_param(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": clean_name(self.name),
            "unitKey": self.unit_key,
            "decisionId": self.decision_id,
            "isSynthetic": self.synthetic,
        }


async def upsert_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE assignments by id: person -HOLDS-> assignment -AT-> organisation, and the decision.
    Bulk writer: the caller rebuilds the places' digests (imports once per file, the demo and
    the units seed at the end)."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (o:Organisation {id: row.organisationId})
        MATCH (d:Decision {id: row.decisionId})
        MERGE (a:FocalPointAssignment {id: row.id})
        SET a.mode = row.mode, a.since = date(row.since), a.until = date(row.until), a.title = row.title,
            a.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET a:Synthetic)
        MERGE (p)-[:HOLDS]->(a)
        MERGE (a)-[:AT]->(o)
        MERGE (a)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


async def upsert_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE provincial networks by id, located in their province, with their decision."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (u:AdministrativeUnit {key: row.unitKey})
        MATCH (d:Decision {id: row.decisionId})
        MERGE (n:ProvincialNetwork {id: row.id})
        SET n.name = row.name, n.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET n:Synthetic)
        MERGE (n)-[:LOCATED_IN]->(u)
        MERGE (n)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (a:FocalPointAssignment:Synthetic {
            id: row.id, mode: row.mode, since: date(row.since), until: date(row.until),
            title: row.title, synthetic: true})
        RETURN count(*) AS n
        """,
        synthetic_only(rows),
    )


async def link_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (a:FocalPointAssignment {id: r[0]})
        MATCH (p:Person {id: r[1]})
        MATCH (o:Organisation {id: r[2]})
        MATCH (d:Decision {id: r[3]})
        CREATE (p)-[:HOLDS]->(a), (a)-[:AT]->(o), (a)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        columns(rows, ("id", "personId", "organisationId", "decisionId")),
    )


async def create_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (n:ProvincialNetwork:Synthetic {id: row.id, name: row.name, synthetic: true})
        RETURN count(*) AS n
        """,
        synthetic_only(rows),
    )


async def link_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (n:ProvincialNetwork {id: r[0]})
        MATCH (u:AdministrativeUnit {key: r[1]})
        MATCH (d:Decision {id: r[2]})
        CREATE (n)-[:LOCATED_IN]->(u), (n)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        columns(rows, ("id", "unitKey", "decisionId")),
    )


@dataclass(frozen=True, slots=True)
class FocalPost:
    id: str
    organisation_id: str
    person_id: str
    mode: FocalPointMode
    since: dt.date
    until: dt.date | None
    title: str | None


@dataclass(frozen=True, slots=True)
class NewFocalPoint:
    organisation_id: str
    person: PersonRef
    mode: FocalPointMode
    since: dt.date
    decision_number: str
    decision_date: dt.date
    title: str | None = None
    id: str = field(default_factory=lambda: new_id("focal"))
    decision_id: str = field(default_factory=lambda: new_id("decision"))


def _post(m: dict[str, Any]) -> FocalPost:
    until = m.get("until")
    return FocalPost(
        m["id"],
        m["org"],
        m["person"],
        FocalPointMode(m["mode"]),
        m["since"].to_native(),
        until.to_native() if until is not None else None,
        m.get("title"),
    )


_POST = (
    "MATCH (p:Person)-[:HOLDS]->(a:FocalPointAssignment {id: $id})-[:AT]->(o:Organisation) "
    "RETURN a {.id, .mode, .since, .until, .title, org: o.id, person: p.id} AS a"
)


async def assign_focal_point(
    tx: Tx, cmd: NewFocalPoint, actor: Actor, guard: Guard
) -> Changed[FocalPost]:
    """Name a CĐS focal point (cán bộ đầu mối) by a decision of the organisation itself."""
    check = Checker()
    ref = check_person(check, cmd.person, "person")
    number = check.name("decisionNumber", cmd.decision_number)
    title = check.name("title", cmd.title, required=False)
    check.done()
    guard(await placement(tx, Kind.ORGANISATION, cmd.organisation_id))
    org = await run_single(
        tx, "MATCH (o:Organisation {id: $id}) RETURN o.validTo AS validTo", id=cmd.organisation_id
    )
    assert org is not None  # placement() raised NotFound otherwise
    if org["validTo"] is not None and org["validTo"].to_native() < cmd.since:
        raise Conflict("organisationId", "the organisation had ceased by then")
    person_id = await person_id_of(tx, ref, "person", guard)
    await run(
        tx,
        """
        MATCH (p:Person {id: $pid}), (o:Organisation {id: $org})
        CREATE (d:Decision {id: $decisionId, number: $number, date: $decisionDate,
                            kind: 'FOCAL_POINT_ASSIGNMENT', synthetic: false})-[:ISSUED_BY]->(o)
        CREATE (p)-[:HOLDS]->(a:FocalPointAssignment {id: $id, mode: $mode, since: $since,
                                                      title: $title, synthetic: false})-[:AT]->(o)
        CREATE (a)-[:ESTABLISHED_BY]->(d)
        """,
        pid=person_id,
        org=cmd.organisation_id,
        decisionId=cmd.decision_id,
        number=number,
        decisionDate=cmd.decision_date,
        id=cmd.id,
        mode=cmd.mode.value,
        since=cmd.since,
        title=title,
    )
    await refresh_org_digests(tx, orgs=[cmd.organisation_id])
    changes = [
        Change("person", None, person_id),
        Change("mode", None, cmd.mode.value),
        Change("since", None, cmd.since),
        Change("decisionNumber", None, number),
    ]
    seq = await record(
        tx,
        actor,
        "assignFocalPoint",
        (Kind.FOCAL_POINT, cmd.id),
        changes,
        [(Kind.ORGANISATION, cmd.organisation_id), (Kind.PERSON, person_id)],
    )
    found = await run_single(tx, _POST, id=cmd.id)
    assert found is not None
    return Changed(_post(found["a"]), seq)


async def end_focal_point(
    tx: Tx, assignment_id: str, until: dt.date, actor: Actor, guard: Guard
) -> Changed[FocalPost]:
    guard(await placement(tx, Kind.FOCAL_POINT, assignment_id))
    found = await run_single(tx, _POST, id=assignment_id)
    if found is None:
        raise NotFound("FocalPointAssignment", assignment_id)
    post = _post(found["a"])
    if post.until is not None:
        raise Conflict("assignmentId", f"the post already ended on {post.until.isoformat()}")
    if until < post.since:
        raise Conflict("until", "before the post began")
    await run(
        tx, "MATCH (a:FocalPointAssignment {id: $id}) SET a.until = $until", id=post.id, until=until
    )
    await refresh_org_digests(tx, orgs=[post.organisation_id])
    seq = await record(
        tx,
        actor,
        "endFocalPoint",
        (Kind.FOCAL_POINT, post.id),
        [Change("until", None, until)],
        [(Kind.ORGANISATION, post.organisation_id), (Kind.PERSON, post.person_id)],
    )
    return Changed(
        FocalPost(
            post.id, post.organisation_id, post.person_id, post.mode, post.since, until, post.title
        ),
        seq,
    )
