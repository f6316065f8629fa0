"""Coverage of the network: per child unit of a scope, on a date, in one aggregate query.

"Where does the network not reach yet?" is answered by counting, for the units valid on the date:
communes, communes with an active community tech team, teams, active members (as distinct
people and as memberships), organisations, agencies that must name a focal point and those that
have an active one, reported headcounts (each organisation's latest report dated on or before
the date, graph/network/headcounts.py), verified experts, the teams' activity: people and
households helped and the teams active within the last N days (graph/activity/figures.py), and
the request side (#15): support requests filed, open, answered and the median hours to the first
acceptance (graph/reports/support_figures.py).

The team, organisation and expert figures of a place are read from its digests, kept by those
things' writers (graph/core/place_digests.py): a national coverage reads a few thousand places
instead of walking ~100,000 teams, ~425,000 memberships and ~28,000 organisations
(``python -m bench.coverage`` compares both and checks they agree).

Places of a row: the row unit and every unit below it (PART_OF*0..2). With ``in_current_units``
on a legacy date, a current row takes the legacy units whose *default* successor it is, with
everything below them: legacy provinces merged whole, so province rows are exact; a split commune
is counted entirely in its default successor (the package's choice), never divided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.activity.figures import ACTIVITY_OF_PLACES, DEFAULT_ACTIVE_DAYS, ActivityWindow
from graph.core.cypher import valid_on
from graph.core.days import day_number
from graph.core.db import Tx, run
from graph.core.expert_digests import EXPERT_FIGURES_OF_PLACES
from graph.core.model import Era
from graph.core.org_digests import ORG_FIGURES_OF_PLACES
from graph.core.team_digests import TEAM_FIGURES_OF_PLACES
from graph.reports.support_figures import (
    MEDIAN_OF_WAITS,
    REQUESTS_OF_PLACES,
    SupportFigures,
    median_hours,
)
from graph.units.units import UnitRecord, unit_from_map

# Opens the digest part of the metrics over ``digests``; benchmarks swap it for ``UNITS_ONLY``
# to time the units' digests against the rollups (bench/coverage.py, bench/activity.py).
DIGESTS_AS_PLACES: LiteralString = "CALL (digests) {\n  WITH digests AS places"
UNITS_ONLY: LiteralString = "CALL (places) {\n  WITH places"

# The metrics of one list of places, shared by the rows and the scope totals so both count the
# same way. Every subquery starts from the places: their digests, or relationships inward. The
# digests are read from ``digests``: the places, or the rollups of the provinces they make up
# (``_ROLLED``).
_METRICS: LiteralString = (
    """
CALL (places) {
  UNWIND places AS u
  WITH u WHERE u.level = 'COMMUNE'
  RETURN count(u) AS communes
}
"""
    + DIGESTS_AS_PLACES
    + TEAM_FIGURES_OF_PLACES
    + """
"""
    + ORG_FIGURES_OF_PLACES
    + """
"""
    + EXPERT_FIGURES_OF_PLACES
    + ACTIVITY_OF_PLACES
    + """
  RETURN communesWithTeam, teams, memberships, lonePeople, sharedSet, organisations, agencies,
         agenciesWithFocalPoint, reportedStaff, reportedCdsStaff, experts, peopleHelped,
         householdsHelped, activeTeams
}
"""
    + REQUESTS_OF_PLACES
)

# A row's digests: the rollups (graph/core/place_rollups.py) of the provinces ``provinces`` its
# places are made of, when each has an exact one of this N, valid on the date; else its places.
# A national coverage then reads ~60 rollups instead of ~14,000 units' digests.
_ROLLED: LiteralString = (
    """
CALL (provinces, places) {
  UNWIND provinces AS p
  OPTIONAL MATCH (r:PlaceRollup {key: p.key})
  WHERE r.exact AND r.rebuilding IS NULL
    AND coalesce(r.activeWindow, $activeWindow) = $activeWindow AND """
    + valid_on("p")
    + """
  WITH collect(p) AS ps, collect(r) AS rs
  RETURN CASE WHEN rs <> [] AND size(rs) = size(ps) THEN rs ELSE places END AS digests
}
"""
)

_RETURN_METRICS: LiteralString = """
{communes: communes, communesWithTeam: communesWithTeam, teams: teams,
 memberships: memberships, people: lonePeople + size(sharedSet), organisations: organisations,
 agencies: agencies, agenciesWithFocalPoint: agenciesWithFocalPoint,
 reportedStaff: reportedStaff, reportedCdsStaff: reportedCdsStaff, experts: experts,
 peopleHelped: peopleHelped, householdsHelped: householdsHelped, activeTeams: activeTeams,
 requests: requests, openRequests: openRequests, answeredRequests: answeredRequests,
 medianHours: medianHours}
