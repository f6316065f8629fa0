"""matchExperts and the request page at scale: ``python -m bench.match [--scale national]``.

Makes sure the graph holds the synthetic network (bench.api's ``ensure_network``), files one
synthetic request in Hà Nội wanting two of the demo's areas, then prints the p50 / p95 of
``matchExperts`` run sequentially through graph/ (the one Cypher statement), and the requests/s
of the request page (the request and 20 candidates with their score parts) over HTTP with N
concurrent connections against `cds serve`, as a provincial coordinator. ``--client wrk`` makes
that load with wrk (Debian's package) instead of this process: on the 2-core machine the
Python client takes CPU the server would otherwise have (about 80 requests/s with it, about 120
with wrk, on the national network). Figures, not
assertions; the synthetic request is removed at the end. The figures come with the command that
printed them and the machine's load average.

``--baseline DIR`` compares with another checkout of the code (``git worktree add DIR main``):
its matchExperts statement (whose answers must be the same) and its server take turns with this
one's, run by run and round by round, so that a machine shared with other work slows both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import importlib.util
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import httpx

from api.auth import issue_local_token
from api.relay import to_global_id
from api.viewer import Role
from bench import run_main, wrk
from bench.api import ensure_network, pct, start_server, wait_ready
from graph.audit.events import Actor
from graph.core.connection import open_graph
from graph.core.db import Graph, Tx, run
from graph.core.local_neo4j import free_port
from graph.core.settings import get_settings
from graph.support import requests
from graph.support.matching import Match, match_experts
from graph.support.records import WantedArea
from seed.demo.params import parse_scale

PAGE = """
query($id: ID!) { supportRequest(id: $id) { topic status wanted { code weight } }
  matchExperts(requestId: $id, first: 20) { score proximity distanceKm
    parts { expertise proximity availability load feedback } expert { fullName affiliation } } }
