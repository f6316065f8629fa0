"""Single sign-on in chromium: the dashboard sends a coordinator to the identity provider (the
session's development provider, a real panva oidc-provider), they sign in on its page and come
back signed in with the role and scope of its token; signing out ends the session at the
provider too; a session that expires says so and offers signing in again."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from playwright.async_api import Page, ViewportSize, expect
from pydantic import SecretStr

from api.auth import issue_local_token
from api.viewer import Role
from graph.core.settings import Settings
from tests.e2e.conftest import ARTIFACTS_DIR, LiveServer, NewPage
from tests.sso import PASSWORD, SHORT_TOKEN_TTL, Sso
from tests.tokens import bearer

PHONE: ViewportSize = {"width": 390, "height": 844}


async def sign_in_at_provider(page: Page, sso: Sso, login: str, shot: str | None = None) -> None:
    """From the dashboard's Sign in button to the provider's login form, filled and sent."""
    await page.get_by_test_id("sign-in").click()
    await expect(page).to_have_url(re.compile(rf"^{re.escape(sso.provider.issuer)}/interaction/"))
    if shot:
        await screenshot(page, shot)
    await page.fill("#login", login)
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"))


def payload(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims


async def test_a_provincial_coordinator_signs_in_and_out(
    new_page: NewPage, sso_server: LiveServer, sso: Sso
) -> None:
    page = await new_page()
    await page.goto(f"{sso_server.url}/dashboard/#/pending")
    await expect(page.get_by_test_id("pending-forbidden")).to_be_visible()
    # Development: pasting a token is still offered, next to single sign-on.
    await expect(page.get_by_test_id("paste-token")).to_be_visible()
    # Cancelled at the provider: back on the page, told so, still a guest.
    await page.get_by_test_id("sign-in").click()
    await page.get_by_role("link", name="Huỷ / Cancel").click()
    await expect(page.get_by_test_id("sign-in-cancelled")).to_contain_text("Đã huỷ đăng nhập")
    await expect(page).to_have_url(f"{sso_server.url}/dashboard/#/pending")

    await sign_in_at_provider(page, sso, "province-79", shot="sso-provider-login")
    # Back on the page they left, signed in with the token's role and scope.
    await expect(page).to_have_url(f"{sso_server.url}/dashboard/#/pending")
    signed_in = page.get_by_test_id("signed-in")
    await expect(signed_in).to_have_attribute("data-role", "PROVINCIAL_COORDINATOR")
    await expect(signed_in).to_have_attribute("data-scope", "79")
    await expect(signed_in).to_contain_text("Điều phối viên cấp tỉnh (79)")
    # The queue is a coordinator's only: the API accepted the provider's token.
    await expect(page.get_by_test_id("pending-total")).to_have_attribute(
        "data-total", re.compile(r"^\d+$")
    )
    await expect(page.get_by_test_id("pending-forbidden")).to_have_count(0)
    # The token is this tab's only (sessionStorage), for this API, and the address is clean.
    token = await page.evaluate("sessionStorage.getItem('cds.token')")
    assert await page.evaluate("localStorage.length") == 0
    claims = payload(token)
    assert (claims["iss"], claims["aud"]) == (sso.provider.issuer, sso.provider.resource)
    assert "code=" not in page.url
    await screenshot(page, "sso-signed-in")

    # Signing out ends the provider's session too: it asks, then sends the browser back.
    await signed_in.get_by_role("button", name="Đăng xuất").click()
    await expect(page).to_have_url(re.compile(rf"^{re.escape(sso.provider.issuer)}/session/end"))
    await page.get_by_role("button", name="Đăng xuất").click()
    await expect(page).to_have_url(re.compile(rf"^{re.escape(sso_server.url)}/dashboard/"))
    await expect(page.get_by_test_id("sign-in")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('cds.token')") is None
    # Signing in again asks for the password again.
    await page.get_by_test_id("sign-in").click()
    await expect(page.locator("#password")).to_be_visible()


async def test_an_expired_session_says_so_and_signs_in_again(
    new_page: NewPage, sso_server: LiveServer, sso: Sso
) -> None:
    page = await new_page(viewport=PHONE)
    await page.goto(f"{sso_server.url}/dashboard/#/pending")
    # This account's tokens live SHORT_TOKEN_TTL seconds.
    await sign_in_at_provider(page, sso, "province-79-short")
    await expect(page.get_by_test_id("signed-in")).to_be_visible()
    expired = page.get_by_test_id("session-expired")
    await expect(expired).to_be_visible(timeout=(SHORT_TOKEN_TTL + 20) * 1000)
    await expect(expired).to_contain_text("Phiên đăng nhập đã hết hạn")
    await expect(page.get_by_test_id("signed-in")).to_have_count(0)
    await expect(page.get_by_test_id("pending-forbidden")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('cds.token')") is None
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(page, "sso-session-expired-390")
    # English is one click away, the notice too.
    await page.get_by_role("button", name="English").click()
    await expect(expired).to_contain_text("Your session has expired")
    await page.get_by_role("button", name="Tiếng Việt").click()

    # Signing in again: the provider still knows them, so no form, straight back signed in.
    again = page.get_by_test_id("sign-in-again")
    await again.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("signed-in")).to_have_attribute("data-scope", "79")
    await expect(expired).to_be_hidden()


async def test_a_pasted_token_the_api_refuses_ends_the_session(
    new_page: NewPage, live_server: LiveServer, settings: Settings
) -> None:
    # Local mode (development): Sign in is the token paste. A token signed with another key
    # reads as a national coordinator in the page, but the API answers 401: the page says so.
    foreign = settings.model_copy(update={"jwt_signing_key": SecretStr("another-key-" * 4)})
    forged = issue_local_token(foreign, Role.NATIONAL_COORDINATOR, subject="forged")
    page = await new_page()
    await page.goto(f"{live_server.url}/dashboard/#/pending")
    await page.get_by_test_id("sign-in").click()
    await page.fill("#token", forged)
    await page.locator("dialog.signin button[type=submit]").click()
    await expect(page.get_by_test_id("session-expired")).to_be_visible()
    await expect(page.get_by_test_id("pending-forbidden")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('cds.token')") is None
    # A good one signs in.
    await page.get_by_test_id("sign-in-again").click()
    await page.fill("#token", bearer(settings, Role.NATIONAL_COORDINATOR)["Authorization"][7:])
    await page.locator("dialog.signin button[type=submit]").click()
    await expect(page.get_by_test_id("signed-in")).to_have_attribute(
        "data-role", "NATIONAL_COORDINATOR"
    )
    await expect(page.get_by_test_id("session-expired")).to_be_hidden()
