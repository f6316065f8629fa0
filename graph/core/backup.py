"""Backups of the local Neo4j with Neo4j's own tool, and a fingerprint to prove a restore.

``dump``/``restore`` run ``neo4j-admin database dump|load`` (graph/neo4j-local Admin.java, the
same Maven artifacts as the server) on the stopped store: an offline dump is Neo4j's supported
consistent backup for Community edition, which has no online backup. A server that was running
is stopped first and started again afterwards, so the API sees a short outage it rides out
(graph/core/db.py retries, then a typed SERVICE_UNAVAILABLE). Deployments on the Docker image run
the same commands in the container (README, "Backup and restore").

``fingerprint`` reads the whole graph into counts and one SHA-256 over every node's labels and
properties and every relationship's type, properties and end nodes, in an order that does not
depend on internal ids, so a store restored elsewhere has the same fingerprint as its source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.core.db import Graph, Tx
from graph.core.local_neo4j import LocalNeo4j, LocalNeo4jError

DATABASE = "neo4j"


@contextmanager
def _stopped(server: LocalNeo4j) -> Iterator[None]:
    """The store offline for the block; a server that was running is started again after."""
    was_running = server.running_pid() is not None
    if was_running:
        server.stop()
    try:
        yield
    finally:
        if was_running:
            server.start(detach=True)


def dump(server: LocalNeo4j, to_dir: Path, *, now: dt.datetime | None = None) -> Path:
    """Dump the registry's database into ``to_dir`` as ``cds-<UTC time>.dump``; return its path."""
    to_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = to_dir / f"cds-{stamp}.dump"
    if target.exists():
        raise LocalNeo4jError(f"{target} exists already: wait a second or choose another folder")
    # neo4j-admin names the file after the database; a private folder, then the final name,
    # so a failed dump never leaves a half-written file under a backup's name.
    with tempfile.TemporaryDirectory(dir=to_dir, prefix=".dumping-") as work:
        with _stopped(server):
            server.admin("dump", DATABASE, f"--to-path={work}")
        Path(work, f"{DATABASE}.dump").rename(target)
    return target


def restore(server: LocalNeo4j, dump_file: Path) -> None:
    """Replace the registry's database with the one in ``dump_file`` (from ``dump``)."""
    if not dump_file.is_file():
        raise LocalNeo4jError(f"no backup file at {dump_file}")
    server.data_dir.mkdir(parents=True, exist_ok=True)  # a fresh machine has no store yet
    with tempfile.TemporaryDirectory(prefix="cds-restore-") as work:
        shutil.copyfile(dump_file, Path(work, f"{DATABASE}.dump"))
        with _stopped(server):
            server.admin("load", DATABASE, f"--from-path={work}", "--overwrite-destination=true")


def check(server: LocalNeo4j) -> str:
    """Neo4j's consistency checker on the stopped store; raises when it reports a problem."""
    with _stopped(server):
        return server.admin("check", DATABASE)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    nodes: int
    relationships: int
    sha256: str


def _canonical(value: Any) -> str:
    # Temporal and spatial values have no JSON form; their string forms are exact.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


async def _read(tx: Tx) -> Fingerprint:
    nodes: dict[str, str] = {}
    result = await tx.run("MATCH (n) RETURN elementId(n) AS id, labels(n) AS l, properties(n) AS p")
    async for row in result:
        nodes[row["id"]] = _canonical([sorted(row["l"]), row["p"]])
    lines = sorted(nodes.values())
    rels: list[str] = []
    result = await tx.run(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, properties(r) AS p, "
        "elementId(b) AS b"
    )
    async for row in result:
        rels.append(_canonical([nodes[row["a"]], row["t"], row["p"], nodes[row["b"]]]))
    rels.sort()
    digest = hashlib.sha256()
    for line in [*lines, "--", *rels]:
        digest.update(line.encode())
        digest.update(b"\n")
    return Fingerprint(len(lines), len(rels), digest.hexdigest())


async def fingerprint(graph: Graph) -> Fingerprint:
    return await graph.read(_read)
