"""From settings to a connected Graph: the external server when NEO4J_URI is set, else the local
one (which must already run: `cds neo4j start`, `cds run`, or the test session start it)."""

from __future__ import annotations

from graph.core.db import Graph, connect
from graph.core.local_neo4j import LocalNeo4j
from graph.core.settings import Settings


def local_server(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(
        data_dir=settings.local_neo4j_data,
        port=settings.local_neo4j_port,
        password=settings.neo4j_password.get_secret_value(),
        heap_mb=settings.local_neo4j_heap_mb,
        pagecache_mb=settings.local_neo4j_pagecache_mb,
        conf_file=settings.local_neo4j_conf,
    )


def bolt_uri(settings: Settings) -> str:
    return settings.neo4j_uri or local_server(settings).uri


async def open_graph(settings: Settings) -> Graph:
    return await connect(
        bolt_uri(settings),
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
    )
