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

The rows are the parameter maps the MERGE writers take (``XInput.as_param()``) and each pair of
statements stores the same properties and relationships as its MERGE twin, so a later re-seed,
which MERGEs, finds every node and changes nothing (tests/test_demo_load.py). Only synthetic
rows come here: their nodes get the ``Synthetic`` label in the CREATE itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from graph.db import Graph, Tx, run_single
from graph.decisions import unwind
from graph.model import Label

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


def _synthetic(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not all(row["isSynthetic"] for row in rows):
        # A real row would be labelled Synthetic here and deleted with the demo later.
        raise ValueError("graph.bulk creates synthetic rows only; real rows are MERGEd")
    return rows


def _columns(rows: Sequence[dict[str, Any]], keys: tuple[str, ...]) -> list[list[Any]]:
    """Rows as positional lists in ``keys`` order, which the link statements read as r[0], r[1]…
    Unpacking a map per row was a sixth of the server's work in a statement that only links
    (36k against 30k relationships/s on #2's machine); node statements, dominated by index
    upkeep, gain nothing from it and keep their readable maps."""
    return [[row[key] for key in keys] for row in rows]


# --- the first pass: nodes ------------------------------------------------------------------


async def create_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Parents and successors are linked by the MERGE writer only (the demo has none): a row that
    names one is refused, not silently unlinked."""
    if any(row["parentId"] is not None or row["successorId"] is not None for row in rows):
        raise ValueError("graph.bulk.create_organisations: parent/successor links need MERGE")
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (o:Organisation:Synthetic {
            id: row.id, kind: row.kind, name: row.name, searchKey: row.searchKey,
            validFrom: row.validFrom, validTo: row.validTo, totalStaff: row.totalStaff,
            cdsStaff: row.cdsStaff, synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


async def create_decisions(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (d:Decision:Synthetic {
            id: row.id, kind: row.kind, number: row.number, date: date(row.date),
            synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


async def create_people(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (p:Person:Synthetic {
            id: row.id, fullName: row.fullName, searchKey: row.searchKey, phone: row.phone,
            email: row.email, birthDate: date(row.birthDate), synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


async def create_teams(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (t:CommunityTechTeam:Synthetic {
            id: row.id, name: row.name, searchKey: row.searchKey, level: row.level,
            villageName: row.villageName, villageKind: row.villageKind,
            since: date(row.since), until: date(row.until), legacyUnitKey: row.legacyUnitKey,
            synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


async def create_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (a:FocalPointAssignment:Synthetic {
            id: row.id, mode: row.mode, since: date(row.since), until: date(row.until),
            title: row.title, synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


async def create_experts(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (e:ExpertProfile:Synthetic {
            id: row.id, status: row.status, expertise: row.expertise,
            affiliation: row.affiliation, searchKey: row.searchKey,
            submittedAt: datetime(row.submittedAt), verifiedAt: datetime(row.verifiedAt),
            synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


async def create_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (n:ProvincialNetwork:Synthetic {id: row.id, name: row.name, synthetic: true})
        RETURN count(*) AS n
        """,
        _synthetic(rows),
    )


# --- the second pass: relationships, each returning the rows fully linked -------------------


async def link_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    placed = [row for row in rows if row["unitKey"] is not None]
    linked = await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (o:Organisation {id: r[0]})
        MATCH (u:AdministrativeUnit {key: r[1]})
        CREATE (o)-[:LOCATED_IN]->(u)
        RETURN count(*) AS n
        """,
        _columns(placed, ("id", "unitKey")),
    )
    return linked + len(rows) - len(placed)


async def link_decisions(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (d:Decision {id: r[0]})
        MATCH (o:Organisation {id: r[1]})
        CREATE (d)-[:ISSUED_BY]->(o)
        RETURN count(*) AS n
        """,
        _columns(rows, ("id", "issuerId")),
    )


async def link_teams(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (t:CommunityTechTeam {id: r[0]})
        MATCH (u:AdministrativeUnit {key: r[1]})
        MATCH (d:Decision {id: r[2]})
        CREATE (t)-[:OPERATES_IN]->(u), (t)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        _columns(rows, ("id", "unitKey", "decisionId")),
    )


async def link_memberships(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MEMBER_OF between people and teams of the node pass (membership rows carry no synthetic
    flag: they are synthetic because both ends are)."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (p:Person {id: r[0]})
        MATCH (t:CommunityTechTeam {id: r[1]})
        CREATE (p)-[:MEMBER_OF {
            role: r[2], since: date(r[3]), until: date(r[4]), homeAffiliation: r[5]}]->(t)
        RETURN count(*) AS n
        """,
        _columns(rows, ("personId", "teamId", "role", "since", "until", "homeAffiliation")),
    )


async def link_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (a:FocalPointAssignment {id: r[0]})
        MATCH (p:Person {id: r[1]})
        MATCH (o:Organisation {id: r[2]})
        MATCH (d:Decision {id: r[3]})
        CREATE (p)-[:HOLDS]->(a), (a)-[:AT]->(o), (a)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        _columns(rows, ("id", "personId", "organisationId", "decisionId")),
    )


async def link_experts(tx: Tx, rows: list[dict[str, Any]]) -> int:
    linked = await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (e:ExpertProfile {id: r[0]})
        MATCH (p:Person {id: r[1]})
        MATCH (u:AdministrativeUnit {key: r[2]})
        CREATE (p)-[:HAS_PROFILE]->(e), (e)-[:LOCATED_IN]->(u)
        RETURN count(*) AS n
        """,
        _columns(rows, ("id", "personId", "provinceKey")),
    )
    affiliated = [row for row in rows if row["affiliationId"] is not None]
    affiliated_linked = await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (e:ExpertProfile {id: r[0]})
        MATCH (o:Organisation {id: r[1]})
        CREATE (e)-[:AFFILIATED_WITH]->(o)
        RETURN count(*) AS n
        """,
        _columns(affiliated, ("id", "affiliationId")),
    )
    # A row is fully linked when both statements found its ends: subtract the misses of the second.
    return linked - (len(affiliated) - affiliated_linked)


async def link_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS r
        MATCH (n:ProvincialNetwork {id: r[0]})
        MATCH (u:AdministrativeUnit {key: r[1]})
        MATCH (d:Decision {id: r[2]})
        CREATE (n)-[:LOCATED_IN]->(u), (n)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        _columns(rows, ("id", "unitKey", "decisionId")),
    )


ORGANISATIONS = Creator(create_organisations, link_organisations)
DECISIONS = Creator(create_decisions, link_decisions)
PEOPLE = Creator(create_people, None)
TEAMS = Creator(create_teams, link_teams)
MEMBERSHIPS = Creator(None, link_memberships)
FOCAL_POINTS = Creator(create_focal_points, link_focal_points)
EXPERTS = Creator(create_experts, link_experts)
NETWORKS = Creator(create_networks, link_networks)

# The labels a first load writes that carry a full-text index (graph.migrations.SEARCH_INDEXES):
# cheaper to build once from the finished nodes than to update in every transaction.
DEFERRED_SEARCH_LABELS: tuple[Label, ...] = (
    Label.ORGANISATION,
    Label.PERSON,
    Label.TEAM,
    Label.EXPERT,
)
