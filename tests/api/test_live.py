"""Live updates: two API processes (two apps, each with its own poller, served by uvicorn on
real sockets), subscribers over graphql-transport-ws, changes through the other process's HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from api.app import create_app
from api.live import NATIONAL, Batch, LiveFeed, Subscriber
from api.relay import from_global_id
from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from graph.core.team_digests import refresh_team_digests, team_places
from tests import factories
from tests.factories import FUTURE
from tests.tokens import bearer

POLL = 0.2  # seconds; the setting, made small so that the tests are quick
WAIT = 5.0  # seconds a message may take before a test fails
SUBSCRIBE = (
    "subscription($s: String, $since: Int) { networkChanges(scopeCode: $s, since: $since) "
    "{ seq events { seq mutation targetType targetId actorSubject } } }"
)
CREATE_TEAM = (
    "mutation($c: String!, $d: Date!) { createTeam(input: {communeCode: $c, name: $n, "
    'level: COMMUNE, since: $d, decisionNumber: "7/QĐ-UBND", decisionDate: $d}) '
    "{ __typename ... on TeamPayload { auditSeq team { id } } } }"
).replace("$n", '"Tổ CNSCĐ trực tiếp"')
HCMC = "79"  # Thành phố Hồ Chí Minh: out of scope of Hà Nội (01) and its ward Ba Đình (00004)


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[str]:
    """The app on a real socket in this event loop (lifespan included); yields host:port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                await task  # it failed to start: raise why
            await asyncio.sleep(0.01)
        host, port = sock.getsockname()
        yield f"{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture(scope="module")
async def servers(graph: Graph, settings: Settings) -> AsyncIterator[tuple[str, str]]:
    """Two API processes on the one graph, as two workers or replicas would be."""
    fast = settings.model_copy(update={"live_poll_seconds": POLL})
    async with _serving(create_app(fast, graph)) as a, _serving(create_app(fast, graph)) as b:
        yield a, b


class Live:
    """One graphql-transport-ws subscription to networkChanges."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def message(self, timeout: float = WAIT) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] != "ping":
                return message

    async def change(self) -> dict[str, Any]:
        message = await self.message()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        change: dict[str, Any] = message["payload"]["data"]["networkChanges"]
        return change

    async def events(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` events, whichever messages they come in."""
        found: list[dict[str, Any]] = []
        while len(found) < count:
            found.extend((await self.change())["events"])
        return found

    async def nothing_more(self) -> None:
        with pytest.raises(TimeoutError):
            await self.message(timeout=3 * POLL)


@asynccontextmanager
async def _connected(
    host: str, init: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    async with connect(
        f"ws://{host}/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
        proxy=None,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init or {}}))
        yield ws


@asynccontextmanager
async def subscribe(
    host: str,
    scope: str | None = None,
    since: int | None = None,
    *,
    authorization: str | None = None,
    query: str = SUBSCRIBE,
) -> AsyncIterator[Live]:
    init = {"authorization": authorization} if authorization else None
    async with _connected(host, init) as ws:
        ack = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert ack["type"] == "connection_ack", ack
        variables = {"s": scope, "since": since}
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        yield Live(ws)


async def _create_team(host: str, headers: dict[str, str], commune: str) -> tuple[str, int]:
    """A team created over HTTP through the process at ``host``: its global ID and event."""
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": CREATE_TEAM, "variables": {"c": commune, "d": FUTURE.isoformat()}},
            headers=headers,
        )
    body = response.json()
    assert body["data"]["createTeam"]["__typename"] == "TeamPayload", body
    payload = body["data"]["createTeam"]
    return str(payload["team"]["id"]), int(payload["auditSeq"])


async def _seen_by(host: str, seq: int) -> None:
    """Wait until the process at ``host`` has polled past ``seq``."""
    async with subscribe(host) as watcher:
        position = (await watcher.change())["seq"]
        while position < seq:
            position = (await watcher.change())["seq"]


@pytest.fixture
async def teams(graph: Graph) -> AsyncIterator[list[str]]:
    """Global IDs of the teams a test creates; deleted afterwards."""
    created: list[str] = []
    yield created

    async def delete(tx: Tx) -> None:
        ids = [from_global_id(t)[1] for t in created]
        places = await team_places(tx, ids)
        await run(tx, "MATCH (t:CommunityTechTeam) WHERE t.id IN $ids DETACH DELETE t", ids=ids)
        await refresh_team_digests(tx, places=places)  # as every team writer does
        await changes.bump(tx)  # caches keyed by the counter must forget them

    await graph.write(delete)


async def test_the_first_message_is_where_the_feed_stands(graph: Graph) -> None:
    feed = LiveFeed(graph, POLL)
    try:
        stream = feed.follow(NATIONAL)
        first = await anext(stream)
        assert first == Batch(await graph.read(changes.current))
        await stream.aclose()
    finally:
        await feed.close()


