"""The coordinator dashboard and the expert registration page, served by this app at /dashboard.

The pages are TypeScript in web/dashboard, bundled by ``make dashboard`` (npm ci + esbuild) into
api/static/dashboard (ignored by git). They talk to the registry only through the public GraphQL
API, so anything they show another dashboard can show too. Nothing is fetched from outside.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "dashboard"
URL = "/dashboard"

_NOT_BUILT = """The dashboard is not built: {missing} is missing.

Build it with `make dashboard` (runs `npm ci && npm run build` in web/dashboard; needs Node.js
and npm), then reload this page. The GraphQL API itself works at /graphql.
"""


_TOKEN = re.compile(r"(token=)[^&\s]+")


class RedactLinkTokens(logging.Filter):
    """uvicorn's access log writes each request's path with its query: a confirmation link's
    token would rest in the log, readable by whoever reads logs. It is written as ``token=…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN.sub(r"\1…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


_REDACT = RedactLinkTokens()


def mount_dashboard(app: FastAPI) -> None:
    """/ leads to the dashboard; /dashboard/ serves its page and bundle; the links in mails
    lead to their pages."""

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

    access_log = logging.getLogger("uvicorn.access")
    if _REDACT not in access_log.filters:
        access_log.addFilter(_REDACT)

    # The addresses mails carry (CDS_CONFIRM_URL, CDS_SIGN_IN_URL, CDS_REGISTER_URL) open the pages. The token
    # moves into the fragment, which browsers never send to a server nor in a Referer, and the
    # page drops it from the address once used. 303: a GET for whatever method came in.
    def to_page(page: str, request: Request) -> RedirectResponse:
        token = request.query_params.get("token")
        query = f"?{urlencode({'token': token})}" if token else ""
        return RedirectResponse(f"{URL}/#/{page}{query}", status_code=303)

    @app.get("/confirm-email", include_in_schema=False)
    async def confirm_email(request: Request) -> RedirectResponse:
        return to_page("confirm", request)

    @app.get("/sign-in", include_in_schema=False)
    async def sign_in(request: Request) -> RedirectResponse:
        return to_page("sign-in", request)

    @app.get("/register", include_in_schema=False)
    async def register() -> RedirectResponse:
        return RedirectResponse(f"{URL}/#/register", status_code=303)

    app.mount(URL, StaticFiles(directory=ASSETS_DIR, check_dir=False), name="dashboard-assets")
