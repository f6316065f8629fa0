"""Issue #13, what it must show: the whole expert journey in one walk, in chromium, against one
API process in single sign-on mode (the real development identity provider for the coordinator,
mail links for the expert) and the mails its outbox writes.

A person registers on the public form (on a phone, by keyboard), typing their name without
diacritics: the same name as an expert already verified in Hồ Chí Minh City, so the profile is
flagged as a possible duplicate. They confirm their address from the mail's link. The province's
coordinator signs in at the provider, finds them under Chờ duyệt with the flag, and verifies
them; the expert is mailed the outcome. The expert signs in by a mailed link, corrects their
affiliation on Hồ sơ của tôi, downloads their data, and the public directory lists them with
the correction, while the coordinator's queue shows the change for a second look.

Screenshots: var/e2e-artifacts/journey-01-register.png … journey-09-pending-changed.png."""

from __future__ import annotations

import json
import random
import re
import uuid
from urllib.parse import quote

import httpx
from playwright.async_api import expect

from graph.core.db import Graph
from graph.core.settings import Settings
from graph.core.text import fold
from tests.e2e.conftest import LiveServer, NewPage
from tests.e2e.expert_steps import (
    Registrant,
    ask_for_sign_in_link,
    correct_affiliation,
    fill_registration,
    send_registration,
    verify_by_keyboard,
)
from tests.e2e.test_expert_journey import (
    PHONE,
    in_queue,
    link_in,
    mails,
    no_sideways_scroll,
    shot,
)
from tests.e2e.test_expert_sign_in import sign_in_link
from tests.e2e.test_sso import sign_in_at_provider
from tests.experts.support import VERIFY, register_expert
from tests.gql import gql
from tests.sso import Sso, machine_token

HO_CHI_MINH_CITY = "79"
# Given names without diacritics, so the same letters are typed with or without them: each run
# has a name of its own, the session's other tests keep theirs.
GIVEN = ("An", "Binh", "Chi", "Giang", "Ha", "Khanh", "Lan", "Minh", "Nam", "Phuong", "Quan")


async def verified_expert(
    web: httpx.AsyncClient,
    graph: Graph,
    settings: Settings,
    server: LiveServer,
    sso: Sso,
    name: str,
) -> str:
    """An expert already in the network: registered, confirmed, and verified by the province's
    portal (a machine client of the provider); their global id."""
    first = await register_expert(
        web,
        graph,
        settings,
        server.outbox_dir,
        verify=False,
        fullName=name,
        provinceCode=HO_CHI_MINH_CITY,
    )
    portal = await machine_token(sso.provider, "cds-portal-79")
    result = await gql(
        web, VERIFY, {"id": first.expert_id}, headers={"Authorization": f"Bearer {portal}"}
    )
    assert result["r"]["__typename"] == "ExpertReviewPayload", result
    return first.expert_id


