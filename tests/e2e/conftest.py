"""Browser tests: the real app as separate uvicorn processes on the session's Neo4j, driven in
Debian's headless chromium by Playwright (async API, in pytest-asyncio's session loop).

Fixtures, for tests in this directory:
- ``live_server``: one API process for the session (``.url``, ``.client()``, ``.outbox_dir``),
  started after the ``graph`` fixture migrated and seeded, so the data is there.
- ``live_client``: an httpx client on it, for ``tests.gql.gql`` and ``tests.tokens.bearer``
  (the process signs and verifies with the test ``settings``' key).
- ``start_server``: ``await start_server(env={...})`` starts one more process (stopped at the end
  of the test), e.g. to show that a change made through one process reaches a page of another.
- ``sso_server``: an API process in single sign-on mode (``CDS_AUTH_MODE=oidc``) on the session's
  development identity provider (``sso``), on the port the provider knows as the dashboard's; it
  allows the first of ``portal_origins`` (pages of other origins, a province's portal) by CORS.
- ``browser``: chromium for the session; ``new_page(...)`` / ``page``: a page in a fresh context
  whose screenshots land in var/e2e-artifacts/<test>.png at teardown, pass or fail.
- ``request_log``: every URL the test's pages requested; ``assert_only_local()`` fails on any that
  left 127.0.0.1 (nothing from a CDN). It is also checked at each test's teardown.

Chromium is never downloaded (no ``playwright install``): CDS_CHROMIUM or /usr/bin/chromium, which
``.ci/run`` installs from Debian's packages when missing.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    WebSocket,
    async_playwright,
    expect,
)
from playwright.async_api import Error as PlaywrightError

from api.dev_oidc import DASHBOARD_CLIENT_ID
from graph.core.db import Graph
from graph.core.local_neo4j import free_port
from graph.core.settings import REPO_ROOT, Settings
from tests.e2e.chromium import CHROMIUM_ARGS, ChromiumMissing, find_chromium
from tests.sso import Sso

ARTIFACTS_DIR = REPO_ROOT / "var" / "e2e-artifacts"
LOCAL_HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0

DEFAULT_VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

# How long `expect(...)` keeps retrying before it fails (Playwright's default is 5 s). Generous,
# because CI has 2 cores shared with Neo4j and the API; a slow page still passes, since speed is
# measured by the benchmarks, not asserted here.
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under this directory ``e2e`` (so ``pytest -m "not e2e"`` skips them)
    without each module having to say so."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


# --- API processes ------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """One API process: ``cds serve`` (``python -m api.cli serve``) on 127.0.0.1."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    outbox_dir: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def client(self, timeout: float = 30.0) -> httpx.AsyncClient:
        # trust_env=False: a proxy set in the environment must not sit between us and loopback.
        return httpx.AsyncClient(base_url=self.url, trust_env=False, timeout=timeout)

    async def stop(self) -> None:
        """SIGTERM (uvicorn shuts down gracefully and closes its driver), then kill."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.process.wait, STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)


def server_env(settings: Settings, outbox_dir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: the test ``settings``' Neo4j and token key (so ``bearer`` tokens
    verify there), fast live polling, mail into the server's own outbox directory."""
    assert settings.neo4j_uri, "the test settings always name the session's Neo4j"
    env = dict(os.environ)
    env.update(
        {
            "NEO4J_URI": settings.neo4j_uri,
            "NEO4J_USER": settings.neo4j_user,
            "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
            "NEO4J_DATABASE": settings.neo4j_database,
            "CDS_ENVIRONMENT": "test",
            "CDS_AUTH_MODE": settings.auth_mode,
            "CDS_JWT_SIGNING_KEY": settings.jwt_signing_key.get_secret_value(),
            "CDS_JWT_ISSUER": settings.jwt_issuer,
            "CDS_JWT_AUDIENCE": settings.jwt_audience,
            "CDS_EMAIL_TOKEN_KEY": settings.email_token_key.get_secret_value(),
            # Read by the live-update poller; Settings ignores names it does not know.
            "CDS_LIVE_POLL_SECONDS": "0.5",
            "CDS_OUTBOX_DIR": str(outbox_dir),
            # Every test registers from 127.0.0.1, the API tests through this same store too:
            # the per-address limit (counted in the graph, across processes) is not under test.
            "CDS_RATE_LIMIT_PER_ADDRESS": "10000",
            "PYTHONUNBUFFERED": "1",  # the log tail in an error must be complete
        }
    )
    # The CDS_-prefixed spellings win over NEO4J_* in Settings; drop any inherited ones.
    for name in ("CDS_NEO4J_URI", "CDS_NEO4J_USER", "CDS_NEO4J_PASSWORD", "CDS_NEO4J_DATABASE"):
        env.pop(name, None)
    env.update(extra)
    return env


