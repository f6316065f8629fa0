"""Test helper: post a GraphQL query through the app and return data or raise on errors."""

from __future__ import annotations

from typing import Any

import httpx


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    expect_errors: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    body: dict[str, Any] = response.json()
    if expect_errors:
        assert body.get("errors"), body
        return body
    assert not body.get("errors"), body.get("errors")
    data: dict[str, Any] = body["data"]
    return data
