"""A support request's whole life in chromium against the real API (#15): Hà Nội's provincial
coordinator, under figures headed with the province's name, files a request on a 390 px screen
from folded areas with a weight and must-have each (a weight out of range and a wrong period are
refused next to their fields), opens it, sees the ranked candidates with each part of their
score and proposes the top one; the expert signs in by the mailed link, accepts on My profile and
states a period they cannot help in, then takes it back; the coordinator completes the
engagement with feedback and closes the request; and the province's figures on the page move."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Page, ViewportSize, expect

from api.relay import to_global_id
from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from tests.e2e.conftest import LiveServer, NewPage
from tests.e2e.expert_steps import ask_for_sign_in_link
from tests.e2e.test_expert_sign_in import sign_in_link
from tests.support.factories import COMMUNE, REQUESTER, Areas, clean_up, make_areas, make_expert
from tests.tokens import bearer

PHONE: ViewportSize = {"width": 390, "height": 844}
EMAIL = "chuyen-gia-ho-tro@example.vn"
TOPIC = "Xây dựng kho dữ liệu dùng chung của phường"


@pytest_asyncio.fixture
async def matched(graph: Graph) -> AsyncIterator[tuple[Areas, str]]:
    """Areas of their own (so only the fixture's expert matches) and a verified expert of the
    requester's commune who has them."""
    areas = await make_areas(graph)
    expert = await make_expert(
        graph, [areas.sub1], affiliated_with=REQUESTER, name="e2e", email=EMAIL
    )
    await graph.write(changes.bump)  # new data: no cached answer may hide it
    yield areas, expert
    await clean_up(graph)
    await graph.write(changes.bump)


async def figures(page: Page) -> dict[str, int]:
    box = page.get_by_test_id("support-figures")
    await expect(box).to_have_attribute("data-open", re.compile(r"\d+"))
    return {
        k: int(await box.get_attribute(f"data-{k}") or "-1")
        for k in ("requests", "open", "answered")
    }


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


async def wants(graph: Graph, topic: str) -> dict[str, tuple[float, bool]]:
    async def read(tx: Tx) -> dict[str, tuple[float, bool]]:
        found = await run(
            tx,
            "MATCH (:SupportRequest {topic: $t})-[w:WANTS]->(a:ExpertiseArea) "
            "RETURN a.code AS code, w.weight AS weight, w.mustHave AS must",
            t=topic,
        )
        return {r["code"]: (r["weight"], r["must"]) for r in found}

    return await graph.read(read)


async def periods(graph: Graph, expert: str) -> list[tuple[str, str]]:
    async def read(tx: Tx) -> list[tuple[str, str]]:
        found = await run(
            tx,
            "MATCH (:ExpertProfile {id: $e})-[:UNAVAILABLE]->(a:Unavailability) "
            "RETURN toString(a.start) AS start, toString(a.end) AS end",
            e=expert,
        )
        return [(r["start"], r["end"]) for r in found]

    return await graph.read(read)


async def test_a_request_filed_matched_accepted_completed_and_closed(
    new_page: NewPage,
    live_server: LiveServer,
    settings: Settings,
    graph: Graph,
    matched: tuple[Areas, str],
) -> None:
    areas, expert = matched
    token = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")["Authorization"]
    coordinator = await new_page(viewport=PHONE)
    await coordinator.add_init_script(
        f"sessionStorage.setItem('cds.token', {token.removeprefix('Bearer ')!r})"
    )
    await coordinator.goto(f"{live_server.url}/dashboard/#/support")
    nav = coordinator.locator('nav a[href="#/support"]')
    await expect(nav).to_have_text("Yêu cầu hỗ trợ")
    await expect(nav).to_have_attribute("aria-current", "page")
    before = await figures(coordinator)
    # The figures are the coordinator's province's, named (not its code).
    await expect(coordinator.get_by_test_id("support-figures-title")).to_have_text(
        re.compile(r"^Số liệu hỗ trợ: .*Hà Nội$")
    )

    # English one click away, and back.
    await coordinator.get_by_role("button", name="English").click()
    await expect(coordinator.get_by_role("heading", level=1)).to_have_text("Support requests")
    await coordinator.get_by_role("button", name="Tiếng Việt").click()
    await expect(coordinator.get_by_role("heading", level=1)).to_have_text("Yêu cầu hỗ trợ")

    # The form, with a period that ends before it starts: the API's error lands by its field.
    form = coordinator.get_by_test_id("support-form")
    await expect(form).to_be_visible()
    await form.get_by_label("Chủ đề").fill(TOPIC)
    await form.get_by_label("Mô tả công việc").fill("Thiết kế và vận hành thử")
    unit = form.get_by_label("Mã đơn vị hành chính")
    await unit.fill(COMMUNE)
    await unit.press("Tab")  # the organisations of the unit load
    organisation = to_global_id("Organisation", REQUESTER)
    await expect(form.locator(f'option[value="{organisation}"]')).to_be_attached()
    await form.get_by_label("Cơ quan đề nghị").select_option(organisation)
    # The areas are folded: at 390 px the picker is a list of names, each opened to choose.
    picker = form.locator("#f-wanted")
    height = "e => e.getBoundingClientRect().height"
    folded = await picker.evaluate(height)
    unfolded = await picker.evaluate(
        "e => { const d = [...e.querySelectorAll('details')]; d.forEach(x => x.open = true);"
        " const h = e.getBoundingClientRect().height; d.forEach(x => x.open = false); return h; }"
    )
    # Measured on #15's machine: 996 px folded, 4,986 px unfolded.
    assert folded < 2000, f"the folded picker is {folded}px tall"
    assert folded * 3 < unfolded, (folded, unfolded)
    fold = picker.locator(f'details[data-area="{areas.root}"]')
    await fold.locator("summary").focus()
    await coordinator.keyboard.press("Enter")  # opened from the keyboard
    await expect(fold).to_have_attribute("open", "")
    box = form.locator(f'input[name=wanted][value="{areas.sub1}"]')
    await box.focus()
    await coordinator.keyboard.press("Space")
    await expect(box).to_be_checked()
    await expect(fold.locator("summary")).to_contain_text("đã chọn 1")
    other = picker.locator(f'details[data-area="{areas.other}"]')
    await other.locator("summary").click()
    await other.locator(f'input[name=wanted][value="{areas.other}"]').check()
    # Each chosen area has its weight and must-have, labelled with the area's name.
    weights = form.get_by_test_id("wanted-weights")
    await expect(weights.locator(".wanted-row")).to_have_count(2)
    await weights.get_by_label("Thử 1: Trọng số").fill("3")
    await weights.get_by_label("Khác: Trọng số").fill("20")
    await weights.get_by_label("Khác: bắt buộc").uncheck()
    await form.get_by_label("Từ ngày").fill("2031-05-01")
    await form.get_by_label("Đến ngày").fill("2031-04-01")
    await form.get_by_label("Mức độ khẩn").select_option("HIGH")
    await form.get_by_label("Thư điện tử liên hệ").fill("ubnd-ba-dinh@example.vn")
    await coordinator.get_by_test_id("support-submit").click()
    # A weight out of range is said by its field, and the field has the focus.
    too_heavy = weights.get_by_label("Khác: Trọng số")
    await expect(too_heavy).to_have_attribute("aria-invalid", "true")
    await expect(too_heavy).to_be_focused()
    await expect(weights.locator(f"#e-weight-{areas.other}")).to_be_visible()
    await too_heavy.fill("1")
    await coordinator.get_by_test_id("support-submit").click()
    await expect(form.locator("[data-error-for=periodEnd]")).to_be_visible()
    await no_sideways_scroll(coordinator)

    await form.get_by_label("Đến ngày").fill("2031-05-31")
    await coordinator.get_by_test_id("support-submit").click()

    # The request's page: open, the fixture's expert ranked first with each part of the score.
    status = coordinator.get_by_test_id("request-status")
    await expect(status).to_have_attribute("data-status", "OPEN")
    await expect(coordinator.get_by_test_id("request-topic")).to_have_text(TOPIC)
    top = coordinator.locator("[data-testid=candidates] tbody tr").first
    await expect(top).to_have_attribute("data-expert-id", to_global_id("Expert", expert))
    # The expert has the must-have area (weight 3) and not the other (weight 1): 3 / 4.
    await expect(top.locator("[data-part=expertise]")).to_have_text("75")
    assert await wants(graph, TOPIC) == {areas.sub1: (3.0, True), areas.other: (1.0, False)}
    await expect(coordinator.get_by_test_id("request-wanted")).to_have_text(
        "Thử 1 (trọng số 3, bắt buộc); Khác (trọng số 1)"
    )
    for part in ("proximity", "availability", "load", "feedback"):
        await expect(top.locator(f"[data-part={part}]")).to_have_text(re.compile(r"^\d+$"))
    await no_sideways_scroll(coordinator)
    await top.get_by_test_id("propose").click()
    engagement = coordinator.locator("[data-testid=engagements] tbody tr")
    await expect(engagement).to_have_attribute("data-status", "PROPOSED")
    await expect(status).to_have_attribute("data-status", "MATCHING")
    request_url = coordinator.url

    # The expert signs in by the mailed link and accepts on My profile.
    expert_page = await new_page(viewport=PHONE)
    await expert_page.goto(f"{live_server.url}/dashboard/#/sign-in")
    await ask_for_sign_in_link(expert_page, EMAIL)
    await expert_page.goto(await sign_in_link(live_server, EMAIL))
    await expect(expert_page.get_by_test_id("me-welcome")).to_be_visible()
    proposal = expert_page.locator("[data-testid=my-proposals] > li")
    await expect(proposal).to_have_count(1)
    await expect(proposal).to_contain_text(TOPIC)
    await expect(proposal).to_have_attribute("data-status", "PROPOSED")
    await proposal.get_by_test_id("accept-proposal").click()
    await expect(expert_page.get_by_test_id("proposal-said")).to_have_text("Bạn đã nhận lời.")
    await expect(proposal).to_have_attribute("data-status", "ACCEPTED")
    await no_sideways_scroll(expert_page)

    # A period the expert cannot help in: an end before its start is refused by its field; then
    # stated, listed, and taken back from the keyboard.
    away = expert_page.get_by_test_id("unavailability")
    listed = away.locator("[data-testid=my-unavailability] > li[data-id]")
    await expect(away.locator("[data-testid=my-unavailability] > li")).to_have_text(
        "Chưa khai báo khoảng nào."
    )
    await away.get_by_label("Không thể hỗ trợ từ ngày").fill("2031-07-10")
    await away.get_by_label("Đến hết ngày").fill("2031-07-01")
    await away.get_by_test_id("add-unavailability").click()
    await expect(away.locator("[data-error-for=end]")).to_be_visible()
    assert await periods(graph, expert) == []
    await away.get_by_label("Đến hết ngày").fill("2031-07-20")
    await away.get_by_test_id("add-unavailability").click()
    await expect(listed).to_have_count(1)
    await expect(listed).to_have_attribute("data-start", "2031-07-10")
    assert await periods(graph, expert) == [("2031-07-10", "2031-07-20")]
    await no_sideways_scroll(expert_page)
    await listed.get_by_role("button", name=re.compile("^Xoá")).focus()
    await expert_page.keyboard.press("Enter")
    await expect(listed).to_have_count(0)
    await expect(away.get_by_test_id("unavailability-said")).to_have_text(
        "Đã xoá khoảng thời gian."
    )
    assert await periods(graph, expert) == []

    # The coordinator completes it with feedback, then closes the request.
    await coordinator.goto(request_url)
    await coordinator.reload()
    await expect(status).to_have_attribute("data-status", "ASSIGNED")
    await expect(engagement).to_have_attribute("data-status", "ACCEPTED")
    await coordinator.get_by_label("Điểm đánh giá (1–5)").select_option("4")
    await coordinator.get_by_label("Nhận xét").fill("Nhiệt tình, đúng hạn")
    await coordinator.get_by_test_id("complete").click()
    await expect(engagement).to_have_attribute("data-status", "COMPLETED")
    await expect(engagement).to_contain_text("4/5")
    await coordinator.get_by_test_id("close-request").click()
    await expect(status).to_have_attribute("data-status", "DONE")
    await expect(coordinator.get_by_test_id("request-said")).to_have_text("Đã đóng yêu cầu.")

    # The province's figures moved: one more request, answered, and no longer open.
    await coordinator.goto(f"{live_server.url}/dashboard/#/support?status=DONE")
    row = coordinator.locator(f"[data-testid=support-list] tr:has-text('{TOPIC}')")
    await expect(row).to_have_attribute("data-status", "DONE")
    after = await figures(coordinator)
    assert after == {
        "requests": before["requests"] + 1,
        "open": before["open"],
        "answered": before["answered"] + 1,
    }
    # Answered now, Hà Nội has a median time to the first acceptance.
    await expect(coordinator.locator("[data-figure=median]")).to_have_text(re.compile(r" giờ$"))
    await no_sideways_scroll(coordinator)

    # The rankings page ranks provinces by the request side too: Hà Nội has a median now.
    await coordinator.goto(
        f"{live_server.url}/dashboard/#/rankings?metric=MEDIAN_HOURS_TO_FIRST_ACCEPT"
    )
    hanoi = coordinator.locator("[data-testid=ranking-table] tr[data-code='01'] td[data-value]")
    await expect(hanoi).to_have_attribute("data-value", re.compile(r"^\d"))
    await expect(hanoi).to_have_text(re.compile(r" giờ$"))
    await no_sideways_scroll(coordinator)
