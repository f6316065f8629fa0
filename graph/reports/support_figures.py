"""The request side of coverage (#15): per current province, the support requests filed for
it, those still open, the share answered (an expert accepted) and the median time from filing
to the first acceptance; with the national totals and a ranking by any of them.

A request counts in the province of the unit it is ``AT`` (where the help is wanted). Figures
are the graph's current state: requests carry their dates, but answered and open are read now.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.core.db import Tx, run
from graph.units.units import UnitRecord, unit_from_map

_FIGURES: LiteralString = """
RETURN count(r) AS requests,
       count(CASE WHEN r.status IN ['OPEN', 'MATCHING', 'ASSIGNED'] THEN 1 END) AS open,
       count(r.firstAcceptedAt) AS answered,
       percentileCont(CASE WHEN r.firstAcceptedAt IS NOT NULL
         THEN duration.inSeconds(r.createdAt, r.firstAcceptedAt).seconds / 3600.0 END, 0.5)
         AS medianHours
"""

_BY_PROVINCE: LiteralString = (
    """
MATCH (p:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE'})
OPTIONAL MATCH (r:SupportRequest)-[:AT]->(:AdministrativeUnit)-[:PART_OF*0..1]->(p)
WITH p {.*} AS unit, r
"""
    + _FIGURES.replace("RETURN ", "RETURN unit, ", 1)
    + "ORDER BY unit.code"
)
_NATIONAL: LiteralString = "OPTIONAL MATCH (r:SupportRequest)\n" + _FIGURES


@dataclass(frozen=True, slots=True)
class SupportFigures:
    requests: int
    open: int
    answered: int
    median_hours_to_first_accept: float | None

    @property
    def answered_share(self) -> float | None:
        return round(self.answered / self.requests, 6) if self.requests else None

    @staticmethod
    def from_record(r: Any) -> SupportFigures:
        median = r["medianHours"]
        return SupportFigures(
            int(r["requests"]),
            int(r["open"]),
            int(r["answered"]),
            None if median is None or r["answered"] == 0 else round(float(median), 3),
        )


@dataclass(frozen=True, slots=True)
class ProvinceSupport:
    province: UnitRecord
    figures: SupportFigures


@dataclass(frozen=True, slots=True)
class SupportReport:
    national: SupportFigures
    provinces: list[ProvinceSupport]


async def support_report(tx: Tx) -> SupportReport:
    rows = await run(tx, _BY_PROVINCE)
    national = await run(tx, _NATIONAL)
    return SupportReport(
        SupportFigures.from_record(national[0]),
        [ProvinceSupport(unit_from_map(r["unit"]), SupportFigures.from_record(r)) for r in rows],
    )


class SupportMetric(StrEnum):
    ANSWERED_SHARE = "ANSWERED_SHARE"  # higher is better
    OPEN_REQUESTS = "OPEN_REQUESTS"  # most first: where help is waited for
    MEDIAN_HOURS_TO_FIRST_ACCEPT = "MEDIAN_HOURS_TO_FIRST_ACCEPT"  # faster is better


def value(metric: SupportMetric, f: SupportFigures) -> float | None:
    if metric is SupportMetric.ANSWERED_SHARE:
        return f.answered_share
    if metric is SupportMetric.OPEN_REQUESTS:
        return float(f.open)
    return f.median_hours_to_first_accept


def rank(report: SupportReport, metric: SupportMetric) -> list[tuple[int, ProvinceSupport]]:
    """Best first (fastest for the median), null last, equal values share a rank (1, 2, 2, 4),
    as ``graph.reports.ranking.rank_provinces`` ranks the coverage metrics."""
    sign = 1.0 if metric is SupportMetric.MEDIAN_HOURS_TO_FIRST_ACCEPT else -1.0
    rows = sorted(
        report.provinces,
        key=lambda p: (
            value(metric, p.figures) is None,
            sign * (value(metric, p.figures) or 0.0),
            p.province.code,
        ),
    )
    ranked: list[tuple[int, ProvinceSupport]] = []
    for position, row in enumerate(rows, start=1):
        v = value(metric, row.figures)
        same = ranked and v is not None and value(metric, ranked[-1][1].figures) == v
        ranked.append((ranked[-1][0] if same else position, row))
    return ranked
