"""A throw-away local Neo4j seeded with the real units and the synthetic network, for benchmarks
that measure reads over it (bench.series, bench.editions): a temporary directory and a free port,
nothing shared with `make run`'s store."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from graph.core.db import Graph, connect
from graph.core.local_neo4j import LocalNeo4j, free_port
from graph.core.migrations import migrate
from graph.core.settings import Settings, get_settings
from seed.demo.loader import generate_and_load
from seed.demo.params import DEMO_SEED
from seed.units import seed_units

PASSWORD = "cds-bench-password"
T = TypeVar("T")


def with_seeded_graph(
    prefix: str, scale: float, body: Callable[[Graph, Settings], Awaitable[T]]
) -> T:
    """Start the server, migrate, seed at ``scale``, run ``body``, stop the server."""
    with tempfile.TemporaryDirectory(prefix=prefix) as store:
        # The memory of the project's own local server (`cds neo4j start`, settings), not the
        # class's smaller defaults: a national store with millions of reports outgrows 512 MiB
        # of page cache, and the figures would measure the cache, not the code.
        local = get_settings()
        server = LocalNeo4j(
            data_dir=Path(store),
            port=free_port(),
            password=PASSWORD,
            heap_mb=local.local_neo4j_heap_mb,
            pagecache_mb=local.local_neo4j_pagecache_mb,
        )
        server.start()
        try:
            settings = Settings(environment="test", neo4j_uri=server.uri, neo4j_password=PASSWORD)

            async def go() -> T:
                graph = await connect(server.uri, "neo4j", PASSWORD, "neo4j")
                try:
                    await migrate(graph)
                    await seed_units(graph)
                    began = time.monotonic()
                    await generate_and_load(graph, scale, seed=DEMO_SEED, progress=lambda _: None)
                    print(
                        f"synthetic network at scale {scale:g} loaded in {time.monotonic() - began:.0f}s"
                    )
                    return await body(graph, settings)
                finally:
                    await graph.close()

            return asyncio.run(go())
        finally:
            server.stop()
