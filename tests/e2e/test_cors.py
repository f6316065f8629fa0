"""CORS in chromium: a page of another origin (a province's portal) calls the GraphQL API with
a machine token; the browser lets it read the answer only when the operator named its origin in
CDS_CORS_ORIGINS (the ``sso_server`` names the first of ``portal_origins``)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from playwright.async_api import expect

from tests.e2e.conftest import LiveServer, NewPage
from tests.sso import Sso, machine_token

QUERY = "{ pendingExperts(first: 1) { totalCount } }"


async def test_only_the_named_origins_may_call_the_api(
    new_page: NewPage, sso_server: LiveServer, sso: Sso, portal_origins: tuple[str, str]
) -> None:
    token = await machine_token(sso.provider, "cds-portal-79")
    fragment = quote(json.dumps({"api": sso_server.url, "token": token, "query": QUERY}))
    allowed, other = portal_origins
    outcomes = {}
    for origin in (allowed, other):
        page = await new_page()
        await page.goto(f"{origin}/#{fragment}")
        result = page.locator("#result")
        await expect(result).to_have_attribute("data-outcome", re.compile("^(ok|blocked)$"))
        outcomes[origin] = (await result.get_attribute("data-outcome"), await result.inner_text())
    status, text = outcomes[allowed]
    assert status == "ok", text
    assert isinstance(json.loads(text)["data"]["pendingExperts"]["totalCount"], int)
    # The other origin's page sees a network failure, never the answer.
    status, text = outcomes[other]
    assert status == "blocked", text
    assert "Failed to fetch" in text
