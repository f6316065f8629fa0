"""Published editions: the figures of one period end, frozen (measure 5: periodic public rankings).

``(:Edition {id, periodEnd, publishedAt, dataVersion})`` holds, through ``HAS_FIGURES``, one
``(:EditionFigures)-[:OF]->(:AdministrativeUnit)`` per province and one for the nation (the
central unit): the counts ``coverage`` gives on ``periodEnd`` (graph/reports/coverage.py, the same
query), each province's rank under every ``RankingMetric``, and through ``MEASURED`` the targets
in force (``EditionTarget``). Nothing here is ever updated: a published edition stays as it was.

An edition is keyed by (period end, data version): the graph's change counter
(graph/core/changes.py) read in the transaction that computes the figures. Taking a snapshot
again with nothing changed finds that edition and creates nothing; after a change it publishes
a new edition for the same period end beside the old one. Publishing does not bump the counter
(it changes no figure the API computes), so it never makes itself stale; it bumps the separate
"published" counter, so cached answers of the `editions` list do see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from neo4j.exceptions import ConstraintError

from graph.core import changes
from graph.core.cypher import native
from graph.core.db import Graph, Tx, run
from graph.reports import coverage as coverage_queries
from graph.reports.coverage import Coverage, CoverageMetrics, CoverageRow
from graph.reports.ranking import Rank, RankingMetric, rank_provinces, score
from graph.reports.series import Step, period_ends
from graph.reports.targets import TargetRecord, effective_targets, province_targets
from graph.units import units
from graph.units.units import UNIT_FIELDS, unit_from_map


def last_quarter_end(day: dt.date) -> dt.date:
    """The last calendar quarter end on or before ``day`` (the day itself when it is one): no
    quarter is longer than 92 days, so the window holds at least one."""
    return period_ends(day - dt.timedelta(days=92), day, Step.QUARTER)[-1]


@dataclass(frozen=True, slots=True)
class EditionRecord:
    id: str
    period_end: dt.date
    published_at: dt.datetime
    data_version: int

    @staticmethod
    def from_map(m: dict[str, Any]) -> EditionRecord:
        return EditionRecord(
            m["id"], native(m["periodEnd"]), native(m["publishedAt"]), int(m["dataVersion"])
        )


@dataclass(frozen=True, slots=True)
class EditionContent:
    """An edition's frozen figures as a national ``Coverage`` (rows: provinces), its ranks and
    the targets it was measured against."""

    edition: EditionRecord
    coverage: Coverage
    ranks: dict[tuple[RankingMetric, str], int]  # (metric, province key) -> rank
    targets: list[TargetRecord]  # the national ones
    province_targets: list[TargetRecord]  # the provinces' own, frozen with the edition

    def ranking(self, metric: RankingMetric) -> list[Rank]:
        """The ranking as published: the frozen ranks, best first."""
        rows = sorted(
            self.coverage.rows,
            key=lambda r: (self.ranks[(metric, r.unit.key)], r.unit.code),
        )
        return [
            Rank(
                self.ranks[(metric, r.unit.key)],
                r.unit,
                *_value_last(score(metric, r.metrics, r.unit.population)),
            )
            for r in rows
        ]


def _value_last(s: tuple[int, int, float | None]) -> tuple[float | None, int, int]:
    num, den, value = s
    return value, num, den


@dataclass(frozen=True, slots=True)
class Published:
    edition: EditionRecord
    created: bool  # False: this period end was already published at this data version
    provinces: int


def edition_id(period_end: dt.date, data_version: int) -> str:
    return f"{period_end.isoformat()}-v{data_version}"


def _figure_rows(report: Coverage) -> list[dict[str, Any]]:
    ranks: dict[str, dict[str, int]] = {row.unit.key: {} for row in report.rows}
    for metric in RankingMetric:
        for r in rank_provinces(report, metric):
            ranks[r.province.key]["rank_" + metric.value] = r.rank
    rows = [
        {"unitKey": row.unit.key, "props": {**row.metrics.to_map(), **ranks[row.unit.key]}}
        for row in report.rows
    ]
    rows.append(
        {"unitKey": report.scope_key, "props": {**report.totals.to_map(), "national": True}}
    )
    return rows


async def _find(tx: Tx, edition: str) -> EditionRecord | None:
    records = await run(
        tx,
        "MATCH (e:Edition {id: $id}) RETURN e {.id, .periodEnd, .publishedAt, .dataVersion} AS e",
        id=edition,
    )
    return EditionRecord.from_map(records[0]["e"]) if records else None


async def _publish(tx: Tx, period_end: dt.date, now: dt.datetime) -> Published:
    """Read the version and the figures and write the edition in one transaction, so the
    figures are those of the version the edition names."""
    version = await changes.current(tx)
    found = await _find(tx, edition_id(period_end, version))
    if found is not None:
        return Published(found, created=False, provinces=0)
    scope = await units.resolve_scope(tx, None, period_end, in_current_units=False)
    report = await coverage_queries.coverage(tx, scope.key, period_end, in_current_units=False)
    # The national targets and the provinces' own, as in force when it was published.
    targets = [*await effective_targets(tx, None), *await province_targets(tx)]
    records = await run(
        tx,
        """
        CREATE (e:Edition {id: $id, periodEnd: $periodEnd, publishedAt: $now,
                           dataVersion: $version})
        WITH e
        CALL (e) {
          UNWIND $targets AS t
          CREATE (e)-[:MEASURED]->(x:EditionTarget)
          SET x = t
        }
        CALL (e) {
          UNWIND $rows AS row
          MATCH (u:AdministrativeUnit {key: row.unitKey})
          CREATE (e)-[:HAS_FIGURES]->(f:EditionFigures)-[:OF]->(u)
          SET f = row.props
          RETURN count(f) AS figures
        }
        RETURN e {.id, .periodEnd, .publishedAt, .dataVersion} AS e, figures
        """,
        id=edition_id(period_end, version),
        periodEnd=period_end,
        now=now,
        version=version,
        targets=[
            {
                "id": t.id,
                "indicator": t.indicator.value,
                "threshold": t.threshold,
                "deadline": t.deadline,
                "sourceDecision": t.source_decision,
                "scopeCode": t.scope_code,
            }
            for t in targets
        ],
        rows=_figure_rows(report),
    )
    await changes.bump(tx, changes.PUBLISHED_ID)  # the editions list changed
    return Published(EditionRecord.from_map(records[0]["e"]), True, int(records[0]["figures"]) - 1)


async def publish(graph: Graph, period_end: dt.date, now: dt.datetime) -> Published:
    """``cds snapshot``: publish the period end's edition at the current data version, or find
    it. Two snapshots racing for the same (period end, version) meet on the unique id: the loser
    finds the winner's edition."""
    try:
        return await graph.write(_publish, period_end, now)
    except ConstraintError:
        return await graph.write(_publish, period_end, now)


