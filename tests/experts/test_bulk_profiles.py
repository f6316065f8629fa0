"""The bulk writer of expert profiles (the demo's seed): a profile seeded again in another
province is moved there, with the province the directory filters by."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.core.db import Graph, Tx, run
from graph.experts.profiles import upsert_experts
from tests.experts.support import MADE_HERE
from tests.factories import make_pending_expert


async def _places(tx: Tx, expert_id: str) -> tuple[list[str], str | None]:
    records = await run(
        tx,
        "MATCH (e:ExpertProfile {id: $id}) "
        "RETURN [(e)-[:LOCATED_IN|SUPPORTS]->(u) | u.key] AS places, e.provinceKey AS key",
        id=expert_id,
    )
    return list(records[0]["places"]), records[0]["key"]


@pytest.mark.usefixtures("web")  # its teardown removes the profiles in MADE_HERE
async def test_a_profile_seeded_again_elsewhere_is_moved(graph: Graph) -> None:
    expert_id, person_id = await make_pending_expert(graph, "01")
    MADE_HERE.append(expert_id)
    assert await graph.read(_places, expert_id) == (
        ["CURRENT:PROVINCE:01"],
        "CURRENT:PROVINCE:01",
    )
    row = {
        "id": expert_id,
        "personId": person_id,
        "provinceKey": "CURRENT:PROVINCE:48",
        "affiliationId": None,
        "status": "PENDING",
        "expertise": ["AI"],
        "affiliation": "Viện thử",
        "searchKey": "nguoi thu vien thu",
        "submittedAt": dt.datetime(2026, 1, 5, tzinfo=dt.UTC).isoformat(),
        "verifiedAt": None,
        "isSynthetic": False,
    }
    assert await graph.write(upsert_experts, [row]) == 1
    assert await graph.read(_places, expert_id) == (
        ["CURRENT:PROVINCE:48"],
        "CURRENT:PROVINCE:48",
    )
