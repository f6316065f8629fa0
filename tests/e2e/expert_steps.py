"""Steps of an expert's way through the dashboard that several browser tests take, each said
once: filling the public registration form (``#/register``) by keyboard, the one place the tests
know its fields, so a change of the form (the expertise taxonomy, a country of residence) is made
here; a coordinator verifying a profile of the Pending page; the expert asking for a sign-in link
and correcting their affiliation on My profile."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Locator, Page, expect

REQUIRED_CONSENTS = ("DIRECTORY_LISTING", "COORDINATOR_CONTACT")


@dataclass(frozen=True)
class Registrant:
    full_name: str
    email: str
    affiliation: str
    province_code: str
    phone: str | None = None
    expertise: tuple[str, ...] = ("AI",)
    consents: tuple[str, ...] = REQUIRED_CONSENTS


async def fill_registration(page: Page, who: Registrant) -> None:
    """Type the registrant's answers into the open form, field after field with Tab, tick the
    boxes with the space bar, and leave it unsent (the caller screenshots it, then sends)."""
    await expect(page.get_by_test_id("register-form")).to_be_visible()
    await page.focus("#f-fullName")
    await page.keyboard.type(who.full_name)
    await page.keyboard.press("Tab")
    await page.keyboard.type(who.email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(who.phone or "")
    await page.keyboard.press("Tab")
    await page.keyboard.type(who.affiliation)
    await page.keyboard.press("Tab")
    # Country of residence: Vietnam already chosen, so on to the province it requires.
    await expect(page.locator("#f-countryCode")).to_have_value("VN")
    await page.keyboard.press("Tab")
    await expect(page.locator("#f-provinceCode")).to_be_focused()
    await page.select_option("#f-provinceCode", who.province_code)
    for name, values in (("expertise", who.expertise), ("consent", who.consents)):
        for value in values:
            box = page.locator(f"input[name={name}][value={value}]")
            await box.focus()
            await page.keyboard.press("Space")
            await expect(box).to_be_checked()


async def send_registration(page: Page) -> str:
    """Send the filled form by keyboard; the global id of the new profile, once it says so."""
    await page.locator("form.register button[type=submit]").focus()
    await page.keyboard.press("Enter")
    done = page.get_by_test_id("register-success")
    await expect(done).to_be_visible()
    expert_id = await done.get_attribute("data-expert-id")
    assert expert_id
    return expert_id


async def verify_by_keyboard(page: Page, item: Locator) -> None:
    """A coordinator verifies the profile of this Pending entry: focus its button, Enter; the
    result is said next to the profile."""
    await item.locator("button[data-action=verify]").focus()
    await page.keyboard.press("Enter")
    await expect(item).to_have_attribute("data-decided", "true")
    await expect(item.locator(".said")).to_contain_text("Đã xác minh")


async def ask_for_sign_in_link(page: Page, email: str) -> None:
    """On Đăng nhập chuyên gia: the address, then Enter; the page says a link is on its way."""
    await page.focus("#signin-email")
    await page.keyboard.type(email)
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("signin-said")).to_contain_text(
        "liên kết đăng nhập đang được gửi"
    )


async def correct_affiliation(page: Page, affiliation: str) -> None:
    """On Hồ sơ của tôi of a verified profile: saved, kept listed, and back for a coordinator's
    look at what changed."""
    await page.fill("#f-affiliation", affiliation)
    await page.get_by_role("button", name="Lưu thay đổi").click()
    await expect(page.get_by_test_id("profile-said")).to_contain_text("Điều phối viên sẽ xem lại")
    await expect(page.get_by_test_id("me-changed")).to_contain_text("Đơn vị công tác")
