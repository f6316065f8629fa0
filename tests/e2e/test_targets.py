"""The targets page (#/targets) in chromium, 390 px wide: pick a province, see its trend beside
the nation's with the target line, switch the published edition (whose furthest provinces are
measured against their own targets frozen with it), open its report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from playwright.async_api import Page, ViewportSize, expect

from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.reports import editions, targets
from graph.reports.targets import Indicator, TargetRecord
from tests.e2e.conftest import LiveServer, NewPage
from tests.gql import gql

# Period ends no other test publishes; the older one published first.
OLDER, NEWER = dt.date(2025, 9, 30), dt.date(2026, 3, 31)
PHONE: ViewportSize = {"width": 390, "height": 844}
OWN_TARGET = "test-e2e-own-focal"


async def _furthest(
    client: httpx.AsyncClient, edition: str, national: float, own: dict[str, float]
) -> list[str]:
    """The page's rule: each province against its own target (``own``) or the national one,
    the largest gap first, ties in the ranking's order from the bottom."""
    data = await gql(
        client,
        "query($e: ID) { provinceRanking(metric: FOCAL_POINT_COVERAGE, edition: $e) "
        "{ value province { code } } }",
        {"e": edition},
    )
    gaps = [
        (own.get(r["province"]["code"], national) - r["value"], r["province"]["code"])
        for r in reversed(data["provinceRanking"])
        if r["value"] is not None
    ]
    below = [(gap, code) for gap, code in gaps if gap > 0]
    return [code for _, code in sorted(below, key=lambda g: -g[0])][:5]


async def _lower_the_worst(client: httpx.AsyncClient, graph: Graph, national: float) -> str:
    """The province furthest below the focal-point target on OLDER gets its own, lower target
    (half its value, or a hair above 0): it leaves the top of the page's list."""
    data = await gql(
        client,
        "query($d: Date) { provinceRanking(metric: FOCAL_POINT_COVERAGE, asOf: $d) "
        "{ value province { code } } }",
        {"d": OLDER.isoformat()},
    )
    worst = next(r for r in reversed(data["provinceRanking"]) if r["value"] is not None)
    assert worst["value"] < national
    own = TargetRecord(
        OWN_TARGET,
        Indicator.AGENCIES_WITH_FOCAL_POINT,
        max(worst["value"] / 2, 0.0001),
        dt.date(2030, 12, 31),
        "1/QĐ-UBND thử",
        worst["province"]["code"],
    )
    await graph.write(targets.upsert_target, own)
    await graph.write(changes.bump)  # a new data version: the editions published next are new
    return str(own.scope_code)


async def test_targets_page_province_edition_and_report(
    new_page: NewPage, live_server: LiveServer, live_client: httpx.AsyncClient, graph: Graph
) -> None:
    national: list[dict[str, Any]] = (
        await gql(live_client, "{ targets { indicator threshold } }")
    )["targets"]
    focal = next(t for t in national if t["indicator"] == "AGENCIES_WITH_FOCAL_POINT")
    # A province's own target, frozen with the editions published next.
    lowered = await _lower_the_worst(live_client, graph, focal["threshold"])
    try:
        await _page(new_page, live_server, live_client, graph, national, focal, lowered)
    finally:

        async def remove(tx: Tx) -> None:
            await run(tx, "MATCH (t:Target {id: $id}) DETACH DELETE t", id=OWN_TARGET)

        await graph.write(remove)


async def _activity_figures(page: Page, client: httpx.AsyncClient, province_name: str) -> None:
    """The activity section: the households helped at each quarter end, the nation's and the
    chosen province's, as coverageSeries counts them (#17)."""
    query = (
        "query($s: String, $f: Date!, $t: Date!) { coverageSeries(scopeCode: $s, from: $f,"
        " to: $t, step: QUARTER) { points { asOf totals { householdsHelped } } } }"
    )
    to = dt.date.today().isoformat()
    national = await gql(client, query, {"s": None, "f": "2024-01-01", "t": to})
    local = await gql(client, query, {"s": "79", "f": "2025-07-01", "t": to})
    section = page.locator("[data-testid=activity-trend]")
    await expect(section.locator("h2")).to_have_text("Hoạt động của các Tổ Công nghệ số cộng đồng")
    await expect(section.locator("[data-testid=target-line]")).to_have_count(0)
    helped = section.locator("[data-testid=helped-households]")
    await expect(helped.locator("thead th").nth(2)).to_have_text(province_name)
    points = national["coverageSeries"]["points"]
    assert any(p["totals"]["householdsHelped"] > 0 for p in points)  # the demo's reports
    mine = {p["asOf"]: p["totals"]["householdsHelped"] for p in local["coverageSeries"]["points"]}
    for point in points:
        row = helped.locator(f'tbody tr[data-as-of="{point["asOf"]}"] td')
        await expect(row.nth(0)).to_have_text(_number(point["totals"]["householdsHelped"]))
        expected = mine.get(point["asOf"])
        await expect(row.nth(1)).to_have_text("—" if expected is None else _number(expected))


def _number(n: int) -> str:
    """As the page writes a count in Vietnamese: a dot between thousands."""
    return f"{n:,}".replace(",", ".")


async def _page(
    new_page: NewPage,
    live_server: LiveServer,
    live_client: httpx.AsyncClient,
    graph: Graph,
    targets: list[dict[str, Any]],
    focal: dict[str, Any],
    lowered: str,
) -> None:
    now = dt.datetime.now(dt.UTC)
    older = (await editions.publish(graph, OLDER, now - dt.timedelta(minutes=1))).edition.id
    newer = (await editions.publish(graph, NEWER, now)).edition.id

    page = await new_page(viewport=PHONE)
    await page.goto(f"{live_server.url}/dashboard/#/targets")
    nav = page.locator('nav a[href="#/targets"]')
    await expect(nav).to_have_text("Mục tiêu")
    await expect(nav).to_have_attribute("aria-current", "page")
    # One chart per target, with its line, and one of the teams' activity, which has no target.
    charts = page.locator("[data-testid=trend-chart]")
    await expect(charts).to_have_count(len(targets) + 1)
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
        len(targets) + 1
    )
    await _activity_figures(page, live_client, province_name)
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
    frozen = (
        await gql(
            live_client,
            "query($e: ID) { provinceTargets(edition: $e) { threshold scopeCode } }",
            {"e": older},
        )
    )["provinceTargets"]
    own = {t["scopeCode"]: t["threshold"] for t in frozen}
    assert lowered in own
    expected = await _furthest(live_client, older, focal["threshold"], own)
    assert expected[:1] != [lowered]  # its own, lower target moved it down (or out)
    await expect(rows).to_have_count(len(expected))
    assert await rows.evaluate_all("rows => rows.map(r => r.dataset.code)") == expected
    # Nothing wider than the phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    await report.click()
    await expect(page).to_have_url(f"{live_server.url}/reports/editions/{older}")
    await expect(page.locator("h1")).to_contain_text("Báo cáo định kỳ")
    await expect(page.locator("h1")).to_contain_text("30/09/2025")
