"""Bad input, sent as an attacker would: every answer is a clear error naming what was wrong
(400 for a request that is not GraphQL, INVALID_INPUT naming the argument), never a 500 or a
masked INTERNAL error."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.inputs import ARGUMENT_CHARS_MAX
from api.viewer import Role
from graph.core.settings import Settings
from graph.core.text import SEARCH_CHARS_MAX, SEARCH_WORDS_MAX
from tests.tokens import bearer

JSON = {"content-type": "application/json"}


class TestRequestsThatAreNotGraphQL:
    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (b'"{ __typename }"', "not a string"),
            (b"42", "not a number"),
            (b"null", "not null"),
            (b"true", "not a boolean"),
            (b'\xff\xfe{"query": "{ __typename }"}', "not UTF-8"),
            (b'{"query": "{ __typename }"\xc3', "not UTF-8"),
            (b'{"query": "{ __typename }", "operationName": "\\ud800"}', "lone surrogate"),
            (b'{"query": "{ __typename }", "operationName": 7}', "operationName"),
            (b'{"query": "{ __typename }",', "JSON"),
        ],
    )
    async def test_400_with_a_message(
        self, client: httpx.AsyncClient, body: bytes, reason: str
    ) -> None:
        response = await client.post("/graphql", content=body, headers=JSON)
        assert response.status_code == 400, response.text
        assert reason in response.text

    async def test_a_good_request_still_works(self, client: httpx.AsyncClient) -> None:
        body = b'{"query": "query Q { __typename }", "operationName": "Q"}'
        response = await client.post("/graphql", content=body, headers=JSON)
        assert response.json() == {"data": {"__typename": "Query"}}


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    # json.dumps escapes a lone surrogate as \ud800, as a browser's JSON.stringify does.
    content = json.dumps({"query": query, "variables": variables})
    response = await client.post("/graphql", content=content, headers=JSON | (headers or {}))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def invalid_input(body: dict[str, Any]) -> tuple[str, str]:
    errors = body.get("errors")
    assert errors, body
    extensions = errors[0]["extensions"]
    assert extensions["code"] == "INVALID_INPUT", errors
    return extensions["field"], extensions["reason"]


LONE = "Hà \ud800 Nội"


class TestStringArguments:
    async def test_lone_surrogate_in_a_code(self, client: httpx.AsyncClient) -> None:
        body = await post(
            client, "query($c: String!) { administrativeUnit(code: $c) { name } }", {"c": LONE}
        )
        assert invalid_input(body) == (
            "code",
            "contains a lone surrogate (U+D800–U+DFFF), which is not text",
        )

    async def test_lone_surrogate_in_a_literal(self, client: httpx.AsyncClient) -> None:
        body = await post(client, '{ administrativeUnit(code: "\\uD800") { name } }', {})
        assert body["errors"], body  # refused by the parser or by the check, not INTERNAL
        assert all(e.get("extensions", {}).get("code") != "INTERNAL" for e in body["errors"])

    async def test_lone_surrogate_in_a_nested_input(self, client: httpx.AsyncClient) -> None:
        query = "query($f: ExpertFilter) { experts(filter: $f) { totalCount } }"
        body = await post(client, query, {"f": {"text": LONE}})
        assert invalid_input(body)[0] == "filter.text"

    async def test_lone_surrogate_in_a_mutation_input(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        query = (
            "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { "
            "__typename } }"
        )
        variables = {"i": {"name": LONE, "kind": "ENTERPRISE", "unitCode": "01"}}
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        body = await post(client, query, variables, headers)
        assert invalid_input(body)[0] == "input.name"

    async def test_over_long_string(self, client: httpx.AsyncClient) -> None:
        body = await post(
            client,
            "query($c: String!) { administrativeUnit(code: $c) { name } }",
            {"c": "0" * (ARGUMENT_CHARS_MAX + 1)},
        )
        assert invalid_input(body) == ("code", f"at most {ARGUMENT_CHARS_MAX} characters")


SEARCH = "query($t: String!) { search(text: $t) { name } }"


class TestSearchLimits:
    async def test_more_than_lucene_takes(self, client: httpx.AsyncClient) -> None:
        body = await post(client, SEARCH, {"t": " ".join(["ha"] * 1025)})
        assert invalid_input(body) == (
            "text",
            f"at most {SEARCH_CHARS_MAX} characters to search for",
        )

    async def test_too_many_short_words(self, client: httpx.AsyncClient) -> None:
        body = await post(client, SEARCH, {"t": "a " * (SEARCH_WORDS_MAX + 1)})
        assert invalid_input(body) == ("text", f"at most {SEARCH_WORDS_MAX} words to search for")

    async def test_a_megabyte(self, client: httpx.AsyncClient) -> None:
        body = await post(client, SEARCH, {"t": "ha noi " * 150_000})
        assert invalid_input(body)[0] == "text"

    async def test_many_words_for_a_coordinator(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        body = await post(client, SEARCH, {"t": "a " * 200}, headers)
        assert invalid_input(body)[0] == "text"

    async def test_directory_text(self, client: httpx.AsyncClient) -> None:
        query = "query($t: String!) { experts(filter: {text: $t}) { totalCount } }"
        body = await post(client, query, {"t": "x " * 150})
        assert invalid_input(body)[0] == "filter.text"

    async def test_longest_allowed_search_answers(self, client: httpx.AsyncClient) -> None:
        body = await post(client, SEARCH, {"t": " ".join(["ha"] * SEARCH_WORDS_MAX)})
        assert not body.get("errors"), body
        assert body["data"]["search"], body  # "ha" a hundred times still finds Hà Nội
