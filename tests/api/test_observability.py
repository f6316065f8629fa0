"""What operators see (#18): /metrics, request ids, slow-operation warnings, JSON log lines, and
the CORS allow-list for pages of other origins."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from api.observability import configure_logging, request_id
from graph.core.db import Graph
from graph.core.settings import Settings

PORTAL = "https://cds.portal.example"


@pytest_asyncio.fixture(scope="module")
async def web(graph: Graph, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(update={"slow_operation_ms": 1, "cors_origins": [PORTAL]}), graph
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition, 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{([^}]*)\})? (\S+)$", line)
        if match and match[1] == name:
            got = ",".join(sorted(match[2].split(","))) if match[2] else ""
            if got == wanted:
                return float(match[3])
    return 0.0


class TestMetrics:
    async def test_operations_routes_errors_and_round_trips_are_counted(
        self, web: httpx.AsyncClient
    ) -> None:
        before = (await web.get("/metrics")).text
        await web.post("/graphql", json={"query": "query Ranking { __typename }"})
        await web.post(
            "/graphql",
            json={
                "query": "query Words($t: String!) { search(text: $t) { __typename } }",
                "variables": {"t": "từ " * 200},  # more words than search takes: INVALID_INPUT
            },
        )
        await web.post(
            "/graphql", json={"query": 'query Hanoi { administrativeUnit(code: "01") { name } }'}
        )

        response = await web.get("/metrics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        after = response.text
        ranking = {"operation": "Ranking", "type": "query"}
        assert (
            sample(after, "cds_graphql_operation_seconds_count", **ranking)
            == sample(before, "cds_graphql_operation_seconds_count", **ranking) + 1
        )
        assert sample(after, "cds_graphql_errors_total", code="INVALID_INPUT") > sample(
            before, "cds_graphql_errors_total", code="INVALID_INPUT"
        )
        route = {"method": "POST", "route": "/graphql", "status": "200"}
        assert (
            sample(after, "cds_http_requests_total", **route)
            == sample(before, "cds_http_requests_total", **route) + 3
        )
        assert sample(after, "cds_neo4j_statements_total") > sample(
            before, "cds_neo4j_statements_total"
        )
        assert "cds_outbox_pending" in after
        assert "cds_live_subscribers" in after

    async def test_a_client_cannot_flood_the_operation_label(self, web: httpx.AsyncClient) -> None:
        await web.post("/graphql", json={"query": "query a$b { __typename }"})
        text = (await web.get("/metrics")).text
        assert 'operation="a$b"' not in text


class TestRequestIds:
    async def test_every_answer_carries_its_id(self, web: httpx.AsyncClient) -> None:
        given = await web.get("/healthz", headers={"X-Request-Id": "proxy-abc.123"})
        assert given.headers["x-request-id"] == "proxy-abc.123"
        made = await web.get("/healthz", headers={"X-Request-Id": "no spaces <allowed>"})
        assert re.fullmatch(r"[0-9a-f]{16}", made.headers["x-request-id"])

    async def test_a_slow_operation_is_logged_by_name_without_its_variables(
        self, web: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="cds.api")
        await web.post(
            "/graphql",
            json={
                "query": "query Search($t: String!) { search(text: $t) { __typename } }",
                "variables": {"t": "Nguyễn Bí Mật"},
            },
        )
        slow = [r for r in caplog.records if r.getMessage().startswith("slow operation Search")]
        assert slow
        assert all("Bí Mật" not in r.getMessage() for r in caplog.records)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", json_lines=True)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_log_lines_are_json_with_the_request_id(json_logs: io.StringIO) -> None:
    token = request_id.set("req-42")
    try:
        logging.getLogger("cds.api").warning("something happened")
    finally:
        request_id.reset(token)
    line = json.loads(json_logs.getvalue().splitlines()[-1])
    assert line["message"] == "something happened"
    assert line["requestId"] == "req-42"
    assert line["level"] == "WARNING"


class TestCors:
    async def test_a_named_origin_may_call_the_api(self, web: httpx.AsyncClient) -> None:
        preflight = await web.options(
            "/graphql",
            headers={
                "Origin": PORTAL,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == PORTAL
        answer = await web.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
        )
        assert answer.headers["access-control-allow-origin"] == PORTAL

    async def test_any_other_origin_may_not(self, web: httpx.AsyncClient) -> None:
        answer = await web.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://elsewhere.example"},
        )
        assert "access-control-allow-origin" not in answer.headers

    async def test_by_default_no_origin_may(self, client: httpx.AsyncClient) -> None:
        answer = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
        )
        assert "access-control-allow-origin" not in answer.headers
