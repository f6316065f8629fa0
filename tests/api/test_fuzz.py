"""A bounded GraphQL fuzz run (schemathesis in GraphQL mode, on a real `cds serve` process):
queries and mutations generated from the schema, every root field a few times, as an anonymous
caller and as a national coordinator. No answer may be an HTTP 5xx or an INTERNAL (masked)
error; typed errors and INVALID_INPUT are what bad input should get.

Bounded: a fixed number of examples per root field, derandomised, no example database, so a run
takes the same time and the same requests every time. The national coordinator's mutations are
not fuzzed: they would write random organisations and teams into the graph other tests read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.core.result import Ok

from api.schema import schema as app_schema
from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from tests.e2e.conftest import launch_server
from tests.tokens import bearer

EXAMPLES_PER_FIELD = 5


def root_fields(roots: set[str]) -> set[str]:
    """Every query and mutation of the app's schema, as schemathesis labels them."""
    graphql_schema = app_schema._schema
    types = {"Query": graphql_schema.query_type, "Mutation": graphql_schema.mutation_type}
    return {f"{root}.{name}" for root in roots if (t := types[root]) for name in t.fields}


@dataclass
class Run:
    cases: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def check(self, label: str, case: Any, status: int, body: Any) -> None:
        self.cases[label] = self.cases.get(label, 0) + 1
        errors = body.get("errors") if isinstance(body, dict) else None
        internal = [
            e for e in errors or [] if (e.get("extensions") or {}).get("code") == "INTERNAL"
        ]
        if status >= 500 or internal:
            self.problems.append(f"{label}: HTTP {status}, {internal or body!r}\n  {case.body!r}")


def fuzz(url: str, headers: dict[str, str], roots: set[str]) -> Run:
    schema = schemathesis.graphql.from_url(f"{url}/graphql", headers=headers, timeout=30)
    run = Run()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.label.split(".")[0] in roots:
            _fuzz_operation(operation, url, headers, run)
    return run


def _fuzz_operation(operation: Any, url: str, headers: dict[str, str], run: Run) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def one(case: Any) -> None:
        response = case.call(base_url=url, headers=headers, timeout=30)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        run.check(operation.label, case, response.status_code, body)

    one()


@pytest.mark.parametrize(
    ("role", "roots"),
    [(None, {"Query", "Mutation"}), (Role.NATIONAL_COORDINATOR, {"Query"})],
    ids=["anonymous", "national-coordinator"],
)
async def test_no_5xx_and_no_internal_error(
    graph: Graph, settings: Settings, tmp_path: Path, role: Role | None, roots: set[str]
) -> None:
    # One registration per run: what the fuzzer gets right is written once, not hundreds of times.
    server = await launch_server(settings, tmp_path, {"CDS_RATE_LIMIT_PER_ADDRESS": "1"})
    try:
        headers = bearer(settings, role) if role else {}
        run = await asyncio.to_thread(fuzz, server.url, headers, roots)
    finally:
        await server.stop()
    assert not run.problems, "\n".join(run.problems)
    # Not vacuous: every root field of the chosen kinds ran, each more than once.
    assert set(run.cases) == root_fields(roots), run.cases
    assert all(count >= 2 for count in run.cases.values()), run.cases
