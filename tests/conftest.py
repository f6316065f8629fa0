"""The test session's real Neo4j: started once (local, on a free port, in a temporary store)
unless NEO4J_URI points at one; migrated and seeded with the real units and the small synthetic
network once. Tests read that shared graph; tests that write clean up what they create."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from api.dev_oidc import DevProviderError, start_dev_provider
from graph.core.db import Graph, connect
from graph.core.local_neo4j import LocalNeo4j, free_port
from graph.core.migrations import migrate
from graph.core.settings import Settings
from seed.demo.loader import generate_and_load
from seed.demo.params import DEMO_SEED
from seed.units import seed_units
from tests.spare import spare_neo4j
from tests.sso import SHORT_TOKEN_TTL, Sso

__all__ = ["spare_neo4j"]  # a session fixture: the spare Neo4j (tests/spare.py)

TEST_PASSWORD = "cds-test-password"


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[tuple[str, str]]:
    """(uri, password) of the session's server."""
    if uri := os.environ.get("NEO4J_URI"):
        yield uri, os.environ.get("NEO4J_PASSWORD", "")
        return
    with tempfile.TemporaryDirectory(prefix="cds-neo4j-") as store:
        server = LocalNeo4j(
            data_dir=Path(store), port=free_port(), password=TEST_PASSWORD, pagecache_mb=256
        )
        server.start()
        # CDS_TEST_NEO4J_SCHEME=neo4j runs the suite through the routing driver, as a cluster or
        # Aura needs (`neo4j://`: the driver asks the server for its routing table first).
        scheme = os.environ.get("CDS_TEST_NEO4J_SCHEME", "bolt")
        try:
            yield server.uri.replace("bolt://", f"{scheme}://", 1), TEST_PASSWORD
        finally:
            server.stop()


@pytest.fixture(scope="session")
def settings(neo4j_server: tuple[str, str]) -> Settings:
    uri, password = neo4j_server
    return Settings(
        environment="test",
        neo4j_uri=uri,
        neo4j_password=password,
    )


@pytest_asyncio.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    g = await connect(
        settings.neo4j_uri or "",
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
    )
    await migrate(g)
    await seed_units(g)
    await generate_and_load(g, 1.0, seed=DEMO_SEED, progress=lambda _: None)
    yield g
    await g.close()


@pytest_asyncio.fixture(scope="session")
async def client(graph: Graph, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, graph)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture(scope="session")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sso]:
    """The development OpenID Connect provider (tests/oidc: panva's oidc-provider, `make
    oidc-provider` installs it) on a free port, for the session. Its dashboard client's redirect
    URI names a port kept for the browser tests' single sign-on API process."""
    dashboard_port = free_port()
    port = free_port()
    while port == dashboard_port:
        port = free_port()
    try:
        provider = start_dev_provider(
            port=port,
            redirect_uris=[f"http://127.0.0.1:{dashboard_port}/dashboard/"],
            log_path=tmp_path_factory.mktemp("oidc") / "provider.log",
            short_token_ttl=SHORT_TOKEN_TTL,
        )
    except DevProviderError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield Sso(provider, dashboard_port)
    finally:
        provider.stop()


E2E_DIR = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: the fast API tests report first, and what the browser tests
    leave behind (a pending registration, a team dated 2031) is seen by no other test."""
    items.sort(key=lambda item: E2E_DIR in item.path.parents)
