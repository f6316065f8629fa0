"""Units across the reform, Relay paging and node refetch, search, limits and round trips."""

from __future__ import annotations

import httpx

from graph.core.db import statements_sent
from tests.gql import gql


async def test_same_code_before_and_after_the_reform(client: httpx.AsyncClient) -> None:
    data = await gql(
        client,
        '{ old: administrativeUnit(code: "00004", asOf: "2024-01-01") { name era'
        "   parent { name level } successors { isDefault unit { name era } } }"
        '  new: administrativeUnit(code: "00004", asOf: "2026-01-01") { name era'
        "   parent { name level } predecessors { unit { name } } } }",
    )
    assert data["old"]["name"] == "Phường Trúc Bạch"
    assert data["old"]["parent"]["level"] == "DISTRICT"
    assert data["old"]["successors"] == [
        {"isDefault": True, "unit": {"name": "Phường Ba Đình", "era": "CURRENT"}}
    ]
    assert data["new"]["name"] == "Phường Ba Đình"
    assert data["new"]["parent"]["level"] == "PROVINCE"
    assert {"unit": {"name": "Phường Trúc Bạch"}} in data["new"]["predecessors"]


async def test_children_paging_walks_every_child_once(client: httpx.AsyncClient) -> None:
    codes: list[str] = []
    after = None
    while True:
        data = await gql(
            client,
            'query($after: String) { administrativeUnit(code: "01") {'
            " children(first: 17, after: $after) { totalCount"
            " pageInfo { hasNextPage endCursor } nodes { code } } } }",
            {"after": after},
        )
        children = data["administrativeUnit"]["children"]
        codes += [n["code"] for n in children["nodes"]]
        if not children["pageInfo"]["hasNextPage"]:
            break
        after = children["pageInfo"]["endCursor"]
    assert len(codes) == len(set(codes)) == children["totalCount"] > 100
    assert codes == sorted(codes)


async def test_node_refetches_a_unit(client: httpx.AsyncClient) -> None:
    data = await gql(client, '{ administrativeUnit(code: "01") { id name } }')
    unit = data["administrativeUnit"]
    again = await gql(
        client,
        "query($id: ID!) { node(id: $id) { id ... on AdministrativeUnit { name } } }",
        {"id": unit["id"]},
    )
    assert again["node"] == unit


async def test_search_ignores_case_and_diacritics(client: httpx.AsyncClient) -> None:
    query = "query($t: String!) { search(text: $t, first: 10) { kind name } }"
    hits = (await gql(client, query, {"t": "ha noi"}))["search"]
    assert "Thành phố Hà Nội" in [h["name"] for h in hits]
    hits = (await gql(client, query, {"t": "dak lak"}))["search"]
    assert "Tỉnh Đắk Lắk" in [h["name"] for h in hits]
    hits = (await gql(client, query, {"t": "an binh"}))["search"]
    assert any(h["name"].endswith("An Bình") for h in hits)


async def test_expert_directory_text_filter(client: httpx.AsyncClient) -> None:
    first = await gql(client, "{ experts(first: 1) { totalCount nodes { fullName email } } }")
    expert = first["experts"]["nodes"][0]
    assert expert["email"] is None  # anonymous viewers get no personal fields
    typed = expert["fullName"].lower()
    import unicodedata

    plain = "".join(
        c for c in unicodedata.normalize("NFD", typed) if not unicodedata.combining(c)
    ).replace("đ", "d")
    found = await gql(
        client,
        "query($t: String) { experts(filter: {text: $t}, first: 50) { nodes { fullName } } }",
        {"t": plain},
    )
    assert expert["fullName"] in [n["fullName"] for n in found["experts"]["nodes"]]


async def test_limits_give_clear_errors(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        '{ administrativeUnit(code: "01") { children(first: 501) { totalCount } } }',
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["field"] == "first"
    body = await gql(
        client,
        '{ administrativeUnit(code: "01") { children(after: "garbage") { totalCount } } }',
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["field"] == "after"
    deep = '{ administrativeUnit(code: "01") { ' + "parent { " * 14 + "code" + " }" * 15 + " }"
    body = await gql(client, deep, expect_errors=True)
    assert "depth" in body["errors"][0]["message"]
    body = await gql(client, '{ administrativeUnitt(code: "01") { code } }', expect_errors=True)
    assert "Did you mean" not in body["errors"][0]["message"]


NESTED = """
query($code: String!, $n: Int!) {
  administrativeUnit(code: $code) {
    children(first: $n) { nodes { code
      teams(first: 20) { nodes { name members { role } establishedBy { number } } }
      organisations(first: 5) { nodes { name focalPoints { mode } } } } }
  }
}
"""


async def test_nested_query_costs_fixed_round_trips(client: httpx.AsyncClient) -> None:
    # The best-covered province, so both the small and the large query reach every level.
    ranking = await gql(client, "{ provinceRanking(metric: TEAM_COVERAGE) { province { code } } }")
    code = ranking["provinceRanking"][0]["province"]["code"]
    counts = []
    for n in (10, 80):
        counter = [0]
        token = statements_sent.set(counter)
        try:
            data = await gql(client, NESTED, {"code": code, "n": n})
        finally:
            statements_sent.reset(token)
        communes = data["administrativeUnit"]["children"]["nodes"]
        teams = [t for c in communes for t in c["teams"]["nodes"]]
        assert any(t["members"] for t in teams), "every field level must be exercised"
        counts.append(counter[0])
    assert counts[0] == counts[1], counts
