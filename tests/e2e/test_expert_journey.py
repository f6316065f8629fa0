"""An expert's way into the network, in a real browser against a live API process: registering
from the nomination mail's link, confirming the address by the link in the mail or by its code,
a link that expired, and a provincial coordinator verifying them from the Pending page until the
public directory lists them. On a phone's width and by keyboard where people would be."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Locator, Page, ViewportSize, expect

from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from graph.core.text import fold
from graph.experts.confirmation import confirmation_token
from tests.e2e.conftest import ARTIFACTS_DIR, LiveServer, NewPage
from tests.e2e.expert_steps import verify_by_keyboard
from tests.experts.support import REGISTER, delivered, registration_input
from tests.gql import gql
from tests.tokens import bearer

PHONE: ViewportSize = {"width": 390, "height": 844}
CODE = re.compile(r"\b([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})\b")


def mails(outbox: Path, to: str) -> list[str]:
    """Bodies of the messages the server's outbox wrote to this address, oldest first."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == to:
            body = message.get_body()
            assert body is not None
            found.append(str(body.get_content()))
    return found


def link_in(mail: str) -> str:
    found = re.search(r"(http\S+/confirm-email\?token=\S+)", mail)
    assert found, mail
    return found.group(1)


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


async def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"journey-{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)


async def in_queue(page: Page, expert_id: str) -> Locator:
    """The profile's entry on the Pending page, showing more of the queue (oldest first) until
    it is there: other tests of the session leave profiles pending in the same province."""
    entries = page.locator("[data-testid=pending-list] > li")
    item = page.locator(f"[data-testid=pending-list] > li[data-id='{expert_id}']")
    await expect(page.get_by_test_id("pending-total")).to_have_attribute(
        "data-total", re.compile(r"\d")
    )
    while await item.count() == 0:
        more = page.get_by_role("button", name=re.compile("^(Xem thêm|Show more)$"))
        await expect(more).to_be_visible()  # fails when the queue ends without it
        shown = await entries.count()
        await more.click()
        await expect(entries).not_to_have_count(shown)
    return item


async def register(client: httpx.AsyncClient, **over: Any) -> tuple[str, str]:
    """(e-mail, expert global id) of a self-registration through the public API."""
    data = registration_input(**over)
    result = (await gql(client, REGISTER, {"input": data}))["r"]
    assert result["__typename"] == "RegisterExpertSuccess", result
    return data["email"].lower(), result["expertId"]


async def _person(tx: Tx, email: str) -> dict[str, Any]:
    records = await run(
        tx, "MATCH (p:Person {email: $e}) RETURN p.id AS id, p.emailIssue AS issue", e=email
    )
    return dict(records[0])


async def test_register_from_the_invitation_link_then_confirm_by_the_mail_link(
    new_page: NewPage, live_server: LiveServer
) -> None:
    page = await new_page(viewport=PHONE)
    # The nomination mail's link (CDS_REGISTER_URL) opens the registration form.
    await page.goto(f"{live_server.url}/register")
    await expect(page).to_have_url(re.compile(r"/dashboard/#/register$"))
    form = page.get_by_test_id("register-form")
    await expect(form).to_be_visible()
    email = f"journey-{uuid.uuid4().hex[:10]}@example.org"
    await page.fill("#f-fullName", f"Lê Hành Trình {uuid.uuid4().hex[:4]}")
    await page.fill("#f-email", email)
    await page.fill("#f-affiliation", "Viện Hành trình Số")
    await page.select_option("#f-provinceCode", "01")
    await page.check("input[name=expertise][value=AI]")
    await page.check("input[name=consent][value=DIRECTORY_LISTING]")
    await page.check("input[name=consent][value=COORDINATOR_CONTACT]")
    await page.click("form.register button[type=submit]")
    await expect(page.get_by_test_id("register-success")).to_be_visible()

    [mail] = mails(live_server.outbox_dir, email)
    assert mail.index("Mở liên kết") < mail.index("Open this link")  # Vietnamese first
    link = link_in(mail)
    assert link.startswith(f"{live_server.url}/confirm-email?token=")
    await page.goto(link)
    result = page.get_by_test_id("confirm-result")
    await expect(result).to_have_attribute("data-outcome", "confirmed")
    await expect(result).to_contain_text("Đã xác nhận")
    await expect(result).to_contain_text("điều phối viên")  # what happens next
    # The token left the address: not in the history, not in a bookmark.
    assert "token" not in page.url
    await expect(page.get_by_test_id("code-form")).to_be_hidden()
    await no_sideways_scroll(page)
    await shot(page, "confirmed-vi-390")
    await page.get_by_role("button", name="English").click()
    await expect(result).to_contain_text("Your e-mail address is confirmed")
    await expect(result).to_contain_text("a coordinator of the province")
    await no_sideways_scroll(page)
    await shot(page, "confirmed-en-390")

    # The same link again: used, and the page says so (no error, nothing to do).
    await page.goto(link)
    await expect(result).to_have_attribute("data-outcome", "already")
    await expect(result).to_contain_text("already confirmed")


