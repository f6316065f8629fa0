"""The FastAPI application: one driver per process made in the lifespan, GraphQL at /graphql,
health at /healthz and /readyz."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from api.auth import AuthError, TokenVerifier
from api.cache import VersionedCache
from api.context import Context
from api.graphiql import GraphiQLRouter, mount_graphiql_assets
from api.imports import router as imports_router
from api.loaders import Loaders
from api.schema import build_schema
from graph.connection import open_graph
from graph.db import Graph
from graph.migrations import applied_versions, latest_version, migrate
from graph.settings import Settings, get_settings

log = logging.getLogger("cds.api")


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


async def get_context(request: Request, graph: Annotated[Graph, Depends(_graph)]) -> Context:
    settings: Settings = request.app.state.settings
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
    verifier: TokenVerifier = request.app.state.verifier
    return Context(
        graph=graph,
        settings=settings,
        cache=request.app.state.cache,
        viewer=await verifier.viewer(request.headers.get("authorization")),
        loaders=Loaders(graph),
        request_id=request_id,
        client_address=_client_address(request, settings),
    )


def _client_address(request: Request, settings: Settings) -> str:
    """The caller's address, for rate limits. X-Forwarded-For is believed only when a trusted
    reverse proxy sets it (a client could write anything there)."""
    forwarded = request.headers.get("x-forwarded-for")
    if settings.trust_forwarded_for and forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


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
        try:
            yield
        finally:
            if own:
                await app.state.graph.close()

    app = FastAPI(title="CĐS network registry", lifespan=lifespan)
    # Set now too: in-process test clients (httpx ASGITransport) do not run the lifespan.
    app.state.settings = settings
    app.state.cache = VersionedCache()
    app.state.verifier = TokenVerifier(settings)
    app.add_exception_handler(AuthError, _unauthorized)
    if graph is not None:
        app.state.graph = graph
    # GET /graphql in a browser is GraphiQL, bundled and served by this app (no CDN).
    router: GraphiQLRouter[Context, None] = GraphiQLRouter(
        build_schema(settings), context_getter=get_context
    )
    app.include_router(router, prefix="/graphql")
    mount_graphiql_assets(app)
    app.include_router(imports_router)  # spreadsheets: /imports/*, /exports/* (api/imports.py)

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Neo4j is reachable and the schema is migrated")
    async def readyz(request: Request) -> JSONResponse:
        try:
            versions = await applied_versions(_graph(request))
        except Exception:  # any driver failure means not ready; the reason goes to the log
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "reason": "neo4j"}, status_code=503)
        if not versions or max(versions) < latest_version():
            return JSONResponse({"status": "migrating"}, status_code=503)
        return JSONResponse({"status": "ready", "schemaVersion": max(versions)})

    return app
