"""How fast the seeders fill the graph:
``python -m bench.load [--scale national] [--seed N] [--warm-up SCALE]``.

Connects with the project settings (the local Neo4j unless NEO4J_URI is set), applies the
migrations, seeds the real units and skeleton, then generates and loads the synthetic network,
and prints the command, generation and load seconds, node and relationship counts, the rates
of a first load's two passes (nodes, then relationships: graph/network/bulk.py) and over the whole load,
the time the full-text indexes took to build (part of the load), the peak RSS of this process
and the machine's load average before and after (the figures mean little without it on a
shared machine). Run it on a fresh store for first-load figures (CREATE, see graph/network/bulk.py); a
second run measures the re-seed (MERGE onto existing nodes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shlex
import sys
import time

from bench import run_main
from graph.core.connection import open_graph
from graph.core.migrations import migrate
from graph.core.settings import get_settings
from graph.network.bulk import delete_synthetic
from seed.demo.loader import generate_and_load
from seed.demo.params import DEMO_SEED, parse_scale
from seed.units import seed_units


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / divisor


def _cpu_seconds() -> float:
    # This process only: with Neo4j on the same cores, what the client burns (packing rows
    # for Bolt, above all) is taken from the server.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def bench(scale: float, seed: int, warm_up: float | None) -> None:
    print(f"command            {shlex.join([sys.executable, '-m', 'bench.load', *sys.argv[1:]])}")
    print(f"load average       {_load_average()} (1, 5, 15 min) before")
    graph = await open_graph(get_settings())
    try:
        began = time.perf_counter()
        await migrate(graph)
        print(f"migrations: {time.perf_counter() - began:.1f}s")
        units = await seed_units(graph)
        print(
            f"units + skeleton: {units.units:,} units, {units.part_of:,} PART_OF, "
            f"{units.successions:,} SUCCEEDED_BY, {units.organisations:,} organisations "
            f"in {units.seconds:.1f}s"
        )
        if warm_up is not None:
            # A JVM just started spends up to a third of both cores compiling Neo4j's hot code
            # (C2) during the first national load. A small load first, then deleted, leaves the
            # measured load a first load on a warm server: the steady state of a running one.
            began = time.perf_counter()
            await generate_and_load(graph, warm_up, seed=seed, progress=lambda _: None)
            await delete_synthetic(graph)
            print(
                f"warm-up: scale {warm_up:g} loaded and deleted in {time.perf_counter() - began:.1f}s"
            )
        report = await generate_and_load(graph, scale, seed=seed, progress=print)
    finally:
        await graph.close()
    load = max(report.load_seconds, 1e-9)
    print()
    print(f"scale              {report.scale:g} (seed {report.seed})")
    print(f"generation         {report.generation_seconds:.1f} s")
    how = "first load, CREATE" if report.first_load else "re-seed, MERGE"
    print(f"load               {report.load_seconds:.1f} s ({how})")
    print(f"  index build      {report.index_seconds:.1f} s (full-text, until ONLINE; in load)")
    print(f"nodes              {report.node_count:,}")
    for label, n in sorted(report.nodes.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<22}{n:>10,}")
    print(f"relationships      {report.relationship_count:,}")
    for rel, n in sorted(report.relationships.items(), key=lambda kv: -kv[1]):
        print(f"  {rel:<22}{n:>10,}")
    if report.node_pass is not None and report.link_pass is not None:
        nodes, links = report.node_pass, report.link_pass
        print(f"node pass          {nodes.seconds:.1f} s: {nodes.per_second:,.0f} nodes/s")
        print(f"relationship pass  {links.seconds:.1f} s: {links.per_second:,.0f} rels/s")
    print(f"nodes/s            {report.node_count / load:,.0f} (over the whole load)")
    print(f"rels/s             {report.relationship_count / load:,.0f} (over the whole load)")
    print(f"peak RSS           {_peak_rss_mb():,.0f} MB (this process)")
    print(f"client CPU         {_cpu_seconds():.1f} s (this process, generation included)")
    print(f"load average       {_load_average()} (1, 5, 15 min) after")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--scale", default="demo", help="demo, national, or a factor")
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument(
        "--warm-up",
        metavar="SCALE",
        help="first load and delete a network of this scale (e.g. 10), then measure: the "
        "figures of a warm server instead of a JVM that is still compiling",
    )
    args = parser.parse_args(argv)
    warm_up = None if args.warm_up is None else parse_scale(args.warm_up)
    asyncio.run(bench(parse_scale(args.scale), args.seed, warm_up))
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
