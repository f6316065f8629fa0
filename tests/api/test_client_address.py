"""Whose address a request counts against (registration and nomination rate limits).

The attack: once `registerExpert` answers RateLimitedError{scope: address}, the same call with
`X-Forwarded-For: <anything>` must still be limited, unless the operator named the proxy that
sent it (CDS_TRUSTED_PROXIES). Checked on the pure function, through the ASGI app, and through
real `cds serve` processes (uvicorn must not rewrite the peer itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.app import client_address, create_app
from graph.core.db import Graph, Tx, run
from graph.core.settings import REPO_ROOT, Settings
from tests.e2e.conftest import launch_server
from tests.experts.test_registration_flow import REGISTER, registration

PROXY = ip_network("10.0.0.5")
PROXIES = [PROXY, ip_network("192.168.0.0/24")]


class TestClientAddress:
    def test_header_ignored_without_trusted_proxies(self) -> None:
        assert client_address("127.0.0.1", ["203.0.113.7"], []) == "127.0.0.1"

    def test_header_ignored_from_a_peer_that_is_not_a_named_proxy(self) -> None:
        assert client_address("198.51.100.9", ["203.0.113.7"], PROXIES) == "198.51.100.9"

    def test_named_proxy_gives_the_address_it_saw(self) -> None:
        assert client_address("10.0.0.5", ["203.0.113.7"], PROXIES) == "203.0.113.7"

    def test_forged_left_part_is_ignored(self) -> None:
        # The client wrote "1.2.3.4"; the proxy appended the address it really saw.
        assert client_address("10.0.0.5", ["1.2.3.4, 203.0.113.7"], PROXIES) == "203.0.113.7"

    def test_chain_of_trusted_proxies_is_skipped(self) -> None:
        forwarded = ["1.2.3.4, 203.0.113.7, 192.168.0.20"]
        assert client_address("10.0.0.5", forwarded, PROXIES) == "203.0.113.7"

    def test_several_header_lines_are_one_list(self) -> None:
        forwarded = ["1.2.3.4", "203.0.113.7"]
        assert client_address("10.0.0.5", forwarded, PROXIES) == "203.0.113.7"

    def test_named_proxy_without_header_is_the_client(self) -> None:
        assert client_address("10.0.0.5", [], PROXIES) == "10.0.0.5"
        assert client_address("10.0.0.5", [" , "], PROXIES) == "10.0.0.5"

    def test_garbage_is_cut_short(self) -> None:
        assert client_address("10.0.0.5", ["x" * 1000], PROXIES) == "x" * 64

    def test_no_peer(self) -> None:
        assert client_address(None, ["203.0.113.7"], PROXIES) == "unknown"


class TestSettings:
    def test_list_forms(self) -> None:
        assert Settings(trusted_proxies="10.0.0.5, 192.168.0.0/24").trusted_proxies == PROXIES
        assert Settings(trusted_proxies='["10.0.0.5", "192.168.0.0/24"]').trusted_proxies == (
            PROXIES
        )
        assert Settings(trusted_proxies="").trusted_proxies == []

    def test_not_an_address(self) -> None:
        with pytest.raises(ValueError, match="trusted_proxies"):
            Settings(trusted_proxies="proxy.example")

    def test_old_boolean_is_refused_with_what_to_set(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
        env["CDS_TRUST_FORWARDED_FOR"] = "true"
        proc = subprocess.run(
            [sys.executable, "-m", "api.cli", "serve"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1
        assert "CDS_TRUSTED_PROXIES" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


# --- registerExpert, the attacker's requests -----------------------------------------------------

FORGED = {"X-Forwarded-For": "203.0.113.7"}


async def _register(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    response = await client.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"input": registration()}},
        headers=headers or {},
    )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["registerExpert"]
    if result["__typename"] == "RateLimitedError":
        assert result["scope"] == "address", result
    return str(result["__typename"])


async def _forget_counters(graph: Graph, *addresses: str) -> None:
    async def forget(tx: Tx) -> None:
        for address in addresses:
            await run(
                tx,
                "MATCH (r:RateLimit) WHERE r.key STARTS WITH $prefix DETACH DELETE r",
                prefix=f"register:addr:{address}@",
            )

    await graph.write(forget)


@pytest_asyncio.fixture
async def fresh_counters(graph: Graph) -> AsyncIterator[None]:
    """This test's addresses start from zero, whatever other tests counted against them."""
    addresses = ("127.0.0.1", "127.0.30.1", "203.0.113.7")
    await _forget_counters(graph, *addresses)
    yield
    await _forget_counters(graph, *addresses)


def _app_client(graph: Graph, settings: Settings, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, graph), client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.usefixtures("fresh_counters")
async def test_forged_header_does_not_reset_the_limit_in_the_app(
    graph: Graph, settings: Settings
) -> None:
    strict = settings.model_copy(update={"rate_limit_per_address": 1})
    async with _app_client(graph, strict, "127.0.30.1") as client:
        assert await _register(client) == "RegisterExpertSuccess"
        assert await _register(client) == "RateLimitedError"
        assert await _register(client, FORGED) == "RateLimitedError"


@pytest.mark.usefixtures("fresh_counters")
async def test_named_proxy_header_is_believed_in_the_app(graph: Graph, settings: Settings) -> None:
    behind_proxy = settings.model_copy(
        update={"rate_limit_per_address": 1, "trusted_proxies": [ip_network("127.0.30.1")]}
    )
    async with _app_client(graph, behind_proxy, "127.0.30.1") as client:
        assert await _register(client) == "RegisterExpertSuccess"  # the proxy's own address
        assert await _register(client) == "RateLimitedError"
        # Another client behind the proxy has its own counter.
        assert await _register(client, FORGED) == "RegisterExpertSuccess"
        assert await _register(client, FORGED) == "RateLimitedError"


@pytest.mark.usefixtures("fresh_counters")
async def test_forged_header_through_cds_serve(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """Real uvicorn, started as deployed: a client on 127.0.0.1 (which uvicorn's defaults would
    trust) cannot reset its limit with the header; naming 127.0.0.1 as the proxy makes it count."""
    plain = await launch_server(settings, tmp_path / "plain", {"CDS_RATE_LIMIT_PER_ADDRESS": "1"})
    try:
        async with plain.client() as client:
            assert await _register(client) == "RegisterExpertSuccess"
            assert await _register(client) == "RateLimitedError"
            assert await _register(client, FORGED) == "RateLimitedError"
    finally:
        await plain.stop()

    proxied = await launch_server(
        settings,
        tmp_path / "proxied",
        {"CDS_RATE_LIMIT_PER_ADDRESS": "1", "CDS_TRUSTED_PROXIES": "127.0.0.1"},
    )
    try:
        async with proxied.client() as client:
            assert await _register(client, FORGED) == "RegisterExpertSuccess"
            assert await _register(client, FORGED) == "RateLimitedError"
    finally:
        await proxied.stop()
