"""Coverage reports, gap lists and rankings as CSV or .xlsx, with Vietnamese labels.

The figures come from the same graph functions the GraphQL ``coverage``, ``coverageGaps`` and
``provinceRanking`` fields call, for the same scope and date, and ratios are rounded the same
way (6 decimals), so a file and the API never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.core.db import Graph
from graph.reports import coverage as coverage_queries
from graph.reports import gaps as gap_queries
from graph.reports.coverage import Coverage, CoverageMetrics
from graph.reports.gaps import GapArgs, GapKind, GapRecord
from graph.reports.ranking import RankingMetric, rank_provinces
from graph.units import units
from spreadsheets.files import Table, to_csv, to_xlsx


class ExportKind(StrEnum):
    COVERAGE = "coverage"
    GAPS = "gaps"
    RANKING = "ranking"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def ratio(part: int, whole: int) -> float | None:
    """As the API computes it (api/types/reports.py): 6 decimals, None without a whole."""
    return round(part / whole, 6) if whole else None


# (label, value of the metrics); the order of the file's columns.
COVERAGE_COLUMNS: tuple[tuple[str, Callable[[CoverageMetrics], Any]], ...] = (
    ("Số xã", lambda m: m.communes),
    ("Số xã có Tổ CNSCĐ", lambda m: m.communes_with_team),
    ("Tỷ lệ xã có Tổ CNSCĐ", lambda m: ratio(m.communes_with_team, m.communes)),
    ("Số Tổ CNSCĐ", lambda m: m.teams),
    ("Số thành viên (người)", lambda m: m.people),
    ("Số lượt thành viên", lambda m: m.memberships),
    ("Số cơ quan, tổ chức", lambda m: m.organisations),
    ("Số cơ quan phải cử đầu mối", lambda m: m.agencies),
    ("Số cơ quan có đầu mối CĐS", lambda m: m.agencies_with_focal_point),
    ("Tỷ lệ cơ quan có đầu mối", lambda m: ratio(m.agencies_with_focal_point, m.agencies)),
    ("Biên chế (có báo cáo)", lambda m: m.reported_staff),
    ("Biên chế CĐS (có báo cáo)", lambda m: m.reported_cds_staff),
    ("Tỷ lệ biên chế CĐS", lambda m: ratio(m.reported_cds_staff, m.reported_staff)),
    ("Chuyên gia đã xác minh", lambda m: m.experts),
    # Teams' activity (#17) over the last CDS_ACTIVE_TEAM_DAYS (90) days, as coverage gives it.
    ("Số người được hỗ trợ", lambda m: m.people_helped),
    ("Số hộ được hỗ trợ", lambda m: m.households_helped),
    ("Số Tổ CNSCĐ có hoạt động", lambda m: m.active_teams),
    ("Tỷ lệ Tổ CNSCĐ có hoạt động", lambda m: ratio(m.active_teams, m.teams)),
    ("Yêu cầu hỗ trợ đã gửi", lambda m: m.requests),
    ("Yêu cầu hỗ trợ đang mở", lambda m: m.open_requests),
    ("Yêu cầu đã có chuyên gia nhận", lambda m: m.answered_requests),
    ("Tỷ lệ yêu cầu có chuyên gia nhận", lambda m: ratio(m.answered_requests, m.requests)),
    ("Trung vị số giờ đến khi có chuyên gia nhận", lambda m: m.median_hours_to_first_accept),
)

UNIT_LEVELS = {"CENTRAL": "Toàn quốc", "PROVINCE": "Tỉnh", "DISTRICT": "Huyện", "COMMUNE": "Xã"}


def coverage_table(report: Coverage, scope: units.UnitRecord) -> Table:
    """One row per child unit, then the scope's totals (counted directly, not summed)."""
    headers = ["Mã", "Đơn vị hành chính", "Cấp", *(label for label, _ in COVERAGE_COLUMNS)]
    rows: list[list[Any]] = [
        [r.unit.code, r.unit.name, UNIT_LEVELS[r.unit.level.value]]
        + [value(r.metrics) for _, value in COVERAGE_COLUMNS]
        for r in report.rows
    ]
    rows.append(
        [scope.code, f"Tổng: {scope.name}", UNIT_LEVELS[scope.level.value]]
        + [value(report.totals) for _, value in COVERAGE_COLUMNS]
    )
    return Table(f"Bao phu {report.as_of.isoformat()}", headers, rows)


