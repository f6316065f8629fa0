"""Cold coverage with the places' team digests: ``python -m bench.coverage [--scale national]
[--runs 10]``.

On the configured graph (the national demo network is loaded if missing, and migrations are
applied, which build the digests), prints for national coverage on a few dates, p50 / p95 /
max over ``--runs`` of the statement itself (no cache: what a change makes the API run; a first
run, not counted, plans the statement, which a server does once):

- ``rollups``: coverage as it is (a province row reads its rollup, graph/core/place_rollups.py);
- ``units``: the same statement reading every unit's digests (graph/core/team_digests.py's
  figures of each place), as before the rollups;
- ``walk``: the units, with the team part as it was before the digests (every team and
  membership of the nation walked);

taking turns, and whose answers must be the same;

then the totals of a 12-quarter national ``coverageSeries`` (the query, no cache), and what
keeping the digests costs a writer: rebuilding the digest of the place with the most memberships
(what adding a member there adds to the transaction), and every place's digests (migrations
19-21, a demo load).

Figures, not assertions: the 2-core machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time
from typing import Any, LiteralString

from bench import command_line, run_main
from bench.activity import national_coverage
from bench.api import ensure_network, pct
from graph.core.connection import open_graph
from graph.core.cypher import active_on
from graph.core.db import Graph, Tx, run
from graph.core.digests import rebuild_all_digests
from graph.core.migrations import migrate
from graph.core.settings import get_settings
from graph.core.team_digests import (
    TEAM_FIGURES_OF_PLACES,
    TEAMS_OF_PLACE,
    rebuild_team_digests,
)
from graph.reports.coverage import DIGESTS_AS_PLACES, MAPPED_QUERY, NATIVE_QUERY, UNITS_ONLY
from graph.reports.series import Step, period_ends
from graph.reports.series_totals import series_totals
from seed.demo.params import parse_scale

NATION = "NATIONAL:CENTRAL:VN"

# The team part before the digests, giving the digests' variables: every person counted by id
# as if shared (``lonePeople`` 0), which gives the same distinct counts.
WALK: LiteralString = (
    """
CALL (places) {
  UNWIND places AS u
  CALL (u) {"""
    + TEAMS_OF_PLACE
    + """}
  WITH u, t WHERE """
    + active_on("t")
    + """
  OPTIONAL MATCH (p:Person)-[m:MEMBER_OF]->(t)
  WHERE """
    + active_on("m")
    + """
  WITH count(DISTINCT u) AS communesWithTeam, count(DISTINCT t) AS teams,
       count(m) AS memberships, collect(DISTINCT p.id) AS sharedSet
  RETURN communesWithTeam, teams, memberships, 0 AS lonePeople, sharedSet
}
"""
)

CASES: list[tuple[str, dt.date, LiteralString]] = [
    ("today, current units", dt.date.today(), NATIVE_QUERY),
    ("2025-07-01, current units", dt.date(2025, 7, 1), NATIVE_QUERY),
    ("2024-12-31, legacy units", dt.date(2024, 12, 31), NATIVE_QUERY),
    ("2024-12-31 in current units", dt.date(2024, 12, 31), MAPPED_QUERY),
]


async def _time(graph: Graph, query: LiteralString, day: dt.date) -> tuple[float, Any]:
    began = time.perf_counter()
    found = await graph.read(national_coverage, query, day)
    return (time.perf_counter() - began) * 1000, found.data()


async def compare(graph: Graph, runs: int) -> None:
    for name, day, query in CASES:
        units = query.replace(DIGESTS_AS_PLACES, UNITS_ONLY)
        sides = {
            "rollups": query,
            "units": units,
            "walk": units.replace(TEAM_FIGURES_OF_PLACES, WALK),
        }
        times: dict[str, list[float]] = {side: [] for side in sides}
        answers: dict[str, Any] = {}
        order = list(sides.items())
        for _, q in order:  # plans each statement: once per server process, not counted
            await _time(graph, q, day)
        for n in range(runs):
            for side, q in order if n % 2 == 0 else order[::-1]:
                ms, answers[side] = await _time(graph, q, day)
                times[side].append(ms)
        same = answers["rollups"] == answers["units"] == answers["walk"]
        print(f"national coverage {name}: answers {'same' if same else 'DIFFERENT'}")
        for side, values in times.items():
            print(
                f"  {side:8} p50 {statistics.median(values):7.1f} ms  "
                f"p95 {pct(values, 95):7.1f} ms  max {max(values):7.1f} ms"
            )


async def _busiest_place(tx: Tx) -> str:
    records = await run(
        tx,
        "MATCH (u:AdministrativeUnit) WHERE u.memberCounts IS NOT NULL "
        "RETURN u.key AS key ORDER BY size(u.sharedPeople) + u.memberCounts[-1] DESC LIMIT 1",
    )
    return str(records[0]["key"])


async def rebuilds(graph: Graph, runs: int) -> None:
    key = await graph.read(_busiest_place)
    times = []
    for _ in range(max(runs, 3)):
        began = time.perf_counter()
        await graph.write(rebuild_team_digests, [key])
        times.append((time.perf_counter() - began) * 1000)
    print(
        f"rebuild one place's digest ({key}, in its own transaction): "
        f"p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )
    began = time.perf_counter()
    await rebuild_all_digests(graph)
    print(
        f"rebuild every place's digests (teams, organisations, experts, activity): "
        f"{time.perf_counter() - began:.1f} s"
    )


async def series(graph: Graph, runs: int) -> None:
    """The totals of ``coverageSeries`` for 12 quarters nationally: the query itself, as the
    first request after any change runs it (#16's goal: p95 <= 300 ms cold)."""
    ends = period_ends(dt.date(2023, 10, 1), dt.date(2026, 9, 30), Step.QUARTER)
    points = [(end, NATION) for end in ends]  # the central unit is the scope in both eras
    times = []
    await graph.read(series_totals, points)  # plans the statement, not counted
    for _ in range(runs):
        began = time.perf_counter()
        await graph.read(series_totals, points)
        times.append((time.perf_counter() - began) * 1000)
    print(
        f"series totals, {len(ends)} quarters nationally (no cache): "
        f"p50 {statistics.median(times):.1f} ms, p95 {pct(times, 95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    scale = parse_scale(args.scale)
    print(f"command: {command_line('bench.coverage')}")
    print("load average at the start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    async def go() -> None:
        graph = await open_graph(get_settings())
        try:
            await ensure_network(graph, scale, expected_teams=int(1_000 * scale))
            await migrate(graph)
            await compare(graph, args.runs)
            await series(graph, args.runs)
            await rebuilds(graph, args.runs)
        finally:
            await graph.close()

    asyncio.run(go())
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"(figures printed by: {command_line('bench.coverage')})")


if __name__ == "__main__":
    raise SystemExit(run_main(main))
