"""The development OpenID Connect provider (tests/oidc/server.mjs: panva's oidc-provider with the
registry's development accounts and clients), started by the tests and by ``cds run --oidc``.

It needs Node.js and ``npm ci`` in tests/oidc (``make oidc-provider``; ``make test`` and
``make run-sso`` do it). Never for production: its keys are made at each start and its data is
in memory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.core.settings import REPO_ROOT

PROVIDER_DIR = REPO_ROOT / "tests" / "oidc"
DASHBOARD_CLIENT_ID = "cds-dashboard"
DEFAULT_RESOURCE = "urn:cds:registry"
READY_TIMEOUT_SECONDS = 30.0


class DevProviderError(Exception):
    """The development provider could not start; the message says what to do."""


@dataclass
class DevProvider:
    issuer: str
    resource: str
    redirect_uris: list[str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_dev_provider(
    *,
    port: int,
    redirect_uris: Sequence[str],
    log_path: Path,
    resource: str = DEFAULT_RESOURCE,
    access_token_ttl: int | None = None,
    short_token_ttl: int | None = None,
) -> DevProvider:
    """Start the provider on 127.0.0.1:``port`` and return once it serves its discovery
    document. ``redirect_uris``: the dashboard's addresses (``http://host:port/dashboard/``)."""
    node = shutil.which("node")
    if node is None:
        raise DevProviderError("the development identity provider needs Node.js (node) on PATH")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise DevProviderError(
            f"the development identity provider is not installed: run `make oidc-provider` "
            f"(npm ci in {PROVIDER_DIR})"
        )
    env = dict(os.environ)
    env.update(
        {
            "OIDC_PORT": str(port),
            "OIDC_REDIRECT_URIS": " ".join(redirect_uris),
            "OIDC_RESOURCE": resource,
        }
    )
    if access_token_ttl is not None:
        env["OIDC_ACCESS_TOKEN_TTL"] = str(access_token_ttl)
    if short_token_ttl is not None:
        env["OIDC_SHORT_TOKEN_TTL"] = str(short_token_ttl)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "server.mjs"],
            cwd=PROVIDER_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    provider = DevProvider(
        f"http://127.0.0.1:{port}", resource, list(redirect_uris), process, log_path
    )
    try:
        _wait_ready(provider)
    except BaseException:
        provider.stop()
        raise
    return provider


def _wait_ready(provider: DevProvider) -> None:
    url = f"{provider.issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    # Loopback only: no proxy from the environment in between.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if (code := provider.process.poll()) is not None:
            raise DevProviderError(
                f"the development identity provider exited with {code}; its log:\n"
                f"{provider.log_tail()}"
            )
        try:
            with opener.open(url, timeout=2) as response:
                if json.loads(response.read()).get("issuer") == provider.issuer:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise DevProviderError(
        f"the development identity provider did not answer at {url} within "
        f"{READY_TIMEOUT_SECONDS:.0f} s; its log:\n{provider.log_tail()}"
    )