GAP_LABELS = {
    GapKind.COMMUNE_WITHOUT_TEAM: "Xã chưa có Tổ CNSCĐ",
    GapKind.ORGANISATION_WITHOUT_FOCAL_POINT: "Cơ quan chưa có đầu mối CĐS",
    GapKind.PROVINCE_WITHOUT_EXPERT_IN_AREA: "Tỉnh chưa có chuyên gia trong lĩnh vực",
    GapKind.TEAM_BELOW_MIN_SIZE: "Tổ dưới số thành viên tối thiểu",
    GapKind.ASSIGNMENT_NEEDS_RECONFIRMATION: "Quyết định cần xác nhận lại",
    GapKind.TEAM_WITHOUT_RECENT_ACTIVITY: "Tổ không có hoạt động gần đây",
}


def gaps_table(kind: GapKind, items: list[GapRecord]) -> Table:
    headers = [
        "Loại",
        "Mã đơn vị",
        "Đơn vị hành chính",
        "Cơ quan",
        "Tổ CNSCĐ",
        "Số thành viên",
        "Tối thiểu",
        "Quyết định",
        "Cơ quan ban hành",
    ]
    rows = [
        [
            GAP_LABELS[kind],
            g.unit.code,
            g.unit.name,
            g.organisation.name if g.organisation else None,
            g.team.name if g.team else None,
            g.active_members,
            g.minimum_size,
            g.decision.number if g.decision else None,
            g.issuer.name if g.issuer else None,
        ]
        for g in items
    ]
    return Table("Khoang trong", headers, rows)


RANKING_LABELS = {
    RankingMetric.TEAM_COVERAGE: "Tỷ lệ xã có Tổ CNSCĐ",
    RankingMetric.FOCAL_POINT_COVERAGE: "Tỷ lệ cơ quan có đầu mối CĐS",
    RankingMetric.EXPERTS_PER_100_COMMUNES: "Chuyên gia trên 100 xã",
    RankingMetric.CDS_STAFF_RATIO: "Tỷ lệ biên chế CĐS",
    RankingMetric.HOUSEHOLDS_HELPED_PER_1000_RESIDENTS: "Số hộ được hỗ trợ trên 1.000 dân",
    RankingMetric.HOUSEHOLDS_HELPED_PER_COMMUNE: "Số hộ được hỗ trợ bình quân mỗi xã",
    RankingMetric.ANSWERED_SHARE: "Tỷ lệ yêu cầu hỗ trợ có chuyên gia nhận",
    RankingMetric.OPEN_REQUESTS: "Số yêu cầu hỗ trợ đang mở",
    RankingMetric.MEDIAN_HOURS_TO_FIRST_ACCEPT: "Trung vị số giờ đến khi có chuyên gia nhận",
}


def ranking_table(report: Coverage, metric: RankingMetric) -> Table:
    headers = ["Hạng", "Mã tỉnh", "Tỉnh/Thành phố", RANKING_LABELS[metric], "Tử số", "Mẫu số"]
    rows = [
        [r.rank, r.province.code, r.province.name, r.value, r.numerator, r.denominator]
        for r in rank_provinces(report, metric)
    ]
    return Table("Xep hang", headers, rows)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    kind: ExportKind
    format: ExportFormat
    scope_code: str | None
    as_of: dt.date
    gap_kind: GapKind = GapKind.COMMUNE_WITHOUT_TEAM
    metric: RankingMetric = RankingMetric.TEAM_COVERAGE
    team_min_size: int = 3
    team_min_size_by_province: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    file_name: str
    media_type: str


ALL_ITEMS = 1_000_000  # a gap list is exported whole: the query collects it all anyway


async def export(graph: Graph, request: ExportRequest) -> ExportFile:
    """The file for a report, scope and date. Rankings are national, as in the API."""
    day = request.as_of
    scope_code = None if request.kind is ExportKind.RANKING else request.scope_code
    scope = await graph.read(units.resolve_scope, scope_code, day, in_current_units=False)
    if request.kind is ExportKind.GAPS:
        args = GapArgs(
            kind=request.gap_kind,
            scope_key=scope.key,
            as_of=day,
            first=ALL_ITEMS,
            after=None,
            minimum=request.team_min_size,
            minimum_by_province=request.team_min_size_by_province,
        )
        page = await graph.read(gap_queries.gaps, args)
        table = gaps_table(request.gap_kind, list(page.items))
    else:
        report = await graph.read(coverage_queries.coverage, scope.key, day, in_current_units=False)
        table = (
            coverage_table(report, scope)
            if request.kind is ExportKind.COVERAGE
            else ranking_table(report, request.metric)
        )
    data = to_csv(table) if request.format is ExportFormat.CSV else to_xlsx([table])
    name = f"{request.kind.value}-{scope.code}-{day.isoformat()}.{request.format.value}"
    return ExportFile(data, name, MEDIA_TYPES[request.format])