"""
BENCH = Actor("bench-match", Role.NATIONAL_COORDINATOR.value)


async def _file(graph: Graph) -> str:
    async def organisation(tx: Tx) -> str:
        [found] = await run(
            tx,
            "MATCH (o:Organisation)-[:LOCATED_IN]->(:AdministrativeUnit {key: 'CURRENT:PROVINCE:01'}) "
            "WHERE o.validTo IS NULL RETURN o.id AS id ORDER BY id LIMIT 1",
        )
        return str(found["id"])

    cmd = requests.NewSupportRequest(
        await graph.read(organisation),
        "01",
        "Bench: nền tảng dữ liệu",
        None,
        (WantedArea("DATA", 2.0), WantedArea("AI", 1.0)),
        False,
        dt.date.today(),
        dt.date.today() + dt.timedelta(days=30),
        synthetic=True,
    )
    changed = await graph.write(requests.create_support_request, cmd, BENCH, lambda _: None)
    return changed.value.id


async def _remove(graph: Graph, request_id: str) -> None:
    async def write(tx: Tx) -> None:
        await run(tx, "MATCH (r:SupportRequest {id: $id}) DETACH DELETE r", id=request_id)

    await graph.write(write)


Matcher = Callable[[Tx, str, int], Awaitable[list[Match]]]


def _baseline_matcher(code: Path) -> Matcher:
    """``match_experts`` of the checkout ``code`` (its graph/support/matching.py, run with this
    checkout's driver code), to time and compare against this one's."""
    spec = importlib.util.spec_from_file_location(
        "baseline_matching", code / "graph" / "support" / "matching.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"no graph/support/matching.py in {code}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    found: Matcher = module.match_experts
    return found


def _answer(matches: list[Match]) -> list[tuple[object, ...]]:
    return [dataclasses.astuple(m) for m in matches]


async def _sequential(graph: Graph, request_id: str, runs: int, sides: dict[str, Matcher]) -> None:
    """Each side's p50 / p95, the sides taking turns run by run (a loaded machine slows both
    alike); with two sides, whether their answers are the same."""
    answers = {name: await graph.read(match, request_id, 20) for name, match in sides.items()}
    if len(sides) > 1:
        same = len({repr(_answer(a)) for a in answers.values()}) == 1
        print(f"answers (first 20) of {' and '.join(sides)}: {'same' if same else 'DIFFERENT'}")
    times: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides.items())
    for n in range(runs):
        for name, match in order if n % 2 == 0 else order[::-1]:
            began = time.perf_counter()
            await graph.read(match, request_id, 20)
            times[name].append((time.perf_counter() - began) * 1000)
    for name, values in times.items():
        print(
            f"matchExperts (first 20), {runs} sequential{_label(name, sides)}: "
            f"p50 {pct(values, 50):.1f} ms, p95 {pct(values, 95):.1f} ms"
        )


def _label(name: str, sides: Mapping[str, object]) -> str:
    return f" [{name}]" if len(sides) > 1 else ""


async def _throughput(
    url: str, headers: dict[str, str], request_id: str, connections: int, seconds: int
) -> tuple[int, int, float]:
    """Requests done, of which with errors, and the seconds they took."""
    done = errors = 0
    stop = time.monotonic() + seconds
    body = {"query": PAGE, "variables": {"id": to_global_id("SupportRequest", request_id)}}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, errors
        while time.monotonic() < stop:
            response = await client.post(url, json=body, headers=headers)
            done += 1
            if response.status_code != 200 or response.json().get("errors"):
                errors += 1

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        began = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        return done, errors, time.monotonic() - began


def _wrk_throughput(
    url: str, headers: dict[str, str], request_id: str, connections: int, seconds: int
) -> tuple[int, int, float]:
    """The same load from wrk (bench/wrk.py; one thread): errors are answers other than
    HTTP 200, those carrying GraphQL errors, and socket errors."""
    body = {"query": PAGE, "variables": {"id": to_global_id("SupportRequest", request_id)}}
    load = asyncio.run(wrk.run_async(url, body, headers, connections, seconds, threads=1))
    return load.requests, load.errors, load.seconds


def _page(
    bases: dict[str, str], headers: dict[str, str], request_id: str, args: argparse.Namespace
) -> None:
    """Each server's requests/s; with two, ``--rounds`` turns of ``--seconds`` each, taking
    turns, so that both see the same load from the rest of the machine."""
    totals: dict[str, list[float]] = {name: [0, 0, 0.0] for name in bases}
    order = list(bases.items())
    for n in range(args.rounds):
        for name, base in order if n % 2 == 0 else order[::-1]:
            url = f"{base}/graphql"
            if args.client == "wrk":
                done, errors, took = _wrk_throughput(
                    url, headers, request_id, args.connections, args.seconds
                )
            else:
                done, errors, took = asyncio.run(
                    _throughput(url, headers, request_id, args.connections, args.seconds)
                )
            total = totals[name]
            total[0] += done
            total[1] += errors
            total[2] += took
    for name, (all_done, all_errors, all_took) in totals.items():
        print(
            f"request page (request + 20 candidates with parts), {args.connections} "
            f"connections ({args.client}), {args.rounds} x {args.seconds} s"
            f"{_label(name, bases)}: "
            f"{all_done / all_took:.0f} requests/s, {all_errors:.0f} of {all_done:.0f} with errors"
        )


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--client",
        choices=("httpx", "wrk"),
        default="httpx",
        help="what makes the request page's load: this process (httpx) or wrk (Debian's)",
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="turns of --seconds per server")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the code (git worktree, git archive) to compare with: its "
        "matchExperts and its server run taking turns with this one's",
    )
    args = parser.parse_args()
    scale = parse_scale(args.scale)
    settings = get_settings()
    command = "python -m bench.match " + " ".join(sys.argv[1:])
    print(f"command: {command}")
    print(f"load average (1, 5, 15 min) at the start: {_load()}")
    sides: dict[str, Matcher] = {"this": match_experts}
    codes: dict[str, Path | None] = {"this": None}
    if args.baseline is not None:
        sides["baseline"] = _baseline_matcher(args.baseline.resolve())
        codes["baseline"] = args.baseline.resolve()

    async def prepare() -> str:
        graph = await open_graph(settings)
        try:
            await ensure_network(graph, scale, expected_teams=int(1_000 * scale))
            request_id = await _file(graph)
            await _sequential(graph, request_id, args.runs, sides)
            return request_id
        finally:
            await graph.close()

    request_id = asyncio.run(prepare())
    servers = {}
    bases = {}
    try:
        for name, code in codes.items():
            port = free_port()
            servers[name] = start_server(port, args.workers, code=code)
            bases[name] = f"http://127.0.0.1:{port}"
        for base in bases.values():
            wait_ready(base, timeout=180)  # a loaded machine starts two servers slowly
        token = issue_local_token(
            settings, Role.PROVINCIAL_COORDINATOR, subject="bench", scope="01"
        )
        _page(bases, {"Authorization": f"Bearer {token}"}, request_id, args)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()

        async def clean() -> None:
            graph = await open_graph(settings)
            try:
                await _remove(graph, request_id)
            finally:
                await graph.close()

        asyncio.run(clean())
    print(f"load average (1, 5, 15 min) at the end: {_load()}")
    print(f"(figures printed by: {command})")


if __name__ == "__main__":
    raise SystemExit(run_main(main))
