"""Province rankings, computed from the national coverage report so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph.reports.coverage import Coverage, CoverageMetrics
from graph.units.units import UnitRecord


class RankingMetric(StrEnum):
    TEAM_COVERAGE = "TEAM_COVERAGE"  # communes with an active team / communes
    FOCAL_POINT_COVERAGE = "FOCAL_POINT_COVERAGE"  # agencies with a focal point / agencies
    # The packages carry no population, so experts are ranked per 100 communes, not per 100k
    # residents.
    EXPERTS_PER_100_COMMUNES = "EXPERTS_PER_100_COMMUNES"
    CDS_STAFF_RATIO = "CDS_STAFF_RATIO"  # CĐS staff / staff, where headcounts are reported
    # Households the teams helped (coverage's window, #17): per 1,000 residents where the
    # province's population is known (null, ranked last, where it is not), and per commune,
    # which every province has.
    HOUSEHOLDS_HELPED_PER_1000_RESIDENTS = "HOUSEHOLDS_HELPED_PER_1000_RESIDENTS"
    HOUSEHOLDS_HELPED_PER_COMMUNE = "HOUSEHOLDS_HELPED_PER_COMMUNE"
    # Running teams with a report within the last N days / running teams (coverage's
    # activeTeamShare): the map offers it, so the ranking does too.
    ACTIVE_TEAM_SHARE = "ACTIVE_TEAM_SHARE"
    # The request side (#15), as supportFigures ranks it (graph/reports/support_figures.py).
    # Answered requests / requests filed: higher first; null (no request) last.
    ANSWERED_SHARE = "ANSWERED_SHARE"
    # Requests still open: most first, since this ranking says where help is waited for (0
    # when none, never null). Numerator: the open requests; denominator: those filed.
    OPEN_REQUESTS = "OPEN_REQUESTS"
    # Median hours from filing to the first accepted expert: fastest first; null (nothing
    # answered) last. Numerator: the answered requests it is the median of; denominator: filed.
    MEDIAN_HOURS_TO_FIRST_ACCEPT = "MEDIAN_HOURS_TO_FIRST_ACCEPT"


# Where a smaller value ranks first.
LOWER_IS_BETTER = frozenset({RankingMetric.MEDIAN_HOURS_TO_FIRST_ACCEPT})


@dataclass(frozen=True, slots=True)
class Rank:
    rank: int
    province: UnitRecord
    value: float | None
    numerator: int
    denominator: int


def _fraction(
    metric: RankingMetric, m: CoverageMetrics, population: int | None
) -> tuple[int, int, float]:
    if metric is RankingMetric.HOUSEHOLDS_HELPED_PER_1000_RESIDENTS:
        return m.households_helped, population or 0, 1000.0
    if metric is RankingMetric.HOUSEHOLDS_HELPED_PER_COMMUNE:
        return m.households_helped, m.communes, 1.0
    if metric is RankingMetric.TEAM_COVERAGE:
        return m.communes_with_team, m.communes, 1.0
    if metric is RankingMetric.ACTIVE_TEAM_SHARE:
        return m.active_teams, m.teams, 1.0
    if metric is RankingMetric.FOCAL_POINT_COVERAGE:
        return m.agencies_with_focal_point, m.agencies, 1.0
    if metric is RankingMetric.EXPERTS_PER_100_COMMUNES:
        return m.experts, m.communes, 100.0
    return m.reported_cds_staff, m.reported_staff, 1.0


def score(
    metric: RankingMetric, m: CoverageMetrics, population: int | None = None
) -> tuple[int, int, float | None]:
    """(numerator, denominator, value): the value rounded as the API gives it. ``population``:
    the province's, for the per-resident metrics."""
    if metric is RankingMetric.OPEN_REQUESTS:
        return m.open_requests, m.requests, float(m.open_requests)
    if metric is RankingMetric.MEDIAN_HOURS_TO_FIRST_ACCEPT:
        return m.answered_requests, m.requests, m.median_hours_to_first_accept
    if metric is RankingMetric.ANSWERED_SHARE:
        return m.answered_requests, m.requests, m.support.answered_share
    num, den, factor = _fraction(metric, m, population)
    return num, den, round(num * factor / den, 6) if den else None


def rank_provinces(report: Coverage, metric: RankingMetric) -> list[Rank]:
    """Best first (highest, or lowest for ``LOWER_IS_BETTER``; most open requests first);
    provinces with nothing to measure (value null) last. Equal values share a rank
    (competition ranking: 1, 2, 2, 4)."""
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0
    scored = [(row.unit, *score(metric, row.metrics, row.unit.population)) for row in report.rows]
    scored.sort(key=lambda s: (s[3] is None, sign * (s[3] or 0.0), s[0].code))
    ranks: list[Rank] = []
    for position, (unit, num, den, value) in enumerate(scored, start=1):
        same = ranks and value is not None and ranks[-1].value == value
        ranks.append(Rank(ranks[-1].rank if same else position, unit, value, num, den))
    return ranks
