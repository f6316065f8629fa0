"""Ours against the Neo4j GraphQL Library on the same store: ``python -m bench.peer``.

Starts `cds serve --workers 2` and the peer (bench/peer/server.js, @neo4j/graphql under
@apollo/server, 2 cluster workers) on free ports against the Neo4j of the settings (only
reads), checks that each pair of bench/peer/pairs.py returns the same rows (and stops if not),
then per pair: sequential latency (ours executed with ``Cache-Control: no-cache``, ours from the
response cache, the peer) and wrk throughput, ours and the peer alternately. Figures, not
assertions: the 2-core machine runs Neo4j, both servers and wrk; quote them with the load.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from bench import run_main
from bench.api import FRESH, latencies, pct, start_server, wrk_throughput
from bench.peer.pairs import Json, Pair, pairs
from graph.core.connection import bolt_uri, open_graph
from graph.core.expertise import areas
from graph.core.local_neo4j import free_port
from graph.core.settings import Settings, get_settings

PEER_DIR = Path(__file__).parent
ASKED_AREAS = ("AI", "DATA")


def install_peer() -> None:
    """`npm ci` from the committed lock file, when node_modules is missing or older than it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("the peer needs Node.js 20+ and npm on PATH")
    installed = PEER_DIR / "node_modules" / ".package-lock.json"
    lock = PEER_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("installing the peer (npm ci)")
    subprocess.run(
        ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True
    )


def start_peer(
    port: int, workers: int, settings: Settings, log: IO[bytes]
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PORT": str(port),
        "WORKERS": str(workers),
        "NEO4J_URI": bolt_uri(settings),
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
    }
    # Its own process group: the cluster's workers go with the primary.
    return subprocess.Popen(
        ["node", "server.js"],
        cwd=PEER_DIR,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], group: bool) -> None:
    if process.poll() is None:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
    process.wait(timeout=30)


