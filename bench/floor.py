"""Where an executed search's CPU goes: ``python -m bench.floor [--seconds 15]``.

#14 asks for 1.5x the peer's requests/s on each pair. On one machine, requests/s times the CPU
one request costs (the API's processes and Neo4j together) cannot exceed its cores, so the
pair's target is a CPU budget per request: cores / (1.5 x the peer's requests/s). This prints
what ours spends, on the configured (national) store:

- the search pair's statement alone (graph/reports/search.py, 8 at a time through the driver,
  in this process): Neo4j's CPU and the driver's Python CPU per statement;
- through ``cds serve`` (2 workers) under wrk (50 connections), executed each time
  (``Cache-Control: no-cache``): ``{ __typename }``, which is the stack's floor (HTTP, the
  response cache's data-version read, a GraphQL execution of nothing), and the search pair's
  query; each with requests/s and the CPU per request of the API's processes and of Neo4j,
  read from /proc (Linux).

Figures, not assertions: the machine is shared with wrk itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from bench import command_line, process_tree, run_main, wrk
from bench.api import FRESH, start_server, wait_ready
from bench.peer.pairs import SEARCH_OURS
from graph.core.connection import local_server, open_graph
from graph.core.local_neo4j import free_port
from graph.core.settings import get_settings
from graph.reports.search import search

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    # Fields after the command name, which may hold spaces: state is [0], utime [11], stime [12].
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU of ``root`` and its live descendants (uvicorn's workers)."""
    total = 0
    for pid in process_tree(root):
        try:
            fields = _stat(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


async def _statement(neo4j_pid: int, n: int) -> tuple[float, float]:
    """(Neo4j CPU ms, this process's CPU ms) per search statement."""
    graph = await open_graph(get_settings())
    try:
        for _ in range(50):  # plans and pages warm
            await graph.read(search, "nguyen van", 20, include_people=False)
        limit = asyncio.Semaphore(8)

        async def one() -> None:
            async with limit:
                await graph.read(search, "nguyen van", 20, include_people=False)

        neo4j, mine = tree_cpu_seconds(neo4j_pid), time.process_time()
        await asyncio.gather(*(one() for _ in range(n)))
        return (
            1000 * (tree_cpu_seconds(neo4j_pid) - neo4j) / n,
            1000 * (time.process_time() - mine) / n,
        )
    finally:
        await graph.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--statements", type=int, default=1000)
    args = parser.parse_args()
    neo4j_pid = local_server(get_settings()).running_pid()
    if neo4j_pid is None:
        raise SystemExit("no local Neo4j runs on the configured store: `cds neo4j start`")
    print(f"$ {command_line('bench.floor')}")
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start")
    neo4j_ms, driver_ms = asyncio.run(_statement(neo4j_pid, args.statements))
    print(
        f"search statement alone ({args.statements}, 8 at a time): Neo4j {neo4j_ms:.2f} ms CPU, "
        f"driver (Python) {driver_ms:.2f} ms CPU per statement"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, 2)
    try:
        wait_ready(base)
        print(f"\n{'query, executed each time':28} {'req/s':>7} {'API ms':>7} {'Neo4j ms':>9}")
        for name, query in (("{ __typename }", "{ __typename }"), ("search pair", SEARCH_OURS)):
            api, neo4j = tree_cpu_seconds(server.pid), tree_cpu_seconds(neo4j_pid)
            load = asyncio.run(
                wrk.run_async(f"{base}/graphql", {"query": query}, FRESH, 50, args.seconds)
            )
            if load.errors:
                raise SystemExit(f"{name}: {load.errors} of {load.requests} requests failed")
            api = 1000 * (tree_cpu_seconds(server.pid) - api) / load.responses
            neo4j = 1000 * (tree_cpu_seconds(neo4j_pid) - neo4j) / load.responses
            print(f"{name:28} {load.per_second:7.0f} {api:7.2f} {neo4j:9.2f}")
        print("(API ms, Neo4j ms: CPU per request of the API's processes and of Neo4j)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(run_main(main))
