"""GraphiQL in a real browser: the self-hosted page loads, runs a query typed into it, and asks
nothing of any host but the API's own."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.e2e.conftest import LiveServer, RequestLog


async def test_graphiql_runs_a_typed_query_from_the_app_alone(
    live_server: LiveServer, page: Page, request_log: RequestLog
) -> None:
    await page.goto(f"{live_server.url}/graphql")
    await expect(page).to_have_title("GraphiQL")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await expect(editor).to_be_visible()

    # Replace the welcome text. insert_text types the characters as one input event, so
    # CodeMirror's bracket auto-closing and completion pop-ups (key handlers) stay out of it.
    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text("{ __typename }")
    await expect(editor).to_contain_text("{ __typename }")
    await page.get_by_role("button", name=re.compile("Execute query")).click()

    await expect(page.locator(".graphiql-response")).to_contain_text('"__typename": "Query"')
    request_log.assert_only_local()
    # The bundle and the query both went to the app itself (not merely: nothing went elsewhere).
    paths = [url.removeprefix(live_server.url) for url in request_log.urls]
    assert any(path.startswith("/static/graphiql/graphiql.js") for path in paths), paths
    assert "/graphql" in paths, paths