"""

_UNIT_MAP: LiteralString = "row {.key, .era, .level, .code, .name, .shortName, .type, .lat, .lon, .validFrom, .validTo, .areaKm2, .population}"

# Rows in the unit's own era: the children valid on the date and everything below them.
_NATIVE_ROWS: LiteralString = (
    """
MATCH (scope:AdministrativeUnit {key: $scopeKey})
OPTIONAL MATCH (row:AdministrativeUnit)-[:PART_OF]->(scope)
WHERE """
    + valid_on("row")
    + """
WITH scope, row
CALL (row) {
  OPTIONAL MATCH (u:AdministrativeUnit)-[:PART_OF*0..2]->(row)
  RETURN collect(u) AS places
}
WITH scope, row, places, [x IN [row] WHERE x.level = 'PROVINCE'] AS provinces
"""
    + _ROLLED
)

# Rows in today's units for a legacy date: each current row gathers the legacy units whose
# default successor it is, and what lies below them.
_MAPPED_ROWS: LiteralString = (
    """
MATCH (scope:AdministrativeUnit {key: $scopeKey})
OPTIONAL MATCH (row:AdministrativeUnit)-[:PART_OF]->(scope)
WHERE row.era = 'CURRENT'
WITH scope, row
CALL (row) {
  OPTIONAL MATCH (l:AdministrativeUnit)-[:SUCCEEDED_BY {isDefault: true}]->(row)
  OPTIONAL MATCH (u:AdministrativeUnit)-[:PART_OF*0..2]->(l)
  WHERE """
    + valid_on("u")
    + """
  RETURN collect(u) AS places, collect(DISTINCT l) AS merged
}
WITH scope, row, places, merged AS provinces
"""
    + _ROLLED
)

# The scope's own places, which belong to no row: the scope itself (the central level holds the
# ministries, a province its Sở) and, for a legacy date in today's units, the legacy provinces
# and districts merged into it. Teams operate in communes, which are always in a row.
_NATIVE_OWN: LiteralString = "WITH scope, rows, [scope] AS places, [scope] AS digests\n"

_MAPPED_OWN: LiteralString = (
    """
CALL (scope) {
  OPTIONAL MATCH (l:AdministrativeUnit)-[:SUCCEEDED_BY {isDefault: true}]->(scope)
  OPTIONAL MATCH (u:AdministrativeUnit)-[:PART_OF*0..1]->(l)
  WHERE u.level <> 'COMMUNE' AND """
    + valid_on("u")
    + """
  WITH scope, collect(DISTINCT u) AS legacy
  RETURN [scope] + legacy AS places
}
WITH *, places AS digests
"""
)

_ADDITIVE: tuple[LiteralString, ...] = (
    "communes",
    "communesWithTeam",
    "teams",
    "memberships",
    "organisations",
    "agencies",
    "agenciesWithFocalPoint",
    "reportedStaff",
    "reportedCdsStaff",
    "experts",
    "peopleHelped",
    "householdsHelped",
    "activeTeams",
    "requests",
    "openRequests",
    "answeredRequests",
)


def _totals() -> LiteralString:
    """Totals = the rows' sums + the scope's own places; people are distinct across rows (one
    person may serve in teams of two rows): the lone ones add up, the shared ones are counted
    from the rows' sets of ids, and the
    median wait is taken again over every row's waits."""
    parts: LiteralString = ""
    for name in _ADDITIVE:
        parts = (
            parts
            + name
            + ": "
            + name
            + " + reduce(a = 0, r IN rows | a + r.metrics."
            + name
            + "), "
        )
    return (
        "{"
        + parts
        + "people: reduce(a = lonePeople, r IN rows | a + r.lone) + sharedPeople, "
        + "medianHours: totalMedianHours}"
    )


def _query(rows: LiteralString, own: LiteralString) -> LiteralString:
    # Each row keeps its shared people's ids (graph/core/team_digests.py) for the distinct total.
    return (
        rows
        + _METRICS
        + "WITH scope, collect({row: "
        + _UNIT_MAP
        + ", metrics: "
        + _RETURN_METRICS
        + ", people: sharedSet, lone: lonePeople, waits: waits}) AS rows\n"
        + own
        + _METRICS
        + """
CALL (rows, sharedSet) {
  UNWIND reduce(a = sharedSet, r IN rows | a + r.people) AS p
  RETURN count(DISTINCT p) AS sharedPeople
}
CALL (rows, waits) {
  UNWIND reduce(a = waits, r IN rows | a + r.waits) AS wait
  RETURN """
        + MEDIAN_OF_WAITS
        + """ AS totalMedianHours
}
RETURN [r IN rows WHERE r.row.key IS NOT NULL | r {.row, .metrics}] AS rows, """
        + _totals()
        + " AS totals"
    )


NATIVE_QUERY: LiteralString = _query(_NATIVE_ROWS, _NATIVE_OWN)
MAPPED_QUERY: LiteralString = _query(_MAPPED_ROWS, _MAPPED_OWN)


