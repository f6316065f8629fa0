"""An expert signs in without a password and manages their own data, in a real browser on a
phone's width against a live API process: the sign-in link asked for on the page arrives in the
outbox, opening it leads to My profile, where they correct a field, download everything held
(the JSON checked) and see who read their data; signing out and an expired session lead back to
the sign-in page, which says why."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid

import httpx
from playwright.async_api import expect

from api.auth import issue_link_session
from api.viewer import Role
from graph.core.settings import Settings
from tests.e2e.conftest import LiveServer, NewPage
from tests.e2e.expert_steps import ask_for_sign_in_link, correct_affiliation
from tests.e2e.test_expert_journey import CODE, PHONE, mails, no_sideways_scroll, register, shot
from tests.gql import gql
from tests.tokens import bearer

SIGN_IN_LINK = re.compile(r"(http\S+/sign-in\?token=\S+)")


async def sign_in_link(live_server: LiveServer, email: str) -> str:
    """The link of the sign-in mail, once delivered (after the answer, in the background)."""
    for _ in range(200):
        found = [
            m.group(1)
            for mail in mails(live_server.outbox_dir, email)
            for m in [SIGN_IN_LINK.search(mail)]
            if m
        ]
        if found:
            return found[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no sign-in mail to {email}")


async def test_an_expert_signs_in_by_mail_and_manages_their_data(
    new_page: NewPage, live_server: LiveServer, live_client: httpx.AsyncClient, settings: Settings
) -> None:
    email, expert_id = await register(live_client, fullName=f"Đỗ Đăng Nhập {uuid.uuid4().hex[:4]}")
    code = CODE.search(mails(live_server.outbox_dir, email)[0])
    assert code
    confirmed = await gql(
        live_client,
        "mutation($e: String!, $c: String!) { r: confirmEmailWithCode(email: $e, code: $c) "
        "{ __typename } }",
        {"e": email, "c": code.group(1)},
    )
    assert confirmed["r"]["__typename"] == "EmailConfirmed"
    await gql(
        live_client,
        "mutation($id: ID!) { r: verifyExpert(id: $id) { __typename } }",
        {"id": expert_id},
        headers=bearer(settings, Role.NATIONAL_COORDINATOR),
    )
    # Hà Nội's coordinator reads the expert's e-mail: a read the expert will see.
    hanoi = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01", subject="hanoi-reader@so.vn")
    node = await gql(
        live_client,
        "query($id: ID!) { node(id: $id) { ... on Expert { email } } }",
        {"id": expert_id},
        headers=hanoi,
    )
    assert node["node"]["email"] == email

    page = await new_page(viewport=PHONE)
    await page.goto(f"{live_server.url}/dashboard/#/experts")
    await page.get_by_role("link", name="Đăng nhập chuyên gia").click()
    await expect(page.get_by_role("heading", name="Đăng nhập chuyên gia")).to_be_visible()
    await ask_for_sign_in_link(page, email)  # by keyboard
    await no_sideways_scroll(page)
    await shot(page, "sign-in-vi-390")

    link = await sign_in_link(live_server, email)
    assert link.startswith(f"{live_server.url}/sign-in?token=")
    await page.goto(link)
    await expect(page.get_by_test_id("me-welcome")).to_be_visible()
    assert "token" not in page.url
    assert page.url.endswith("#/me")
    await expect(page.get_by_test_id("me-state")).to_contain_text("Đã xác minh")
    await expect(page.get_by_test_id("me-email")).to_have_text(email)
    await expect(page.get_by_role("link", name="Hồ sơ của tôi")).to_be_visible()

    # Who read my data: Hà Nội's coordinator, by role and place, never by who.
    reads = page.locator("[data-testid=reads] > li")
    await expect(reads).to_have_count(1)
    await expect(reads.first).to_contain_text("Điều phối viên cấp tỉnh")
    await expect(reads.first).to_contain_text("Hà Nội")
    await expect(reads.first).to_contain_text("Thư điện tử")
    await expect(page.get_by_test_id("reads")).not_to_contain_text("hanoi-reader")

    # Correct the affiliation: saved, and the verified profile goes back for a coordinator's look.
    await correct_affiliation(page, "Viện Đăng Nhập Mới")
    await no_sideways_scroll(page)
    await shot(page, "my-profile-vi-390")

    # Download my data: the JSON file holds what the registry holds, the correction included.
    async with page.expect_download() as info:
        await page.get_by_test_id("download-data").click()
    download = await info.value
    assert download.suggested_filename.startswith("du-lieu-cua-toi-")
    path = await download.path()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["person"]["email"] == email
    [profile] = data["profiles"]
    assert profile["affiliation"] == "Viện Đăng Nhập Mới"
    assert profile["changedSinceVerification"] == ["affiliation"]
    assert [r["role"] for r in data["accessLog"]] == ["PROVINCIAL_COORDINATOR"]
    assert [bool(x["usedAt"]) for x in data["signInLinks"]] == [True]
    assert "redeemSignInLink" in [e["mutation"] for e in data["auditEvents"]]

    # Consent per purpose, with a confirm step: a purpose the network needs warns that it
    # erases (focus on Cancel); the optional one is withdrawn by keyboard.
    listing = page.locator("[data-testid=consents] > li[data-purpose=DIRECTORY_LISTING]")
    await listing.get_by_role("button", name="Rút lại sự đồng ý…").click()
    await expect(listing.get_by_role("alert")).to_contain_text("XOÁ")
    await expect(listing.get_by_role("button", name="Huỷ")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(listing.get_by_role("alert")).to_be_hidden()
    news = page.locator("[data-testid=consents] > li[data-purpose=NETWORK_NEWS]")
    await news.get_by_role("button", name="Rút lại sự đồng ý…").click()
    await news.get_by_role("button", name="Xác nhận rút lại").click()
    await expect(news).to_have_attribute("data-granted", "false")
    await expect(news).to_contain_text("Đã rút lại sự đồng ý")
    await expect(listing).to_have_attribute("data-granted", "true")

    # English is one click away.
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Who read my data")).to_be_visible()
    await no_sideways_scroll(page)
    await shot(page, "my-profile-en-390")

    # Signing out forgets the session and says so.
    await page.get_by_test_id("expert-sign-out").click()
    await expect(page.get_by_test_id("signin-result")).to_have_attribute(
        "data-outcome", "signed-out"
    )
    assert await page.evaluate("sessionStorage.getItem('cds.token')") is None

    # The same link again is used up.
    await page.goto(link)
    await expect(page.get_by_test_id("signin-result")).to_have_attribute("data-outcome", "used")

    # A session that ended brings the expert back to sign in, told why.
    person = json.loads(path.read_text(encoding="utf-8"))["person"]["id"]
    ended, _ = issue_link_session(
        settings, person, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    )
    await page.evaluate("t => sessionStorage.setItem('cds.token', t)", ended)
    await page.goto(f"{live_server.url}/dashboard/#/me")
    await expect(page.get_by_test_id("signin-result")).to_have_attribute(
        "data-outcome", "session-expired"
    )
    await expect(page.get_by_test_id("signin-result")).to_contain_text("session has expired")
    assert await page.evaluate("sessionStorage.getItem('cds.token')") is None
