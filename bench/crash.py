"""Crash safety: ``python -m bench.crash [--cycles 20] [--import-rows 6000] [--seed 1]``.

On a store of its own (a temporary local Neo4j with the real units; nothing touches var/neo4j)
and `cds serve` on a free port, each cycle drives writes through the API: expert registrations,
createTeam followed by addTeamMember, and one teams spreadsheet applied in chunks of 5,000 rows,
while Neo4j is killed with SIGKILL at a random moment. Neo4j is started again on the same store
(its recovery replays the log), the API reconnects by itself, and the cycle checks:

- lost: an acknowledged write (a success answer, a 201 for the spreadsheet) that is missing, or
  whose audit event (the answer's ``auditSeq``) is missing or names something else. Must be 0.
- half: a write visible without its other half: a team or expert profile of this run without its
  audit event or an APPLIED import batch, or a spreadsheet whose teams are neither all there nor
  none (its batch is rolled back when Neo4j returns). Must be 0.
- duplicate audit sequence numbers (the change feed's order). Must be 0.
- every ``--check-every`` cycles and after the last one, Neo4j is stopped cleanly and its own
  consistency checker (``neo4j-admin database check``, graph/core/backup.py) runs on the store.

Prints a line per cycle and the totals, with the command that made them; exits 1 if anything was
lost, half-written or inconsistent. Figures, not a test: it takes minutes (each cycle restarts
Neo4j), so it runs on demand, not in `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.auth import issue_local_token
from api.relay import from_global_id
from api.viewer import Role
from bench import run_main
from bench.api import wait_ready
from graph.core import backup
from graph.core.db import Graph, Tx, connect, run, run_single
from graph.core.local_neo4j import LocalNeo4j, free_port
from graph.core.migrations import migrate
from graph.core.settings import Settings
from graph.experts.registration import NOTICE_VERSION
from seed.units import seed_units
from spreadsheets.columns import COLUMNS, ImportKind

PASSWORD = "crash-bench-pass"
PREFIX = "Tổ thử sập"  # every team this run writes; "sập" (crash) keeps them apart from real ones
MAIL_DOMAIN = "crash.example.org"

REGISTER = (
    "mutation($input: RegisterExpertInput!) { r: registerExpert(input: $input) { __typename "
    "... on RegisterExpertSuccess { expertId } } }"
)
CREATE_TEAM = (
    "mutation($input: CreateTeamInput!) { r: createTeam(input: $input) { __typename "
    "... on TeamPayload { auditSeq team { id } } } }"
)
ADD_MEMBER = (
    "mutation($input: AddTeamMemberInput!) { r: addTeamMember(input: $input) { __typename "
    "... on MembershipPayload { auditSeq personId } } }"
)


@dataclass
class Acked:
    """What the API acknowledged in one cycle."""

    experts: list[str] = field(default_factory=list)
    teams: list[tuple[str, int]] = field(default_factory=list)  # (team id, audit seq)
    members: list[tuple[str, str, int]] = field(default_factory=list)  # (person, team, seq)
    imports: list[str] = field(default_factory=list)  # name prefixes of applied files
    attempted_imports: list[str] = field(default_factory=list)
    refused: int = 0  # answers that were errors: unacknowledged, allowed to be absent

    @property
    def count(self) -> int:
        return len(self.experts) + len(self.teams) + len(self.members) + len(self.imports)


async def _communes(tx: Tx) -> list[str]:
    rows = await run(
        tx,
        "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'COMMUNE'}) "
        "RETURN u.code AS code ORDER BY u.code LIMIT 500",
    )
    return [r["code"] for r in rows]


def _teams_file(prefix: str, communes: list[str], rows: int, rng: random.Random) -> bytes:
    headers = {c.key: c.header for c in COLUMNS[ImportKind.TEAMS]}
    out = io.StringIO()
    writer = csv.writer(out)
    keys = ["commune_code", "team_name", "decision_number", "decision_date"]
    writer.writerow([headers[k] for k in keys])
    for i in range(rows):
        writer.writerow([rng.choice(communes), f"{prefix} số {i}", f"{i}/QĐ-UBND", "15/08/2025"])
    return out.getvalue().encode()


class Writers:
    def __init__(self, base: str, token: str, communes: list[str], rng: random.Random) -> None:
        self.url = f"{base}/graphql"
        self.base = base
        self.auth = {"authorization": f"Bearer {token}"}
        self.communes = communes
        self.rng = rng
        self.stop = asyncio.Event()
        self.serial = 0
        self.verbose = False

    async def _post(self, client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
        response = await client.post(
            self.url, json={"query": query, "variables": variables}, headers=self.auth
        )
        body = response.json() if response.status_code == 200 else {}
        result = (body.get("data") or {}).get("r")
        if self.verbose and not result:
            print(f"  refused: {response.status_code} {response.text[:300]}", flush=True)
        return result

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    async def registrations(self, client: httpx.AsyncClient, cycle: int, acked: Acked) -> None:
        while not self.stop.is_set():
            n = self._next()
            variables = {
                "input": {
                    "fullName": f"Chuyên gia Thử {cycle} {n}",
                    "email": f"c{cycle}-{n}@{MAIL_DOMAIN}",
                    "expertise": ["AI"],
                    "affiliation": "Dữ liệu tổng hợp (synthetic)",
                    "provinceCode": "01",
                    "noticeVersion": NOTICE_VERSION,
                    "consents": [
                        {"purpose": p, "granted": True}
                        for p in ("DIRECTORY_LISTING", "COORDINATOR_CONTACT")
                    ],
                }
            }
            try:
                r = await self._post(client, REGISTER, variables)
            except httpx.HTTPError:
                r = None
            if r and r["__typename"] == "RegisterExpertSuccess":
                acked.experts.append(from_global_id(r["expertId"])[1])
            else:
                acked.refused += 1

    async def teams(self, client: httpx.AsyncClient, cycle: int, acked: Acked) -> None:
        while not self.stop.is_set():
            n = self._next()
            team = {
                "communeCode": self.rng.choice(self.communes),
                "name": f"{PREFIX} {cycle} lẻ {n}",
                "level": "COMMUNE",
                "since": "2025-08-15",
                "decisionNumber": f"{n}/QĐ-UBND",
                "decisionDate": "2025-08-15",
            }
            try:
                r = await self._post(client, CREATE_TEAM, {"input": team})
                if not r or r["__typename"] != "TeamPayload":
                    acked.refused += 1
                    continue
                team_id = from_global_id(r["team"]["id"])[1]
                acked.teams.append((team_id, r["auditSeq"]))
                member = {
                    "teamId": r["team"]["id"],
                    "person": {"new": {"fullName": f"Thành viên Thử {n}"}},
                    "role": "MEMBER",
                    "since": "2025-08-15",
                    "homeAffiliation": "RESIDENT",
                }
                m = await self._post(client, ADD_MEMBER, {"input": member})
            except httpx.HTTPError:
                acked.refused += 1
                continue
            if m and m["__typename"] == "MembershipPayload":
                person = from_global_id(m["personId"])[1]
                acked.members.append((person, team_id, m["auditSeq"]))
            else:
                acked.refused += 1

    async def spreadsheet(
        self, client: httpx.AsyncClient, cycle: int, rows: int, acked: Acked
    ) -> None:
        prefix = f"{PREFIX} {cycle} tệp"
        data = _teams_file(prefix, self.communes, rows, self.rng)
        acked.attempted_imports.append(prefix)
        try:
            response = await client.post(
                f"{self.base}/imports/teams/apply",
                files={"file": (f"crash-{cycle}.csv", data, "text/csv")},
                headers=self.auth,
            )
        except httpx.HTTPError:
            acked.refused += 1
            return
        if response.status_code == 201:
            acked.imports.append(prefix)
        else:
            if self.verbose:
                print(f"  file refused: {response.status_code} {response.text[:300]}", flush=True)
            acked.refused += 1


async def _wait_no_running_batch(graph: Graph, timeout: float = 120) -> None:
    async def running(tx: Tx) -> int:
        r = await run_single(tx, "MATCH (b:ImportBatch {status: 'RUNNING'}) RETURN count(b) AS n")
        return int(r["n"]) if r else 0

    deadline = time.monotonic() + timeout
    while await graph.read(running):
        if time.monotonic() > deadline:
            raise SystemExit("an import batch stayed RUNNING after Neo4j came back")
        await asyncio.sleep(0.5)


async def _check(tx: Tx, acked: Acked, rows: int) -> tuple[int, int, int]:
    """(lost, half, duplicate audit seqs) after recovery."""
    lost = 0
    for expert in acked.experts:
        found = await run_single(
            tx,
            "OPTIONAL MATCH (e:ExpertProfile {id: $id}) "
            "RETURN e IS NOT NULL AND EXISTS { (:AuditEvent {targetId: e.id}) } AS ok",
            id=expert,
        )
        lost += 0 if found and found["ok"] else 1
    for team, seq in acked.teams:
        found = await run_single(
            tx,
            "OPTIONAL MATCH (t:CommunityTechTeam {id: $id}) OPTIONAL MATCH (a:AuditEvent {seq: $seq}) "
            "RETURN t IS NOT NULL AND a.targetId = $id AS ok",
            id=team,
            seq=seq,
        )
        lost += 0 if found and found["ok"] else 1
    for person, team, seq in acked.members:
        found = await run_single(
            tx,
            "OPTIONAL MATCH (:Person {id: $p})-[m:MEMBER_OF]->(:CommunityTechTeam {id: $t}) "
            "OPTIONAL MATCH (a:AuditEvent {seq: $seq}) RETURN m IS NOT NULL AND a IS NOT NULL AS ok",
            p=person,
            t=team,
            seq=seq,
        )
        lost += 0 if found and found["ok"] else 1
    half = 0
    for prefix in acked.attempted_imports:
        found = await run_single(
            tx,
            "MATCH (t:CommunityTechTeam) WHERE t.name STARTS WITH $prefix RETURN count(t) AS n",
            prefix=prefix + " ",
        )
        n = int(found["n"]) if found else 0
        if prefix in acked.imports and n != rows:
            lost += 1
        elif n not in (0, rows):
            half += 1
    orphans = await run_single(
        tx,
        "MATCH (t:CommunityTechTeam) WHERE t.name STARTS WITH $prefix "
        "AND NOT EXISTS { (:AuditEvent {targetId: t.id}) } "
        "AND NOT EXISTS { (t)-[:IMPORTED_IN]->(:ImportBatch {status: 'APPLIED'}) } "
        "RETURN count(t) AS n",
        prefix=PREFIX,
    )
    experts = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile) WHERE p.email ENDS WITH $domain "
        "AND NOT EXISTS { (:AuditEvent {targetId: e.id}) } RETURN count(e) AS n",
        domain=MAIL_DOMAIN,
    )
    half += int(orphans["n"] if orphans else 0) + int(experts["n"] if experts else 0)
    dup = await run_single(tx, "MATCH (a:AuditEvent) RETURN count(a) - count(DISTINCT a.seq) AS n")
    return lost, half, int(dup["n"]) if dup else 0


def _serve(port: int, server: LocalNeo4j) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEO4J_URI": server.uri,
        "NEO4J_PASSWORD": PASSWORD,
        "CDS_ENVIRONMENT": "development",
        # One client registers hundreds of experts: the per-address limit is for the public.
        "CDS_RATE_LIMIT_PER_ADDRESS": "1000000",
        "CDS_LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _cycle(
    cycle: int,
    args: argparse.Namespace,
    server: LocalNeo4j,
    graph: Graph,
    writers: Writers,
    base: str,
) -> tuple[Acked, float, float, tuple[int, int, int]]:
    acked = Acked()
    writers.stop.clear()
    kill_at = writers.rng.uniform(0.5, args.kill_within)
    async with httpx.AsyncClient(timeout=60) as client:
        tasks = [
            asyncio.create_task(writers.registrations(client, cycle, acked)),
            asyncio.create_task(writers.teams(client, cycle, acked)),
            asyncio.create_task(writers.spreadsheet(client, cycle, args.import_rows, acked)),
        ]
        # The kill comes once both writers have had an answer: a cycle killed before the API
        # acknowledged anything would test nothing.
        while len(acked.experts) + acked.refused == 0 or len(acked.teams) + acked.refused == 0:
            await asyncio.sleep(0.05)
        await asyncio.sleep(kill_at)
        assert server.process is not None
        server.process.kill()  # SIGKILL: no shutdown hook, no flush
        server.process.wait()
        writers.stop.set()
        began = time.monotonic()
        server.start()
        await asyncio.gather(*tasks)
    await asyncio.to_thread(wait_ready, base, 120)
    await _wait_no_running_batch(graph)
    recovery = time.monotonic() - began
    found = await graph.read(_check, acked, args.import_rows)
    return acked, kill_at, recovery, found


async def bench(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    store = Path(tempfile.mkdtemp(prefix="cds-crash-"))
    server = LocalNeo4j(store, free_port(), PASSWORD, heap_mb=1024, pagecache_mb=256)
    server.start()
    graph = await connect(server.uri, "neo4j", PASSWORD, "neo4j")
    api = None
    try:
        await migrate(graph)
        await seed_units(graph)
        communes = await graph.read(_communes)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        api = _serve(port, server)
        wait_ready(base, 120)
        token = issue_local_token(
            Settings(environment="development"), Role.NATIONAL_COORDINATOR, subject="bench-crash"
        )
        writers = Writers(base, token, communes, rng)
        writers.verbose = args.verbose
        print(f"$ python -m bench.crash {shlex.join(sys.argv[1:])}".rstrip())
        print(f"store {store}; API {base}; {len(communes)} communes; SIGKILL within "
              f"{args.kill_within:.1f} s of each cycle's start; {args.import_rows} rows per file")  # fmt: skip
        print("cycle  kill@s  acked (exp/team/mem/file)  refused  lost  half  dup  back s  check")
        totals = [0, 0, 0, 0, 0]
        checks = 0
        for cycle in range(1, args.cycles + 1):
            acked, kill_at, recovery, (lost, half, dup) = await _cycle(
                cycle, args, server, graph, writers, base
            )
            check = ""
            if cycle % args.check_every == 0 or cycle == args.cycles:
                server.stop()
                backup.check(server)  # raises with the checker's report on any inconsistency
                server.start()
                await asyncio.to_thread(wait_ready, base, 120)
                check = "clean"
                checks += 1
            split = (
                f"{len(acked.experts)}/{len(acked.teams)}/{len(acked.members)}/{len(acked.imports)}"
            )
            print(
                f"{cycle:5d}  {kill_at:6.2f}  {acked.count:5d} ({split:>14})  {acked.refused:7d}  "
                f"{lost:4d}  {half:4d}  {dup:3d}  {recovery:6.1f}  {check}",
                flush=True,
            )
            for i, v in enumerate((acked.count, acked.refused, lost, half, dup)):
                totals[i] += v
        acks, refused, lost, half, dup = totals
        print(
            f"cycles {args.cycles}; acknowledged writes {acks}; refused {refused}; lost {lost}; "
            f"half-written {half}; duplicate audit seqs {dup}; consistency checks {checks}, clean"
        )
        return 1 if lost or half or dup else 0
    finally:
        if api is not None:
            api.terminate()
            api.wait(30)
        await graph.close()
        server.stop()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__.split("\n")[0])
    p.add_argument("--cycles", type=int, default=20)
    p.add_argument("--import-rows", type=int, default=6000, help="rows per teams file (2 chunks)")
    p.add_argument(
        "--kill-within",
        type=float,
        default=10.0,
        help="latest SIGKILL, seconds after the first answers",
    )
    p.add_argument("--check-every", type=int, default=5, help="consistency check every N cycles")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--verbose", action="store_true", help="print refused answers")
    args = p.parse_args()
    if asyncio.run(bench(args)):
        raise SystemExit(1)


if __name__ == "__main__":
    sys.exit(run_main(main))
