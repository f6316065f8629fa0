"""The FastAPI application: one driver per process made in the lifespan, GraphQL at /graphql
(subscriptions over WebSocket at the same path), health at /healthz and /readyz."""

from __future__ import annotations

import contextlib
import gc
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from api.auth import AuthError, TokenVerifier
from api.cache import VersionedCache, VersionReader
from api.context import Context
from api.dashboard import mount_dashboard
from api.edition_report import router as edition_report_router
from api.graphiql import GraphiQLRouter, mount_graphiql_assets
from api.headers import SecurityHeaders
from api.inputs import decode_request_json
from api.live import LiveFeed
from api.loaders import Loaders
from api.observability import (
    LIVE_SUBSCRIBERS,
    OUTBOX_PENDING,
    RequestIds,
    configure_logging,
    count_statements,
    metrics,
)
from api.observability import (
    request_id as current_request_id,
)
from api.response_cache import ResponseCache
from api.schema import build_schema
from api.spreadsheets import router as imports_router
from api.sso import connect_origins
from api.sso import router as sso_router
from graph.core import changes, outbox
from graph.core.connection import open_graph
from graph.core.db import Graph, Unavailable
from graph.core.migrations import applied_versions, latest_version, migrate
from graph.core.settings import Settings, get_settings
from graph.units.units import units_loaded
from seed.units import seed_units

log = logging.getLogger("cds.api")


# Dependencies take an HTTPConnection, the common base of Request and WebSocket: the same
# context getter serves HTTP requests and WebSocket connections.
def _graph(connection: HTTPConnection) -> Graph:
    graph: Graph = connection.app.state.graph
    return graph


async def get_context(
    connection: HTTPConnection, graph: Annotated[Graph, Depends(_graph)]
) -> Context:
    settings: Settings = connection.app.state.settings
    # The id RequestIds gave this HTTP request (a WebSocket gets its own).
    request_id = current_request_id.get()
    if request_id == "-":
        request_id = uuid.uuid4().hex[:16]
    verifier: TokenVerifier = connection.app.state.verifier
    # A WebSocket is signed in by its connection_init message, which comes after this
    # (GraphQLRouter.on_ws_connect); until then it is anonymous.
    is_http = connection.scope["type"] == "http"
    return Context(
        graph=graph,
        settings=settings,
        cache=connection.app.state.cache,
        versions=connection.app.state.data_versions,
        viewer=await verifier.viewer(connection.headers.get("authorization") if is_http else None),
        loaders=Loaders(graph),
        request_id=request_id,
        client_address=_client_address(connection, settings),
        live=connection.app.state.live,
    )


def _client_address(request: HTTPConnection, settings: Settings) -> str:
    return client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        settings.trusted_proxies,
    )


# Longer than any address: what is kept of an entry that is not one (logged, counted, no more).
_ADDRESS_CHARS = 64


def client_address(
    peer: str | None,
    forwarded_for: Sequence[str],
    trusted_proxies: Sequence[IPv4Network | IPv6Network],
) -> str:
    """The caller's address, for rate limits.

    X-Forwarded-For is read only when the connection comes from a proxy the operator named
    (``CDS_TRUSTED_PROXIES``); otherwise a client could write anything there. Each proxy appends
    the address it saw, so the list is read from the right: the first address that is not a
    trusted proxy is the client (what is left of it may have been forged). uvicorn must not
    rewrite the peer itself (``cds serve`` runs it with proxy_headers=False).
    """

    def trusted(host: str) -> bool:
        try:
            address = ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in trusted_proxies)

    if peer is None:
        return "unknown"
    if not trusted(peer):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            return hop[:_ADDRESS_CHARS]
    # Every hop is a trusted proxy (or none was given): the request started at one of them.
    return hops[0] if hops else peer


async def _unauthorized(_: Request, error: Exception) -> JSONResponse:
    """A token that does not verify: 401 with a GraphQL-shaped body, so GraphQL clients show
    the reason like any other error."""
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}],
        },
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _unavailable(_: Request, error: Exception) -> JSONResponse:
    """Neo4j away during a REST call (imports, exports): 503 with when to retry."""
    return JSONResponse(
        {"error": str(error), "code": "SERVICE_UNAVAILABLE"},
        status_code=503,
        headers={"Retry-After": str(Unavailable.retry_after_seconds)},
    )


# The WebSocket close reason is at most 123 bytes of UTF-8.
_CLOSE_REASON_BYTES = 123


class _WebSocketClosingOnce(ASGIWebSocketAdapter):
    """Strawberry's adapter, except that closing a closed socket does nothing: on_ws_connect
    closes with the token's problem as the reason before strawberry's generic 'Forbidden'."""

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state is not WebSocketState.DISCONNECTED:
            await super().close(code, reason)


class GraphQLRouter(GraphiQLRouter[Context, None]):
    """GraphQL over HTTP, and subscriptions over WebSocket (graphql-transport-ws, what the
    `graphql-ws` npm client speaks). Browsers cannot set headers on a WebSocket, so the bearer
    token comes in the connection_init payload, `{"authorization": "Bearer …"}`; an
    Authorization header on the handshake is accepted too. A token that does not verify closes
    the socket with code 4403 and the reason; no token: the public view."""

    # Typed by strawberry as a callable its own adapter does not match either (it ignores too).
    websocket_adapter_class = _WebSocketClosingOnce  # type: ignore[assignment]

    def decode_json(self, data: str | bytes) -> object:
        # A body that is not a JSON object, not UTF-8, or a bad operationName: 400, not 500.
        return decode_request_json(data)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        socket = context.request
        assert isinstance(socket, WebSocket)
        authorization = params.get("authorization") or params.get("Authorization")
        if authorization is None:
            authorization = socket.headers.get("authorization")
        verifier: TokenVerifier = socket.app.state.verifier
        try:
            if authorization is not None and not isinstance(authorization, str):
                raise AuthError("'authorization' must be a string: 'Bearer <token>'")
            context.viewer = await verifier.viewer(authorization)
        except AuthError as error:
            reason = str(error).encode()[:_CLOSE_REASON_BYTES].decode(errors="ignore")
            await socket.close(code=4403, reason=reason)
            raise ConnectionRejectionError from None
        return await super().on_ws_connect(context)  # a plain connection_ack


