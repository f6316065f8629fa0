"""A team leader reports an activity from a 390 px screen, in chromium against the real API,
and sees the households-helped figure of their commune move on the map."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import ViewportSize, expect

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.model import TeamRole
from graph.core.settings import Settings
from tests.activity.support import member, remove, team
from tests.e2e.conftest import LiveServer, NewPage
from tests.tokens import bearer

PHONE: ViewportSize = {"width": 390, "height": 844}


async def _placed_commune(tx: Tx) -> str:
    """A commune of Hà Nội drawn on the map (it has coordinates) that no other test uses."""
    records = await run(
        tx,
        "MATCH (c:AdministrativeUnit {era: 'CURRENT', level: 'COMMUNE'})-[:PART_OF]->"
        "(:AdministrativeUnit {key: 'CURRENT:PROVINCE:01'}) WHERE c.lat IS NOT NULL "
        "RETURN c.code AS code ORDER BY code DESC LIMIT 1",
    )
    return str(records[0]["code"])


@pytest_asyncio.fixture
async def led_team(graph: Graph) -> AsyncIterator[tuple[str, str, str]]:
    """(commune code, team id, leader's person id)."""
    commune = await graph.read(_placed_commune)
    since = dt.date(2024, 1, 1)
    team_id = await team(graph, commune, since)
    leader = await member(graph, team_id, TeamRole.HEAD, since)
    yield commune, team_id, leader
    await remove(graph, [team_id], [leader])


async def test_a_leader_reports_from_a_phone_and_the_map_moves(
    new_page: NewPage, live_server: LiveServer, settings: Settings, led_team: tuple[str, str, str]
) -> None:
    commune, team_id, leader = led_team
    token = bearer(settings, Role.TEAM_LEADER, leader)["Authorization"].removeprefix("Bearer ")
    page = await new_page(viewport=PHONE)
    await page.add_init_script(f"sessionStorage.setItem('cds.token', {token!r})")

    map_url = f"{live_server.url}/dashboard/#/map?scope=01&metric=HOUSEHOLDS_HELPED_PER_COMMUNE"
    await page.goto(map_url)
    cell = page.locator(f"[data-testid=map] path[data-code='{commune}']")
    await expect(cell).to_have_count(1)
    before = float(await cell.get_attribute("data-value") or "0")

    await page.goto(
        f"{live_server.url}/dashboard/#/team?id={to_global_id('CommunityTechTeam', team_id)}"
    )
    form = page.get_by_test_id("report-form")
    await expect(form).to_be_visible()
    # The leader's scope is their person id, an internal key: the header shows only the role.
    await expect(page.get_by_test_id("signed-in")).not_to_contain_text("person-")
    await expect(page.get_by_test_id("team-name")).to_contain_text("Tổ hoạt động")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390

    # Submitted empty: the fields say what is missing, nothing is sent.
    await page.get_by_label("Số người được hỗ trợ").fill("")
    await page.get_by_test_id("report-submit").click()
    await expect(page.locator("[data-error-for=peopleHelped]")).to_be_visible()

    # More households than people: the API's error lands next to its field.
    await page.get_by_label("Loại hoạt động").select_option("VNEID")
    await page.get_by_label("Số người được hỗ trợ").fill("3")
    await page.get_by_label("Số hộ được hỗ trợ").fill("9")
    await page.get_by_test_id("report-submit").click()
    households_error = page.locator("[data-error-for=householdsHelped]")
    await expect(households_error).to_contain_text("more households than people")

    await page.get_by_label("Số người được hỗ trợ").fill("30")
    await page.get_by_label("Số hộ được hỗ trợ").fill("20")
    await page.get_by_label("Thôn, bản hoặc địa điểm").fill("Thôn Đông")
    await page.get_by_test_id("report-submit").click()
    await expect(page.get_by_test_id("report-done")).to_be_visible()
    await expect(page.get_by_test_id("activity-list").locator("li")).to_have_count(1)
    await expect(page.get_by_test_id("activity-list")).to_contain_text("Thôn Đông")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390

    await page.goto(map_url)
    await expect(cell).to_have_attribute("data-value", str(int(before + 20)))
