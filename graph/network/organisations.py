"""Organisations (units of the network): where they are, whom they belong to, and when they lived.

The one writer of ``Organisation`` nodes: the MERGE of the seeds (``upsert_organisations``), the
CREATE twins of a first load (``create_organisations``, ``link_organisations``) and the
coordinators' commands (``create_organisation``, ``update_organisation``), each one unit of work
with the guard called on the target's placement and the audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from neo4j.exceptions import ConstraintError

from graph.audit.events import Actor, diff, record
from graph.core.commands import Changed, new_id
from graph.core.cypher import columns, synthetic_only, unwind
from graph.core.db import Tx, run, run_single
from graph.core.errors import AlreadyExists, Forbidden, NotFound
from graph.core.model import OrganisationKind
from graph.core.org_digests import refresh_org_digests
from graph.core.text import clean_name, fold
from graph.core.validation import Checker, Code
from graph.network import headcounts
from graph.network.records import ORG_FIELDS, OrganisationRecord
from graph.units.scopes import Guard, Kind, placement


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    id: str
    kind: OrganisationKind
    name: str
    unit_key: str | None
    parent_id: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    total_staff: int | None = None
    cds_staff: int | None = None
    successor_id: str | None = None  # the organisation that took over when this one ceased
    synthetic: bool = False

    def as_param(self) -> dict[str, Any]:
        name = clean_name(self.name)
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": name,
            "searchKey": fold(name),
            "unitKey": self.unit_key,
            "parentId": self.parent_id,
            "validFrom": self.valid_from,
            "validTo": self.valid_to,
            "totalStaff": self.total_staff,
            "cdsStaff": self.cds_staff,
            "successorId": self.successor_id,
            "isSynthetic": self.synthetic,
        }


async def upsert_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE by id; place each in its unit and its parent organisation. Parents and successors
    must be in an earlier batch or this one (rows are linked after all are merged).
    Bulk writer: the caller rebuilds the places' digests (imports once per file, the demo and
    the units seed at the end)."""
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        MERGE (o:Organisation {id: row.id})
        SET o.kind = row.kind, o.name = row.name, o.searchKey = row.searchKey,
            o.validFrom = row.validFrom, o.validTo = row.validTo, o.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET o:Synthetic)
        WITH o, row
        OPTIONAL MATCH (u:AdministrativeUnit {key: row.unitKey})
        FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | MERGE (o)-[:LOCATED_IN]->(u))
        RETURN count(*) AS n
        """,
        rows=rows,
    )
    await run(
        tx,
        """
        UNWIND $rows AS row
        WITH row WHERE row.parentId IS NOT NULL OR row.successorId IS NOT NULL
        MATCH (o:Organisation {id: row.id})
        OPTIONAL MATCH (p:Organisation {id: row.parentId})
        OPTIONAL MATCH (s:Organisation {id: row.successorId})
        FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (o)-[:PART_OF]->(p))
        FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (o)-[:ORG_SUCCEEDED_BY]->(s))
        """,
        rows=rows,
    )
    await headcounts.merge_reports(tx, _seed_reports(rows))
    return int(records[0]["n"])


def _seed_reports(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A seed row's staff figures are a report dated its validFrom (or
    ``headcounts.UNDATED_AS_OF``), source 'seed'."""
    return [
        headcounts.HeadcountInput(
            row["id"],
            row["validFrom"] or headcounts.UNDATED_AS_OF,
            row["totalStaff"],
            row["cdsStaff"],
            "seed",
            row["isSynthetic"],
        ).as_param()
        for row in rows
        if row["totalStaff"] is not None or row["cdsStaff"] is not None
    ]


async def create_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Parents and successors are linked by the MERGE writer only (the demo has none): a row that
    names one is refused, not silently unlinked."""
    if any(row["parentId"] is not None or row["successorId"] is not None for row in rows):
        raise ValueError(
            "graph.network.bulk.create_organisations: parent/successor links need MERGE"
        )
    created = await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (o:Organisation:Synthetic {
            id: row.id, kind: row.kind, name: row.name, searchKey: row.searchKey,
            validFrom: row.validFrom, validTo: row.validTo, synthetic: true})
        RETURN count(*) AS n
        """,
        synthetic_only(rows),
    )
    await headcounts.merge_reports(tx, _seed_reports(rows))
    return created


