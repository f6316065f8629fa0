"""Edition times: ``python -m bench.editions [--scale demo] [--runs 5]``.

On a throw-away seeded Neo4j (bench/seeded.py), prints p50 / max of:

- snapshot: ``cds snapshot``'s work (graph/reports/editions.py ``publish``) on the last quarter
  end, 34 provinces and the nation; the change counter is bumped before each run so each one
  computes and writes a new edition (goal ≤ 30 s);
- pdf: the edition's PDF report fetched from the app in process (httpx over ASGI), WeasyPrint
  in its worker thread (goal ≤ 10 s).

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
from graph.reports import editions
from seed.demo.params import parse_scale

GOALS = {"snapshot": 30.0, "pdf": 10.0}


async def measure(graph: Graph, settings: Settings, runs: int) -> dict[str, list[float]]:
    period_end = editions.last_quarter_end(dt.date.today())
    times: dict[str, list[float]] = {"snapshot": [], "pdf": []}
    app = create_app(settings, graph)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=300
    ) as client:
        for _ in range(runs):
            await graph.write(changes.bump)
            began = time.perf_counter()
            done = await editions.publish(graph, period_end, dt.datetime.now(dt.UTC))
            times["snapshot"].append(time.perf_counter() - began)
            if not done.created or done.provinces != 34:
                raise RuntimeError(f"expected a new edition of 34 provinces, got {done}")
            began = time.perf_counter()
            response = await client.get(f"/reports/editions/{done.edition.id}.pdf")
            times["pdf"].append(time.perf_counter() - began)
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                raise RuntimeError(f"PDF: {response.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = with_seeded_graph(
        "cds-bench-editions-",
        parse_scale(args.scale),
        lambda graph, settings: measure(graph, settings, args.runs),
    )
    print(f"command: {' '.join(['python -m bench.editions', *sys.argv[1:]])}")
    print(f"{'':9} {'p50 s':>7} {'max s':>7} {'goal s':>7}")
    for name, values in times.items():
        print(f"{name:9} {statistics.median(values):7.2f} {max(values):7.2f} {GOALS[name]:7.0f}")


if __name__ == "__main__":
    sys.exit(run_main(main))
