"""What a big upload costs the API's other requests: ``python -m bench.upload_latency``.

Connects with the project settings (the local Neo4j unless NEO4J_URI is set) to a graph seeded
with the real units (``cds seed --units-only`` is enough), imports ``--teams`` teams (rolled back
at the end), writes a members CSV of ``--rows`` rows (bench.imports' generator) unless ``--file``
names one, and starts `cds serve` on a free port with one worker, so that the upload and the
probes share a process and its event loop. It then probes ``GET /healthz`` and the GraphQL
query ``{ __typename }`` every ``--every`` ms, first alone for ``--baseline`` seconds, then while
the file is dry-run over HTTP, and prints p50 / p99 / max of each probe in both phases, with the
upload's time and answer. Figures, not assertions: the 2-core machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.auth import issue_local_token
from api.viewer import Role
from bench import run_main
from bench.api import start_server, wait_ready
from bench.imports import write_files
from graph.core.connection import open_graph
from graph.core.local_neo4j import free_port
from graph.core.migrations import migrate
from graph.core.settings import get_settings
from spreadsheets import service
from spreadsheets.columns import ImportKind


@dataclass
class Probe:
    name: str
    samples: list[float] = field(default_factory=list)  # milliseconds

    def line(self) -> str:
        if not self.samples:
            return f"{self.name:<22} no samples"
        values = sorted(self.samples)
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        return (
            f"{self.name:<22} n={len(values):5d}  p50 {statistics.median(values):7.1f} ms  "
            f"p99 {p99:7.1f} ms  max {values[-1]:7.1f} ms"
        )


async def probe(client: httpx.AsyncClient, base: str, every: float, stop: asyncio.Event) -> None:
    """Both probes, each on its own schedule of one request every ``every`` seconds."""
    health, graphql = Probe("GET /healthz"), Probe("{ __typename }")

    async def run(target: Probe, send: Callable[[], Awaitable[httpx.Response]]) -> None:
        while not stop.is_set():
            began = time.perf_counter()
            response = await send()
            target.samples.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{target.name}: {response.status_code} {response.text[:200]}")
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - began)))

    await asyncio.gather(
        run(health, lambda: client.get(f"{base}/healthz")),
        run(graphql, lambda: client.post(f"{base}/graphql", json={"query": "{ __typename }"})),
    )
    for p in (health, graphql):
        print(f"  {p.line()}")


async def measure(base: str, path: Path, token: str, every: float, baseline: float) -> None:
    limits = httpx.Limits(max_connections=10)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        print(f"alone, {baseline:.0f} s:")
        stop = asyncio.Event()
        probes = asyncio.create_task(probe(client, base, every, stop))
        await asyncio.sleep(baseline)
        stop.set()
        await probes

        print(f"during the dry run of {path.name} ({path.stat().st_size:,} bytes):")
        stop = asyncio.Event()
        probes = asyncio.create_task(probe(client, base, every, stop))
        began = time.perf_counter()
        response = await client.post(
            f"{base}/imports/members/dry-run",
            files={"file": (path.name, path.read_bytes())},
            headers={"Authorization": f"Bearer {token}"},
        )
        seconds = time.perf_counter() - began
        stop.set()
        await probes
        body = response.json()
        summary = (
            f"{body['rows']:,} rows, ok={body['ok']}, {len(body['problems']):,} problems"
            if response.status_code == 200
            else response.text[:300]
        )
        print(f"  upload: {response.status_code} in {seconds:.1f} s: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--teams", type=int, default=2_000)
    parser.add_argument("--file", type=Path, help="dry-run this members file instead")
    parser.add_argument("--every", type=float, default=20, help="ms between probes")
    parser.add_argument("--baseline", type=float, default=5, help="seconds probed alone")
    args = parser.parse_args()
    print("command: python -m bench.upload_latency " + shlex.join(sys.argv[1:]))
    settings = get_settings()

    with tempfile.TemporaryDirectory(prefix="cds-bench-upload-") as tmp:
        teams_path, members_path = write_files(Path(tmp), args.teams, args.rows, seed=20251)
        path = args.file or members_path

        async def import_teams() -> str:
            graph = await open_graph(settings)
            try:
                await migrate(graph)
                upload = service.Upload(teams_path.read_bytes(), teams_path.name)
                batch = await service.apply(
                    graph, upload, ImportKind.TEAMS, scope=None, imported_by="bench"
                )
                return batch.id
            finally:
                await graph.close()

        async def roll_back(batch_id: str) -> None:
            graph = await open_graph(settings)
            try:
                await service.rollback(graph, batch_id)
            finally:
                await graph.close()

        batch_id = asyncio.run(import_teams())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, workers=1)
        try:
            wait_ready(base)
            token = issue_local_token(settings, Role.NATIONAL_COORDINATOR, subject="bench")
            asyncio.run(measure(base, path, token, args.every / 1000, args.baseline))
        finally:
            server.terminate()
            server.wait(timeout=30)
            asyncio.run(roll_back(batch_id))


if __name__ == "__main__":
    sys.exit(run_main(main))