async def test_the_whole_expert_journey(
    new_page: NewPage, sso_server: LiveServer, sso: Sso, graph: Graph, settings: Settings
) -> None:
    given = " ".join(random.choice(GIVEN) for _ in range(2))
    existing = f"Trần Thị Hồng Nhung {given}"
    typed = f"Tran Thi Hong Nhung {given}"
    assert fold(existing) == fold(typed)
    async with sso_server.client() as web:
        earlier = await verified_expert(web, graph, settings, sso_server, sso, existing)

    # 1. The registration form, on a phone, by keyboard.
    who = Registrant(
        full_name=typed,
        email=f"nhung-{uuid.uuid4().hex[:10]}@example.vn",
        phone=f"091{random.randrange(10**7):07d}",
        affiliation="Trường Đại học Hành Trình",
        province_code=HO_CHI_MINH_CITY,
        expertise=("AI", "DATA"),
    )
    expert = await new_page(viewport=PHONE)
    await expert.goto(f"{sso_server.url}/dashboard/#/experts")
    await expert.get_by_role("link", name="Đăng ký chuyên gia").click()
    await fill_registration(expert, who)
    await no_sideways_scroll(expert)
    await shot(expert, "01-register")
    expert_id = await send_registration(expert)
    await expect(expert.get_by_test_id("register-success")).to_contain_text("mở thư xác nhận")

    # 2. The confirmation mail's link, opened in the browser: confirmed, a coordinator is next.
    [mail] = mails(sso_server.outbox_dir, who.email)
    await expert.goto(link_in(mail))
    confirmed = expert.get_by_test_id("confirm-result")
    await expect(confirmed).to_have_attribute("data-outcome", "confirmed")
    await expect(confirmed).to_contain_text("điều phối viên")
    await no_sideways_scroll(expert)
    await shot(expert, "02-confirmed")

    # 3. The province's coordinator, at a desk: signs in at the provider, opens Chờ duyệt, sees
    # the possible duplicate, verifies.
    coordinator = await new_page()
    await coordinator.goto(f"{sso_server.url}/dashboard/")
    await sign_in_at_provider(coordinator, sso, "province-79", shot="journey-03-provider-login")
    await expect(coordinator.get_by_test_id("signed-in")).to_have_attribute("data-scope", "79")
    await coordinator.get_by_role("link", name="Chờ duyệt").click()
    item = await in_queue(coordinator, expert_id)
    await expect(item).to_contain_text(typed)
    await expect(item.get_by_test_id("email-state")).to_contain_text("Đã xác nhận e-mail")
    duplicate = item.get_by_test_id("duplicate-flag")
    await expect(duplicate).to_contain_text(existing)
    await expect(duplicate).to_contain_text("Đã xác minh")  # the earlier profile's status
    await expect(duplicate.get_by_role("link", name=existing)).to_have_attribute(
        "href", f"#/experts/{quote(earlier, safe='')}"
    )
    await item.scroll_into_view_if_needed()
    await shot(coordinator, "04-pending-duplicate", full_page=False)
    await verify_by_keyboard(coordinator, item)
    await shot(coordinator, "05-verified", full_page=False)

    # 4. The outcome mail, Vietnamese first.
    [outcome] = [m for m in mails(sso_server.outbox_dir, who.email) if "Kính gửi" in m]
    assert f"Kính gửi {typed}" in outcome
    assert outcome.index("đã được điều phối viên xác minh") < outcome.index("has verified")

    # 5. The expert signs in by a mailed link and corrects their affiliation.
    await expert.goto(f"{sso_server.url}/dashboard/#/experts")
    await expert.get_by_role("link", name="Đăng nhập chuyên gia").click()
    await ask_for_sign_in_link(expert, who.email)
    await shot(expert, "06-sign-in")
    await expert.goto(await sign_in_link(sso_server, who.email))
    await expect(expert.get_by_test_id("me-welcome")).to_be_visible()
    await expect(expert.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    await expect(expert.get_by_test_id("me-state")).to_contain_text("Đã xác minh")
    # The header says who is signed in in words: not the person id an expert's session carries.
    await expect(expert.get_by_test_id("signed-in")).to_contain_text("Đang đăng nhập: Chuyên gia")
    await expect(expert.get_by_test_id("signed-in")).not_to_contain_text("person-")
    corrected = "Viện Công nghệ số Thành phố Hồ Chí Minh"
    await correct_affiliation(expert, corrected)
    await no_sideways_scroll(expert)
    await shot(expert, "07-my-profile")
    async with expert.expect_download() as info:
        await expert.get_by_test_id("download-data").click()
    download = await info.value
    data = json.loads((await download.path()).read_text(encoding="utf-8"))
    assert data["person"]["email"] == who.email
    [profile] = data["profiles"]
    assert (profile["status"], profile["affiliation"]) == ("VERIFIED", corrected)
    assert profile["changedSinceVerification"] == ["affiliation"]

    # 6. The public directory lists them, with the correction, for anyone.
    guest = await new_page(viewport=PHONE)
    await guest.goto(f"{sso_server.url}/dashboard/#/experts?q={fold(typed).replace(' ', '+')}")
    listed = guest.locator(f"[data-testid=expert-list] li[data-id='{expert_id}']")
    await expect(listed).to_contain_text(typed)
    await expect(listed.locator(".affiliation")).to_have_text(corrected)
    await expect(
        guest.locator(f"[data-testid=expert-list] li[data-id='{earlier}']")
    ).to_contain_text(existing)
    await no_sideways_scroll(guest)
    await shot(guest, "08-directory")

    # …and the coordinator's queue has the profile back, flagged with what changed.
    await coordinator.reload()
    again = await in_queue(coordinator, expert_id)
    await expect(again.get_by_test_id("changed-flag")).to_contain_text("Đơn vị công tác")
    await expect(again.locator("button[data-action=verify]")).to_have_text(re.compile("Chấp nhận"))
    await again.scroll_into_view_if_needed()
    await shot(coordinator, "09-pending-changed", full_page=False)
