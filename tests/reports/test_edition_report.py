"""The public report of an edition, as HTML and as PDF read back with poppler's pdftotext.

What the PDF must say is taken from the API, not from the report's code: the ranking's first row
(`provinceRanking(edition:)`) and each target's national figure (`coverage(asOf:)` on the period
end, formatted as a Vietnamese reader writes a percentage)."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess

import httpx
import pytest

from graph.core.db import Graph
from graph.reports import editions
from tests.gql import gql

PERIOD_END = dt.date(2042, 12, 31)  # no other test publishes this period end
FIGURE_OF = {
    "AGENCIES_WITH_FOCAL_POINT": "focalPointCoverage",
    "COMMUNES_WITH_TEAM": "teamCoverage",
    "CDS_STAFF_RATIO": "cdsStaffRatio",
}


def _vietnamese_percent(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
async def edition(graph: Graph) -> str:
    published = await editions.publish(graph, PERIOD_END, dt.datetime.now(dt.UTC))
    return published.edition.id


async def _expected(client: httpx.AsyncClient, edition: str) -> tuple[str, list[str]]:
    data = await gql(
        client,
        "query($e: ID, $d: Date) { provinceRanking(metric: TEAM_COVERAGE, edition: $e) "
        "{ province { name } } targets { indicator } coverage(asOf: $d) { totals { "
        "teamCoverage focalPointCoverage cdsStaffRatio } } }",
        {"e": edition, "d": PERIOD_END.isoformat()},
    )
    totals = data["coverage"]["totals"]
    figures = [
        _vietnamese_percent(totals[FIGURE_OF[t["indicator"]]])
        for t in data["targets"]
        if totals[FIGURE_OF[t["indicator"]]] is not None
    ]
    return data["provinceRanking"][0]["province"]["name"], figures


async def test_html_report_has_the_ranking_and_each_target(
    client: httpx.AsyncClient, edition: str
) -> None:
    response = await client.get(f"/reports/editions/{edition}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    first, figures = await _expected(client, edition)
    text = response.text
    assert '<html lang="vi">' in text
    assert f"<td>{first}</td>" in text
    assert figures
    for figure in figures:
        assert figure in text
    assert text.count('class="target-line"') == len(figures)
    assert f'href="{edition}.pdf"' in text


async def test_pdf_carries_the_first_row_and_each_target_figure(
    client: httpx.AsyncClient, edition: str
) -> None:
    response = await client.get(f"/reports/editions/{edition}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    done = await asyncio.to_thread(
        subprocess.run, ["pdftotext", "-", "-"], input=response.content, capture_output=True
    )
    text = _words(done.stdout.decode())
    first, figures = await _expected(client, edition)
    assert "Xếp hạng tỉnh, thành phố" in text  # diacritics survive the font and the extraction
    assert _words(first) in text
    for figure in figures:
        assert figure in text


async def test_unknown_edition_is_404(client: httpx.AsyncClient) -> None:
    for path in ("/reports/editions/1999-01-01-v0", "/reports/editions/1999-01-01-v0.pdf"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
