"""Activity at scale (#17): ``python -m bench.activity [--scale demo] [--reports 2000000]
[--rows 100000] [--runs 5]``.

On a throw-away seeded Neo4j (bench/seeded.py): adds ``--reports`` synthetic activity reports
spread over the teams and the last year (the one writer, graph/activity/reports.py, in batches),
then prints

- coverage: the national coverage with its activity figures, computed cold (no cache: the
  query itself, as a fresh change would make the API run it), p50 / p95 / max over ``--runs``
  (goal p95 ≤ 0.2 s at 2 million reports); beside it the same statement without the activity
  part (what the activity figures cost is the difference) and, with ``--before``, with the
  activity part as it was before the teams' digests (``BEFORE``: each team's reports walked
  twice), whose figures must be the same;
- import: a ``--rows``-row "activities" spreadsheet (CSV) dry-run, applied, applied again
  (nothing changes) and both batches rolled back, rows/s and this process's peak RSS after each
  (goal ≥ 5,000 rows/s under 1 GiB). ``--reports 0 --runs 0 --scale 0.1`` measures the import
  alone, quickly.

Figures, not assertions: the 2-core machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import statistics
import time
from typing import Any, LiteralString

from bench import command_line, run_main
from bench.seeded import with_seeded_graph
from bench.sheets import apply_twice, roll_back
from graph.activity.figures import ACTIVITY_OF_PLACES, DEFAULT_ACTIVE_DAYS, ActivityWindow
from graph.activity.reports import CheckedReport, write_reports
from graph.core.activity_place_digests import rebuild_all_activity_places
from graph.core.cypher import active_on
from graph.core.days import day_number
from graph.core.db import Graph, Tx, run
from graph.core.model import ActivityKind
from graph.core.settings import Settings
from graph.core.team_digests import TEAMS_OF_PLACE
from graph.reports.coverage import DIGESTS_AS_PLACES, NATIVE_QUERY, UNITS_ONLY, coverage
from seed.demo.params import parse_scale
from spreadsheets import service
from spreadsheets.columns import ImportKind

BATCH = 10_000
FIRST_DAY = dt.date.today() - dt.timedelta(days=200)
KINDS = list(ActivityKind)
CENTRAL = "NATIONAL:CENTRAL:VN"

# The activity part before #17's performance work, kept to measure against and to check that
# the digests give the same figures: each team's whole history walked twice.
BEFORE: LiteralString = (
    """
CALL (places) {
  UNWIND places AS u
  CALL (u) {"""
    + TEAMS_OF_PLACE
    + """}
  WITH DISTINCT t
  CALL (t) {
    OPTIONAL MATCH (r:ActivityReport)-[:BY]->(t)
    WHERE r.periodTo >= $activeFrom AND r.periodTo <= $d
    RETURN count(r) > 0 AS recent
  }
  CALL (t) {
    OPTIONAL MATCH (r:ActivityReport)-[:BY]->(t)
    WHERE r.periodTo >= $activityFrom AND r.periodTo <= $d
    RETURN coalesce(sum(r.peopleHelped), 0) AS people,
           coalesce(sum(r.householdsHelped), 0) AS households
  }
  RETURN coalesce(sum(people), 0) AS peopleHelped,
         coalesce(sum(households), 0) AS householdsHelped,
         count(CASE WHEN recent AND """
    + active_on("t")
    + """ THEN 1 END) AS activeTeams
}
"""
)
# Without the activity part: the rest of coverage, for what the activity figures cost.
WITHOUT: LiteralString = "WITH *, 0 AS peopleHelped, 0 AS householdsHelped, 0 AS activeTeams\n"
VARIANTS: dict[str, LiteralString] = {
    "with activity (digests)": NATIVE_QUERY,
    "without activity": NATIVE_QUERY.replace(ACTIVITY_OF_PLACES, WITHOUT),
    # BEFORE walks the places' teams: the units, not the provinces' rollups.
    "with activity as before": NATIVE_QUERY.replace(DIGESTS_AS_PLACES, UNITS_ONLY).replace(
        ACTIVITY_OF_PLACES, BEFORE
    ),
}


async def _teams(tx: Tx, since: dt.date) -> list[tuple[str, str, str]]:
    """Running teams established by ``since`` whose name no other team of their commune has,
    closed or not (what a spreadsheet row can name)."""
    records = await run(
        tx,
        "MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u:AdministrativeUnit {era: 'CURRENT'}) "
        "WITH u, t.searchKey AS k, collect(t) AS same WHERE size(same) = 1 "
        "WITH u, same[0] AS t WHERE t.until IS NULL AND t.since <= $since "
        "RETURN t.id AS id, t.name AS name, u.code AS code ORDER BY id",
        since=since,
    )
    return [(r["id"], r["name"], r["code"]) for r in records]


async def add_reports(graph: Graph, teams: list[tuple[str, str, str]], count: int) -> float:
    rng = random.Random(17)
    today = dt.date.today()
    began = time.perf_counter()
    for start in range(0, count, BATCH):
        rows = []
        for i in range(start, min(count, start + BATCH)):
            day = today - dt.timedelta(days=int(rng.random() * 365))
            households = 1 + int(rng.random() * 30)
            report = CheckedReport(
                f"bench-activity-{i}",
                teams[int(rng.random() * len(teams))][0],
                day,
                day,
                KINDS[i % len(KINDS)],
                households * 2,
                households,
                (),
                None,
                None,
                True,
            )
            rows.append(report.as_param())
        await graph.write(write_reports, rows)
    return time.perf_counter() - began


def activities_csv(teams: list[tuple[str, str, str]], rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Mã xã",
            "Tên tổ",
            "Từ ngày",
            "Loại hoạt động",
            "Số người được hỗ trợ",
            "Số hộ được hỗ trợ",
            "Ghi chú",
        ]
    )
    start = FIRST_DAY
    for i in range(rows):
        _, name, code = teams[i % len(teams)]
        day = start + dt.timedelta(days=i % 150)
        writer.writerow([code, name, day.strftime("%d/%m/%Y"), "VNeID", 10, 6, f"đợt {i}"])
    return out.getvalue().encode()


async def national_coverage(tx: Tx, query: LiteralString, day: dt.date) -> Any:
    """The national coverage statement, with coverage()'s parameters."""
    window = ActivityWindow.of(day, DEFAULT_ACTIVE_DAYS)
    records = await run(tx, query, scopeKey=CENTRAL, d=day, day=day_number(day), **window.params())
    return records[0]


