"""Each place's organisation digest: what coverage counts of the organisations located at a
place, as step functions of the date (graph/core/place_digests.py), kept on the place.

Coverage counts, for the places of a row, the organisations existing on the date, the agencies
among them (kinds in ``AGENCY_KINDS``) and those with a focal point then (``has_focal_point``:
an assignment running at the agency, or at one of its named units existing then), and sums the
headcount report in force on the date of each existing organisation (the latest dated on or
before it, the last recorded of that day; counted when it gives both figures). Walking the
nation's ~28,000 organisations with their posts and reports for that was about 0.4 s of the
national coverage (#14). A place holding organisations carries instead ``orgDays`` (the change
days) and, from each on, ``orgCounts``, ``agencyCounts``, ``coveredCounts``, ``staffSums`` and
``cdsSums``.

Which kinds are agencies is ``AGENCY_KINDS`` when the digest was built: a change to that list
needs a migration that rebuilds the digests (``ORG_DIGESTS.rebuild_all``).

Rebuilt in the transaction of every change to what it is built from (``refresh_org_digests``):
an organisation (its dates, kind or place), a focal-point assignment, a headcount report. A
named unit's digest facts belong to its parent, so the places of the parents are rebuilt too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, LiteralString

from graph.core.days import DAWN, NEVER, OPEN
from graph.core.db import Graph, Tx, run_collected
from graph.core.model import AGENCY_KINDS
from graph.core.place_digests import (
    DigestKind,
    add_interval,
    by_index,
    count_upto,
    day_of,
    facts_of,
    merged,
    of_places,
    reads,
    steps,
    value_on,
)
from graph.core.place_rollups import Rollup

_FIGURES: tuple[LiteralString, ...] = (
    "orgCounts",
    "agencyCounts",
    "coveredCounts",
    "staffSums",
    "cdsSums",
)

# Per organisation at the place: its first and last days, whether it is an agency, the posts
# that can cover it ([first, last] of the post and of the named unit it is at, or of always when
# at the organisation itself) and its reports ([asOf, total, cds]) in the order they take force.
_FACTS: LiteralString = facts_of(
    """
  MATCH (o:Organisation)-[:LOCATED_IN]->(u)
  WITH DISTINCT o
  RETURN collect([
    """
    + day_of("o.validFrom", "$dawn")
    + ", "
    + day_of("o.validTo", "$open")
    + """, o.kind IN $agencyKinds,
    COLLECT { MATCH (o)<-[:PART_OF*0..1]-(at:Organisation)<-[:AT]-(fp:FocalPointAssignment)
              WHERE at = o OR at.kind = 'ORGANISATION_UNIT'
              RETURN ["""
    + day_of("fp.since", "$never")
    + ", "
    + day_of("fp.until", "$open")
    + """,
                      CASE WHEN at = o THEN $dawn ELSE """
    + day_of("at.validFrom", "$dawn")
    + """ END,
                      CASE WHEN at = o THEN $open ELSE """
    + day_of("at.validTo", "$open")
    + """ END] },
    COLLECT { MATCH (o)-[:REPORTED]->(h:HeadcountReport)
              RETURN ["""
    + day_of("h.asOf", "$never")
    + """, h.total, h.cds] ORDER BY h.asOf, h.recordedAt, h.source }
  ]) AS orgs