async def launch_server(
    settings: Settings,
    workdir: Path,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
) -> LiveServer:
    """Start an API process (on ``port``, else a free one) and return once /readyz says ready;
    fail with its log tail if it does not within READY_TIMEOUT_SECONDS."""
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"uvicorn-{port}.log"
    outbox_dir = workdir / f"outbox-{port}"
    # `cds serve`, as deployed: it runs uvicorn as production does (no proxy-header rewrite).
    command = [
        *(sys.executable, "-m", "api.cli", "serve"),
        *("--host", LOCAL_HOST, "--port", str(port)),
    ]
    url = f"http://{LOCAL_HOST}:{port}"
    # The links in its mails lead back to this process, as CDS_CONFIRM_URL, CDS_SIGN_IN_URL and
    # CDS_REGISTER_URL name the deployed server: a test opens a mail's link exactly as it was sent.
    links = {
        "CDS_CONFIRM_URL": f"{url}/confirm-email",
        "CDS_SIGN_IN_URL": f"{url}/sign-in",
        "CDS_REGISTER_URL": f"{url}/register",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=server_env(settings, outbox_dir, links | dict(env or {})),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(url, process, log_path, outbox_dir)
    try:
        await _wait_ready(server)
    except BaseException:
        await server.stop()
        raise
    return server


async def _wait_ready(server: LiveServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    last = "no answer yet"
    async with server.client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if (code := server.process.poll()) is not None:
                pytest.fail(
                    f"the API process exited with {code} before it was ready; its log:\n"
                    f"{server.log_tail()}",
                    pytrace=False,
                )
            try:
                response = await client.get("/readyz")
                if response.status_code == 200 and response.json().get("status") == "ready":
                    return
                last = f"{response.status_code} {response.text}"
            except httpx.TransportError as error:  # not listening yet
                last = repr(error)
            await asyncio.sleep(0.2)
    pytest.fail(
        f"the API process at {server.url} was not ready within {READY_TIMEOUT_SECONDS:.0f} s "
        f"(last /readyz: {last}); its log:\n{server.log_tail()}",
        pytrace=False,
    )


class StartServer(Protocol):
    def __call__(self, env: Mapping[str, str] | None = None) -> Awaitable[LiveServer]: ...


@pytest_asyncio.fixture(scope="session")
async def live_server(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveServer]:
    server = await launch_server(settings, tmp_path_factory.mktemp("live-server"))
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture(scope="session")
async def live_client(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with live_server.client() as client:
        yield client


@pytest_asyncio.fixture
async def start_server(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[StartServer]:
    """A factory for more API processes, each stopped when the test ends."""
    started: list[LiveServer] = []

    async def start(env: Mapping[str, str] | None = None) -> LiveServer:
        server = await launch_server(settings, tmp_path_factory.mktemp("extra-server"), env)
        started.append(server)
        return server

    yield start
    for server in started:
        await server.stop()


# A page of another origin, as a province's portal would be: it calls the API's GraphQL from the
# browser with a bearer token; the API address and token come in the fragment (never sent to a
# server). It says what happened in #result[data-outcome]: "ok" with the answer, or "blocked".
PORTAL_PAGE = b"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>Cong thong tin tinh (thu)</title></head><body>
<p id="result">...</p>
<script>
const { api, token, query } = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const result = document.getElementById("result");
fetch(api + "/graphql", {
  method: "POST",
  headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
  body: JSON.stringify({ query }),
})
  .then((response) => response.json())
  .then((body) => { result.textContent = JSON.stringify(body); result.dataset.outcome = "ok"; })
  .catch((error) => { result.textContent = String(error); result.dataset.outcome = "blocked"; });
</script></body></html>"""


class _PortalPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PORTAL_PAGE)

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="session")
def portal_origins() -> Iterator[tuple[str, str]]:
    """Two origins on this machine serving the portal page: the first is in the single sign-on
    API's CDS_CORS_ORIGINS, the second is not."""
    servers = [ThreadingHTTPServer((LOCAL_HOST, 0), _PortalPage) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        allowed, other = (f"http://{LOCAL_HOST}:{s.server_address[1]}" for s in servers)
        yield allowed, other
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest_asyncio.fixture(scope="session")
async def sso_server(
    graph: Graph,
    settings: Settings,
    sso: Sso,
    portal_origins: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LiveServer]:
    env = {
        "CDS_AUTH_MODE": "oidc",
        "CDS_OIDC_ISSUER": sso.provider.issuer,
        "CDS_OIDC_CLIENT_ID": DASHBOARD_CLIENT_ID,
        "CDS_JWT_AUDIENCE": sso.provider.resource,
        # Expired means expired (no clock-skew grace): the page and the API agree at once.
        "CDS_JWT_LEEWAY_SECONDS": "0",
        "CDS_CORS_ORIGINS": portal_origins[0],
    }
    workdir = tmp_path_factory.mktemp("sso-server")
    server = await launch_server(settings, workdir, env, port=sso.dashboard_port)
    try:
        yield server
    finally:
        await server.stop()


# --- The browser --------------------------------------------------------------------------------


def chromium_executable() -> str:
    try:
        return find_chromium()
    except ChromiumMissing as missing:
        # A failure, not a skip: CI must run these tests, and a silent skip would hide that.
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> str:
    """Checked before any other fixture of these tests, so a machine without chromium fails in
    a second rather than after starting Neo4j and the API."""
    return chromium_executable()


@pytest_asyncio.fixture(scope="session")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    executable = chromium_path
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class RequestLog:
    """Every URL a test's pages asked for (requests and WebSockets), to prove the pages load
    nothing from outside: the intranet they run on has no internet."""

    urls: list[str] = field(default_factory=list)

    def record(self, url: str) -> None:
        self.urls.append(url)

    def external(self) -> list[str]:
        # data: and blob: URLs are made in the page; everything else must be our server.
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).hostname != LOCAL_HOST
        ]

    def assert_only_local(self) -> None:
        outside = self.external()
        assert not outside, f"requests that left {LOCAL_HOST}: {outside}"

    def watch(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.record(request.url))

        def on_websocket(socket: WebSocket) -> None:
            self.record(socket.url)

        def on_page(page: Page) -> None:
            page.on("websocket", on_websocket)

        # "request" on a context covers its pages, not their WebSockets: those are per page.
        context.on("page", on_page)


@pytest.fixture
def request_log() -> RequestLog:
    return RequestLog()


class NewPage(Protocol):
    def __call__(
        self,
        *,
        locale: str = "vi-VN",
        viewport: ViewportSize = DEFAULT_VIEWPORT,
        extra_http_headers: dict[str, str] | None = None,
    ) -> Awaitable[Page]: ...


def _artifact_stem(item: pytest.Item) -> str:
    return re.sub(r"[^\w.-]+", "_", item.name)


@pytest_asyncio.fixture
async def new_page(
    browser: Browser, request_log: RequestLog, request: pytest.FixtureRequest
) -> AsyncIterator[NewPage]:
    """Pages in fresh contexts (no cookies or storage shared between tests). At teardown each is
    screenshotted to var/e2e-artifacts/<test>[-N].png, then the request log is checked."""
    contexts: list[tuple[BrowserContext, Page]] = []

    async def open_page(
        *,
        locale: str = "vi-VN",
        viewport: ViewportSize = DEFAULT_VIEWPORT,
        extra_http_headers: dict[str, str] | None = None,
    ) -> Page:
        context = await browser.new_context(
            locale=locale, viewport=viewport, extra_http_headers=extra_http_headers
        )
        request_log.watch(context)
        page = await context.new_page()
        contexts.append((context, page))
        return page

    yield open_page
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = _artifact_stem(request.node)
    for number, (context, page) in enumerate(contexts, start=1):
        path = ARTIFACTS_DIR / (f"{stem}.png" if number == 1 else f"{stem}-{number}.png")
        try:
            await page.screenshot(path=str(path), full_page=True)
        except PlaywrightError as error:  # a crashed or closed page must not hide the result
            warnings.warn(f"no screenshot for {path.name}: {error}", stacklevel=1)
        await context.close()
    request_log.assert_only_local()


@pytest_asyncio.fixture
async def page(new_page: NewPage) -> Page:
    """One Vietnamese-locale desktop page."""
    return await new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing browser test names its screenshot (taken at teardown) in the report."""
    report = yield
    if (
        report.when == "call"
        and report.failed
        and isinstance(item, pytest.Function)
        and "new_page" in item.fixturenames
    ):
        path = ARTIFACTS_DIR / f"{_artifact_stem(item)}.png"
        report.sections.append(("e2e screenshot", str(path.relative_to(REPO_ROOT))))
    return report
