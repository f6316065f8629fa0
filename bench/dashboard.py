"""Page-load time of the coverage map in headless Chromium: ``python -m bench.dashboard
[--scale national] [--runs 5]``.

Makes sure the graph holds the synthetic network at the given scale (as bench.api does), starts
`cds serve` against it, and opens the dashboard in Debian's chromium (CDS_CHROMIUM or
/usr/bin/chromium) through Playwright. For each view it prints the time from navigation start
to the map being drawn (the page stamps it when the last cell is in the DOM), once with the
server's coverage cache cold (right after a change to the graph, as after a coordinator's edit)
and then warm. Figures, not assertions: Neo4j, the API and the browser share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections.abc import Awaitable, Callable

from playwright.async_api import Browser, async_playwright

from bench import run_main
from bench.api import ensure_network, start_server, wait_ready
from graph.core import changes
from graph.core.connection import open_graph
from graph.core.db import Graph
from graph.core.local_neo4j import free_port
from graph.core.settings import get_settings
from seed.demo.params import parse_scale
from tests.e2e.chromium import CHROMIUM_ARGS, find_chromium

VIEWS = {
    "national map, today (34 provinces)": "#/map",
    "province 01 map, today (communes)": "#/map?scope=01",
    "national map, 2024-06-01 (63 provinces)": "#/map?asOf=2024-06-01",
}


async def map_load_ms(browser: Browser, url: str) -> float:
    """Navigation start → the map drawn, measured by the page's own clock."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await page.goto(url)
        await page.wait_for_function(
            "document.querySelector('[data-testid=map-status]')?.dataset.loadedAt",
            timeout=120_000,
        )
        elapsed: float = await page.evaluate(
            "Number(document.querySelector('[data-testid=map-status]').dataset.loadedAt)"
            " - performance.timeOrigin"
        )
        return elapsed
    finally:
        await context.close()


async def measure(base: str, runs: int, invalidate: Callable[[], Awaitable[None]]) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            print(f"\n{'view':42} {'cold ms':>8} {'warm p50':>9} {'warm max':>9}  ({runs} warm)")
            for name, fragment in VIEWS.items():
                url = f"{base}/dashboard/{fragment}"
                await invalidate()
                cold = await map_load_ms(browser, url)
                warm = [await map_load_ms(browser, url) for _ in range(runs)]
                print(f"{name:42} {cold:8.0f} {statistics.median(warm):9.0f} {max(warm):9.0f}")
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scale = parse_scale(args.scale)

    async def run() -> None:
        graph: Graph = await open_graph(get_settings())
        try:
            await ensure_network(graph, scale, expected_teams=int(1_000 * scale))
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = start_server(port, workers=1)
            try:
                await asyncio.to_thread(wait_ready, base)

                async def invalidate() -> None:
                    # What every mutation does: the next coverage request computes afresh.
                    await graph.write(changes.bump)

                await measure(base, args.runs, invalidate)
            finally:
                server.terminate()
                server.wait(timeout=30)
        finally:
            await graph.close()

    asyncio.run(run())


if __name__ == "__main__":
    sys.exit(run_main(main))
