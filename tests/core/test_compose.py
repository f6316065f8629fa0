"""docker-compose.yml as `docker compose` reads it, without a Docker engine (#18).

tools/compose-check loads the file with compose-go, the library Docker Compose itself is built
on (schema, `${VAR:?message}` interpolation, service semantics); the test builds it with Go from
the module cache and reads the resolved project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"NEO4J_PASSWORD": "s3cret", "CDS_JWT_SIGNING_KEY": "k" * 32, "CDS_EMAIL_TOKEN_KEY": "e"}


@pytest.fixture(scope="module")
def compose_check(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    assert go, "Go builds tools/compose-check; install it (Debian: golang)"
    binary = tmp_path_factory.mktemp("compose") / "compose-check"
    subprocess.run(
        [go, "build", "-o", str(binary), "."], cwd=ROOT / "tools" / "compose-check", check=True
    )
    return binary


def _load(binary: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [str(binary), str(ROOT / "docker-compose.yml")],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_compose_file_resolves_as_docker_compose_reads_it(compose_check: Path) -> None:
    done = _load(compose_check, SECRETS)
    assert done.returncode == 0, done.stderr
    project: dict[str, Any] = json.loads(done.stdout)
    neo4j, api = project["services"]["neo4j"], project["services"]["api"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/s3cret"
    assert any(v["target"] == "/data" and v["source"] == "neo4j-data" for v in neo4j["volumes"])
    assert "neo4j-data" in project["volumes"]
    # The API starts only once Neo4j answers, and is itself healthy only when ready.
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert api["environment"]["CDS_ENVIRONMENT"] == "production"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["build"]["dockerfile"] == "Dockerfile"


def test_it_refuses_to_start_without_the_production_secrets(compose_check: Path) -> None:
    done = _load(compose_check, {})
    assert done.returncode == 1
    for name in SECRETS:
        assert f"required variable {name} is missing a value" in done.stderr
