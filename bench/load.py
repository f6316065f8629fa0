"""How fast the seeders fill the graph: ``python -m bench.load [--scale national] [--seed N]``.

Connects with the project settings (the local Neo4j unless NEO4J_URI is set), applies the
migrations, seeds the real units and skeleton, then generates and loads the synthetic network,
and prints generation and load seconds, node and relationship counts and rates, and the peak RSS
of this process. Run it on a fresh store for first-load figures; a second run measures MERGE onto
existing nodes.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time

from graph.connection import open_graph
from graph.migrations import migrate
from graph.settings import get_settings
from seed.demo import DEMO_SEED, generate_and_load, parse_scale
from seed.units import seed_units


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / divisor


async def bench(scale: float, seed: int) -> None:
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
        report = await generate_and_load(graph, scale, seed=seed, progress=print)
    finally:
        await graph.close()
    load = max(report.load_seconds, 1e-9)
    print()
    print(f"scale              {report.scale:g} (seed {report.seed})")
    print(f"generation         {report.generation_seconds:.1f} s")
    print(f"load               {report.load_seconds:.1f} s")
    print(f"nodes              {report.node_count:,}")
    for label, n in sorted(report.nodes.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<22}{n:>10,}")
    print(f"relationships      {report.relationship_count:,}")
    for rel, n in sorted(report.relationships.items(), key=lambda kv: -kv[1]):
        print(f"  {rel:<22}{n:>10,}")
    print(f"nodes/s            {report.node_count / load:,.0f}")
    print(f"rels/s             {report.relationship_count / load:,.0f}")
    print(f"peak RSS           {_peak_rss_mb():,.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--scale", default="demo", help="demo, national, or a factor")
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    args = parser.parse_args(argv)
    asyncio.run(bench(parse_scale(args.scale), args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
