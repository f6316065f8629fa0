"""Neo4j goes away and comes back (#18): the API says so and recovers without a restart.

A server of its own (the session's is shared by every other test), stopped and started again on
the same store and port, as an operator's restart or a crash and its supervisor would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from api.app import create_app
from api.live import NATIONAL, Batch, LiveFeed
from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, connect, run_single
from graph.core.local_neo4j import LocalNeo4j
from graph.core.migrations import migrate
from graph.core.settings import Settings
from tests.spare import SPARE_PASSWORD
from tests.tokens import bearer

COUNT = "query { changes(since: 0) { seq } }"
CREATE = (
    'mutation { r: createOrganisation(input: {name: "Hội Thử", kind: ASSOCIATION, '
    'unitCode: "01"}) { __typename } }'
)


@pytest_asyncio.fixture
async def outage(spare_neo4j: LocalNeo4j) -> AsyncIterator[tuple[LocalNeo4j, Graph, Settings]]:
    """The spare server (tests/spare.py): stopped and started again by the test."""
    graph = await connect(spare_neo4j.uri, "neo4j", SPARE_PASSWORD, "neo4j")
    await migrate(graph)
    settings = Settings(
        environment="test",
        neo4j_uri=spare_neo4j.uri,
        neo4j_password=SPARE_PASSWORD,
        live_poll_seconds=0.2,
    )
    try:
        yield spare_neo4j, graph, settings
    finally:
        await graph.close()


TEAMS_CSV = "Mã xã,Tên tổ,Số quyết định,Ngày quyết định\n00004,Tổ A,1/QĐ-UBND,15/08/2025\n"


async def _nodes(tx: Tx) -> int:
    found = await run_single(tx, "MATCH (n) RETURN count(n) AS n")
    assert found is not None
    return int(found["n"])


async def test_neo4j_away_and_back(outage: tuple[LocalNeo4j, Graph, Settings]) -> None:
    """One outage (two server starts are the slow part): readiness, reads, a refused write and
    a live subscriber while it lasts; all back without restarting the API afterwards."""
    server, graph, settings = outage
    app = create_app(settings, graph)
    feed: LiveFeed = app.state.live
    national = bearer(settings, Role.NATIONAL_COORDINATOR)
    messages = feed.follow(NATIONAL)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        try:
            first = await anext(messages)
            assert first.available
            assert (await client.get("/readyz")).status_code == 200
            before = await graph.read(_nodes)

            server.stop()

            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.headers["retry-after"] == "5"
            read = (await client.post("/graphql", json={"query": COUNT})).json()
            assert read["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert "retry" in read["errors"][0]["message"]
            write = await client.post("/graphql", json={"query": CREATE}, headers=national)
            assert write.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            upload = await client.post(
                "/imports/teams/apply",
                # A valid file (the decision columns are required): only Neo4j's absence refuses it.
                files={"file": ("to.csv", TEAMS_CSV.encode(), "text/csv")},
                headers=national,
            )
            assert upload.status_code == 503  # not a 400: the file was fine, retry it
            assert upload.json()["code"] == "SERVICE_UNAVAILABLE"
            down = await asyncio.wait_for(anext(messages), 60)
            assert down == Batch(first.seq, (), available=False)

            server.start()  # the same store and port: the driver finds it again by itself

            assert (await client.get("/readyz")).status_code == 200
            again = (await client.post("/graphql", json={"query": COUNT})).json()
            assert "errors" not in again
            assert await graph.read(_nodes) == before  # the refused write left nothing behind
            back = await asyncio.wait_for(anext(messages), 60)
            assert back.available
            seq = await graph.write(changes.bump)
            after = await asyncio.wait_for(anext(messages), 30)
            assert after.seq == seq  # following the feed again from where it stood
        finally:
            await messages.aclose()
            await feed.close()
