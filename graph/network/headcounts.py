"""Dated headcount reports: ``(:Organisation)-[:REPORTED]->(:HeadcountReport {asOf, total, cds,
source, recordedAt})``. The one writer of ``HeadcountReport`` nodes.

A staff figure on a date D is the organisation's latest report with ``asOf <= D`` (ties: the one
recorded last). Reports are never overwritten: a new figure is a new report, so coverage on an
earlier date keeps the figure that was true then. ``latest_report`` is the one spelling of that
rule in Cypher; coverage and the organisation's fields both use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.cypher import iso, native, unwind
from graph.core.db import Tx, run
from graph.core.org_digests import refresh_org_digests
from graph.core.validation import Checker, Code

# The date a report gets when its organisation has no validFrom (seed rows and the migration of
# undated figures): 1 January 2022, the year of Decision 1690's measured 2.19% baseline.
UNDATED_AS_OF = dt.date(2022, 1, 1)


def reports_newest_first(org: LiteralString) -> LiteralString:
    """An expression: every report of ``org``, the one in force first (``latest_report``'s
    order), read once so a series picks each period end's with ``report_in_force``."""
    return (
        "COLLECT { MATCH ("
        + org
        + ")-[:REPORTED]->(h:HeadcountReport) RETURN h ORDER BY h.asOf DESC, h.recordedAt DESC, h.source DESC }"
    )


def report_in_force(reports: LiteralString, on: LiteralString) -> LiteralString:
    """An expression: of ``reports`` (``reports_newest_first``), the one in force on ``on``."""
    return "head([hX IN " + reports + " WHERE hX.asOf <= " + on + "])"


def latest_report(org: LiteralString, on: LiteralString = "$d") -> LiteralString:
    """An expression: the report of ``org`` in force on ``on`` (null when none)."""
    return (
        "head(COLLECT { MATCH ("
        + org
        + ")-[:REPORTED]->(h:HeadcountReport) WHERE h.asOf <= "
        + on
        + " RETURN h ORDER BY h.asOf DESC, h.recordedAt DESC, h.source DESC LIMIT 1 })"
    )


@dataclass(frozen=True, slots=True)
class HeadcountRecord:
    as_of: dt.date
    total: int | None
    cds: int | None
    source: str

    @staticmethod
    def from_map(m: dict[str, Any]) -> HeadcountRecord:
        return HeadcountRecord(native(m["asOf"]), m.get("total"), m.get("cds"), m["source"])


HEADCOUNT_FIELDS: LiteralString = ".asOf, .total, .cds, .source"


@dataclass(frozen=True, slots=True)
class HeadcountInput:
    """A report for the bulk writer (seeds and the demo)."""

    organisation_id: str
    as_of: dt.date
    total: int | None
    cds: int | None
    source: str
    synthetic: bool = False

    def as_param(self) -> dict[str, Any]:
        return {
            "orgId": self.organisation_id,
            "asOf": iso(self.as_of),
            "total": self.total,
            "cds": self.cds,
            "source": self.source,
            "isSynthetic": self.synthetic,
        }


def check_staff(check: Checker, total: int | None, cds: int | None) -> None:
    check.require(total is None or total >= 0, "totalStaff", Code.INVALID_VALUE, "must be >= 0")
    check.require(cds is None or cds >= 0, "cdsStaff", Code.INVALID_VALUE, "must be >= 0")
    check.require(
        total is None or cds is None or cds <= total,
        "cdsStaff",
        Code.INVALID_VALUE,
        "cannot exceed totalStaff",
    )