def wait_serving(
    url: str,
    process: subprocess.Popen[bytes],
    log: Path,
    ready: bytes,
    workers: int,
    timeout: float,
) -> None:
    """Until every worker wrote ``ready`` to ``log`` and ``url`` answers a GraphQL request
    (measuring while one worker still imports would halve a server). Stops the bench if the
    server exits first, pointing at its output, or after ``timeout`` seconds: on a loaded
    machine `cds serve`'s workers take minutes to import."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} exited ({process.returncode}); see {log}")
        if log.read_bytes().count(ready) >= workers:
            try:
                if httpx.post(url, json={"query": "{ __typename }"}, timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    raise SystemExit(f"the server for {url} was not ready in {timeout:.0f} s; see {log}")


def ask(client: httpx.Client, url: str, query: str, variables: Json) -> Json:
    response = client.post(url, json={"query": query, "variables": variables}, headers=FRESH)
    body: Json = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"{url} failed: {response.text[:500]}")
    data: Json = body["data"]
    return data


def check_same(client: httpx.Client, ours: str, peer: str, pair: Pair, keep_going: bool) -> str:
    """One line saying the rows agree; stops the bench, showing the first difference, if not
    (``keep_going``: says so and goes on)."""
    mine = pair.ours_rows(ask(client, ours, pair.ours, {}))
    theirs = pair.peer_rows(ask(client, peer, pair.peer, pair.peer_variables))
    if mine != theirs:
        first = next(
            (i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b),
            min(len(mine), len(theirs)),
        )
        report = (
            f"DIFFERENT: {pair.name}: the answers differ ({len(mine)} rows ours, {len(theirs)} the peer's);"
            f" first difference at row {first}:\n  ours: {mine[first : first + 1]}\n"
            f"  peer: {theirs[first : first + 1]}"
        )
        if not keep_going:
            raise SystemExit(report)
        return report
    note = f" ({pair.note})" if pair.note else ""
    return f"same rows: {pair.name}: {len(mine)} rows{note}"


@dataclass(frozen=True, slots=True)
class Figures:
    rps: float
    errors: int
    responses: int
    p50: float
    p95: float


def measure(
    client: httpx.Client,
    url: str,
    query: str,
    variables: Json,
    headers: dict[str, str],
    args: argparse.Namespace,
) -> Figures:
    values = latencies(client, url, query, args.runs, variables, headers)
    payload: Json = {"query": query, "variables": variables}
    rps, errors, total = wrk_throughput(url, args.connections, args.seconds, headers, payload)
    return Figures(rps, errors, total, pct(values, 50), pct(values, 95))


def row(pair: str, who: str, f: Figures, ratio: str) -> str:
    return (
        f"| {pair:31} | {who:16} | {f.rps:8.0f} | {f.p50:7.1f} | {f.p95:7.1f} "
        f"| {f.errors:>4}/{f.responses:<6} | {ratio:>6} |"
    )


def ratio(ours: Figures, peer: Figures) -> str:
    return f"{ours.rps / peer.rps:.2f}x" if peer.rps else "-"


def area_codes(settings: Settings) -> tuple[dt.date, list[str]]:
    """(today, AI and DATA with their sub-areas): what the peer's client must send. Also
    checks the graph is reachable before anything is started."""

    async def read() -> list[str]:
        graph = await open_graph(settings)
        try:
            found = await graph.read(areas)
        finally:
            await graph.close()
        return [a.code for a in found if a.code in ASKED_AREAS or a.parent_code in ASKED_AREAS]

    return dt.date.today(), asyncio.run(read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--start-timeout", type=float, default=600, help="seconds to wait for each server"
    )
    parser.add_argument("--only", help="the pairs whose name contains this text")
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="measure a pair whose answers differ (the difference is printed) instead of stopping",
    )
    args = parser.parse_args()
    settings = get_settings()
    day, codes = area_codes(settings)
    if shutil.which("wrk") is None:
        raise SystemExit("the bench needs wrk (Debian: apt-get install wrk)")
    install_peer()
    chosen = [p for p in pairs(day, codes) if not args.only or args.only in p.name]

    ours_port, peer_port = free_port(), free_port()
    ours_url = f"http://127.0.0.1:{ours_port}/graphql"
    peer_url = f"http://127.0.0.1:{peer_port}/"
    logs = Path(tempfile.mkdtemp(prefix="cds-bench-peer-"))
    ours_log, peer_log = logs / "ours.log", logs / "peer.log"
    with ours_log.open("wb") as ours_out, peer_log.open("wb") as peer_out:
        ours = start_server(ours_port, args.workers, ours_out)
        peer = start_peer(peer_port, args.workers, settings, peer_out)
    try:
        # What each worker logs once it serves (uvicorn; bench/peer/server.js).
        started = b"Application startup complete"
        wait_serving(ours_url, ours, ours_log, started, args.workers, args.start_timeout)
        wait_serving(peer_url, peer, peer_log, b"peer worker", args.workers, args.start_timeout)
        lines = [f"$ {shlex.join(['python', '-m', 'bench.peer', *sys.argv[1:]])}"]
        with httpx.Client(timeout=120) as client:
            for pair in chosen:
                lines.append(check_same(client, ours_url, peer_url, pair, args.keep_going))
                print(lines[-1], flush=True)
            lines.append(
                f"wrk -t2 -c{args.connections} -d{args.seconds}s per line, ours then the peer; "
                f"{args.runs} sequential requests for p50/p95; {args.workers} workers each;"
                f" load average {os.getloadavg()[0]:.2f} at the start"
            )
            lines.append(
                f"| {'pair':31} | {'server':16} | {'req/s':>8} | {'p50 ms':>7} | {'p95 ms':>7} "
                f"| {'errors':11} | {'ratio':>6} |"
            )
            lines.append("|" + "|".join("-" * w for w in (33, 18, 10, 9, 9, 13, 8)) + "|")
            for pair in chosen:
                mine = measure(client, ours_url, pair.ours, {}, FRESH, args)
                theirs = measure(client, peer_url, pair.peer, pair.peer_variables, {}, args)
                cached = measure(client, ours_url, pair.ours, {}, {}, args)
                lines.append(row(pair.name, "ours (executed)", mine, ratio(mine, theirs)))
                lines.append(row("", "ours (cache hit)", cached, ratio(cached, theirs)))
                lines.append(row("", "@neo4j/graphql", theirs, ""))
                print(lines[-3], lines[-2], lines[-1], sep="\n", flush=True)
        lines.append(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("\n" + "\n".join(lines))
    finally:
        stop(ours, group=False)
        stop(peer, group=True)


if __name__ == "__main__":
    sys.exit(run_main(main))
