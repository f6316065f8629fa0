"""matchExperts and the request page at scale: ``python -m bench.match [--scale national]``.

Makes sure the graph holds the synthetic network (bench.api's ``ensure_network``), files one
synthetic request in Hà Nội wanting two of the demo's areas, then prints the p50 / p95 of
``matchExperts`` run sequentially through graph/ (the one Cypher statement), and the requests/s
of the request page (the request and 20 candidates with their score parts) over HTTP with N
concurrent connections against `cds serve`, as a provincial coordinator. Figures, not
assertions; the synthetic request is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time

import httpx

from api.auth import issue_local_token
from api.relay import to_global_id
from api.viewer import Role
from bench import run_main
from bench.api import ensure_network, pct, start_server, wait_ready
from graph.audit.events import Actor
from graph.core.connection import open_graph
from graph.core.db import Graph, Tx, run
from graph.core.local_neo4j import free_port
from graph.core.settings import get_settings
from graph.support import requests
from graph.support.matching import match_experts
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


async def _sequential(graph: Graph, request_id: str, runs: int) -> list[float]:
    for _ in range(3):
        await graph.read(match_experts, request_id, 20)
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        await graph.read(match_experts, request_id, 20)
        out.append((time.perf_counter() - began) * 1000)
    return out


async def _throughput(
    url: str, headers: dict[str, str], request_id: str, connections: int, seconds: int
) -> tuple[float, int, int]:
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
        return done / (time.monotonic() - began), errors, done


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    scale = parse_scale(args.scale)
    settings = get_settings()
    print("command: python -m bench.match " + " ".join(sys.argv[1:]))

    async def prepare() -> str:
        graph = await open_graph(settings)
        try:
            await ensure_network(graph, scale, expected_teams=int(1_000 * scale))
            request_id = await _file(graph)
            values = await _sequential(graph, request_id, args.runs)
            print(
                f"matchExperts (first 20), {args.runs} sequential: "
                f"p50 {pct(values, 50):.1f} ms, p95 {pct(values, 95):.1f} ms"
            )
            return request_id
        finally:
            await graph.close()

    request_id = asyncio.run(prepare())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, args.workers)
    try:
        wait_ready(base)
        token = issue_local_token(
            settings, Role.PROVINCIAL_COORDINATOR, subject="bench", scope="01"
        )
        headers = {"Authorization": f"Bearer {token}"}
        rps, errors, done = asyncio.run(
            _throughput(f"{base}/graphql", headers, request_id, args.connections, args.seconds)
        )
        print(
            f"request page (request + 20 candidates with parts), {args.connections} connections, "
            f"{args.seconds} s: {rps:.0f} requests/s, {errors} of {done} with errors"
        )
    finally:
        server.terminate()
        server.wait()

        async def clean() -> None:
            graph = await open_graph(settings)
            try:
                await _remove(graph, request_id)
            finally:
                await graph.close()

        asyncio.run(clean())


if __name__ == "__main__":
    raise SystemExit(run_main(main))
