"""Bad configuration ends with one clear line saying what to do, never a stack trace."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def python_module(module: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "CDS_"))}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def cds(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return python_module("api.cli", *args, env=env)


def assert_clear_failure(proc: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines, proc.stderr
    assert lines[0].startswith("error: "), proc.stderr
    for phrase in phrases:
        assert phrase in proc.stderr


def test_java_missing(tmp_path: Path) -> None:
    # A PATH with python only: no java anywhere, no JAVA_HOME.
    (tmp_path / "bin").mkdir()
    proc = cds(
        "neo4j",
        "start",
        env={"PATH": str(tmp_path / "bin"), "CDS_LOCAL_NEO4J_DATA": str(tmp_path / "store")},
    )
    assert_clear_failure(proc, "Java 17 or newer is required", "NEO4J_URI")


def test_port_taken(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = cds(
            "neo4j",
            "start",
            env={
                "PATH": os.environ["PATH"],
                "CDS_LOCAL_NEO4J_PORT": str(port),
                "CDS_LOCAL_NEO4J_DATA": str(tmp_path / "store"),
            },
        )
    assert_clear_failure(proc, f"port {port}", "CDS_LOCAL_NEO4J_PORT")


def test_nothing_listening_at_neo4j_uri() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        proc = cds(
            "migrate", env={"PATH": os.environ["PATH"], "NEO4J_URI": f"bolt://127.0.0.1:{port}"}
        )
    assert_clear_failure(proc, "cannot reach Neo4j", "NEO4J_URI")


@pytest.mark.parametrize("bench", ["bench.load", "bench.ceiling", "bench.imports", "bench.peer"])
def test_benchmarks_without_a_server_say_so(bench: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = python_module(
            bench, env={"PATH": os.environ["PATH"], "NEO4J_URI": f"bolt://127.0.0.1:{port}"}
        )
    assert_clear_failure(proc, "cannot reach Neo4j", "NEO4J_URI")


def test_neo4j_uri_that_is_not_neo4j() -> None:
    proc = cds("migrate", env={"PATH": os.environ["PATH"], "NEO4J_URI": "http://localhost:7474"})
    assert_clear_failure(proc, "is not a Neo4j address", "neo4j://")


@pytest.mark.usefixtures("graph")
def test_wrong_password(neo4j_server: tuple[str, str]) -> None:
    uri, _ = neo4j_server
    proc = cds(
        "migrate",
        env={"PATH": os.environ["PATH"], "NEO4J_URI": uri, "NEO4J_PASSWORD": "not-the-password"},
    )
    assert_clear_failure(proc, "refused user 'neo4j'", "NEO4J_PASSWORD")
