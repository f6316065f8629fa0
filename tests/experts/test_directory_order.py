"""The directory's order and pages against a direct Cypher listing of the same profiles: every
verified profile once, by name or by province then name, the pages joined by their cursors
giving the whole list (graph/experts/directory.py reads only the page's profiles in full)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from api.relay import from_global_id
from graph.core.db import Graph, Tx, run
from tests.gql import gql

PAGE = """
query($order: ExpertOrder!, $first: Int, $after: String, $f: ExpertFilter) {
  experts(orderBy: $order, first: $first, after: $after, filter: $f) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id province { code } organisation { id } }
  }
}
"""


async def _listed(
    client: httpx.AsyncClient,
    order: str,
    kind: str | None,
    first: int,
    more: dict[str, Any] | None = None,
) -> list[Any]:
    after, out = None, []
    f = {**({"organisationKinds": [kind]} if kind else {}), **(more or {})} or None
    while True:
        variables = {"order": order, "first": first, "after": after, "f": f}
        data = (await gql(client, PAGE, variables))["experts"]
        out += [
            (
                from_global_id(n["id"])[1],
                (n["province"] or {}).get("code"),
                n["organisation"] is not None,
            )
            for n in data["nodes"]
        ]
        assert data["totalCount"] >= len(out)
        if not data["pageInfo"]["hasNextPage"]:
            assert data["totalCount"] == len(out)
            return out
        after = data["pageInfo"]["endCursor"]


async def _direct(graph: Graph, by_province: bool, kind: str | None) -> list[Any]:
    async def read(tx: Tx) -> list[Any]:
        records = await run(
            tx,
            """
            MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {status: 'VERIFIED'})
            WHERE $kind IS NULL OR EXISTS {
              (e)-[:AFFILIATED_WITH]->(o:Organisation) WHERE o.kind = $kind
            }
            OPTIONAL MATCH (e)-[:LOCATED_IN]->(place:AdministrativeUnit)
            OPTIONAL MATCH (e)-[:SUPPORTS]->(home:AdministrativeUnit)
            WITH e, p, CASE WHEN place.level = 'PROVINCE' THEN place ELSE home END AS province
            RETURN e.id AS id, province.code AS code, p.searchKey AS name,
                   EXISTS { (e)-[:AFFILIATED_WITH]->(:Organisation) } AS affiliated
            """,
            kind=kind,
        )
        return [(r["id"], r["code"], r["affiliated"], r["name"]) for r in records]

    rows = await graph.read(read)
    key = (lambda r: ((r[1] or "~"), r[3], r[0])) if by_province else (lambda r: (r[3], r[0]))
    return [(r[0], r[1], r[2]) for r in sorted(rows, key=key)]


@pytest.mark.parametrize("order", ["NAME", "PROVINCE"])
@pytest.mark.parametrize(("kind", "first"), [(None, 40), ("UNIVERSITY", 3)])
async def test_pages_join_into_the_direct_listing(
    client: httpx.AsyncClient, graph: Graph, order: str, kind: str | None, first: int
) -> None:
    listed = await _listed(client, order, kind, first)
    direct = await _direct(graph, order == "PROVINCE", kind)
    assert len(direct) > first  # more than one page
    assert listed == direct


async def test_a_province_lists_the_experts_placed_there(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    """The province filter starts from the province's own relationships: it must list exactly
    the profiles the rule places there (an expert abroad by the province they support)."""
    direct = await _direct(graph, False, None)
    counts = Counter(code for _, code, _ in direct if code)
    for code, _ in counts.most_common(2):
        listed = await _listed(client, "NAME", None, 3, {"provinceCode": code})
        assert listed == [r for r in direct if r[1] == code]
        assert len(listed) > 3
