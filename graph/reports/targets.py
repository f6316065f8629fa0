"""Targets as data: ``(:Target {id, indicator, threshold, deadline, sourceDecision, scopeCode})``.

Decision 1690's national targets are seeded by migration 12 (graph/core/migrations.py) with no
scopeCode. A province may carry its own target for an indicator (``scopeCode`` = the current
province code): for that province it wins over the national one. The writer of ``Target`` nodes
besides that migration is ``upsert_target``.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.audit.events import Actor, diff, record
from graph.core.commands import Changed
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.errors import NotFound
from graph.core.model import CENTRAL_UNIT_KEY
from graph.core.validation import Checker, Code
from graph.reports.coverage import CoverageMetrics
from graph.units.scopes import Guard, Kind, placement


class Indicator(enum.StrEnum):
    AGENCIES_WITH_FOCAL_POINT = (
        "AGENCIES_WITH_FOCAL_POINT"  # agencies with a focal point / agencies
    )
    COMMUNES_WITH_TEAM = "COMMUNES_WITH_TEAM"  # communes with an active team / communes
    CDS_STAFF_RATIO = "CDS_STAFF_RATIO"  # CĐS staff / staff, where both are reported


def indicator_value(m: CoverageMetrics, indicator: Indicator) -> float | None:
    """The ratio the indicator measures; None when its denominator is zero."""
    part, whole = {
        Indicator.AGENCIES_WITH_FOCAL_POINT: (m.agencies_with_focal_point, m.agencies),
        Indicator.COMMUNES_WITH_TEAM: (m.communes_with_team, m.communes),
        Indicator.CDS_STAFF_RATIO: (m.reported_cds_staff, m.reported_staff),
    }[indicator]
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class TargetRecord:
    id: str
    indicator: Indicator
    threshold: float
    deadline: dt.date
    source_decision: str
    scope_code: str | None

    @staticmethod
    def from_map(m: dict[str, Any]) -> TargetRecord:
        return TargetRecord(
            m["id"],
            Indicator(m["indicator"]),
            float(m["threshold"]),
            native(m["deadline"]),
            m["sourceDecision"],
            m.get("scopeCode"),
        )


async def effective_targets(tx: Tx, scope_code: str | None) -> list[TargetRecord]:
    """Per indicator, the scope's own target if it has one, else the national one (the earliest
    deadline first when several are stored)."""
    records = await run(
        tx,
        """
        MATCH (t:Target) WHERE t.scopeCode IS NULL OR t.scopeCode = $scope
        WITH t ORDER BY CASE WHEN t.scopeCode IS NULL THEN 1 ELSE 0 END, t.deadline, t.id
        WITH t.indicator AS indicator, head(collect(t)) AS chosen
        RETURN chosen {.id, .indicator, .threshold, .deadline, .sourceDecision, .scopeCode} AS t
        ORDER BY indicator
        """,
        scope=scope_code,
    )
    return [TargetRecord.from_map(r["t"]) for r in records]


async def province_targets(tx: Tx) -> list[TargetRecord]:
    """Every province's own targets: per province and indicator the one ``effective_targets``
    would choose there (the earliest deadline). A province without one follows the national."""
    records = await run(
        tx,
        """
        MATCH (t:Target) WHERE t.scopeCode IS NOT NULL
        WITH t ORDER BY t.deadline, t.id
        WITH t.scopeCode AS scope, t.indicator AS indicator, head(collect(t)) AS chosen
        RETURN chosen {.id, .indicator, .threshold, .deadline, .sourceDecision, .scopeCode} AS t
        ORDER BY scope, indicator
        """,
    )
    return [TargetRecord.from_map(r["t"]) for r in records]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A province below the target in force there (its own, else the national one)."""

    province_code: str
    province_name: str
    value: float
    threshold: float
    gap: float  # threshold − value


