"""The coordinator dashboard in a real browser, checked against what the public GraphQL API
answers for the same question (the pages use nothing else)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect

from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from graph.core.text import fold
from tests.e2e.conftest import LiveServer, NewPage, StartServer
from tests.factories import other_commune
from tests.gql import gql
from tests.tokens import bearer

# A date the other tests never count on: what the live test adds there moves no figure they
# compare (see tests/factories.py).
FUTURE = dt.date(2031, 1, 2)


async def coverage_rows(client: httpx.AsyncClient, scope: str | None, as_of: str) -> list[Any]:
    data = await gql(
        client,
        """query ($scope: String, $asOf: Date) { coverage(scopeCode: $scope, asOf: $asOf) {
            rows { unit { code level lat lon } figures { teamCoverage } } } }""",
        {"scope": scope, "asOf": as_of},
    )
    rows: list[Any] = data["coverage"]["rows"]
    return rows


async def cells(page: Page) -> dict[str, dict[str, str]]:
    """code → the attributes the map drew each unit with."""
    found: dict[str, dict[str, str]] = await page.eval_on_selector_all(
        "svg[data-testid=map] path.cell",
        """els => Object.fromEntries(els.map(e => [e.dataset.code,
            {value: e.dataset.value, fill: e.getAttribute('fill'), cls: e.dataset.class}]))""",
    )
    return found


async def legend(page: Page) -> list[dict[str, str]]:
    items: list[dict[str, str]] = await page.eval_on_selector_all(
        "[data-testid=legend] li[data-class]",
        "els => els.map(e => ({cls: e.dataset.class, fill: e.dataset.fill, "
        "min: e.dataset.min, max: e.dataset.max}))",
    )
    return items


def legend_fill(items: list[dict[str, str]], value: float | None) -> str:
    """The colour the legend promises for a value."""
    for item in items:
        if value is None and item["cls"] == "-1":
            return item["fill"]
        if value is not None and item["min"] != "":
            low, high = float(item["min"]), float(item["max"]) if item["max"] else None
            if value >= low and (high is None or value < high):
                return item["fill"]
    raise AssertionError(f"no legend class for {value}")


async def test_map_colours_provinces_as_coverage_says(
    page: Page, live_server: LiveServer, live_client: httpx.AsyncClient
) -> None:
    today = dt.date.today().isoformat()
    rows = await coverage_rows(live_client, None, today)
    placed = {r["unit"]["code"]: r for r in rows if r["unit"]["lat"] is not None}
    assert len(placed) >= 30  # today's 34 provinces (all have coordinates in the source data)

    await page.goto(f"{live_server.url}/dashboard/#/map?metric=TEAM_COVERAGE")
    await expect(page.locator("svg[data-testid=map] path.cell")).to_have_count(len(placed))
    drawn = await cells(page)
    items = await legend(page)
    assert set(drawn) == set(placed)
    for code, row in placed.items():
        value = row["figures"]["teamCoverage"]
        cell = drawn[code]
        if value is None:
            assert cell["value"] == ""
        else:
            assert float(cell["value"]) == value
        assert cell["fill"] == legend_fill(items, value), code
    # The uneven synthetic network gives several colours, not one flat map.
    assert len({c["fill"] for c in drawn.values()}) >= 3

    # Hover shows the counts of that province.
    first = next(iter(placed))
    await page.hover(f"svg[data-testid=map] path[data-code='{first}']")
    await expect(page.get_by_test_id("tooltip")).to_be_visible()

    # Vietnamese first; English one click away, the map unchanged.
    await expect(page.locator("html")).to_have_attribute("lang", "vi")
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("link", name="Coverage map")).to_be_visible()
    await expect(page.locator("svg[data-testid=map] path.cell")).to_have_count(len(placed))


async def test_click_drills_into_a_province_and_shows_its_communes(
    page: Page, live_server: LiveServer, live_client: httpx.AsyncClient
) -> None:
    today = dt.date.today().isoformat()
    communes = await coverage_rows(live_client, "01", today)
    placed = {r["unit"]["code"] for r in communes if r["unit"]["lat"] is not None}
    assert communes
    assert all(r["unit"]["level"] == "COMMUNE" for r in communes)

    await page.goto(f"{live_server.url}/dashboard/#/map")
    # By keyboard, as someone who cannot use a mouse would: focus the cell, press Enter.
    await page.focus("svg[data-testid=map] path[data-code='01']")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"scope=01"))
    await expect(page.locator("svg[data-testid=map]")).to_have_attribute("data-scope", "01")
    await expect(page.locator("svg[data-testid=map] path.cell")).to_have_count(len(placed))
    assert set(await cells(page)) == placed
    await expect(page.get_by_test_id("scope-name")).to_contain_text("Hà Nội")


async def test_a_date_before_the_reform_shows_the_63_legacy_provinces(
    page: Page, live_server: LiveServer, live_client: httpx.AsyncClient
) -> None:
    rows = await coverage_rows(live_client, None, "2024-06-01")
    placed = [r for r in rows if r["unit"]["lat"] is not None]
    await page.goto(f"{live_server.url}/dashboard/#/map")
    await page.fill("#asOf", "2024-06-01")
    await page.dispatch_event("#asOf", "change")
    await expect(page.locator("svg[data-testid=map] path.cell")).to_have_count(len(placed))
    assert len(rows) == 63


async def test_ranking_table_is_province_ranking_and_sorts(
    page: Page, live_server: LiveServer, live_client: httpx.AsyncClient
) -> None:
    data = await gql(
        live_client,
        "{ provinceRanking(metric: FOCAL_POINT_COVERAGE) { rank value province { code } } }",
    )
    ranking = data["provinceRanking"]
    await page.goto(f"{live_server.url}/dashboard/#/rankings?metric=FOCAL_POINT_COVERAGE")
    body = page.locator("[data-testid=ranking-table] tbody tr")
    await expect(body).to_have_count(len(ranking))
    shown = await body.evaluate_all(
        "rows => rows.map(r => [r.dataset.code, r.cells[0].textContent, r.cells[2].dataset.value])"
    )
    assert [(code, int(rank)) for code, rank, _ in shown] == [
        (r["province"]["code"], r["rank"]) for r in ranking
    ]
    for (_, _, value), r in zip(shown, ranking, strict=True):
        assert (None if value == "" else float(value)) == r["value"]

    # Sorting by value, ascending then descending, reorders without a new query.
    await page.click("button[data-sort=value]")
    await page.click("button[data-sort=value]")
    values = await body.evaluate_all("rows => rows.map(r => r.cells[2].dataset.value)")
    numbers = [float(v) for v in values if v != ""]
    assert numbers == sorted(numbers)
    await expect(page.locator("th[aria-sort=ascending]")).to_have_count(1)
    # Export buttons point at the spreadsheet of the same metric.
    href = await page.get_attribute("[data-testid=export-csv]", "href")
    assert href is not None
    assert "metric=FOCAL_POINT_COVERAGE" in href
    response = await live_client.get(href)
    assert response.status_code == 200
    assert "text/csv" in response.headers["content-type"]


async def test_expert_search_ignores_diacritics_and_contact_needs_scope(
    new_page: NewPage, live_server: LiveServer, live_client: httpx.AsyncClient, settings: Settings
) -> None:
    data = await gql(live_client, "{ experts(first: 50) { nodes { id fullName } } }")
    accented = next(e for e in data["experts"]["nodes"] if fold(e["fullName"]) != e["fullName"])
    plain = fold(accented["fullName"])  # "nguyen van an" for "Nguyễn Văn An"

    page = await new_page()
    await page.goto(f"{live_server.url}/dashboard/#/experts")
    await page.fill("#q", plain)
    hit = page.locator(f"[data-testid=expert-list] li[data-id='{accented['id']}']")
    await expect(hit).to_be_visible()
    await expect(hit).to_contain_text(accented["fullName"])

    # The profile: a guest sees no contact details, only the note saying who may.
    await hit.locator("a.name").click()
    await expect(page.get_by_test_id("expert-profile")).to_contain_text(accented["fullName"])
    await expect(page.get_by_test_id("expert-email")).to_have_count(0)

    # A national coordinator, signed in, sees the e-mail the API gives them.
    token = bearer(settings, Role.NATIONAL_COORDINATOR)["Authorization"].removeprefix("Bearer ")
    coordinator = await new_page()
    await coordinator.add_init_script(f"sessionStorage.setItem('cds.token', {token!r})")
    await coordinator.goto(f"{live_server.url}/dashboard/#/experts/{accented['id']}")
    signed_in = coordinator.get_by_test_id("signed-in")
    await expect(signed_in).to_have_attribute("data-role", "NATIONAL_COORDINATOR")
    await expect(signed_in).to_contain_text("Điều phối viên quốc gia")
    await expect(coordinator.get_by_test_id("expert-email")).to_contain_text("@")


async def test_registration_form_shows_field_errors_then_registers(
    new_page: NewPage, live_server: LiveServer, graph: Graph
) -> None:
    # On a phone's screen: experts register from wherever they are.
    page = await new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{live_server.url}/dashboard/#/register")
    form = page.get_by_test_id("register-form")
    await expect(form).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling to reach a field.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390

    # Nothing filled: each required field says so next to itself, before anything is sent.
    await page.click("form.register button[type=submit]")
    for name in ("fullName", "email", "affiliation", "provinceCode", "expertise"):
        await expect(page.locator(f"[data-error-for='{name}']")).to_be_visible()
    await expect(page.locator("#f-fullName")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("[data-error-for='consents.DIRECTORY_LISTING']")).to_be_visible()

    email = f"e2e-{uuid.uuid4().hex[:10]}@example.org"
    name = f"Trần Thị Kiểm Thử {uuid.uuid4().hex[:4]}"
    await page.fill("#f-fullName", name)
    await page.fill("#f-email", email)
    # Well-formed to the browser, but not a number in Vietnam's numbering plan: the server
    # says so, and the page puts its error next to the phone field.
    await page.fill("#f-phone", "0100 000 000")
    await page.fill("#f-affiliation", "Trường Đại học Bách khoa Hà Nội")
    await page.select_option("#f-provinceCode", "01")
    await page.check("input[name=expertise][value=DATA]")
    await page.check("input[name=consent][value=DIRECTORY_LISTING]")
    await page.check("input[name=consent][value=COORDINATOR_CONTACT]")
    await page.click("form.register button[type=submit]")
    phone_error = page.locator("[data-error-for='phone']")
    await expect(phone_error).to_be_visible()
    await expect(phone_error).to_contain_text("Số điện thoại")
    await expect(page.locator("[data-error-for='fullName']")).to_be_hidden()

    # A number of its own: another test may have registered any fixed one (phones are unique).
    phone = f"098{uuid.uuid4().int % 10**7:07d}"
    await page.fill("#f-phone", f"{phone[:4]} {phone[4:7]} {phone[7:]}")
    await page.click("form.register button[type=submit]")
    success = page.get_by_test_id("register-success")
    await expect(success).to_be_visible()
    await expect(form).to_be_hidden()  # sent once: no second submit of the same person
    expert_id = await success.get_attribute("data-expert-id")
    assert expert_id

    async def find(tx: Tx) -> list[Any]:
        return await run(
            tx,
            "MATCH (p:Person {email: $email})-[:HAS_PROFILE]->(e:ExpertProfile) "
            "RETURN p.fullName AS name, e.status AS status, p.phone AS phone",
            email=email,
        )

    # Stored once, PENDING (not in the public directory until verified), phone in E.164.
    found = await graph.read(find)
    assert [dict(r) for r in found] == [
        {"name": name, "status": "PENDING", "phone": f"+84{phone[1:]}"}
    ]


async def test_a_change_through_another_process_appears_without_reload(
    page: Page,
    live_server: LiveServer,
    start_server: StartServer,
    graph: Graph,
    settings: Settings,
) -> None:
    province = "79"
    await page.goto(f"{live_server.url}/dashboard/#/map?scope={province}&asOf={FUTURE}")
    teams = page.get_by_test_id("total-teams")
    await expect(teams).not_to_have_text("")
    before = int(re.sub(r"\D", "", await teams.inner_text()))
    await expect(page.get_by_test_id("live-status")).to_have_attribute("data-connected", "true")
    await page.evaluate("window.__sameDocument = true")

    other = await start_server()
    commune = await other_commune(graph, province)
    async with other.client() as client:
        result = await gql(
            client,
            """mutation ($input: CreateTeamInput!) { createTeam(input: $input) {
                __typename ... on TeamPayload { team { id } } } }""",
            {
                "input": {
                    "communeCode": commune,
                    "name": f"Tổ CNSCĐ thử trực tiếp {uuid.uuid4().hex[:6]}",
                    "level": "COMMUNE",
                    "since": "2031-01-01",
                    "decisionNumber": "99/QĐ-UBND",
                    "decisionDate": "2031-01-01",
                }
            },
            headers=bearer(settings, Role.NATIONAL_COORDINATOR),
        )
    assert result["createTeam"]["__typename"] == "TeamPayload", result
    # Like the factories' teams it is dated 2031 and stays: no figure of today moves.
    await expect(teams).to_have_text(re.compile(rf"^{before + 1}$"))
    assert await page.evaluate("window.__sameDocument") is True  # no reload happened