async def test_a_code_typed_by_keyboard_instead_of_the_link(
    new_page: NewPage, live_server: LiveServer, live_client: httpx.AsyncClient
) -> None:
    email, _ = await register(live_client)
    found = CODE.search(mails(live_server.outbox_dir, email)[0])
    assert found
    code = found.group(1)

    page = await new_page(viewport=PHONE)
    await page.goto(f"{live_server.url}/dashboard/#/confirm")
    await expect(page.get_by_test_id("code-form")).to_be_visible()
    await no_sideways_scroll(page)
    # By keyboard only: the address, Tab to the code (typed loosely), Enter.
    await page.focus("#code-email")
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await expect(page.locator("#code-code")).to_be_focused()
    await page.keyboard.type(code.replace("-", " ").lower())
    await page.keyboard.press("Enter")
    result = page.get_by_test_id("confirm-result")
    await expect(result).to_have_attribute("data-outcome", "confirmed")
    await expect(result).to_be_focused()  # read out at once by a screen reader
    await shot(page, "code-confirmed-vi-390")

    # A wrong code says so without telling whether the address is registered.
    other = await new_page(viewport=PHONE, locale="en-GB")
    await other.goto(f"{live_server.url}/dashboard/#/confirm?lang=en")
    await other.fill("#code-email", f"nobody-{uuid.uuid4().hex[:8]}@example.org")
    await other.fill("#code-code", code)
    await other.click("[data-testid=code-form] button[type=submit]")
    wrong = other.get_by_test_id("confirm-result")
    await expect(wrong).to_have_attribute("data-outcome", "invalid")
    await expect(wrong).to_contain_text("does not match")
    await shot(other, "code-wrong-en-390")


async def test_an_expired_link_offers_a_new_mail_that_works(
    new_page: NewPage,
    live_server: LiveServer,
    live_client: httpx.AsyncClient,
    graph: Graph,
    settings: Settings,
) -> None:
    email, _ = await register(live_client)
    person = await graph.read(_person, email)
    # The link of the mail, as it would read three days later (valid 48 hours).
    sent = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    expired = confirmation_token(
        settings, person["id"], email, sent, person["issue"], sent + dt.timedelta(hours=48)
    )
    page = await new_page()
    await page.goto(f"{live_server.url}/confirm-email?token={expired}")
    result = page.get_by_test_id("confirm-result")
    await expect(result).to_have_attribute("data-outcome", "expired")
    await expect(result).to_contain_text("hết hạn")
    await expect(result).to_contain_text("thư xác nhận mới")
    resend = page.get_by_test_id("resend-form")
    await expect(resend).to_be_visible()
    await shot(page, "expired-vi")

    await resend.locator("input[type=email]").fill(email)
    await resend.locator("button[type=submit]").click()
    await expect(page.get_by_test_id("resend-said")).to_contain_text("thư mới đang được gửi")
    # The new mail goes out after the answer (api/mutations/registration.py).
    await delivered(live_server.outbox_dir, email, 2)
    first, second = mails(live_server.outbox_dir, email)
    assert link_in(first) != link_in(second)
    await page.goto(link_in(second))
    await expect(result).to_have_attribute("data-outcome", "confirmed")
    # The first mail's link, replaced, now only says the address is confirmed.
    await page.goto(link_in(first))
    await expect(result).to_have_attribute("data-outcome", "already")


