"""Soak: ``python -m bench.soak [--minutes 10] [--connections 50] [--workers 2]``.

Against the project's graph (the local Neo4j unless NEO4J_URI is set; ``python -m bench.api``
loads the national-scale synthetic network into it), starts `cds serve` on a free port and, for
``--minutes``, keeps ``--connections`` connections busy with the dashboard's query (ranking and
national totals, what every open dashboard polls; with ``--max-stale N`` sent as a dashboard that
accepts answers up to N seconds old; from wrk, one run a minute, when Debian's package is
installed, else from this process), makes ``--writes-per-second`` changes a second (1), in turn
a synthetic expert's registration (e-mails at soak.example.org) and a team founded in a commune
of Hồ Chí Minh City by the national coordinator (named synthetic; each change invalidates the
cached answers, and a team moves the city's figures), and keeps one live subscription
(``networkChanges``, graphql-transport-ws) open. Prints a row per minute: requests, errors (an
HTTP status other than 200, or GraphQL errors), p50 / p95 of the dashboard query, registrations
and teams acknowledged and the p95 of the time they took, live messages received and the longest wait between two of them (every change
reaches the subscription within it while writes go on), answers served out of date and the oldest of them (its
``Age``, seconds), and the resident memory of the API (all its processes) and
of the local Neo4j. Then the verdict (memory growth counted from the end of the first minute, which
warms Neo4j's page cache and the API's caches) on what #18 asks: no errors, the last minute's p95 within 20%
of the first's, memory growth within the bounds given (``--api-growth-mb``, ``--neo4j-growth-mb``).
Figures, not a test: the 2-core machine runs the API, Neo4j and the load generators at once
(this process's httpx client alone took most of a core, hence wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from api.auth import issue_local_token
from api.viewer import Role
from bench import process_tree, run_main, wrk
from bench.api import DASHBOARD, wait_ready
from graph.core.connection import local_server
from graph.core.local_neo4j import free_port
from graph.core.settings import get_settings
from graph.experts.registration import NOTICE_VERSION

REGISTER = (
    "mutation($input: RegisterExpertInput!) { r: registerExpert(input: $input) { __typename } }"
)
CREATE_TEAM = "mutation($input: CreateTeamInput!) { r: createTeam(input: $input) { __typename } }"
# The communes the soak's teams are founded in (Hồ Chí Minh City's: each one moves the city's
# figures, which the dashboard's national totals and ranking read).
COMMUNES = '{ administrativeUnit(code: "79") { children(first: 100) { nodes { code } } } }'
SUBSCRIBE = "subscription { networkChanges { seq databaseAvailable } }"


@dataclass
class Minute:
    latencies: list[float] = field(default_factory=list)  # ms, dashboard query
    errors: int = 0
    registered: int = 0
    teams: int = 0  # teams founded
    writes: list[float] = field(default_factory=list)  # ms, each change acknowledged
    kinds: Counter[str] = field(default_factory=Counter)  # what each error was

    def failed(self, kind: str) -> None:
        self.errors += 1
        self.kinds[kind] += 1

    live: int = 0
    # The longest wait between two live messages: with writes every second, every change is
    # on the subscription within this (the feed's next poll round after it commits).
    gap: float = 0.0
    stale: int = 0  # answers served out of date (X-Cache: STALE), with --max-stale
    oldest: int = 0  # the largest Age of those, seconds
    # The dashboard's load from wrk, when it made it (its figures replace ``latencies``).
    load: wrk.Load | None = None
    measured: asyncio.Event = field(default_factory=asyncio.Event)

    def requests(self) -> int:
        return self.load.requests if self.load else len(self.latencies) + self.errors

    def percentile(self, q: int) -> float:
        if self.load:
            return self.load.p50_ms if q == 50 else self.load.p95_ms
        return _pct(self.latencies, q)


@dataclass
class Soak:
    minutes: list[Minute]
    began: float = field(default_factory=time.monotonic)
    live_closed: str | None = None
    last_live: float | None = None

    def now(self) -> Minute | None:
        i = int((time.monotonic() - self.began) // 60)
        return self.minutes[i] if i < len(self.minutes) else None


# What each answer is, by the result type that means success (None: the dashboard's query).
_WHAT = {None: "dashboard", "RegisterExpertSuccess": "registration", "TeamPayload": "team"}


def _problem(response: httpx.Response, success: str | None) -> str | None:
    """What went wrong with an answer (None: nothing): the HTTP status, the GraphQL error's
    code, or the result type a mutation answered instead of ``success``."""
    what = _WHAT[success]
    if response.status_code != 200:
        return f"{what}: HTTP {response.status_code}"
    body = response.json()
    if errors := body.get("errors"):
        return (
            f"{what}: {(errors[0].get('extensions') or {}).get('code', errors[0].get('message'))}"
        )
    if (
        success is not None
        and (typename := ((body.get("data") or {}).get("r") or {}).get("__typename")) != success
    ):
        return f"{what}: {typename}"
    return None


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


async def _dashboard(
    client: httpx.AsyncClient, url: str, soak: Soak, max_stale: int | None
) -> None:
    body = {"query": DASHBOARD}
    # What a live dashboard may send: answers up to N seconds out of date, never waiting
    # for the national aggregates after each change (api/response_cache.py).
    headers = {} if max_stale is None else {"Cache-Control": f"max-stale={max_stale}"}
    while (minute := soak.now()) is not None:
        began = time.perf_counter()
        try:
            response = await client.post(url, json=body, headers=headers)
            problem = _problem(response, None)
        except httpx.HTTPError as error:
            problem = f"dashboard: {type(error).__name__}"
        if problem is None:
            minute.latencies.append((time.perf_counter() - began) * 1000)
            if response.headers.get("x-cache") == "STALE":
                minute.stale += 1
                minute.oldest = max(minute.oldest, int(response.headers["age"]))
        else:
            minute.failed(problem)


async def _wrk_dashboard(url: str, soak: Soak, connections: int, max_stale: int | None) -> None:
    """The dashboard's connections from wrk, one run a minute (the Python client took a core
    of the two the API and Neo4j share, and slowed what it measured)."""
    headers = {} if max_stale is None else {"Cache-Control": f"max-stale={max_stale}"}
    for minute in soak.minutes:
        load = await wrk.run_async(
            url, {"query": DASHBOARD}, headers, connections, 60, threads=1, timeout=60
        )
        minute.load, minute.stale, minute.oldest = load, load.stale, load.oldest
        if load.failed:
            minute.kinds["dashboard: not 200 or GraphQL errors"] += load.failed
        if load.socket_errors:
            minute.kinds["dashboard: socket error or timeout"] += load.socket_errors
        minute.errors += load.errors
        minute.measured.set()


async def _writes(client: httpx.AsyncClient, url: str, soak: Soak, rate: float, token: str) -> None:
    """``rate`` changes a second, in turn a registration and a team founded by the national
    coordinator, each sent on its tick whether or not the one before was answered (a public
    form's visitors and the communes' officers do not wait for each other)."""
    response = await client.post(url, json={"query": COMMUNES})
    unit = response.json()["data"]["administrativeUnit"]
    communes = [c["code"] for c in unit["children"]["nodes"]]
    n, sent = 0, set[asyncio.Task[None]]()
    while soak.now() is not None:
        n += 1
        change = (
            _register(client, url, soak, n)
            if n % 2
            else _found_team(client, url, soak, n, communes[n % len(communes)], token)
        )
        task = asyncio.create_task(change)
        sent.add(task)
        task.add_done_callback(sent.discard)
        await asyncio.sleep(max(0.0, soak.began + n / rate - time.monotonic()))
    await asyncio.gather(*sent)


async def _register(client: httpx.AsyncClient, url: str, soak: Soak, n: int) -> None:
    if (minute := soak.now()) is not None:
        variables = {
            "input": {
                "fullName": f"Chuyên gia Ngâm {n}",
                "email": f"soak-{int(soak.began)}-{n}@soak.example.org",
                "expertise": ["DATA"],
                "affiliation": "Dữ liệu tổng hợp (synthetic)",
                "provinceCode": "79",
                "noticeVersion": NOTICE_VERSION,
                "consents": [
                    {"purpose": p, "granted": True}
                    for p in ("DIRECTORY_LISTING", "COORDINATOR_CONTACT")
                ],
            }
        }
        if await _change(client, url, minute, REGISTER, variables, "RegisterExpertSuccess", {}):
            minute.registered += 1


async def _found_team(
    client: httpx.AsyncClient, url: str, soak: Soak, n: int, commune: str, token: str
) -> None:
    if (minute := soak.now()) is not None:
        today = dt.date.today().isoformat()
        variables = {
            "input": {
                "communeCode": commune,
                "name": f"Tổ CNSCĐ ngâm {int(soak.began)}-{n} (dữ liệu tổng hợp, synthetic)",
                "level": "COMMUNE",
                "since": today,
                "decisionNumber": f"{n}/QĐ-UBND",
                "decisionDate": today,
            }
        }
        signed_in = {"Authorization": f"Bearer {token}"}
        if await _change(client, url, minute, CREATE_TEAM, variables, "TeamPayload", signed_in):
            minute.teams += 1


async def _change(
    client: httpx.AsyncClient,
    url: str,
    minute: Minute,
    query: str,
    variables: Mapping[str, object],
    success: str,
    headers: dict[str, str],
) -> bool:
    """Whether the change was acknowledged (how long it took is kept; what went wrong
    otherwise is counted)."""
    began = time.perf_counter()
    try:
        response = await client.post(
            url, json={"query": query, "variables": variables}, headers=headers
        )
        problem = _problem(response, success)
    except httpx.HTTPError as error:
        problem = f"{_WHAT[success]}: {type(error).__name__}"
    if problem is not None:
        minute.failed(problem)
        return False
    minute.writes.append((time.perf_counter() - began) * 1000)
    return True


async def _live(host: str, soak: Soak) -> None:
    async with connect(
        f"ws://{host}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")], proxy=None
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        while soak.now() is not None:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=5)
            except TimeoutError:
                continue
            message = json.loads(raw)
            if message["type"] == "next" and (minute := soak.now()):
                minute.live += 1
                arrived = time.monotonic()
                if soak.last_live is not None:
                    minute.gap = max(minute.gap, arrived - soak.last_live)
                soak.last_live = arrived
            elif message["type"] in ("error", "complete"):
                soak.live_closed = f"the subscription ended: {message}"
                return


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


async def _run(
    args: argparse.Namespace, base: str, api_pid: int, neo4j_pid: int | None, token: str
) -> bool:
    soak = Soak([Minute() for _ in range(args.minutes)])
    use_wrk = shutil.which("wrk") is not None
    limits = httpx.Limits(max_connections=args.connections + 1)
    url = f"{base}/graphql"
    print(
        "min  requests  errors  p50 ms  p95 ms  registered  teams  write p95 ms  live msgs  live gap s  stale  oldest s  "
        "API RSS MB  Neo4j RSS MB",
        flush=True,
    )
    memory: list[tuple[float, float]] = []

    async def report() -> None:
        for i in range(args.minutes):
            await asyncio.sleep(max(0.0, soak.began + 60 * (i + 1) - time.monotonic()))
            m = soak.minutes[i]
            if use_wrk:
                await m.measured.wait()
            api = _rss_mb(process_tree(api_pid))
            neo = _rss_mb([neo4j_pid]) if neo4j_pid else float("nan")
            memory.append((api, neo))
            print(
                f"{i + 1:3d}  {m.requests():8d}  {m.errors:6d}  "
                f"{m.percentile(50):6.1f}  {m.percentile(95):6.1f}  "
                f"{m.registered:10d}  {m.teams:5d}  {_pct(m.writes, 95):12.1f}  {m.live:9d}  {m.gap:10.2f}  {m.stale:5d}  {m.oldest:8d}  "
                f"{api:10.0f}  {neo:12.0f}",
                flush=True,
            )

    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        dashboards = (
            [_wrk_dashboard(url, soak, args.connections, args.max_stale)]
            if use_wrk
            else [_dashboard(client, url, soak, args.max_stale) for _ in range(args.connections)]
        )
        await asyncio.gather(
            *dashboards,
            _writes(client, url, soak, args.writes_per_second, token),
            _live(base.removeprefix("http://"), soak),
            report(),
        )
    errors = sum(m.errors for m in soak.minutes)
    kinds = sum((m.kinds for m in soak.minutes), Counter[str]())
    if kinds:
        print("errors by kind: " + "; ".join(f"{k} × {n}" for k, n in kinds.most_common()))
    first, last = soak.minutes[0].percentile(95), soak.minutes[-1].percentile(95)
    # Growth after the first minute: that one fills Neo4j's page cache and the API's caches.
    api_growth = memory[-1][0] - memory[0][0]
    neo_growth = memory[-1][1] - memory[0][1]
    stable = last <= first * 1.2
    print(
        f"errors {errors}; p95 first minute {first:.1f} ms, last {last:.1f} ms "
        f"({'within' if stable else 'NOT within'} 20%); memory growth API {api_growth:+.0f} MB "
        f"(bound {args.api_growth_mb}), Neo4j {neo_growth:+.0f} MB (bound {args.neo4j_growth_mb}); "
        f"live subscription {'open throughout' if soak.live_closed is None else soak.live_closed}"
    )
    return (
        errors == 0
        and stable
        and api_growth <= args.api_growth_mb
        and neo_growth <= args.neo4j_growth_mb
        and soak.live_closed is None
    )


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=int, default=10)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--api-growth-mb", type=int, default=100)
    p.add_argument("--neo4j-growth-mb", type=int, default=200)
    p.add_argument(
        "--writes-per-second",
        type=float,
        default=1.0,
        help="changes a second: registrations and teams founded, in turn",
    )
    p.add_argument(
        "--max-stale",
        type=int,
        default=None,
        help="the dashboard accepts answers up to N seconds old (Cache-Control: max-stale=N)",
    )
    args = p.parse_args()
    settings = get_settings()
    neo4j_pid = None if settings.neo4j_uri else local_server(settings).running_pid()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CDS_RATE_LIMIT_PER_ADDRESS": "1000000",  # one client registers for the whole public
        "CDS_LOG_LEVEL": "WARNING",
    }
    api = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_ready(base, 120)
        print(f"$ python -m bench.soak {shlex.join(sys.argv[1:])}".rstrip())
        print(
            f"API {base} ({args.workers} workers), {args.connections} connections on the dashboard "
            f"query{'' if args.max_stale is None else f' (max-stale={args.max_stale})'} "
            f"from {'wrk' if shutil.which('wrk') else 'this process (httpx)'}, "
            f"{args.writes_per_second:g} changes/s (registrations and teams founded), 1 live subscription, {args.minutes} min"
        )
        token = issue_local_token(
            settings, Role.NATIONAL_COORDINATOR, subject="bench-soak", minutes=args.minutes + 10
        )
        if not asyncio.run(_run(args, base, api.pid, neo4j_pid, token)):
            raise SystemExit(1)
    finally:
        api.terminate()
        api.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(run_main(main))
