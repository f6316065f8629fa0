"""A first deployment (#18): the image's command, `cds serve`, on an empty store in production
migrates, loads the real units once and serves; never the synthetic demo network. The same
entry point as the Dockerfile's CMD, against a local Neo4j instead of the compose service."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from graph.core.db import Graph, Tx, connect, run_single
from graph.core.local_neo4j import LocalNeo4j, free_port
from seed.units import unit_inputs
from tests.spare import SPARE_PASSWORD

READY_SECONDS = 300.0


def serve(server: LocalNeo4j, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEO4J_URI": server.uri,
        "NEO4J_PASSWORD": SPARE_PASSWORD,
        "CDS_ENVIRONMENT": "production",
        "CDS_JWT_SIGNING_KEY": "first-start-test-signing-key-0123456789",
        "CDS_EMAIL_TOKEN_KEY": "first-start-test-email-key-0123456789",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> float:
    began = time.monotonic()
    while time.monotonic() - began < READY_SECONDS:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return time.monotonic() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("not ready in time")


def stop(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    _, err = process.communicate(timeout=30)
    return err.decode()


async def _counts(tx: Tx) -> tuple[int, int, int]:
    found = await run_single(
        tx,
        "CALL { MATCH (u:AdministrativeUnit) RETURN count(u) AS units } "
        "CALL { MATCH (s:Synthetic) RETURN count(s) AS synthetic } "
        "CALL { MATCH (d:DataLoad {name: 'units'}) RETURN count(d) AS marks } "
        "RETURN units, synthetic, marks",
    )
    assert found is not None
    return int(found["units"]), int(found["synthetic"]), int(found["marks"])


async def test_the_first_start_leaves_a_working_registry(spare_neo4j: LocalNeo4j) -> None:
    port = free_port()
    first = serve(spare_neo4j, port)
    try:
        wait_ready(port, first)
        hanoi = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": '{ administrativeUnit(code: "01") { name } }'},
            timeout=30,
        ).json()
    finally:
        log = stop(first)
    assert hanoi["data"]["administrativeUnit"]["name"] == "Thành phố Hà Nội"
    assert "loading the administrative units" in log
    graph: Graph = await connect(spare_neo4j.uri, "neo4j", SPARE_PASSWORD, "neo4j")
    try:
        assert await graph.read(_counts) == (len(unit_inputs()), 0, 1)

        second = serve(spare_neo4j, port)  # a restart, or a second replica: nothing to load
        try:
            wait_ready(port, second)
        finally:
            log = stop(second)
        assert "loading the administrative units" not in log
        assert await graph.read(_counts) == (len(unit_inputs()), 0, 1)
    finally:
        await graph.close()
