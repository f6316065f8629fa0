"""The coordinator dashboard and the expert registration page, served by this app at /dashboard.

The pages are TypeScript in web/dashboard, bundled by ``make dashboard`` (npm ci + esbuild) into
api/static/dashboard (ignored by git). They talk to the registry only through the public GraphQL
API, so anything they show another dashboard can show too. Nothing is fetched from outside.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "dashboard"
URL = "/dashboard"

_NOT_BUILT = """The dashboard is not built: {missing} is missing.

Build it with `make dashboard` (runs `npm ci && npm run build` in web/dashboard; needs Node.js
and npm), then reload this page. The GraphQL API itself works at /graphql.
"""


def mount_dashboard(app: FastAPI) -> None:
    """/ leads to the dashboard; /dashboard/ serves its page and bundle."""

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse(f"{URL}/")

    @app.get(f"{URL}/", include_in_schema=False)
    async def page() -> Response:
        index = ASSETS_DIR / "index.html"
        if not index.is_file():
            return PlainTextResponse(_NOT_BUILT.format(missing=index), status_code=503)
        # The page is tiny and names its bundle without a hash: always revalidate.
        return Response(
            index.read_bytes(), media_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    app.mount(URL, StaticFiles(directory=ASSETS_DIR, check_dir=False), name="dashboard-assets")
