"""Whole answers to anonymous queries are kept per data version (api/response_cache.py, #14):
an unchanged answer is served without executing, a change is seen by the very next request, and
nothing a signed-in viewer asks, no mutation and no error is ever served from the cache."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from graph.reports import editions
from tests import factories
from tests.tokens import bearer

# Dated after the factories' teams (2031-01-01), so the figure moves when one is made.
TEAMS = '{ coverage(scopeCode: "01", asOf: "2031-06-01") { totals { teams } } }'


async def _post(client: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_an_unchanged_answer_is_served_without_executing(client: httpx.AsyncClient) -> None:
    first = await _post(client, TEAMS)
    again = await _post(client, TEAMS)
    assert first.status_code == again.status_code == 200
    assert again.headers["x-cache"] == "HIT"
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    # The headers the app adds to every answer wrap the cached ones too.
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert again.headers["x-content-type-options"] == "nosniff"


async def test_a_change_is_seen_by_the_next_request(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    await _post(client, TEAMS)
    before = (await _post(client, TEAMS)).json()["data"]["coverage"]["totals"]["teams"]
    await factories.make_team(graph, "00004")  # in province 01, from 2031-01-01
    after = await _post(client, TEAMS)
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["data"]["coverage"]["totals"]["teams"] == before + 1


async def test_etag_revalidation_answers_304_while_unchanged(client: httpx.AsyncClient) -> None:
    etag = (await _post(client, TEAMS)).headers["etag"]
    unchanged = await _post(client, TEAMS, **{"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    other = await _post(client, TEAMS, **{"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200
    assert other.json()["data"]["coverage"]


async def test_get_queries_are_kept_too(client: httpx.AsyncClient) -> None:
    params = {"query": TEAMS}
    first = await client.get("/graphql", params=params, headers={"Accept": "application/json"})
    again = await client.get("/graphql", params=params, headers={"Accept": "application/json"})
    assert again.headers["x-cache"] == "HIT"
    assert again.json() == first.json()


async def test_signed_in_viewers_always_execute(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    auth = bearer(settings, Role.NATIONAL_COORDINATOR)
    for _ in range(2):
        response = await _post(client, TEAMS, **auth)
        assert response.status_code == 200
        assert "x-cache" not in response.headers


async def test_mutations_and_errors_are_never_kept(client: httpx.AsyncClient) -> None:
    # A mutation that fails the same way each time: executed each time, never a HIT.
    mutation = 'mutation { confirmEmail(token: "not-a-token") { __typename } }'
    for _ in range(2):
        response = await _post(client, mutation)
        assert "x-cache" not in response.headers
    unknown = "{ noSuchField }"
    for _ in range(2):
        response = await _post(client, unknown)
        assert response.json()["errors"]
        assert response.headers["x-cache"] == "MISS"


async def test_no_cache_asks_for_a_fresh_execution(client: httpx.AsyncClient) -> None:
    await _post(client, TEAMS)
    fresh = await _post(client, TEAMS, **{"Cache-Control": "no-cache"})
    assert fresh.headers["x-cache"] == "MISS"
    assert (await _post(client, TEAMS)).headers["x-cache"] == "HIT"


async def test_a_published_edition_is_listed_at_once(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    # Publishing moves no figure (editions are keyed by the data version) but it changes the
    # public list of editions: the cached list must not hide it.
    listing = "{ editions { periodEnd } }"
    await _post(client, listing)
    assert (await _post(client, listing)).headers["x-cache"] == "HIT"
    await editions.publish(graph, dt.date(2044, 3, 31), dt.datetime.now(dt.UTC))
    after = await _post(client, listing)
    assert after.headers["x-cache"] == "MISS"
    assert "2044-03-31" in [e["periodEnd"] for e in after.json()["data"]["editions"]]


def _teams(response: httpx.Response) -> int:
    return int(response.json()["data"]["coverage"]["totals"]["teams"])


async def test_max_stale_answers_at_once_and_refreshes_behind(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    """A dashboard that accepts 10 s of staleness is answered from the kept answer right after a
    change, and the one execution started behind it soon answers everyone with the change."""
    allow = {"Cache-Control": "max-stale=10"}
    await _post(client, TEAMS, **{"Cache-Control": "no-cache"})  # kept, read just now
    before = _teams(await _post(client, TEAMS))
    await factories.make_team(graph, "00004")  # in province 01, from 2031-01-01
    stale = await _post(client, TEAMS, **allow)
    assert stale.headers["x-cache"] == "STALE"
    assert 0 <= int(stale.headers["age"]) <= 10
    assert _teams(stale) == before
    for _ in range(200):
        fresh = await _post(client, TEAMS, **allow)
        if fresh.headers["x-cache"] != "STALE":
            break
        await asyncio.sleep(0.05)
    assert fresh.headers["x-cache"] == "HIT"  # refreshed behind, not executed for this request
    assert _teams(fresh) == before + 1
    # Without the directive, the answer is always the current one.
    assert _teams(await _post(client, TEAMS)) == before + 1


async def test_max_stale_never_serves_an_answer_older_than_allowed(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    await _post(client, TEAMS, **{"Cache-Control": "no-cache"})
    before = _teams(await _post(client, TEAMS))
    await asyncio.sleep(1.2)  # the kept answer's data are now more than a second old
    await factories.make_team(graph, "00004")
    response = await _post(client, TEAMS, **{"Cache-Control": "max-stale=1"})
    assert response.headers["x-cache"] == "MISS"
    assert _teams(response) == before + 1


async def test_max_stale_counts_from_when_the_answer_was_last_known_current(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    """An answer computed long ago but confirmed by a request just before the change is served
    stale after it: what matters is how long the data may have been out of date, not the age
    of the execution."""
    await _post(client, TEAMS, **{"Cache-Control": "no-cache"})
    await asyncio.sleep(6)  # a quiet while, longer than the staleness allowed: nothing changes
    before = _teams(await _post(client, TEAMS))  # a hit, current as it arrived
    await factories.make_team(graph, "00004")
    stale = await _post(client, TEAMS, **{"Cache-Control": "max-stale=5"})
    assert stale.headers["x-cache"] == "STALE"
    assert _teams(stale) == before
