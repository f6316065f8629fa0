"""A team leader signs in by e-mail link, reports an activity from a 390 px screen, in chromium
against the real API, and sees the households-helped figure of their commune move on the map:
the link asked for on Đăng nhập tổ trưởng arrives in the real outbox, opening it leads to Tổ của
tôi (the teams they lead), and the team's page holds the report form."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import ViewportSize, expect

from api.relay import to_global_id
from graph.core.db import Graph, Tx, run
from graph.core.model import TeamRole
from tests.activity.support import member, remove, team
from tests.e2e.conftest import LiveServer, NewPage
from tests.e2e.test_expert_sign_in import sign_in_link

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
    """(commune code, team id, the leader's e-mail)."""
    commune = await graph.read(_placed_commune)
    since = dt.date(2024, 1, 1)
    team_id = await team(graph, commune, since)
    email = f"to-truong-{uuid.uuid4().hex[:8]}@to-cnscd.vn"
    leader = await member(graph, team_id, TeamRole.HEAD, since, email)
    yield commune, team_id, email
    await remove(graph, [team_id], [leader])


async def test_a_leader_signs_in_reports_from_a_phone_and_the_map_moves(
    new_page: NewPage, live_server: LiveServer, led_team: tuple[str, str, str]
) -> None:
    commune, team_id, email = led_team
    page = await new_page(viewport=PHONE)

    map_url = f"{live_server.url}/dashboard/#/map?scope=01&metric=HOUSEHOLDS_HELPED_PER_COMMUNE"
    await page.goto(map_url)
    cell = page.locator(f"[data-testid=map] path[data-code='{commune}']")
    await expect(cell).to_have_count(1)
    before = float(await cell.get_attribute("data-value") or "0")

    # Signing in: the leader's own page, by keyboard; the same answer for any address.
    await page.get_by_role("link", name="Đăng nhập tổ trưởng").click()
    await expect(page.get_by_role("heading", name="Đăng nhập tổ trưởng Tổ CNSCĐ")).to_be_visible()
    await page.focus("#signin-email")
    await page.keyboard.type(email)
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("signin-said")).to_contain_text(
        "liên kết đăng nhập đang được gửi"
    )
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    link = await sign_in_link(live_server, email)
    await page.goto(link)

    # My teams: the one team they lead, a link to its page.
    await expect(page.get_by_role("heading", name="Tổ của tôi")).to_be_visible()
    assert page.url.endswith("#/my-teams")
    await expect(page.get_by_test_id("signed-in")).to_have_attribute("data-role", "TEAM_LEADER")
    teams = page.get_by_test_id("my-teams").get_by_role("link")
    await expect(teams).to_have_count(1)
    await expect(page.get_by_test_id("my-teams").locator("li")).to_have_attribute(
        "data-team-id", to_global_id("CommunityTechTeam", team_id)
    )
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="My teams")).to_be_visible()
    await page.get_by_role("button", name="Tiếng Việt").click()
    await expect(page.get_by_role("heading", name="Tổ của tôi")).to_be_visible()
    await teams.first.focus()
    await page.keyboard.press("Enter")

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
