"""Every kind of place digest (graph/core/place_digests.py) at once: rebuilt after a bulk load
or delete that bypasses the writers, and checked against the graph."""

from __future__ import annotations

from graph.core.activity_place_digests import ACTIVITY_DIGESTS
from graph.core.db import Graph, Tx
from graph.core.expert_digests import EXPERT_DIGESTS
from graph.core.org_digests import ORG_DIGESTS
from graph.core.place_digests import DigestKind
from graph.core.place_rollups import rebuild_all_rollups
from graph.core.team_digests import TEAM_DIGESTS

KINDS: tuple[DigestKind, ...] = (TEAM_DIGESTS, ORG_DIGESTS, EXPERT_DIGESTS, ACTIVITY_DIGESTS)


async def rebuild_all_digests(graph: Graph, *, active_days: int | None = None) -> None:
    """Every place's digests of every kind, and the provinces' rollups (idempotent). The
    activity digests count the teams active within ``active_days`` (``CDS_ACTIVE_TEAM_DAYS``);
    None keeps each place's N."""
    for kind in KINDS:
        await kind.rebuild_all(
            graph, **({"window": active_days} if kind is ACTIVITY_DIGESTS else {})
        )
    await rebuild_all_rollups(graph, KINDS, whole=True)  # exact again where it can be


async def rebuild_rollups(graph: Graph) -> None:
    """Every province's rollup of every kind, whole, from the places' digests: migration 26,
    and the units seed (a rollup is only kept by writers once it exists)."""
    await rebuild_all_rollups(graph, KINDS, whole=True)


async def stale_digests(tx: Tx) -> dict[str, list[str]]:
    """Per kind, the places whose digest differs from what the graph gives now (empty when
    every writer kept them)."""
    found = {kind.name: await kind.stale(tx) for kind in KINDS}
    return {name: keys for name, keys in found.items() if keys}