async def load_units_once(graph: Graph) -> None:
    """A first start on an empty store (a new deployment) loads the real administrative units
    and skeleton organisations from the packages, once: the registry answers nothing without
    them. Idempotent (MERGE) and safe when several replicas start together (the loser of a race
    merges onto the same nodes); never the synthetic demo network."""
    if await graph.read(units_loaded):
        return
    log.info("first start on this store: loading the administrative units")
    report = await seed_units(graph)
    log.info(
        "loaded %d units and %d organisations in %.1fs",
        report.units,
        report.organisations,
        report.seconds,
    )


def settle_garbage_collector() -> None:
    """Once a serving process has started: what it holds for good (modules, the schema, the
    units) leaves the collector's view, and the youngest generation is collected less often.
    A full collection walked those 220,000 objects in about 130 ms, in the middle of whichever
    request triggered it (the drill-down's p95 was 188 ms against a p50 of 72); a request
    allocates tens of thousands of short-lived objects, so the default threshold of 700
    collected several times per request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def create_app(settings: Settings | None = None, graph: Graph | None = None) -> FastAPI:
    """The app; tests pass a connected ``graph``, otherwise the lifespan opens one."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = graph is None
        app.state.graph = graph or await open_graph(settings)
        app.state.settings = settings
        if own:
            await migrate(app.state.graph)
            await load_units_once(app.state.graph)
            app.state.live = LiveFeed(app.state.graph, settings.live_poll_seconds)
            settle_garbage_collector()
        try:
            yield
        finally:
            await app.state.live.close()
            if own:
                await app.state.graph.close()

    # No /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN. The OpenAPI
    # document stays at /openapi.json; GraphQL has GraphiQL, served from this app.
    app = FastAPI(title="CĐS network registry", lifespan=lifespan, docs_url=None, redoc_url=None)
    if settings.log_format != "none":
        configure_logging(settings.log_level, json_lines=settings.log_format == "json")
    count_statements()
    # Innermost: an anonymous query's unchanged answer is served without executing it
    # (api/response_cache.py); the middlewares added after it wrap hits and misses alike.
    app.add_middleware(ResponseCache, max_entries=settings.response_cache_entries)
    # nosniff, Referrer-Policy; CSP on pages (api/headers.py), open to the SSO provider's origin
    app.add_middleware(SecurityHeaders, connect_src=connect_origins(settings))
    if settings.cors_origins:
        # Pages of other origins the operator named (a province's portal): their browsers may
        # call the API with a bearer token; no cookies are used, so no credentials mode.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            # Cache-Control: a portal's dashboard may send max-stale (api/response_cache.py).
            allow_headers=["Authorization", "Content-Type", "X-Request-Id", "Cache-Control"],
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestIds)  # outermost: ids and timings for every answer
    # Set now too: in-process test clients (httpx ASGITransport) do not run the lifespan.
    app.state.settings = settings
    app.state.cache = VersionedCache()
    # One reader of the change counter for the process's requests (Context.data_version).
    app.state.data_versions = VersionReader(lambda: app.state.graph.read(changes.current))
    app.state.verifier = TokenVerifier(settings)
    app.add_exception_handler(AuthError, _unauthorized)
    app.add_exception_handler(Unavailable, _unavailable)
    if graph is not None:
        app.state.graph = graph
        app.state.live = LiveFeed(graph, settings.live_poll_seconds)
    # GET /graphql in a browser is GraphiQL, bundled and served by this app (no CDN).
    router = GraphQLRouter(
        build_schema(settings),
        context_getter=get_context,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
    )
    app.include_router(router, prefix="/graphql")
    mount_graphiql_assets(app)
    mount_dashboard(app)  # the pages at /dashboard (api/dashboard.py)
    app.include_router(imports_router)  # spreadsheets: /imports/*, /exports/* (api/spreadsheets.py)
    app.include_router(sso_router)  # GET /auth/config: how the dashboard signs in (api/sso.py)
    app.include_router(edition_report_router)  # /reports/editions/{id}[.pdf], public

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        async def refresh() -> None:
            LIVE_SUBSCRIBERS.set(request.app.state.live.subscribers)
            with contextlib.suppress(Unavailable):  # the backlog keeps its last value
                OUTBOX_PENDING.set(await _graph(request).read(outbox.pending))

        return await metrics(request, refresh)

    @app.get("/readyz", summary="Neo4j is reachable and the schema is migrated")
    async def readyz(request: Request) -> JSONResponse:
        graph = _graph(request)
        try:
            await graph.ping()  # answers at once while Neo4j is away, no retries
            versions = await applied_versions(graph)
        except Exception:  # any driver failure means not ready; the reason goes to the log
            log.warning("readiness check failed", exc_info=True)
            return JSONResponse(
                {"status": "unavailable", "reason": "neo4j"},
                status_code=503,
                headers={"Retry-After": str(Unavailable.retry_after_seconds)},
            )
        if not versions or max(versions) < latest_version():
            return JSONResponse({"status": "migrating"}, status_code=503)
        return JSONResponse({"status": "ready", "schemaVersion": max(versions)})

    return app
