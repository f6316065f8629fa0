"""The totals of ``coverage`` at many period ends in one query (``coverageSeries``).

``coverage`` walks the places of one date and counts what is active there; twelve period ends
were twelve such walks (11 s cold nationally on #16's machine). Here every place, team,
organisation, expert, team activity digest and support request under the scope is read once, with the indices of the period ends it
counts on (its unit's dates, its own since/until or validity), and the counts are grouped by
index. The rules are the same fragments as coverage's (graph/core/cypher.py's ``valid_on`` and
``active_on``, the places' team digests of graph/core/team_digests.py, the focal-point and headcount helpers, the request figures of
graph/reports/support_figures.py), and a test compares
every figure with ``coverage`` on each date.

Places of a period end: its scope unit (resolved in the era of that date by the caller) and the
units below it valid on the date: what coverage's rows and the scope's own places add up to. A
province valid on the date stands for itself and every unit under it through its rollup
(graph/core/place_rollups.py): a national series reads ~100 rollups instead of ~14,000 units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, LiteralString

from graph.activity.figures import ACTIVITY_BY_INDEX, DEFAULT_ACTIVE_DAYS, ActivityWindow
from graph.core.cypher import valid_on
from graph.core.days import day_number
from graph.core.db import Tx, run
from graph.core.expert_digests import EXPERT_FIGURES_BY_INDEX
from graph.core.org_digests import ORG_FIGURES_BY_INDEX
from graph.core.team_digests import TEAM_FIGURES_BY_INDEX
from graph.reports.coverage import CoverageMetrics
from graph.reports.support_figures import REQUESTS_BY_INDEX, median_hours

_ON: LiteralString = "$ends[i]"

QUERY: LiteralString = (
    """
UNWIND $scopes AS s
MATCH (scope:AdministrativeUnit {key: s.key})
// The provinces that are the scope or just below it, each counted with everything under it by
// its rollup (graph/core/place_rollups.py) when it has an exact one of this N.
CALL (scope, s) {
  MATCH (prov:AdministrativeUnit {level: 'PROVINCE'})-[:PART_OF*0..1]->(scope)
  MATCH (r:PlaceRollup {key: prov.key})
  WHERE r.exact AND r.rebuilding IS NULL
    AND coalesce(r.activeWindow, $activeWindow) = $activeWindow
  WITH prov, r, CASE WHEN prov = scope THEN s.idx ELSE [i IN s.idx WHERE """
    + valid_on("prov", _ON)
    + """] END AS idx
  RETURN collect(prov.key) AS rolled, collect(CASE WHEN idx <> [] THEN {u: r, idx: idx} END) AS rollups
}
// Every other place: the scope, on all its dates, and the units under it valid on a date, but
// for those of the rolled provinces.
CALL (scope, s, rolled) {
  WITH scope, s, rolled WHERE NOT scope.key IN rolled
  CALL (scope, s, rolled) {
    RETURN scope AS u, s.idx AS idx
    UNION
    MATCH (c:AdministrativeUnit)-[:PART_OF]->(scope) WHERE NOT c.key IN rolled
    MATCH (u:AdministrativeUnit)-[:PART_OF*0..2]->(c)
    WITH u, [i IN s.idx WHERE """
    + valid_on("u", _ON)
    + """] AS idx
    WHERE idx <> []
    RETURN u, idx
  }
  RETURN collect({u: u, idx: idx}) AS units
}
// The places with support requests, read from the requests (a rollup has none of its own).
CALL (scope, s) {
  MATCH (:SupportRequest)-[:AT]->(u:AdministrativeUnit)
  WITH DISTINCT u
  WHERE u = scope OR EXISTS { (u)-[:PART_OF*1..3]->(scope) }
  WITH u, CASE WHEN u = scope THEN s.idx ELSE [i IN s.idx WHERE """
    + valid_on("u", _ON)
    + """] END AS idx
  WHERE idx <> []
  RETURN collect({u: u, idx: idx}) AS asked
}
WITH collect(rollups + units) AS found, collect(asked) AS askedLists
WITH reduce(all = [], l IN found | all + l) AS places,
     reduce(all = [], l IN askedLists | all + l) AS askedPlaces
CALL (places) {
  UNWIND places AS p
  WITH p.u AS u, p.idx AS idx
  WITH idx, CASE WHEN u:PlaceRollup THEN u.rollupCommunes
                 WHEN u.level = 'COMMUNE' THEN 1 ELSE 0 END AS n
  WHERE n > 0
  UNWIND idx AS i
  WITH i, sum(n) AS n
  RETURN collect([i, n]) AS communes
}
"""
    + TEAM_FIGURES_BY_INDEX
    + """
"""
    + ORG_FIGURES_BY_INDEX
    + """
"""
    + EXPERT_FIGURES_BY_INDEX
    + ACTIVITY_BY_INDEX
    + """
CALL (askedPlaces) {
  WITH askedPlaces AS places"""
    + REQUESTS_BY_INDEX
    + """  RETURN requestRows
}
RETURN communes, teamRows, orgRows, expertRows, activityRows, requestRows
"""
)


def _by_index(rows: list[list[Any]], n: int, width: int) -> list[list[int]]:
    out = [[0] * width for _ in range(n)]
    for row in rows:
        out[int(row[0])] = [int(v) for v in row[1:]]
    return out


async def series_totals(
    tx: Tx, points: Sequence[tuple[dt.date, str]], active_days: int = DEFAULT_ACTIVE_DAYS
) -> list[CoverageMetrics]:
    """``coverage(scope, d).totals`` for each (period end d, scope unit key valid on d), in
    order, from one query; ``active_days`` as coverage's."""
    if not points:
        return []
    ends = [d for d, _ in points]
    scopes: dict[str, list[int]] = {}
    for i, (_, key) in enumerate(points):
        scopes.setdefault(key, []).append(i)
    windows = [ActivityWindow.of(d, active_days) for d in ends]
    records = await run(
        tx,
        QUERY,
        ends=ends,
        days=[day_number(d) for d in ends],
        helpFroms=[day_number(w.helped_from) for w in windows],
        activeFroms=[w.active_from for w in windows],
        activeWindow=active_days,
        scopes=[{"key": k, "idx": idx} for k, idx in scopes.items()],
    )
    r = records[0]
    n = len(points)
    communes = _by_index(r["communes"], n, 1)
    teams = _by_index(r["teamRows"], n, 4)
    orgs = _by_index(r["orgRows"], n, 5)
    experts = _by_index(r["expertRows"], n, 1)
    activity = _by_index(r["activityRows"], n, 3)
    requests = _by_index([row[:4] for row in r["requestRows"]], n, 3)
    medians: list[float | None] = [None] * n
    for row in r["requestRows"]:
        medians[int(row[0])] = median_hours(row[4], int(row[3]))
    return [
        CoverageMetrics(
            communes=communes[i][0],
            communes_with_team=teams[i][0],
            teams=teams[i][1],
            memberships=teams[i][2],
            people=teams[i][3],
            organisations=orgs[i][0],
            agencies=orgs[i][1],
            agencies_with_focal_point=orgs[i][2],
            reported_staff=orgs[i][3],
            reported_cds_staff=orgs[i][4],
            experts=experts[i][0],
            people_helped=activity[i][0],
            households_helped=activity[i][1],
            active_teams=activity[i][2],
            requests=requests[i][0],
            open_requests=requests[i][1],
            answered_requests=requests[i][2],
            median_hours_to_first_accept=medians[i],
        )
        for i in range(n)
    ]