async def time_coverage(graph: Graph, name: str, runs: int) -> Any:
    times = []
    # A first run, not counted, plans the statement: a server does that once, not per change.
    await graph.read(national_coverage, VARIANTS[name], dt.date.today())
    for _ in range(runs):
        began = time.perf_counter()
        found = await graph.read(national_coverage, VARIANTS[name], dt.date.today())
        times.append(time.perf_counter() - began)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"coverage {name} (national, cold query) p50 {statistics.median(times):.3f}s "
        f"p95 {p95:.3f}s max {times[-1]:.3f}s"
    )
    return found


def _activity(found: Any) -> list[tuple[Any, ...]]:
    fields = ("peopleHelped", "householdsHelped", "activeTeams")
    rows = [(r["row"]["key"], *(r["metrics"][f] for f in fields)) for r in found["rows"]]
    return [*sorted(rows), ("totals", *(found["totals"][f] for f in fields))]


async def measure_import(graph: Graph, teams: list[tuple[str, str, str]], rows: int) -> None:
    """The activities sheet: dry run, apply, the same file again (nothing to change) and the
    rollback of both batches (the graph is left as it was)."""
    print("goal (#17): a 100,000-row activities sheet applied at >= 5,000 rows/s under 1 GiB RSS")
    upload = service.Upload(activities_csv(teams, rows), "bench-activities.csv")
    batches = await apply_twice(graph, upload, ImportKind.ACTIVITIES, rows, "activities")
    await roll_back(graph, batches, rows, "activities")


async def measure(
    graph: Graph, _: Settings, reports: int, rows: int, runs: int, before: bool
) -> None:
    teams = await graph.read(_teams, FIRST_DAY)
    seconds = await add_reports(graph, teams, reports)
    print(f"added {reports:,} reports to {len(teams):,} teams in {seconds:.1f}s")
    # The bulk writer leaves the places' activity digests to its caller, as the demo does.
    began = time.perf_counter()
    await rebuild_all_activity_places(graph)
    print(f"rebuilt every place's activity digest in {time.perf_counter() - began:.1f}s")
    if runs > 0:
        found = await time_coverage(graph, "with activity (digests)", runs)
        await time_coverage(graph, "without activity", runs)
        if before:
            old = await time_coverage(graph, "with activity as before", max(1, runs // 2))
            same = _activity(old) == _activity(found)
            print(f"activity figures of every row and the totals equal to before's: {same}")
        report = await graph.read(coverage, CENTRAL, dt.date.today(), in_current_units=False)
        t = report.totals
        print(
            f"(goal p95 ≤ 0.2s) activeTeams {t.active_teams:,} / {t.teams:,}, "
            f"householdsHelped {t.households_helped:,}"
        )
    if rows > 0:
        await measure_import(graph, teams, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scale", default="demo", type=parse_scale)
    parser.add_argument("--reports", type=int, default=2_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="coverage timings (0: none)")
    parser.add_argument(
        "--before", action="store_true", help="also time the activity part as it was before"
    )
    args = parser.parse_args()
    print(command_line("bench.activity"))
    with_seeded_graph(
        "cds-bench-activity-",
        args.scale,
        lambda graph, settings: measure(
            graph, settings, args.reports, args.rows, args.runs, args.before
        ),
    )


if __name__ == "__main__":
    raise SystemExit(run_main(main))
