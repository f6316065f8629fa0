"""Targets as data: ``(:Target {id, indicator, threshold, deadline, sourceDecision, scopeCode})``.

Decision 1690's national targets are seeded by migration 12 (graph/core/migrations.py) with no
scopeCode. A province may carry its own target for an indicator (``scopeCode`` = the current
province code): for that province it wins over the national one. The writer of ``Target`` nodes
besides that migration is ``upsert_target``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from graph.core.cypher import native
from graph.core.db import Tx, run
from graph.reports.coverage import CoverageMetrics


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
