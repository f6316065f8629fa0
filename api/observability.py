"""What operators see of a running API: Prometheus metrics at /metrics, JSON log lines that each
carry the request id, and a warning for every slow GraphQL operation.

Metrics come from the official ``prometheus-client``. With several uvicorn workers (``cds serve
--workers N``) each is its own process, so ``cds serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
fresh directory before they start and /metrics adds up every worker's figures (the library's
multiprocess mode). Labels carry operation names, routes and error codes, never a value a
client sent or personal data.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.json import JsonFormatter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from graph.core import db

log = logging.getLogger("cds.api")

# The request being served, for every log line written while serving it.
request_id: ContextVar[str] = ContextVar("request_id", default="-")

HTTP_REQUESTS = Counter(
    "cds_http_requests", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram("cds_http_request_seconds", "HTTP request duration", ["route"])
OPERATION_SECONDS = Histogram(
    "cds_graphql_operation_seconds",
    "GraphQL operation duration by operation name and type",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
GRAPHQL_ERRORS = Counter("cds_graphql_errors", "GraphQL errors by code", ["code"])
CACHE = Counter(
    "cds_cache_lookups",
    "Cache lookups (api/cache.py): the read cache (reads) and the response cache (responses)",
    ["cache", "result"],
)
NEO4J_STATEMENTS = Counter("cds_neo4j_statements", "Cypher statements sent (round trips)")
OUTBOX_PENDING = Gauge(
    "cds_outbox_pending", "Mails waiting in the outbox", multiprocess_mode="mostrecent"
)
LIVE_SUBSCRIBERS = Gauge(
    "cds_live_subscribers", "Open networkChanges subscriptions", multiprocess_mode="livesum"
)

# Operation names come from clients: only plain names become a label, and only so many.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_NAMES = 200
_names: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _names:
        return name
    if _NAME.match(name) and len(_names) < _MAX_NAMES:
        _names.add(name)
        return name
    return "other"


def count_statements() -> None:
    """Installed as graph.core.db's statement hook: graph/ knows nothing of Prometheus."""
    db.on_statement = NEO4J_STATEMENTS.inc


class ObserveOperations(SchemaExtension):
    """Duration per operation name, errors by code (as clients get them, after masking), and a
    warning for an operation slower than ``CDS_SLOW_OPERATION_MS``, with its name only (no
    variables: they may hold personal data). First in the schema's extensions, so it wraps
    the others."""

    def __init__(self, slow_seconds: float) -> None:
        super().__init__()
        self.slow_seconds = slow_seconds

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        ec = self.execution_context
        name = operation_label(ec.operation_name)
        kind = ec.operation_type.value if ec.operation_type else "unknown"
        OPERATION_SECONDS.labels(name, kind).observe(elapsed)
        result = ec.result
        for error in (result.errors if result is not None else None) or ():
            code = (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION"
            GRAPHQL_ERRORS.labels(str(code)).inc()
        if elapsed >= self.slow_seconds:
            log.warning(
                "slow operation %s (%s) took %.0f ms",
                name,
                kind,
                elapsed * 1000,
                extra={"operation": name, "durationMs": round(elapsed * 1000)},
            )


class RequestIds:
    """ASGI middleware: every HTTP request gets an id (the client's X-Request-Id when it sends
    one, else a new one), set for its log lines and echoed in the answer; its duration and
    status are counted by route template (``/imports/{kind}/dry-run``, not each URL)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        sent = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = sent if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", sent) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or _mount(scope)
            HTTP_REQUESTS.labels(scope["method"], path, str(status)).inc()
            HTTP_SECONDS.labels(path).observe(time.perf_counter() - started)
            request_id.reset(token)


def _mount(scope: Scope) -> str:
    """Static files and unknown paths: their first segment, so labels stay few."""
    path = str(scope.get("path", "/"))
    first = path.strip("/").split("/", 1)[0]
    return f"/{first}" if first in {"dashboard", "graphql", "static"} else "other"


async def metrics(request: Request, refresh: Callable[[], Awaitable[None]]) -> Response:
    """The Prometheus exposition; ``refresh`` sets the gauges read from the graph first."""
    await refresh()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.requestId = request_id.get()
        # uvicorn's copy of the message with terminal colour codes: noise in a JSON line.
        record.__dict__.pop("color_message", None)
        return True


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Root logging for `cds serve`: one JSON object per line with the request id (or plain
    text for a person at a terminal with CDS_LOG_JSON=false)."""
    handler = logging.StreamHandler()
    handler.addFilter(_WithRequestId())
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(requestId)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(requestId)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