""",
    "orgs",
)


def build_org_digest(orgs: Iterable[Any]) -> dict[str, list[int]] | None:
    """The digest of a place from its organisations' facts (``_FACTS``' shape); None without
    organisations."""
    deltas: dict[int, list[int]] = {}
    any_org = False
    for first, last, agency, posts, reports in orgs:
        any_org = True
        add_interval(deltas, first, last, (1, 1 if agency else 0, 0, 0, 0))
        if agency:
            covered = merged(
                (max(since, unit_from, first), min(until, unit_to, last))
                for since, until, unit_from, unit_to in posts
            )
            for start, end in covered:
                add_interval(deltas, start, end, (0, 0, 1, 0, 0))
        # The report in force from its day to the day before the next report's (of a day with
        # several, the last recorded).
        in_force: dict[int, tuple[int | None, int | None]] = {}
        for as_of, total, cds in reports:
            in_force[as_of] = (total, cds)
        days = sorted(in_force)
        for i, as_of in enumerate(days):
            total, cds = in_force[as_of]
            if total is None or cds is None:
                continue
            until = days[i + 1] - 1 if i + 1 < len(days) else OPEN
            add_interval(deltas, max(as_of, first), min(until, last), (0, 0, 0, total, cds))
    if not any_org:
        return None
    days_, figures = steps(deltas, len(_FIGURES))
    return {"orgDays": days_, **dict(zip(_FIGURES, figures, strict=True))}


ORG_DIGESTS = DigestKind(
    "organisation",
    _FACTS,
    build_org_digest,
    ("orgDays", *_FIGURES),
    "orgDays",
    "EXISTS { (:Organisation)-[:LOCATED_IN]->(u) }",
    {
        "open": OPEN,
        "dawn": DAWN,
        "never": NEVER,
        "agencyKinds": [k.value for k in AGENCY_KINDS],
    },
    figures=_FIGURES,
    now="orgNow",
    rollup=Rollup((("orgDays", _FIGURES),)),
)

# A place ``u``'s digest read into variables once (as the team digest's).
_LISTS: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("orgDays", "orgDays"),
    ("orgCounts", "orgCounts"),
    ("agencyCounts", "agencyCounts"),
    ("coveredCounts", "coveredCounts"),
    ("staffSums", "staffSums"),
    ("cdsSums", "cdsSums"),
)


def _figures_on(on: LiteralString) -> LiteralString:
    return (
        """
  WITH *, """
        + count_upto("orgDays", on)
        + """ AS ok
  WITH *, """
        + value_on("orgCounts", "ok")
        + " AS placeOrgs, "
        + value_on("agencyCounts", "ok")
        + " AS placeAgencies, "
        + value_on("coveredCounts", "ok")
        + " AS placeCovered, "
        + value_on("staffSums", "ok")
        + " AS placeStaff, "
        + value_on("cdsSums", "ok")
        + """ AS placeCds
"""
    )


# Coverage's organisation figures of ``places`` on ``$day``: organisations, agencies,
# agenciesWithFocalPoint, reportedStaff, reportedCdsStaff.
ORG_FIGURES_OF_PLACES: LiteralString = (
    of_places("orgNow", reads("orgDays", _FIGURES, _LISTS, now=True), "$day")
    + _figures_on("$day")
    + """
  RETURN sum(placeOrgs) AS organisations, sum(placeAgencies) AS agencies,
         sum(placeCovered) AS agenciesWithFocalPoint, sum(placeStaff) AS reportedStaff,
         sum(placeCds) AS reportedCdsStaff
}
"""
)

# The same for a series: one row per index of ``$days``:
# [index, organisations, agencies, covered, staff, cds].
ORG_FIGURES_BY_INDEX: LiteralString = (
    by_index("orgNow", reads("orgDays", _FIGURES, _LISTS, now=False))
    + _figures_on("$days[i]")
    + """
  WITH i, sum(placeOrgs) AS organisations, sum(placeAgencies) AS agencies,
       sum(placeCovered) AS covered, sum(placeStaff) AS staff, sum(placeCds) AS cds
  RETURN collect([i, organisations, agencies, covered, staff, cds]) AS orgRows
}
"""
)


async def org_places(tx: Tx, org_ids: Collection[str]) -> set[str]:
    """The places of these organisations and of their parents (a named unit's posts cover its
    parent): the digests a change to them may alter. The organisations are write-locked first
    (in id order), so a concurrent move is committed before their places are read here, or
    waits for this transaction."""
    if not org_ids:
        return set()
    found = await run_collected(
        tx,
        """
        UNWIND $ids AS id
        MATCH (o:Organisation {id: id})
        SET o.digestLock = true
        REMOVE o.digestLock
        WITH o
        MATCH (o)-[:PART_OF*0..1]->(x:Organisation)-[:LOCATED_IN]->(u:AdministrativeUnit)
        RETURN collect(DISTINCT u.key) AS rows
        """,
        ids=sorted(set(org_ids)),
    )
    return {str(k) for k in found}


async def refresh_org_digests(
    tx: Tx, *, orgs: Collection[str] = (), places: Collection[str] = ()
) -> None:
    """After a change, in its transaction: rebuild the digests of the places of these
    organisations and their parents, and these places (the ones a moved or deleted
    organisation left)."""
    await ORG_DIGESTS.rebuild(tx, await org_places(tx, orgs) | set(places))


async def stale_org_digests(tx: Tx) -> list[str]:
    return await ORG_DIGESTS.stale(tx)


async def rebuild_all_org_digests(graph: Graph) -> None:
    """Migration 20, and the demo after its bulk load."""
    await ORG_DIGESTS.rebuild_all(graph)
