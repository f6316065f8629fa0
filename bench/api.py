"""API latency and throughput over HTTP: ``python -m bench.api [--scale national]``.

Makes sure the graph holds the synthetic network at the given scale (loading it if the team
count says it is missing), starts `cds serve` on a free port against the same Neo4j, then prints
for each contract query the p50 / p95 latency of sequential requests, executed each time
(``Cache-Control: no-cache`` passes the response cache, api/response_cache.py), and the requests/s
of the typical dashboard query under N concurrent connections (wrk from Debian's packages when it
is installed, else an asyncio client), with the number of responses that carried GraphQL errors:
once as a public dashboard repeats it (an unchanged answer, from the response cache) and once
executed every time.
Figures, not assertions: the 2-core machine is shared by Neo4j, the API and the load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from bench import run_main, wrk
from graph.core.connection import open_graph
from graph.core.db import Graph, Tx, run
from graph.core.local_neo4j import free_port
from graph.core.migrations import migrate
from graph.core.settings import get_settings
from seed.demo.loader import generate_and_load
from seed.demo.params import DEMO_SEED, parse_scale
from seed.units import seed_units

QUERIES: dict[str, str] = {
    "coverage (national)": "{ coverage { totals { communes communesWithTeam teams activeMembers"
    " activeMemberships agencies agenciesWithFocalPoint verifiedExperts teamCoverage }"
    " rows { unit { code name } figures { communes communesWithTeam teams activeMembers"
    " agenciesWithFocalPoint verifiedExperts teamCoverage focalPointCoverage } } } }",
    "coverage (province 01)": '{ coverage(scopeCode: "01") { totals { teams activeMembers }'
    " rows { unit { code } figures { teams communesWithTeam } } } }",
    "coverageGaps first page": "{ coverageGaps(kind: COMMUNE_WITHOUT_TEAM, first: 50) {"
    " totalCount nodes { unit { code name } } pageInfo { endCursor } } }",
    "experts filtered page": '{ experts(filter: {expertiseAny: ["AI", "DATA"], provinceCode: "79"},'
    " first: 50) { totalCount nodes { fullName affiliation expertise } } }",
    "experts text page": '{ experts(filter: {text: "nguyen"}, first: 50) { totalCount'
    " nodes { fullName } } }",
    "search": '{ search(text: "nguyen van", first: 20) { kind name score } }',
    "provinceRanking": "{ provinceRanking(metric: TEAM_COVERAGE) { rank value province { name } } }",
    "unit nested (1 commune → teams → members)": '{ administrativeUnit(code: "01") {'
    " children(first: 10) { nodes { name teams(first: 20) { nodes { name"
    " members { role } } } } } } }",
}

# What a dashboard polls: the ranking table and the national totals.
DASHBOARD = (
    "{ provinceRanking(metric: TEAM_COVERAGE) { rank value numerator denominator"
    " province { code name } } coverage { totals { teamCoverage focalPointCoverage"
    " verifiedExperts } } }"
)


async def _team_count(tx: Tx) -> int:
    records = await run(tx, "MATCH (t:CommunityTechTeam) RETURN count(t) AS n")
    return int(records[0]["n"])


async def ensure_network(graph: Graph, scale: float, expected_teams: int) -> None:
    teams = await graph.read(_team_count)
    if teams >= expected_teams * 0.9:
        print(f"graph already holds {teams:,} teams")
        return
    print(f"graph holds {teams:,} teams; loading the synthetic network at scale {scale}")
    await migrate(graph)
    await seed_units(graph)
    report = await generate_and_load(graph, scale, seed=DEMO_SEED, progress=print)
    print(report.summary())


def start_server(
    port: int, workers: int, log: IO[bytes] | None = None, code: Path | None = None
) -> subprocess.Popen[bytes]:
    """``cds serve`` on ``port``; its output goes to ``log`` when given, else nowhere; from the
    checkout ``code`` instead of this one when given (a baseline to compare with:
    bench.match --baseline)."""
    out = log if log is not None else subprocess.DEVNULL
    env = None if code is None else {**os.environ, "PYTHONPATH": str(code)}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=out,
        stderr=out,
        cwd=code,
        env=env,
    )


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the API at {base} did not become ready")


# What a request sends to be executed, not answered from the response cache.
FRESH = {"Cache-Control": "no-cache"}


def latencies(
    client: httpx.Client,
    url: str,
    query: str,
    runs: int,
    variables: dict[str, object] | None = None,
    headers: dict[str, str] = FRESH,
) -> list[float]:
    body: dict[str, object] = {"query": query}
    if variables:
        body["variables"] = variables
    for _ in range(3):  # warm the plan and page caches
        client.post(url, json=body, headers=headers)
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.post(url, json=body, headers=headers)
        out.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200 or response.json().get("errors"):
            raise SystemExit(f"query failed: {response.text[:300]}")
    return out


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def wrk_throughput(
    url: str,
    connections: int,
    seconds: int,
    headers: dict[str, str],
    payload: dict[str, object] | None = None,
) -> tuple[float, int, int]:
    """(requests/s, failed requests, requests) of POSTing ``payload`` (the dashboard query
    when None) for ``seconds`` over ``connections`` connections. Failed: a response with a
    GraphQL error or not 200, or a socket error (wrk's 2 s timeout among them)."""
    load = asyncio.run(
        wrk.run_async(url, payload or {"query": DASHBOARD}, headers, connections, seconds)
    )
    return load.per_second, load.errors, load.requests


async def async_throughput(
    url: str, connections: int, seconds: int, headers: dict[str, str]
) -> tuple[float, int, int]:
    done = errors = 0
    stop = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, errors
        while time.monotonic() < stop:
            response = await client.post(url, json={"query": DASHBOARD}, headers=headers)
            done += 1
            if response.status_code != 200 or response.json().get("errors"):
                errors += 1

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        began = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        return done / (time.monotonic() - began), errors, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    scale = parse_scale(args.scale)

    async def prepare() -> None:
        graph = await open_graph(get_settings())
        try:
            await ensure_network(graph, scale, expected_teams=int(1_000 * scale))
        finally:
            await graph.close()

    asyncio.run(prepare())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, args.workers)
    try:
        wait_ready(base)
        url = f"{base}/graphql"
        print(f"\n{'query':45} {'p50 ms':>8} {'p95 ms':>8}  ({args.runs} sequential runs)")
        with httpx.Client(timeout=60) as client:
            for name, query in QUERIES.items():
                values = latencies(client, url, query, args.runs)
                print(f"{name:45} {pct(values, 50):8.1f} {pct(values, 95):8.1f}")
        tool = "wrk" if shutil.which("wrk") else "asyncio httpx"
        for label, headers in (("repeated (response cache)", {}), ("executed each time", FRESH)):
            if tool == "wrk":
                rps, errors, total = wrk_throughput(url, args.connections, args.seconds, headers)
            else:
                rps, errors, total = asyncio.run(
                    async_throughput(url, args.connections, args.seconds, headers)
                )
            print(
                f"\ndashboard query {label}, {args.connections} connections, {args.seconds}s "
                f"({tool}, {args.workers} API workers): {rps:.0f} requests/s, {errors} of "
                f"{total} requests failed (GraphQL errors, not 200, or socket errors and timeouts)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(run_main(main))
