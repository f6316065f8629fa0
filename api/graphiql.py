"""GraphiQL at GET /graphql, served with its JS and CSS by this app: nothing comes from a CDN.

The bundle is built from web/graphiql by ``make graphiql`` into api/static/graphiql (ignored by
git). ``GraphiQLRouter`` is strawberry's router with its IDE page swapped for ours, so strawberry
still decides when a GET is the IDE (no ``query`` parameter and an HTML ``Accept``) and when it is
a query; ``mount_graphiql_assets`` serves the bundle at /static/graphiql.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from strawberry.fastapi import GraphQLRouter

ContextT = TypeVar("ContextT")
RootValueT = TypeVar("RootValueT")

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
ASSETS_URL = "/static/graphiql"
ASSETS_ROUTE = "graphiql-assets"
SCRIPT = "graphiql.js"
STYLESHEET = "graphiql.css"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{js}"></script>
</body>
</html>
"""

_NOT_BUILT = """GraphiQL is not built: {missing} is missing.

Build it with `make graphiql` (runs `npm ci && npm run build` in web/graphiql; needs Node.js
and npm), then reload this page. The GraphQL API itself works: POST queries to {endpoint}.
"""


def mount_graphiql_assets(app: FastAPI) -> None:
    """Serve the built bundle at /static/graphiql; mounting works before it is built."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR, check_dir=False), name=ASSETS_ROUTE)


def graphiql_page(request: Request) -> HTMLResponse:
    """The IDE page, served at the GraphQL endpoint it queries (the script posts to its own
    path); plain text saying how to build the bundle while it is missing."""
    missing = [name for name in (SCRIPT, STYLESHEET) if not (ASSETS_DIR / name).is_file()]
    if missing:
        missing_file = f"api/static/graphiql/{missing[0]}"
        text = _NOT_BUILT.format(missing=missing_file, endpoint=request.url.path)
        # An HTMLResponse (strawberry's type for the IDE page) carrying plain text.
        return HTMLResponse(text, status_code=503, media_type="text/plain")

    def asset(name: str) -> str:
        # Path only (works behind a proxy's root_path); the mtime makes a rebuild bypass caches.
        version = (ASSETS_DIR / name).stat().st_mtime_ns
        return f"{request.url_for(ASSETS_ROUTE, path=name).path}?v={version}"

    page = _PAGE.format(css=html.escape(asset(STYLESHEET)), js=html.escape(asset(SCRIPT)))
    return HTMLResponse(page)


class GraphiQLRouter(GraphQLRouter[ContextT, RootValueT]):
    """Strawberry's router, its IDE page being the self-hosted GraphiQL.

    Keep ``graphql_ide`` truthy (its default, "graphiql") or strawberry answers 404 instead of
    calling ``render_graphql_ide``; call ``mount_graphiql_assets`` on the app too.
    """

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page(request)