async def merge_reports(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Idempotent: one report per (organisation, asOf, source), its figures set again (of rows
    naming the same report, the last one's, as a MERGE row by row would leave them). Rows whose
    organisation is missing write nothing; returns the reports written. Bulk writer: the caller
    rebuilds the places' digests (imports once per file, the demo and the units seed at the
    end)."""
    last = {(row["orgId"], row["asOf"], row["source"]): row for row in rows}
    return await unwind(tx, _MERGE_REPORTS, list(last.values()))


# Not MERGE: planned on a store without reports, it sought each row's report among every report
# of that date (the headcount_as_of index) and then checked the organisation, so a first national
# load of 19,986 reports of one date took 187 s. A pattern comprehension expands from its bound
# organisation, whatever the statistics; the organisation's lock first makes two writers of one
# report meet (the second then finds the first's), which MERGE would have ensured.
_MERGE_REPORTS: LiteralString = """
UNWIND $rows AS row
MATCH (o:Organisation {id: row.orgId})
SET o.headcountLock = true
REMOVE o.headcountLock
WITH o, row, date(row.asOf) AS asOf
WITH o, row, asOf,
     [(o)-[:REPORTED]->(h:HeadcountReport) WHERE h.asOf = asOf AND h.source = row.source | h]
     AS found
CALL (o, row, asOf, found) {
  WITH * WHERE found = []
  CREATE (o)-[:REPORTED]->(h:HeadcountReport {asOf: asOf, source: row.source})
  SET h.recordedAt = datetime()
  RETURN h
  UNION ALL
  // Every one found, as MERGE sets every match (add_report writes a new report each time).
  UNWIND found AS h
  RETURN h
}
SET h.total = row.total, h.cds = row.cds, h.synthetic = row.isSynthetic
FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET h:Synthetic)
RETURN count(*) AS n
"""


async def add_report(
    tx: Tx, org_id: str, as_of: dt.date, total: int | None, cds: int | None, source: str
) -> HeadcountRecord:
    """A new report, never an overwrite. A figure left out is carried from the report in force
    on ``as_of``; the caller has checked the figures (``check_staff``) and the organisation."""
    records = await run(
        tx,
        """
        MATCH (o:Organisation {id: $id})
        WITH o, """
        + latest_report("o")
        + """ AS before
        CREATE (o)-[:REPORTED]->(h:HeadcountReport {
            asOf: $d, total: coalesce($total, before.total), cds: coalesce($cds, before.cds),
            source: $source, recordedAt: datetime(), synthetic: false})
        RETURN h {"""
        + HEADCOUNT_FIELDS
        + "} AS h",
        id=org_id,
        d=as_of,
        total=total,
        cds=cds,
        source=source,
    )
    await refresh_org_digests(tx, orgs=[org_id])
    return HeadcountRecord.from_map(records[0]["h"])


async def report_on(tx: Tx, org_id: str, day: dt.date) -> HeadcountRecord | None:
    found = await reports_on(tx, [org_id], day)
    return found.get(org_id)


async def reports_on(tx: Tx, ids: list[str], day: dt.date) -> dict[str, HeadcountRecord]:
    """The report in force on ``day`` of each organisation that has one."""
    records = await run(
        tx,
        """
        UNWIND $ids AS id
        MATCH (o:Organisation {id: id})
        WITH id, """
        + latest_report("o")
        + """ AS h
        WHERE h IS NOT NULL
        RETURN id, h {"""
        + HEADCOUNT_FIELDS
        + "} AS h",
        ids=ids,
        d=day,
    )
    return {r["id"]: HeadcountRecord.from_map(r["h"]) for r in records}


async def histories(tx: Tx, ids: list[str]) -> dict[str, list[HeadcountRecord]]:
    """Every report of each organisation, oldest first."""
    records = await run(
        tx,
        """
        UNWIND $ids AS id
        MATCH (:Organisation {id: id})-[:REPORTED]->(h:HeadcountReport)
        WITH id, h ORDER BY h.asOf, h.recordedAt
        RETURN id, collect(h {"""
        + HEADCOUNT_FIELDS
        + "}) AS hs",
        ids=ids,
    )
    return {r["id"]: [HeadcountRecord.from_map(h) for h in r["hs"]] for r in records}
