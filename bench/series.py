"""coverageSeries latency: ``python -m bench.series [--scale demo] [--runs 15]``.

On a throw-away seeded Neo4j (bench/seeded.py), asks the app in process (httpx over ASGI, no
HTTP server) for 12 quarters of national ``coverageSeries`` and prints p50 / p95:

- cold: the change counter is bumped before each request, so the coverage cache (keyed by it)
  misses and each of the 12 period ends runs its coverage query (Neo4j's page cache and plan
  cache stay warm: this is the cost after any write, not after a restart);
- warm: the same request again, answered from the coverage cache;
- per-date (``--per-date N``): for comparison, the way the series was computed before #16's
  one-query series (graph/reports/series_totals.py): one ``coverage`` query per period end,
  straight on the graph, N runs.

Figures, not assertions: the 2-core machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

import httpx

from api.app import create_app
from bench import run_main
from bench.seeded import with_seeded_graph
from graph.core import changes
from graph.core.db import Graph
from graph.core.settings import Settings
from graph.reports.coverage import coverage
from graph.reports.series import Step, period_ends
from graph.units.units import resolve_scope
from seed.demo.params import parse_scale

QUERY = (
    '{ coverageSeries(from: "2023-10-01", to: "2026-09-30", step: QUARTER) {'
    " points { asOf scope { code era } totals { communes communesWithTeam teams activeMembers"
    " agencies agenciesWithFocalPoint reportedStaff reportedCdsStaff cdsStaffRatio } }"
    " targets { target { indicator threshold deadline } values onTrack } } }"
)


def pct(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def measure(graph: Graph, settings: Settings, runs: int) -> tuple[list[float], list[float]]:
    app = create_app(settings, graph)
    cold: list[float] = []
    warm: list[float] = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=300
    ) as client:

        async def once() -> float:
            began = time.perf_counter()
            response = await client.post("/graphql", json={"query": QUERY})
            elapsed = (time.perf_counter() - began) * 1000
            body = response.json()
            if body.get("errors"):
                raise RuntimeError(body["errors"])
            if len(body["data"]["coverageSeries"]["points"]) != 12:
                raise RuntimeError("expected 12 quarters")
            return elapsed

        await once()  # plans compiled, page cache touched
        for _ in range(runs):
            await graph.write(changes.bump)
            cold.append(await once())
            warm.append(await once())
    return cold, warm


async def per_date(graph: Graph, runs: int) -> list[float]:
    ends = period_ends(dt.date(2023, 10, 1), dt.date(2026, 9, 30), Step.QUARTER)
    out: list[float] = []
    for _ in range(runs + 1):  # the first compiles the plans
        began = time.perf_counter()
        for end in ends:
            scope = await graph.read(resolve_scope, None, end, in_current_units=False)
            await graph.read(coverage, scope.key, end, in_current_units=False)
        out.append((time.perf_counter() - began) * 1000)
    return out[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--per-date", type=int, default=0, help="runs of the per-date way")
    args = parser.parse_args()
    scale = parse_scale(args.scale)

    async def body(graph: Graph, settings: Settings) -> tuple[list[float], ...]:
        cold, warm = await measure(graph, settings, args.runs)
        return cold, warm, await per_date(graph, args.per_date) if args.per_date else []

    cold, warm, before = with_seeded_graph("cds-bench-series-", scale, body)
    print(f"command: {' '.join(['python -m bench.series', *sys.argv[1:]])}")
    print(f"coverageSeries, national, 12 quarters (2023-12-31 … 2026-09-30), {args.runs} runs each")
    print(f"{'':8} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in (("cold", cold), ("warm", warm), ("per-date", before)):
        if values:
            print(f"{name:8} {pct(values, 50):8.1f} {pct(values, 95):8.1f}")


if __name__ == "__main__":
    sys.exit(run_main(main))
