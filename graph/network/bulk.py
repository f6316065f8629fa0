"""The first load of the synthetic network: CREATE instead of MERGE, into a store that holds none
of it yet, in two passes: every node first, then every relationship.

The writers of the aggregate modules (``upsert_people``, ``upsert_teams``, …) MERGE, so loading the
same rows twice changes nothing; each MERGE first looks its key up, locks it, and then writes. On
a store without a single synthetic node that work finds nothing every time, so a first load
creates the nodes directly. The uniqueness constraints stay in place: if a row's key did exist
after all (a second loader racing this one), the constraint rejects the batch, and nothing is
written twice.

Why two passes (measured on #2): a statement that only creates nodes touches no other node, so
all its batches can run side by side on every core without waiting for a lock; a statement that
only links finds both ends through the unique-constraint indexes and writes nothing else. Each
pass is timed on its own, which is how nodes/s and relationships/s are meant. Whatever a row
links to outside the network (units, the real skeleton organisations) is checked before the first
node is written (``missing_endpoints``), so a first load never stops between its passes for
want of an endpoint; endpoints inside the network are created by the node pass.

Each label's CREATE twins (``create_teams`` and ``link_teams`` beside ``upsert_teams`` in
``graph/network/teams.py``, and so on) live with its MERGE writer, so one module holds every write
of a label; this module holds what a first load needs besides them. The rows are the parameter
maps the MERGE writers take (``XInput.as_param()``) and each pair of statements stores the same properties and relationships as its MERGE twin, so a later re-seed,
which MERGEs, finds every node and changes nothing (tests/seed/test_demo_load.py). Only synthetic
rows come here: their nodes get the ``Synthetic`` label in the CREATE itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from graph.core.db import Graph, Tx, run_single
from graph.core.digests import rebuild_all_digests
from graph.core.model import Label

Writer = Callable[[Tx, list[dict[str, Any]]], Awaitable[int]]


@dataclass(frozen=True)
class Creator:
    """How a first load writes one kind of row: its nodes in the first pass (None: it has none)
    and its relationships in the second (None: none)."""

    nodes: Writer | None
    links: Writer | None


async def holds_synthetic(graph: Graph) -> bool:
    """Whether any synthetic node exists: a first load may CREATE only when none does."""

    async def probe(tx: Tx) -> bool:
        # One seek in the label lookup index.
        record = await run_single(tx, "MATCH (n:Synthetic) RETURN n.id AS id LIMIT 1")
        return record is not None

    return await graph.read(probe)


async def delete_synthetic(graph: Graph) -> None:
    """Delete every synthetic node with its relationships, 5,000 per transaction, so the next
    load is a first load again (bench.load --warm-up). Real nodes are kept, and so are the
    synthetic headcounts a demo load gave the real skeleton organisations."""
    await graph.schema(
        "MATCH (n:Synthetic) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
    )
    # The places of the deleted teams and organisations lose their digests.
    await rebuild_all_digests(graph)


async def missing_endpoints(
    graph: Graph, unit_keys: Collection[str], organisation_ids: Collection[str]
) -> list[str]:
    """The unit keys and organisation ids (at most ten of each) that are not in the graph."""

    async def probe(tx: Tx) -> list[str]:
        record = await run_single(
            tx,
            """
            CALL {
                UNWIND $unitKeys AS k
                OPTIONAL MATCH (u:AdministrativeUnit {key: k})
                WITH k WHERE u IS NULL
                RETURN collect(k)[..10] AS units
            }
            CALL {
                UNWIND $organisationIds AS i
                OPTIONAL MATCH (o:Organisation {id: i})
                WITH i WHERE o IS NULL
                RETURN collect(i)[..10] AS organisations
            }
            RETURN units, organisations
            """,
            unitKeys=sorted(unit_keys),
            organisationIds=sorted(organisation_ids),
        )
        assert record is not None  # aggregations always return one row
        return [*(f"unit {k}" for k in record["units"]), *record["organisations"]]

    return await graph.read(probe)


# --- the first pass: nodes ------------------------------------------------------------------


# --- the second pass: relationships, each returning the rows fully linked -------------------


# The labels a first load writes that carry a full-text index (graph.core.migrations.SEARCH_INDEXES):
# cheaper to build once from the finished nodes than to update in every transaction.
DEFERRED_SEARCH_LABELS: tuple[Label, ...] = (
    Label.ORGANISATION,
    Label.PERSON,
    Label.TEAM,
    Label.EXPERT,
)