async def list_editions(tx: Tx) -> list[EditionRecord]:
    """Newest first (by publication; the same period end may have several editions)."""
    records = await run(
        tx,
        "MATCH (e:Edition) RETURN e {.id, .periodEnd, .publishedAt, .dataVersion} AS e "
        "ORDER BY e.publishedAt DESC, e.id DESC",
    )
    return [EditionRecord.from_map(r["e"]) for r in records]


async def edition_content(tx: Tx, edition: str) -> EditionContent | None:
    records = await run(
        tx,
        """
        MATCH (e:Edition {id: $id})
        CALL (e) {
          MATCH (e)-[:HAS_FIGURES]->(f:EditionFigures)-[:OF]->(u:AdministrativeUnit)
          RETURN collect({figures: properties(f), unit: u {"""
        + UNIT_FIELDS
        + """}}) AS rows
        }
        CALL (e) {
          OPTIONAL MATCH (e)-[:MEASURED]->(t:EditionTarget)
          RETURN collect(t {.id, .indicator, .threshold, .deadline, .sourceDecision,
                            .scopeCode}) AS targets
        }
        RETURN e {.id, .periodEnd, .publishedAt, .dataVersion} AS e, rows, targets
        """,
        id=edition,
    )
    if not records:
        return None
    record = records[0]
    edition_record = EditionRecord.from_map(record["e"])
    rows: list[CoverageRow] = []
    ranks: dict[tuple[RankingMetric, str], int] = {}
    totals = None
    for r in record["rows"]:
        unit, figures = unit_from_map(r["unit"]), r["figures"]
        metrics = CoverageMetrics.from_map(figures)
        if figures.get("national"):
            scope_key, totals = unit.key, metrics
            continue
        rows.append(CoverageRow(unit, metrics))
        for metric in RankingMetric:
            if (rank := figures.get("rank_" + metric.value)) is not None:
                ranks[(metric, unit.key)] = int(rank)
    assert totals is not None, "an edition always has its national figures"
    rows.sort(key=lambda r: r.unit.code)
    report = Coverage(scope_key, edition_record.period_end, False, rows, totals)
    # An edition published before a metric existed has no frozen rank for it: ranked from its
    # own frozen figures, which is what it would have published.
    for metric in RankingMetric:
        if rows and (metric, rows[0].unit.key) not in ranks:
            ranks.update({(metric, r.province.key): r.rank for r in rank_provinces(report, metric)})
    frozen = [TargetRecord.from_map(t) for t in record["targets"]]
    targets = sorted((t for t in frozen if t.scope_code is None), key=lambda t: t.indicator.value)
    own = sorted(
        (t for t in frozen if t.scope_code is not None),
        key=lambda t: (t.scope_code or "", t.indicator.value),
    )
    return EditionContent(edition_record, report, ranks, targets, own)


async def national_history(tx: Tx, edition: str) -> list[tuple[dt.date, CoverageMetrics]]:
    """The national figures as known when ``edition`` was published: for each period end up to
    its own, the latest edition published no later than it. A report's trend never changes
    when later editions appear."""
    records = await run(
        tx,
        """
        MATCH (this:Edition {id: $id})
        MATCH (e:Edition)-[:HAS_FIGURES]->(f:EditionFigures {national: true})
        WHERE e.periodEnd <= this.periodEnd AND e.publishedAt <= this.publishedAt
        WITH e, f ORDER BY e.periodEnd, e.publishedAt DESC, e.dataVersion DESC
        WITH e.periodEnd AS periodEnd, head(collect(properties(f))) AS figures
        RETURN periodEnd, figures ORDER BY periodEnd
        """,
        id=edition,
    )
    return [(native(r["periodEnd"]), CoverageMetrics.from_map(r["figures"])) for r in records]


async def edition_province_targets(tx: Tx, edition: str) -> list[TargetRecord] | None:
    """The provinces' own targets frozen with ``edition`` (None: no such edition)."""
    records = await run(
        tx,
        """
        MATCH (e:Edition {id: $id})
        OPTIONAL MATCH (e)-[:MEASURED]->(t:EditionTarget) WHERE t.scopeCode IS NOT NULL
        WITH t ORDER BY t.scopeCode, t.indicator
        RETURN collect(t {.id, .indicator, .threshold, .deadline, .sourceDecision,
                          .scopeCode}) AS targets
        """,
        id=edition,
    )
    if not records:
        return None
    return [TargetRecord.from_map(t) for t in records[0]["targets"]]
