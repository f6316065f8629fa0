"""A spare Neo4j for the tests that need an empty store or must stop the server (the session's
is shared by every other test): started once, empty, on a free port. The fixture is registered
in tests/conftest.py, so that the API and browser tests share the one server."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.core.local_neo4j import LocalNeo4j, free_port

SPARE_PASSWORD = "spare-server-pass"


@pytest.fixture(scope="session")
def spare_neo4j() -> Iterator[LocalNeo4j]:
    with tempfile.TemporaryDirectory(prefix="cds-spare-neo4j-") as store:
        server = LocalNeo4j(
            data_dir=Path(store),
            port=free_port(),
            password=SPARE_PASSWORD,
            heap_mb=512,
            pagecache_mb=128,
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
