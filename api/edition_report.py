"""The public periodic report of a published edition: printable HTML and PDF, in Vietnamese.

``GET /reports/editions/{id}`` and ``/reports/editions/{id}.pdf``, no sign-in: an edition holds
aggregate figures only (what `provinceRanking` already shows anyone). Everything in it comes from
the edition's frozen nodes (graph/reports/editions.py), so the report of an edition never
changes. The PDF is WeasyPrint's rendering of the same HTML, made in a worker thread (it takes
seconds of CPU and must not hold up the event loop) and kept by the process's cache.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.cache import VersionedCache
from api.charts import TrendChart, line_chart
from graph.core.db import Graph
from graph.reports import editions
from graph.reports.coverage import CoverageMetrics
from graph.reports.editions import EditionContent
from graph.reports.ranking import RankingMetric, score
from graph.reports.targets import Indicator, TargetRecord, furthest, indicator_value

router = APIRouter(tags=["reports"])

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

INDICATOR_LABELS = {
    Indicator.AGENCIES_WITH_FOCAL_POINT: "Cơ quan có cán bộ đầu mối CĐS",
    Indicator.COMMUNES_WITH_TEAM: "Xã có Tổ Công nghệ số cộng đồng",
    Indicator.CDS_STAFF_RATIO: "Tỷ lệ cán bộ CĐS trên tổng biên chế",
}


def percent(value: float | None) -> str:
    """Vietnamese notation: a decimal comma, one decimal (62,5%); a dash with nothing to
    measure."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def day(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class TargetView:
    label: str
    threshold: str
    deadline: str
    source: str
    figure: str
    met: bool | None
    chart: Any
    furthest: list[dict[str, Any]]  # the provinces furthest below the target in force there


def _targets(content: EditionContent, history: list[tuple[dt.date, CoverageMetrics]]) -> list[Any]:
    views = []
    for t in content.targets:
        value = indicator_value(content.coverage.totals, t.indicator)
        points = [(d, indicator_value(m, t.indicator)) for d, m in history]
        label = INDICATOR_LABELS[t.indicator]
        words = "; ".join(f"{day(d)}: {percent(v)}" for d, v in points)
        chart = TrendChart(
            title=f"{label}: diễn biến toàn quốc",
            description=f"{words}. Mục tiêu {percent(t.threshold)} trước {day(t.deadline)}.",
            points=points,
            threshold=t.threshold,
            deadline=t.deadline,
            threshold_label=f"Mục tiêu {percent(t.threshold)}",
            deadline_label=f"Hạn {day(t.deadline)}",
        )
        views.append(
            TargetView(
                label=label,
                threshold=percent(t.threshold),
                deadline=day(t.deadline),
                source=t.source_decision,
                figure=percent(value),
                met=None if value is None else value >= t.threshold,
                chart=line_chart(chart),
                furthest=_furthest(content, t),
            )
        )
    return views


def _furthest(content: EditionContent, target: TargetRecord) -> list[dict[str, Any]]:
    """Against each province's own target frozen with the edition, else the national one."""
    rows = [(r.unit.code, r.unit.name, r.metrics) for r in content.coverage.rows]
    own = {t.scope_code for t in content.province_targets if t.indicator is target.indicator}
    return [
        {
            "name": f.province_name,
            "value": percent(f.value),
            "threshold": percent(f.threshold),
            "own": f.province_code in own,
            "gap": percent(f.gap),
        }
        for f in furthest(rows, target, content.province_targets)
    ]


def _ranking_rows(content: EditionContent) -> list[dict[str, Any]]:
    """One row per province in the order of the team-coverage ranking, with its value under
    every metric."""
    by_key = {r.unit.key: r.metrics for r in content.coverage.rows}
    rows = []
    for r in content.ranking(RankingMetric.TEAM_COVERAGE):
        m = by_key[r.province.key]
        rows.append(
            {
                "rank": r.rank,
                "name": r.province.name,
                "team": percent(r.value),
                "focal": percent(score(RankingMetric.FOCAL_POINT_COVERAGE, m)[2]),
                "experts": _decimal(score(RankingMetric.EXPERTS_PER_100_COMMUNES, m)[2]),
                "staff": percent(score(RankingMetric.CDS_STAFF_RATIO, m)[2]),
            }
        )
    return rows


def _decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def render_html(
    content: EditionContent, history: list[tuple[dt.date, CoverageMetrics]], *, for_pdf: bool
) -> str:
    totals = content.coverage.totals
    e = content.edition
    return _TEMPLATES.get_template("edition.html.j2").render(
        edition=e,
        period_end=day(e.period_end),
        published_at=e.published_at.astimezone(dt.UTC).strftime("%d/%m/%Y %H:%M UTC"),
        totals=totals,
        targets=_targets(content, history),
        ranking=_ranking_rows(content),
        gaps={
            "communes": totals.communes - totals.communes_with_team,
            "agencies": totals.agencies - totals.agencies_with_focal_point,
            "provinces": sum(1 for r in content.coverage.rows if r.metrics.experts == 0),
        },
        for_pdf=for_pdf,
    )


def render_pdf(html: str) -> bytes:
    """CPU-bound (layout, fonts): call it in a worker thread."""
    from weasyprint import HTML  # imported on first use: it loads pango, which takes a moment

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


async def _load(
    graph: Graph, edition_id: str
) -> tuple[EditionContent, list[tuple[dt.date, CoverageMetrics]]] | None:
    content = await graph.read(editions.edition_content, edition_id)
    if content is None:
        return None
    return content, await graph.read(editions.national_history, edition_id)


def _not_found(edition_id: str) -> JSONResponse:
    return JSONResponse(
        {"error": f"no published edition {edition_id!r}", "code": "NOT_FOUND"}, status_code=404
    )


GraphDep = Annotated[Graph, Depends(_graph)]


# Registered before the HTML route: `{edition_id}` alone would also match "….pdf".
@router.get("/reports/editions/{edition_id}.pdf", summary="An edition's public report, PDF")
async def edition_pdf(edition_id: str, graph: GraphDep, request: Request) -> Response:
    loaded = await _load(graph, edition_id)
    if loaded is None:
        return _not_found(edition_id)
    html = render_html(*loaded, for_pdf=True)
    # An edition never changes, so neither does its PDF: rendered once per process (version 0
    # forever), and concurrent first requests share that one rendering.
    cache: VersionedCache = request.app.state.cache
    pdf = await cache.get_or_compute(
        ("edition-pdf", edition_id), 0, lambda: asyncio.to_thread(render_pdf, html)
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="bao-cao-{edition_id}.pdf"'},
    )


@router.get("/reports/editions/{edition_id}", summary="An edition's public report, HTML")
async def edition_page(edition_id: str, graph: GraphDep) -> Response:
    loaded = await _load(graph, edition_id)
    if loaded is None:
        return _not_found(edition_id)
    return HTMLResponse(render_html(*loaded, for_pdf=False))
