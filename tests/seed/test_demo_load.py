"""The synthetic network's two writers agree: a first load CREATEs (graph/network/bulk.py, nodes then
relationships) exactly the graph a re-seed MERGEs, and a first load that would link to a missing
unit stops before writing anything. Run on a slice of the generated network, renamed to
``test-bulk-…`` so it sits beside the session's demo network without touching it."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

import pytest

from graph.core.db import Graph, Tx, run
from graph.core.digests import rebuild_all_digests
from seed.demo import loader
from seed.demo.loader import OtherNetwork, generate_and_load, write_network
from seed.demo.params import DEMO_SEED, DemoRows
from seed.demo.posts import generate

PREFIX = "test-bulk-"
R = TypeVar("R")


def _renamed(row: R, created: set[str]) -> R:
    """The row with the ids of nodes the slice creates (and its unique e-mail) prefixed;
    references to real nodes (units, skeleton organisations) kept."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(row):  # type: ignore[arg-type]
        value = getattr(row, field.name)
        if (field.name == "id" or field.name.endswith("_id")) and value in created:
            changes[field.name] = PREFIX + value
    if email := getattr(row, "email", None):
        changes["email"] = PREFIX + email
    return dataclasses.replace(row, **changes)  # type: ignore[type-var]


def _slice() -> DemoRows:
    """Some teams with their members, focal points, experts and networks, the decisions and
    people they name, and all synthetic organisations; no headcounts (those are real nodes)."""
    net = generate(0.02, DEMO_SEED)
    focal_points = net.focal_points[:40]
    networks = net.networks[:3]
    decision_ids = {t.decision_id for t in net.teams}
    decision_ids |= {a.decision_id for a in focal_points} | {n.decision_id for n in networks}
    person_ids = {m.person_id for m in net.memberships}
    person_ids |= {a.person_id for a in focal_points} | {e.person_id for e in net.experts}
    rows = DemoRows(
        organisations=net.organisations,
        decisions=[d for d in net.decisions if d.id in decision_ids],
        people=[p for p in net.people if p.id in person_ids],
        teams=net.teams,
        memberships=net.memberships,
        focal_points=focal_points,
        experts=net.experts,
        networks=networks,
    )
    kinds = [f.name for f in dataclasses.fields(rows)]
    # Synthetic organisations include legacy district committees with real-looking ids.
    created = {r.id for kind in kinds for r in getattr(rows, kind) if hasattr(r, "id")}
    return DemoRows(**{kind: [_renamed(r, created) for r in getattr(rows, kind)] for kind in kinds})


async def _fingerprint(tx: Tx) -> tuple[list[Any], list[Any]]:
    """Every test-bulk node (labels, properties) and every relationship touching one (type,
    ends, properties), sorted: equal fingerprints mean the same subgraph."""
    nodes = await run(
        tx,
        "MATCH (n) WHERE n.id STARTS WITH $prefix "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id",
        prefix=PREFIX,
    )
    rels = await run(
        tx,
        "MATCH (n)-[r]-(m) WHERE n.id STARTS WITH $prefix AND elementId(startNode(r)) = elementId(n) "
        "RETURN type(r) AS type, n.id AS start, coalesce(m.id, m.key) AS end, "
        "properties(r) AS props ORDER BY start, type, end",
        prefix=PREFIX,
    )
    return (
        [(sorted(r["labels"]), sorted(r["props"].items())) for r in nodes],
        [(r["type"], r["start"], r["end"], sorted(r["props"].items())) for r in rels],
    )


async def _delete(tx: Tx) -> None:
    await run(tx, "MATCH (n) WHERE n.id STARTS WITH $prefix DETACH DELETE n", prefix=PREFIX)


def _quiet(_: str) -> None:
    pass


async def test_first_load_creates_what_a_reseed_merges(graph: Graph) -> None:
    net = _slice()
    try:
        created = await write_network(graph, net, _quiet, first_load=True)
        after_create = await graph.read(_fingerprint)
        nodes, rels = after_create
        assert created.node_pass is not None
        assert created.link_pass is not None
        assert created.node_pass.written == len(nodes) == sum(created.nodes.values())
        assert created.link_pass.written == len(rels) == sum(created.relationships.values())
        # Every kind of node and relationship of the network is in the slice.
        assert {label for labels, _ in nodes for label in labels} >= {
            "Organisation", "Decision", "Person", "CommunityTechTeam", "FocalPointAssignment",
            "ExpertProfile", "ProvincialNetwork", "Synthetic",
        }  # fmt: skip
        assert {t for t, *_ in rels} >= {
            "LOCATED_IN", "ISSUED_BY", "OPERATES_IN", "ESTABLISHED_BY", "MEMBER_OF", "HOLDS",
            "AT", "HAS_PROFILE", "AFFILIATED_WITH",
        }  # fmt: skip

        # A re-seed MERGEs onto the created graph and changes nothing ...
        await write_network(graph, net, _quiet, first_load=False)
        assert await graph.read(_fingerprint) == after_create
        # ... and MERGE alone, on a store without them, builds the same graph.
        await graph.write(_delete)
        merged = await write_network(graph, net, _quiet, first_load=False)
        assert merged.node_pass is None
        assert await graph.read(_fingerprint) == after_create
    finally:
        await graph.write(_delete)
        await rebuild_all_digests(graph)  # the places of the deleted slice


async def test_first_load_checks_outside_endpoints_before_writing(graph: Graph) -> None:
    net = _slice()
    team = dataclasses.replace(net.teams[0], unit_key="CURRENT:COMMUNE:99999")
    broken = dataclasses.replace(net, teams=[team, *net.teams[1:]])
    try:
        with pytest.raises(RuntimeError, match="unit CURRENT:COMMUNE:99999"):
            await write_network(graph, broken, _quiet, first_load=True)
        nodes, rels = await graph.read(_fingerprint)
        assert nodes == []
        assert rels == []
    finally:
        await graph.write(_delete)


async def test_another_network_is_not_loaded_onto_the_one_held(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's store holds the demo network (scale 1, DEMO_SEED): another scale or seed
    is refused before anything is generated, since profile ids do not depend on the scale and
    person ids do (one profile would get two people)."""

    def never(scale: float, seed: int) -> DemoRows:
        raise AssertionError("generated another network instead of refusing it")

    monkeypatch.setattr(loader, "generate", never)
    for scale, seed in ((2.0, DEMO_SEED), (1.0, DEMO_SEED + 1)):
        with pytest.raises(OtherNetwork, match=f"scale 1, seed {DEMO_SEED}"):
            await generate_and_load(graph, scale, seed=seed, progress=_quiet)