async def test_a_provincial_coordinator_verifies_from_the_pending_page(
    new_page: NewPage,
    live_server: LiveServer,
    live_client: httpx.AsyncClient,
    settings: Settings,
) -> None:
    name = f"Vũ Duyệt Hồ Sơ {uuid.uuid4().hex[:5]}"
    # Two registrations under one name in Hà Nội: the later is flagged as a possible duplicate.
    earlier_email, earlier = await register(live_client, fullName=name, provinceCode="01")
    email, later = await register(live_client, fullName=name, provinceCode="01")
    for address in (earlier_email, email):
        found = CODE.search(mails(live_server.outbox_dir, address)[0])
        assert found
        confirmed = await gql(
            live_client,
            "mutation($e: String!, $c: String!) { r: confirmEmailWithCode(email: $e, code: $c) "
            "{ __typename } }",
            {"e": address, "c": found.group(1)},
        )
        assert confirmed["r"]["__typename"] == "EmailConfirmed"

    # A guest is not offered the page, and is told who it is for.
    guest = await new_page()
    await guest.goto(f"{live_server.url}/dashboard/#/experts")
    await expect(guest.get_by_role("link", name="Chờ duyệt")).to_have_count(0)
    await guest.goto(f"{live_server.url}/dashboard/#/pending")
    await expect(guest.get_by_test_id("pending-forbidden")).to_be_visible()

    token = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")["Authorization"][7:]
    page = await new_page(viewport=PHONE)
    await page.add_init_script(f"sessionStorage.setItem('cds.token', {token!r})")
    await page.goto(f"{live_server.url}/dashboard/#/experts")
    await page.get_by_role("link", name="Chờ duyệt").click()
    item = await in_queue(page, later)
    await expect(item).to_be_visible()
    waiting = int(await page.get_by_test_id("pending-total").get_attribute("data-total") or "0")
    await expect(item.get_by_test_id("duplicate-flag")).to_contain_text(name)
    await expect(item.get_by_test_id("email-state")).to_contain_text("Đã xác nhận e-mail")
    # Oldest first: the earlier registration is above the later one.
    order = await page.locator("[data-testid=pending-list] > li").evaluate_all(
        "els => els.map(e => e.dataset.id)"
    )
    assert order.index(earlier) < order.index(later)
    await no_sideways_scroll(page)
    # What the screen shows (the whole queue, other tests' profiles included, is too long to see).
    await shot(page, "pending-top-vi-390", full_page=False)
    await item.scroll_into_view_if_needed()
    await shot(page, "pending-item-vi-390", full_page=False)

    # Verify by keyboard: the result is announced next to the profile, the count goes down.
    await verify_by_keyboard(page, item)
    await expect(page.get_by_test_id("pending-total")).to_have_attribute(
        "data-total", str(waiting - 1)
    )
    outcome = [m for m in mails(live_server.outbox_dir, email) if "xác minh" in m and "Dear" in m]
    assert len(outcome) == 1
    assert outcome[0].index("Kính gửi") < outcome[0].index("Dear")

    # The earlier one, rejected from the bulk bar with a reason, in English this time.
    await page.get_by_role("button", name="English").click()
    first = await in_queue(page, earlier)
    await first.locator("input.pick").check()
    await expect(page.get_by_test_id("selected-count")).to_have_text("1 selected")
    await page.get_by_test_id("reject-selected").click()
    await expect(page.get_by_test_id("bulk-said")).to_contain_text("Give the reason")
    await page.fill("#bulk-reason", "Same person as a profile already verified")
    await page.get_by_test_id("reject-selected").click()
    await expect(page.get_by_test_id("bulk-said")).to_contain_text("1 of 1")
    await expect(first).to_have_attribute("data-decided", "true")
    rejected = [m for m in mails(live_server.outbox_dir, earlier_email) if "Same person" in m]
    assert len(rejected) == 1
    await no_sideways_scroll(page)
    await first.scroll_into_view_if_needed()
    await shot(page, "pending-item-en-390", full_page=False)
    await page.evaluate("window.scrollTo(0, 0)")
    await shot(page, "pending-top-en-390", full_page=False)

    # The public directory now lists the verified expert, for anyone.
    await guest.goto(f"{live_server.url}/dashboard/#/experts?q={fold(name).replace(' ', '+')}")
    listed = guest.locator(f"[data-testid=expert-list] li[data-id='{later}']")
    await expect(listed).to_contain_text(name)
    await expect(guest.locator(f"[data-testid=expert-list] li[data-id='{earlier}']")).to_have_count(
        0
    )
