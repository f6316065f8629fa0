"""An expert living abroad registers on the form at a phone's width by keyboard alone: the areas
are grouped (a fieldset per area, its legend read out), the province becomes optional once the
country is not Vietnam; once verified, the directory finds them by country."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from api.viewer import Role
from graph.core.settings import Settings
from tests.e2e.conftest import LiveServer, NewPage
from tests.e2e.test_expert_journey import PHONE, link_in, mails, no_sideways_scroll
from tests.experts.support import VERIFY
from tests.gql import gql
from tests.tokens import bearer

SCREENS = Path("/work/screens")


async def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element is focused (as a keyboard user would), at most 150 times."""
    target = page.locator(selector)
    for _ in range(150):
        if await target.evaluate("el => el === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable by Tab")


async def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name), full_page=True)


async def test_register_from_abroad_by_keyboard_then_found_by_country(
    new_page: NewPage,
    live_server: LiveServer,
    live_client: httpx.AsyncClient,
    settings: Settings,
) -> None:
    page = await new_page(viewport=PHONE)
    await page.goto(f"{live_server.url}/dashboard/#/register")
    form = page.get_by_test_id("register-form")
    # The first page of the session waits for the provinces' list (the coverage aggregate, cold).
    await expect(form).to_be_visible(timeout=90_000)
    # Grouped: one fieldset per area, named by its legend.
    finance = form.locator("fieldset.area[data-area=FINANCE]")
    await expect(finance.locator("legend")).to_have_text("Tài chính, ngân hàng")
    await expect(
        finance.get_by_role("checkbox", name="Công nghệ tài chính (Fintech)")
    ).to_be_visible()
    await no_sideways_scroll(page)
    await shot(page, "register-grouped-vi-390.png")

    name = f"Phạm Hải Ngoại {uuid.uuid4().hex[:4]}"
    email = f"abroad-{uuid.uuid4().hex[:10]}@example.org"
    await page.focus("#f-fullName")
    await page.keyboard.type(name)
    await tab_to(page, "#f-email")
    await page.keyboard.type(email)
    await tab_to(page, "#f-affiliation")
    await page.keyboard.type("Đại học Tokyo")
    await tab_to(page, "#f-countryCode")
    await page.keyboard.type("Nh")  # a closed select's type-ahead (keys, not composed text)
    await expect(page.locator("#f-countryCode")).to_have_value("JP")
    # Abroad, the province is optional and says what it means.
    await expect(page.locator("label[for=f-provinceCode]")).to_have_text(
        "Tỉnh, thành phố bạn muốn hỗ trợ (không bắt buộc)"
    )
    await expect(page.locator("#f-provinceCode")).to_have_attribute(
        "aria-describedby", "h-provinceCode"
    )
    await tab_to(page, "input[name=expertise][value=FINTECH]")
    await page.keyboard.press("Space")
    await tab_to(page, "input[name=consent][value=DIRECTORY_LISTING]")
    await page.keyboard.press("Space")
    await tab_to(page, "input[name=consent][value=COORDINATOR_CONTACT]")
    await page.keyboard.press("Space")
    await tab_to(page, "form.register button[type=submit]")
    await page.keyboard.press("Enter")
    done = page.get_by_test_id("register-success")
    await expect(done).to_be_visible()
    await expect(done).to_be_focused()
    expert_id = await done.get_attribute("data-expert-id")
    assert expert_id

    [mail] = mails(live_server.outbox_dir, email)
    await page.goto(link_in(mail))
    await expect(page.get_by_test_id("confirm-result")).to_have_attribute(
        "data-outcome", "confirmed"
    )
    national = bearer(settings, Role.NATIONAL_COORDINATOR)
    verified = (await gql(live_client, VERIFY, {"id": expert_id}, headers=national))["r"]
    assert verified["__typename"] == "ExpertReviewPayload", verified

    await page.goto(f"{live_server.url}/dashboard/#/experts?country=JP")
    item = page.locator(f"[data-testid=expert-list] > li[data-id='{expert_id}']")
    await expect(item).to_contain_text("Nhật Bản")
    await expect(item).to_contain_text("Công nghệ tài chính (Fintech)")
    await expect(page.locator("#country")).to_have_value("JP")
    await expect(page.get_by_test_id("expert-total")).to_have_attribute(
        "data-total", re.compile(r"^[1-9]")
    )
    await no_sideways_scroll(page)
    await shot(page, "directory-abroad-vi.png")