async def test_a_client_ahead_of_this_process_is_never_sent_back(graph: Graph) -> None:
    """Back from a process that polled sooner, a client may have seen more than this one."""
    feed = LiveFeed(graph, POLL)
    try:
        ahead = await graph.read(changes.current) + 3
        stream = feed.follow(NATIONAL, since=ahead)
        assert await anext(stream) == Batch(ahead)
        for _ in range(4):
            await graph.write(changes.bump)
        assert (await asyncio.wait_for(anext(stream), WAIT)).seq > ahead
        await stream.aclose()
    finally:
        await feed.close()


async def test_a_change_through_one_process_reaches_subscribers_of_another_in_scope(
    servers: tuple[str, str], graph: Graph, settings: Settings, teams: list[str]
) -> None:
    a, b = servers
    national = bearer(settings, Role.NATIONAL_COORDINATOR)
    hcmc_commune = await factories.other_commune(graph, HCMC)
    async with AsyncExitStack() as stack:
        everywhere = await stack.enter_async_context(
            subscribe(a, authorization=national["Authorization"])
        )
        hanoi = await stack.enter_async_context(subscribe(a, "01"))
        ba_dinh = await stack.enter_async_context(subscribe(a, "00004"))
        hcmc = await stack.enter_async_context(subscribe(a, HCMC))
        hello = await everywhere.change()
        assert hello["events"] == []
        assert hello["seq"] <= await graph.read(changes.current)
        for live in (hanoi, ba_dinh, hcmc):
            assert (await live.change())["events"] == []

        teams.append((await _create_team(b, national, "00004"))[0])  # Ba Đình, Hà Nội
        teams.append((await _create_team(b, national, hcmc_commune))[0])

        seen = await everywhere.events(2)
        assert [(e["mutation"], e["targetId"]) for e in seen] == [
            ("createTeam", teams[0]),
            ("createTeam", teams[1]),
        ]
        assert seen[0]["seq"] > hello["seq"]
        # Who acted is shown to national coordinators only, as in Query.changes.
        assert seen[0]["actorSubject"] == "test-national_coordinator"
        in_hanoi = await hanoi.events(1)
        assert [e["targetId"] for e in in_hanoi] == [teams[0]]
        assert in_hanoi[0]["actorSubject"] is None
        assert [e["targetId"] for e in await ba_dinh.events(1)] == [teams[0]]
        assert [e["targetId"] for e in await hcmc.events(1)] == [teams[1]]
        # Every subscriber got its messages of the round: nothing else is on its way.
        await asyncio.gather(*(live.nothing_more() for live in (everywhere, hanoi, ba_dinh, hcmc)))


async def test_since_catches_up_with_the_events_in_scope(
    servers: tuple[str, str], graph: Graph, settings: Settings, teams: list[str]
) -> None:
    a, b = servers
    before = await graph.read(changes.current)
    team, seq = await _create_team(b, bearer(settings, Role.NATIONAL_COORDINATOR), "00004")
    teams.append(team)
    # Once process A has polled past the change, a client reconnecting there with `since` is
    # told of it in the first message.
    await _seen_by(a, seq)
    async with subscribe(a, "01", since=before) as hanoi, subscribe(a, HCMC, since=before) as hcmc:
        first = await hanoi.change()
        assert [(e["mutation"], e["targetId"], e["seq"]) for e in first["events"]] == [
            ("createTeam", team, seq)
        ]
        assert first["seq"] >= seq
        assert (await hcmc.change())["events"] == []


async def test_a_change_the_feed_does_not_describe_asks_everyone_to_refetch(
    servers: tuple[str, str], graph: Graph
) -> None:
    a, _ = servers
    await _seen_by(a, await graph.read(changes.current))  # earlier tests' clean-ups included
    async with subscribe(a, HCMC) as hcmc:
        await hcmc.change()
        seq = await graph.write(changes.bump)  # as an import does: no audit event
        assert await hcmc.change() == {"seq": seq, "events": []}


@pytest.mark.parametrize("code", ["7", "001", "99", "99999"])
async def test_a_bad_scope_code_is_an_error_naming_it(servers: tuple[str, str], code: str) -> None:
    async with subscribe(servers[0], code) as live:
        message = await live.message()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["field"] == "scopeCode"


async def test_queries_go_over_http_not_the_websocket(servers: tuple[str, str]) -> None:
    query = "query { changes(since: 0, first: 1) { seq } }"
    async with subscribe(servers[0], query=query) as live:
        message = await live.message()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["field"] == "operation"


@pytest.mark.parametrize("where", ["connection_init", "header"])
async def test_a_bad_token_closes_the_connection_saying_why(
    servers: tuple[str, str], where: str
) -> None:
    token = "Bearer not-a-jwt"
    init = {"authorization": token} if where == "connection_init" else None
    headers = {"Authorization": token} if where == "header" else None
    async with _connected(servers[0], init, headers) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert "token" in closed.value.rcvd.reason


async def test_a_slow_subscriber_is_told_to_refetch_and_never_holds_up_the_poller() -> None:
    subscriber = Subscriber(NATIONAL, queue_size=2)
    for seq in (1, 2, 3):  # the third does not fit: what was unread becomes one message
        subscriber.offer(Batch(seq, ()))
    assert subscriber.queue.get_nowait() == Batch(3)
    assert subscriber.queue.empty()
