"""`cds digests`: an operator finds the places whose digests a change outside the writers left
behind, and rebuilds them."""

from __future__ import annotations

import pytest

from graph.core.db import Graph, Tx, run
from tests.factories import make_pending_expert, make_team
from tests.spreadsheets.test_transfer_cli import cds, cds_env

__all__ = ["cds_env"]  # the fixture, used below by name


@pytest.mark.usefixtures("cds_env")
async def test_a_change_outside_the_writers_is_found_then_rebuilt(
    graph: Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    team = await make_team(graph, "00004")

    async def edit_by_hand(tx: Tx) -> None:  # as a manual Cypher fix would, bypassing writers
        await run(tx, "MATCH (t:CommunityTechTeam {id: $id}) SET t.until = t.since", id=team)

    await graph.write(edit_by_hand)
    assert await cds("digests") == 1
    assert "team digests differ from the graph at 1 place: CURRENT:COMMUNE:00004" in (
        capsys.readouterr().out
    )
    assert await cds("digests", "--rebuild") == 0
    assert "every place's digests agree with the graph" in capsys.readouterr().out
    assert await cds("digests") == 0


@pytest.mark.usefixtures("cds_env")
async def test_a_profile_moved_by_hand_is_found_then_healed(
    graph: Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    expert_id, _ = await make_pending_expert(graph, "01")

    async def move_by_hand(tx: Tx) -> None:  # the province's link changed, its key left behind
        await run(
            tx,
            "MATCH (e:ExpertProfile {id: $id})-[r:LOCATED_IN]->() DELETE r WITH DISTINCT e "
            "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE', code: '48'}) "
            "CREATE (e)-[:LOCATED_IN]->(u)",
            id=expert_id,
        )

    await graph.write(move_by_hand)
    assert await cds("digests") == 1
    out = capsys.readouterr().out
    assert "expert profile(s) differs from their places" in out
    assert expert_id in out
    assert await cds("digests", "--rebuild") == 0
    assert await cds("digests") == 0