@dataclass(frozen=True, slots=True)
class CoverageMetrics:
    communes: int
    communes_with_team: int
    teams: int
    memberships: int
    people: int
    organisations: int
    agencies: int
    agencies_with_focal_point: int
    reported_staff: int
    reported_cds_staff: int
    experts: int
    # Activity (#17): helped within the window ending on the date, teams active within it.
    # Editions published before #17 have none: read as 0.
    people_helped: int = 0
    households_helped: int = 0
    active_teams: int = 0
    # Support requests (#15) filed by the date, open on it, answered by it, and the median
    # hours to the first acceptance of those answered (null when none). Editions published
    # before #15 have none: read as 0 and null.
    requests: int = 0
    open_requests: int = 0
    answered_requests: int = 0
    median_hours_to_first_accept: float | None = None

    @property
    def support(self) -> SupportFigures:
        return SupportFigures(
            self.requests,
            self.open_requests,
            self.answered_requests,
            self.median_hours_to_first_accept,
        )

    def to_map(self) -> dict[str, int | float]:
        """The inverse of ``from_map`` (published editions store it so)."""
        return {
            "communes": self.communes,
            "communesWithTeam": self.communes_with_team,
            "teams": self.teams,
            "memberships": self.memberships,
            "people": self.people,
            "organisations": self.organisations,
            "agencies": self.agencies,
            "agenciesWithFocalPoint": self.agencies_with_focal_point,
            "reportedStaff": self.reported_staff,
            "reportedCdsStaff": self.reported_cds_staff,
            "experts": self.experts,
            "peopleHelped": self.people_helped,
            "householdsHelped": self.households_helped,
            "activeTeams": self.active_teams,
            "requests": self.requests,
            "openRequests": self.open_requests,
            "answeredRequests": self.answered_requests,
            # A graph property cannot hold null: no median, no key.
            **(
                {}
                if self.median_hours_to_first_accept is None
                else {"medianHours": self.median_hours_to_first_accept}
            ),
        }

    @staticmethod
    def from_map(m: dict[str, Any]) -> CoverageMetrics:
        return CoverageMetrics(
            communes=int(m["communes"]),
            communes_with_team=int(m["communesWithTeam"]),
            teams=int(m["teams"]),
            memberships=int(m["memberships"]),
            people=int(m["people"]),
            organisations=int(m["organisations"]),
            agencies=int(m["agencies"]),
            agencies_with_focal_point=int(m["agenciesWithFocalPoint"]),
            reported_staff=int(m["reportedStaff"]),
            reported_cds_staff=int(m["reportedCdsStaff"]),
            experts=int(m["experts"]),
            people_helped=int(m.get("peopleHelped") or 0),
            households_helped=int(m.get("householdsHelped") or 0),
            active_teams=int(m.get("activeTeams") or 0),
            requests=int(m.get("requests") or 0),
            open_requests=int(m.get("openRequests") or 0),
            answered_requests=int(m.get("answeredRequests") or 0),
            median_hours_to_first_accept=median_hours(
                m.get("medianHours"), int(m.get("answeredRequests") or 0)
            ),
        )


@dataclass(frozen=True, slots=True)
class CoverageRow:
    unit: UnitRecord
    metrics: CoverageMetrics


@dataclass(frozen=True, slots=True)
class Coverage:
    scope_key: str
    as_of: dt.date
    in_current_units: bool
    rows: list[CoverageRow]
    totals: CoverageMetrics


async def coverage(
    tx: Tx,
    scope_key: str,
    as_of: dt.date,
    *,
    in_current_units: bool,
    active_days: int = DEFAULT_ACTIVE_DAYS,
) -> Coverage:
    """One aggregate query. ``scope_key`` must name a unit valid in the era the rows are drawn
    from (a current unit when ``in_current_units``); the caller resolves codes and dates.
    ``active_days`` is the N of "active within the last N days" and of the helped figures'
    window (``CDS_ACTIVE_TEAM_DAYS``)."""
    query = MAPPED_QUERY if in_current_units else NATIVE_QUERY
    window = ActivityWindow.of(as_of, active_days)
    records = await run(
        tx,
        query,
        scopeKey=scope_key,
        d=as_of,
        day=day_number(as_of),
        **window.params(),
    )
    record = records[0]
    rows = [
        CoverageRow(unit_from_map(r["row"]), CoverageMetrics.from_map(r["metrics"]))
        for r in record["rows"]
    ]
    rows.sort(key=lambda r: r.unit.code)
    return Coverage(
        scope_key, as_of, in_current_units, rows, CoverageMetrics.from_map(record["totals"])
    )


def era_on(day: dt.date) -> Era:
    from graph.core.model import REFORM_DAY

    return Era.CURRENT if day >= REFORM_DAY else Era.LEGACY
