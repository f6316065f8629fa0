"""setTarget (#16): the national coordinator sets national targets, a provincial coordinator
their province's own; audited; typed errors; the province's own target is then the one in
force there (targets, coverageSeries) and nowhere else."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.migrations import NATIONAL_TARGETS, heal_targets
from graph.core.settings import Settings
from graph.reports import editions, targets
from graph.reports.coverage import CoverageMetrics
from graph.reports.targets import Indicator, TargetRecord
from tests.gql import gql
from tests.tokens import bearer

SET = (
    "mutation($i: SetTargetInput!) { setTarget(input: $i) { __typename"
    " ... on TargetPayload { target { id indicator threshold deadline sourceDecision scopeCode }"
    " auditSeq }"
    " ... on ValidationErrors { errors { field code } }"
    " ... on NotAuthorized { message }"
    " ... on NotFoundError { kind key } } }"
)
TARGETS = "query($s: String) { targets(scopeCode: $s) { id indicator threshold scopeCode } }"


def _input(**overrides: Any) -> dict[str, Any]:
    return {
        "i": {
            "indicator": "CDS_STAFF_RATIO",
            "threshold": 0.15,
            "deadline": "2028-12-31",
            "sourceDecision": "12/QĐ-UBND thử",
            **overrides,
        }
    }


@pytest.fixture(autouse=True)
async def restore(graph: Graph) -> AsyncIterator[None]:
    yield

    async def remove(tx: Tx) -> None:
        await run(tx, "MATCH (t:Target) WHERE t.id STARTS WITH 'target-' DETACH DELETE t")
        await run(tx, "MATCH (t:Target) WHERE t.id STARTS WITH 'qd1690-' DETACH DELETE t")

    await graph.write(remove)
    await heal_targets(graph)  # the seeded national targets, as migration 13 writes them


async def _audited(graph: Graph, target_id: str) -> list[str]:
    async def read(tx: Tx) -> list[str]:
        records = await run(
            tx,
            "MATCH (a:AuditEvent {mutation: 'setTarget'})-[:CONCERNS]->(:Target {id: $id}) "
            "RETURN a.changes AS c ORDER BY a.seq",
            id=target_id,
        )
        return [r["c"] for r in records]

    return await graph.read(read)


async def test_national_coordinator_sets_a_national_target(
    client: httpx.AsyncClient, settings: Settings, graph: Graph
) -> None:
    national = bearer(settings, Role.NATIONAL_COORDINATOR)
    data = await gql(client, SET, _input(threshold=0.12, deadline="2030-12-31"), headers=national)
    result = data["setTarget"]
    assert result["__typename"] == "TargetPayload"
    assert result["target"]["id"] == "qd1690-cds-staff-ratio"  # changed in place
    assert (result["target"]["threshold"], result["target"]["scopeCode"]) == (0.12, None)
    assert result["auditSeq"] is not None
    found = {t["indicator"]: t for t in (await gql(client, TARGETS))["targets"]}
    assert found["CDS_STAFF_RATIO"]["threshold"] == 0.12
    changes = await _audited(graph, "qd1690-cds-staff-ratio")
    assert len(changes) == 1
    assert "0.12" in changes[0]
    assert "sourceDecision" in changes[0]
    again = await gql(client, SET, _input(threshold=0.12, deadline="2030-12-31"), headers=national)
    assert again["setTarget"]["auditSeq"] is None  # nothing changed, nothing audited
    assert len(await _audited(graph, "qd1690-cds-staff-ratio")) == 1


async def test_province_sets_its_own_target_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    hanoi = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
    own = (await gql(client, SET, _input(provinceCode="01"), headers=hanoi))["setTarget"]
    assert own["__typename"] == "TargetPayload"
    assert own["target"]["id"] == "target-01-cds-staff-ratio"
    assert own["target"]["scopeCode"] == "01"
    in_hanoi = {t["indicator"]: t for t in (await gql(client, TARGETS, {"s": "01"}))["targets"]}
    elsewhere = {t["indicator"]: t for t in (await gql(client, TARGETS, {"s": "79"}))["targets"]}
    assert in_hanoi["CDS_STAFF_RATIO"]["threshold"] == 0.15
    assert elsewhere["CDS_STAFF_RATIO"]["threshold"] == NATIONAL_TARGETS[1]["threshold"]

    for variables in (_input(), _input(provinceCode="79")):
        refused = (await gql(client, SET, variables, headers=hanoi))["setTarget"]
        assert refused["__typename"] == "NotAuthorized", variables
    officer = bearer(settings, Role.COMMUNE_OFFICER, scope="00004")
    refused = (await gql(client, SET, _input(provinceCode="01"), headers=officer))["setTarget"]
    assert refused["__typename"] == "NotAuthorized"
    anonymous = (await gql(client, SET, _input(provinceCode="01")))["setTarget"]
    assert anonymous["__typename"] == "NotAuthorized"


async def test_typed_errors_name_the_field(client: httpx.AsyncClient, settings: Settings) -> None:
    national = bearer(settings, Role.NATIONAL_COORDINATOR)
    bad = (await gql(client, SET, _input(threshold=1.5, sourceDecision=" "), headers=national))[
        "setTarget"
    ]
    assert bad["__typename"] == "ValidationErrors"
    assert {(e["field"], e["code"]) for e in bad["errors"]} == {
        ("threshold", "INVALID_VALUE"),
        ("sourceDecision", "REQUIRED"),
    }
    unknown = (await gql(client, SET, _input(provinceCode="99"), headers=national))["setTarget"]
    assert (unknown["__typename"], unknown["key"]) == ("NotFoundError", "99")


async def test_province_target_frozen_with_the_edition_and_used_in_its_report(
    client: httpx.AsyncClient, settings: Settings, graph: Graph
) -> None:
    """Hà Nội sets itself a CĐS staff ratio of 100%: no province is as far below its target,
    so the report's list for that target starts with Hà Nội, marked as its own target; a later
    change of the target does not change the published edition."""
    hanoi = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
    await gql(client, SET, _input(provinceCode="01", threshold=1.0), headers=hanoi)
    published = await editions.publish(graph, dt.date(2026, 6, 30), dt.datetime.now(dt.UTC))
    edition = published.edition.id
    try:
        await gql(client, SET, _input(provinceCode="01", threshold=0.5), headers=hanoi)
        frozen = await gql(
            client,
            "query($e: ID) { provinceTargets(edition: $e) { indicator threshold scopeCode } }",
            {"e": edition},
        )
        assert frozen["provinceTargets"] == [
            {"indicator": "CDS_STAFF_RATIO", "threshold": 1.0, "scopeCode": "01"}
        ]
        today = (await gql(client, "{ provinceTargets { threshold scopeCode } }"))[
            "provinceTargets"
        ]
        assert today == [{"threshold": 0.5, "scopeCode": "01"}]

        html = (await client.get(f"/reports/editions/{edition}")).text
        staff = html[html.index("Tỷ lệ cán bộ CĐS") :]
        table = staff[staff.index('class="furthest"') :]
        first_row = table[table.index("<tbody>") :].split("</tr>")[0]
        assert "Hà Nội" in first_row
        assert "100,0% (riêng)" in first_row
    finally:

        async def drop(tx: Tx) -> None:
            await run(
                tx,
                "MATCH (e:Edition {id: $id}) OPTIONAL MATCH (e)-[*1..2]->(x) "
                "WHERE x:EditionFigures OR x:EditionTarget DETACH DELETE e, x",
                id=edition,
            )

        await graph.write(drop)


def test_furthest_uses_each_province_own_target() -> None:
    national = TargetRecord("n", Indicator.CDS_STAFF_RATIO, 0.1, dt.date(2030, 12, 31), "QĐ", None)
    own = [TargetRecord("o", Indicator.CDS_STAFF_RATIO, 0.5, dt.date(2030, 12, 31), "QĐ", "02")]

    def figures(staff: int, cds: int) -> CoverageMetrics:
        return CoverageMetrics(0, 0, 0, 0, 0, 0, 0, 0, staff, cds, 0)

    rows = [
        ("01", "A", figures(100, 2)),  # 2% against 10%: short by 8 points
        ("02", "B", figures(100, 20)),  # 20% against its own 50%: short by 30
        ("03", "C", figures(100, 12)),  # above the national target
        ("04", "D", figures(0, 0)),  # nothing reported: no value, not a gap
    ]
    found = targets.furthest(rows, national, own)
    assert [(f.province_code, f.threshold) for f in found] == [("02", 0.5), ("01", 0.1)]
    assert found[0].gap == pytest.approx(0.3)
