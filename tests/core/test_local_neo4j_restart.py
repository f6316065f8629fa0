"""`make run` a second time: the local Neo4j restarts on the store it made before."""

from __future__ import annotations

from pathlib import Path

from graph.core.db import connect
from graph.core.local_neo4j import LocalNeo4j, free_port


async def test_restart_on_existing_store_with_same_password(tmp_path: Path) -> None:
    # Neo4j refuses to "change" a password to itself; the launcher must take that as done,
    # or every second start of the same store fails.
    for _ in range(2):
        server = LocalNeo4j(
            data_dir=tmp_path,
            port=free_port(),
            password="restart-pass",
            heap_mb=256,
            pagecache_mb=64,
        )
        server.start()
        try:
            # connect() proves Bolt answers and the password is accepted.
            graph = await connect(server.uri, "neo4j", "restart-pass", "neo4j")
            await graph.close()
        finally:
            server.stop()
