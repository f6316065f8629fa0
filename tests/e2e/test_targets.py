"""The targets page (#/targets) in chromium, 390 px wide: pick a province, see its trend beside
the nation's with the target line, switch the published edition, open its report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from playwright.async_api import ViewportSize, expect

from graph.core.db import Graph
from graph.reports import editions
from tests.e2e.conftest import LiveServer, NewPage
from tests.gql import gql

# Period ends no other test publishes; the older one published first.
OLDER, NEWER = dt.date(2025, 9, 30), dt.date(2026, 3, 31)
PHONE: ViewportSize = {"width": 390, "height": 844}


async def _furthest(client: httpx.AsyncClient, edition: str, threshold: float) -> list[str]:
    data = await gql(
        client,
        "query($e: ID) { provinceRanking(metric: FOCAL_POINT_COVERAGE, edition: $e) "
        "{ value province { code } } }",
        {"e": edition},
    )
    below = [
        r for r in data["provinceRanking"] if r["value"] is not None and r["value"] < threshold
    ]
    return [r["province"]["code"] for r in reversed(below)][:5]


async def test_targets_page_province_edition_and_report(
    new_page: NewPage, live_server: LiveServer, live_client: httpx.AsyncClient, graph: Graph
) -> None:
    now = dt.datetime.now(dt.UTC)
    older = (await editions.publish(graph, OLDER, now - dt.timedelta(minutes=1))).edition.id
    newer = (await editions.publish(graph, NEWER, now)).edition.id
    targets: list[dict[str, Any]] = (await gql(live_client, "{ targets { indicator threshold } }"))[
        "targets"
    ]
    focal = next(t for t in targets if t["indicator"] == "AGENCIES_WITH_FOCAL_POINT")

    page = await new_page(viewport=PHONE)
    await page.goto(f"{live_server.url}/dashboard/#/targets")
    nav = page.locator('nav a[href="#/targets"]')
    await expect(nav).to_have_text("Mục tiêu")
    await expect(nav).to_have_attribute("aria-current", "page")
    charts = page.locator("[data-testid=trend-chart]")
    await expect(charts).to_have_count(len(targets))
    await expect(page.locator("[data-testid=target-line]")).to_have_count(len(targets))
    # The newest edition is chosen first (the first that `editions` lists).
    newest = (await gql(live_client, "{ editions { id } }"))["editions"][0]["id"]
    assert newest == newer
    await expect(page.locator("[data-testid=edition-report]")).to_have_attribute(
        "href", f"/reports/editions/{newest}"
    )

    # A province from the select: its line joins the nation's in every chart.
    await page.select_option("[data-testid=target-province]", "79")
    await expect(page.locator("[data-testid=target-province]")).to_have_value("79")
    province_name = await page.locator("[data-testid=target-province] option:checked").inner_text()
    await expect(page.locator(f'polyline[data-series="{province_name}"]')).to_have_count(
        len(targets)
    )
    # The figures are in a table too, for screen readers.
    await expect(page.locator("details.chart-data table").first).to_be_attached()

    # The older edition: the furthest provinces are its frozen ranking's, the links its report.
    await page.select_option("[data-testid=edition-picker]", older)
    report = page.locator("[data-testid=edition-report]")
    await expect(report).to_have_attribute("href", f"/reports/editions/{older}")
    await expect(page.locator("[data-testid=edition-pdf]")).to_have_attribute(
        "href", f"/reports/editions/{older}.pdf"
    )
    rows = page.locator(
        "[data-indicator=AGENCIES_WITH_FOCAL_POINT] [data-testid=furthest] tbody tr"
    )
    expected = await _furthest(live_client, older, focal["threshold"])
    await expect(rows).to_have_count(len(expected))
    assert await rows.evaluate_all("rows => rows.map(r => r.dataset.code)") == expected
    # Nothing wider than the phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    await report.click()
    await expect(page).to_have_url(f"{live_server.url}/reports/editions/{older}")
    await expect(page.locator("h1")).to_contain_text("Báo cáo định kỳ")
    await expect(page.locator("h1")).to_contain_text("30/09/2025")
