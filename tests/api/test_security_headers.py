"""Security headers on the pages and the API, and no page that loads from a CDN."""

from __future__ import annotations

import httpx
import pytest

from api.headers import CONTENT_SECURITY_POLICY

PAGES = [
    ("/dashboard/", {}),
    ("/graphql", {"Accept": "text/html"}),  # GraphiQL
    ("/graphql?query=%7B__typename%7D", {}),
    ("/healthz", {}),
    ("/exports/ranking.csv", {}),
    ("/static/graphiql/graphiql.js", {}),
]


@pytest.mark.parametrize(("path", "headers"), PAGES)
async def test_headers(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
    response = await client.get(path, headers=headers)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


def test_policy_is_self_only_and_never_framed() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline, no eval, no other origin
    assert directives["frame-ancestors"] == "'none'"
    assert all("http" not in value and "*" not in value for value in directives.values())


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_no_cdn_documentation_pages(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404