def furthest(
    rows: Sequence[tuple[str, str, CoverageMetrics]],
    national: TargetRecord,
    own: Sequence[TargetRecord],
    n: int = 5,
) -> list[Shortfall]:
    """The ``n`` provinces (code, name, figures) furthest below their target for the
    national target's indicator, the largest gap first; provinces without a value are left
    out (nothing measured is not a gap of 100%)."""
    thresholds = {t.scope_code: t.threshold for t in own if t.indicator is national.indicator}
    out = []
    for code, name, metrics in rows:
        value = indicator_value(metrics, national.indicator)
        threshold = thresholds.get(code, national.threshold)
        if value is not None and value < threshold:
            out.append(Shortfall(code, name, value, threshold, threshold - value))
    out.sort(key=lambda s: (-s.gap, s.province_code))
    return out[:n]


async def upsert_target(tx: Tx, target: TargetRecord) -> None:
    """A province's override (or a new national target), MERGEd by id."""
    await run(
        tx,
        """
        MERGE (t:Target {id: $id})
        SET t.indicator = $indicator, t.threshold = $threshold, t.deadline = $deadline,
            t.sourceDecision = $source, t.scopeCode = $scope
        """,
        id=target.id,
        indicator=target.indicator.value,
        threshold=target.threshold,
        deadline=target.deadline,
        source=target.source_decision,
        scope=target.scope_code,
    )


@dataclass(frozen=True, slots=True)
class SetTarget:
    indicator: Indicator
    threshold: float
    deadline: dt.date
    source_decision: str
    province_code: str | None  # a current province's own target; None: the national one


_TARGET_FIELDS = "t {.id, .indicator, .threshold, .deadline, .sourceDecision, .scopeCode}"


def _comparable(t: TargetRecord) -> dict[str, object]:
    return {"threshold": t.threshold, "deadline": t.deadline, "sourceDecision": t.source_decision}


async def set_target(tx: Tx, cmd: SetTarget, actor: Actor, guard: Guard) -> Changed[TargetRecord]:
    """Set the scope's target for an indicator: the national one (the guard must admit the
    central level: the national coordinator) or a province's override (its coordinator). The
    scope's existing target for the indicator is changed in place, else one is created."""
    check = Checker()
    source = check.text("sourceDecision", cmd.source_decision, required=True)
    check.require(
        math.isfinite(cmd.threshold) and 0 < cmd.threshold <= 1,
        "threshold",
        Code.INVALID_VALUE,
        "a ratio above 0 and at most 1 (1.0 is 100%)",
    )
    check.done()
    code = cmd.province_code.strip() if cmd.province_code else None
    unit_key = CENTRAL_UNIT_KEY
    if code is not None:
        unit = await run_single(
            tx,
            "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE', code: $code}) "
            "RETURN u.key AS key",
            code=code,
        )
        if unit is None:
            raise NotFound("current province", code)
        unit_key = unit["key"]
    guard(await placement(tx, Kind.UNIT, unit_key))
    found = await run_single(
        tx,
        "MATCH (t:Target {indicator: $indicator}) "
        "WHERE ($scope IS NULL AND t.scopeCode IS NULL) OR t.scopeCode = $scope "
        "RETURN " + _TARGET_FIELDS + " AS t ORDER BY t.deadline, t.id LIMIT 1",
        indicator=cmd.indicator.value,
        scope=code,
    )
    before = None if found is None else TargetRecord.from_map(found["t"])
    target_id = (
        before.id
        if before is not None
        else f"target-{code or 'vn'}-{cmd.indicator.value.lower().replace('_', '-')}"
    )
    after = TargetRecord(target_id, cmd.indicator, cmd.threshold, cmd.deadline, source or "", code)
    changes = diff({} if before is None else _comparable(before), _comparable(after))
    if not changes:
        return Changed(after, None)
    await upsert_target(tx, after)
    seq = await record(tx, actor, "setTarget", (Kind.TARGET, target_id), changes)
    return Changed(after, seq)