async def link_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    placed = [row for row in rows if row["unitKey"] is not None]
    linked = await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (o:Organisation {id: r[0]})
        MATCH (u:AdministrativeUnit {key: r[1]})
        CREATE (o)-[:LOCATED_IN]->(u)
        RETURN count(*) AS n
        """,
        columns(placed, ("id", "unitKey")),
    )
    return linked + len(rows) - len(placed)


async def organisation(tx: Tx, id: str) -> OrganisationRecord:
    found = await run_single(
        tx, "MATCH (o:Organisation {id: $id}) RETURN o {" + ORG_FIELDS + "} AS o", id=id
    )
    if found is None:
        raise NotFound("Organisation", id)
    return OrganisationRecord.from_map(found["o"])


@dataclass(frozen=True, slots=True)
class NewOrganisation:
    name: str
    kind: OrganisationKind
    unit_code: str  # a current province or commune
    parent_id: str | None = None
    valid_from: dt.date | None = None
    total_staff: int | None = None
    cds_staff: int | None = None
    staff_as_of: dt.date = field(default_factory=dt.date.today)  # the date of the figures
    id: str = field(default_factory=lambda: new_id("org"))


async def _insert(tx: Tx, cmd: NewOrganisation, unit_key: str, name: str) -> None:
    """An existing id is a conflict (the unique constraint), never an overwrite."""
    await run(
        tx,
        """
        MATCH (u:AdministrativeUnit {key: $unitKey})
        CREATE (o:Organisation {id: $id, kind: $kind, name: $name, searchKey: $key,
                                validFrom: $validFrom, synthetic: false})-[:LOCATED_IN]->(u)
        WITH o OPTIONAL MATCH (p:Organisation {id: $parentId})
        FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (o)-[:PART_OF]->(p))
        """,
        unitKey=unit_key,
        id=cmd.id,
        kind=cmd.kind.value,
        name=name,
        key=fold(name),
        validFrom=cmd.valid_from,
        parentId=cmd.parent_id,
    )


async def create_organisation(
    tx: Tx, cmd: NewOrganisation, actor: Actor, guard: Guard
) -> Changed[OrganisationRecord]:
    check = Checker()
    name = check.name("name", cmd.name)
    headcounts.check_staff(check, cmd.total_staff, cmd.cds_staff)
    check.require(
        cmd.kind is not OrganisationKind.ORGANISATION_UNIT or cmd.parent_id is not None,
        "parentId",
        Code.REQUIRED,
        "a unit (bộ phận) belongs to an organisation: give its parent",
    )
    check.done()
    unit = await run_single(
        tx,
        "MATCH (u:AdministrativeUnit {era: 'CURRENT', code: $code}) "
        "WHERE u.level IN ['PROVINCE', 'COMMUNE'] RETURN u.key AS key",
        code=cmd.unit_code.strip(),
    )
    if unit is None:
        raise NotFound("current province or commune", cmd.unit_code)
    guard(await placement(tx, Kind.UNIT, unit["key"]))
    if cmd.parent_id is not None:
        # The parent must be in the caller's scope too: no attaching to another province's body.
        parent = await placement(tx, Kind.ORGANISATION, cmd.parent_id)
        try:
            guard(parent)
        except Forbidden as refused:
            raise Forbidden(
                refused.action, "parentId: the parent organisation is outside your scope"
            ) from None
    try:
        await _insert(tx, cmd, unit["key"], name or "")
    except ConstraintError:
        raise AlreadyExists("Organisation", cmd.id) from None
    created = await organisation(tx, cmd.id)
    after: dict[str, object] = {
        "name": created.name,
        "kind": created.kind.value,
        "unit": unit["key"],
        "parent": cmd.parent_id,
        "validFrom": created.valid_from,
    }
    if cmd.total_staff is not None or cmd.cds_staff is not None:
        report = await headcounts.add_report(
            tx, cmd.id, cmd.staff_as_of, cmd.total_staff, cmd.cds_staff, "coordinator"
        )
        after |= _report_changes(report)
    await refresh_org_digests(tx, orgs=[cmd.id])
    changes = diff({}, after)
    seq = await record(tx, actor, "createOrganisation", (Kind.ORGANISATION, cmd.id), changes)
    return Changed(created, seq)


@dataclass(frozen=True, slots=True)
class OrganisationPatch:
    """Fields left None are left as they are."""

    id: str
    name: str | None = None
    total_staff: int | None = None
    cds_staff: int | None = None
    valid_to: dt.date | None = None
    # Staff figures are a new dated report (never an overwrite): the date they are true on.
    staff_as_of: dt.date = field(default_factory=dt.date.today)


def _report_changes(report: headcounts.HeadcountRecord) -> dict[str, object]:
    return {
        "headcountAsOf": report.as_of,
        "totalStaff": report.total,
        "cdsStaff": report.cds,
    }


async def update_organisation(
    tx: Tx, patch: OrganisationPatch, actor: Actor, guard: Guard
) -> Changed[OrganisationRecord]:
    """Name and end date are changed in place; staff figures add a report dated
    ``staff_as_of``, a figure left out carried from the report in force on that date."""
    check = Checker()
    name = check.name("name", patch.name, required=False)
    check.require(
        patch.name is None or name is not None, "name", Code.REQUIRED, "must not be empty"
    )
    guard(await placement(tx, Kind.ORGANISATION, patch.id))
    before = await organisation(tx, patch.id)
    reporting = patch.total_staff is not None or patch.cds_staff is not None
    in_force = await headcounts.report_on(tx, patch.id, patch.staff_as_of) if reporting else None
    carried_total = None if in_force is None else in_force.total
    carried_cds = None if in_force is None else in_force.cds
    total = carried_total if patch.total_staff is None else patch.total_staff
    cds = carried_cds if patch.cds_staff is None else patch.cds_staff
    headcounts.check_staff(check, total, cds)
    check.require(
        patch.valid_to is None or before.valid_from is None or patch.valid_to >= before.valid_from,
        "validTo",
        Code.INVALID_DATE,
        "must not be before validFrom",
    )
    check.done()
    after: dict[str, object] = {
        "name": name or before.name,
        "validTo": patch.valid_to or before.valid_to,
    }
    changes = diff({"name": before.name, "validTo": before.valid_to}, after)
    if changes:
        await run(
            tx,
            "MATCH (o:Organisation {id: $id}) SET o.name = $name, o.searchKey = $key, "
            "o.validTo = $validTo",
            id=patch.id,
            name=after["name"],
            key=fold(str(after["name"])),
            validTo=after["validTo"],
        )
    if reporting:
        report = await headcounts.add_report(
            tx, patch.id, patch.staff_as_of, total, cds, "coordinator"
        )
        previous = (
            {} if in_force is None else {"totalStaff": in_force.total, "cdsStaff": in_force.cds}
        )
        changes += diff(previous, _report_changes(report))
    if not changes:
        return Changed(before, None)
    await refresh_org_digests(tx, orgs=[patch.id])
    seq = await record(tx, actor, "updateOrganisation", (Kind.ORGANISATION, patch.id), changes)
    return Changed(await organisation(tx, patch.id), seq)


@dataclass(frozen=True, slots=True)
class OrganisationMatch:
    """An organisation found by id or folded name, with the current province it is in (legacy
    units followed across the reform) and whether it is still active."""

    id: str
    search_key: str
    province_code: str | None
    active: bool


async def organisations_by_id_or_name(
    tx: Tx, ids: Collection[str], keys: Collection[str], today: dt.date
) -> list[OrganisationMatch]:
    records = await run(
        tx,
        """
        MATCH (o:Organisation) WHERE o.id IN $ids OR o.searchKey IN $keys
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(:AdministrativeUnit)-[:PART_OF*0..3]->
              (:AdministrativeUnit {level: 'PROVINCE'})-[:SUCCEEDED_BY*0..1]->
              (p:AdministrativeUnit {level: 'PROVINCE', era: 'CURRENT'})
        RETURN o.id AS id, o.searchKey AS key, min(p.code) AS province,
               (o.validTo IS NULL OR o.validTo >= $today) AS active
        """,
        ids=sorted(ids),
        keys=sorted(keys),
        today=today,
    )
    return [OrganisationMatch(r["id"], r["key"], r["province"], bool(r["active"])) for r in records]


async def organisations_at(
    tx: Tx, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """(unit key, folded name) → the ids of the organisations of that name placed there: how
    an organisations spreadsheet tells an update from a new organisation."""
    records = await run(
        tx,
        """
        UNWIND $keys AS k
        MATCH (:AdministrativeUnit {key: k[0]})<-[:LOCATED_IN]-(o:Organisation)
        WHERE o.searchKey = k[1]
        RETURN k, collect(o.id) AS ids
        """,
        keys=[list(k) for k in sorted(keys)],
    )
    return {(r["k"][0], r["k"][1]): sorted(r["ids"]) for r in records}
