"""Health endpoints: liveness without the database, readiness with it."""

from __future__ import annotations

import httpx

from graph.core.migrations import latest_version


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "schemaVersion": latest_version()}


async def test_graphiql_page_is_self_hosted(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    # Built assets are optional in CI (`make graphiql` builds them); either way nothing may
    # point at a CDN.
    assert page.status_code in (200, 503)
    assert "unpkg" not in page.text
    assert "jsdelivr" not in page.text
    if page.status_code == 200:
        assert "/static/graphiql/graphiql.js" in page.text
