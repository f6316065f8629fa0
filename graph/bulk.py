"""The first load of the synthetic network: CREATE instead of MERGE, into a store that holds none
of it yet.

The writers of the aggregate modules (``upsert_people``, ``upsert_teams``, …) MERGE, so loading the
same rows twice changes nothing; each MERGE first looks its key up, locks it, and then writes. On
a store without a single synthetic node that work finds nothing every time, so a first load
creates the nodes directly. The uniqueness constraints stay in place: if a row's key did exist
after all (a second loader racing this one), the constraint rejects the batch, and nothing is
written twice. Relationships find their endpoints through the same constraint indexes
(``MATCH (p:Person {id: row.personId})``), exactly as the MERGE writers do.

The rows are the same parameter maps the MERGE writers take (``XInput.as_param()``) and each
statement stores the same properties as its MERGE twin, so a later re-seed, which MERGEs, finds
every node and changes nothing. Only synthetic rows come here: their nodes get the ``Synthetic``
label in the CREATE itself instead of through a conditional ``SET``.
"""

from __future__ import annotations

from typing import Any, LiteralString

from graph.db import Graph, Tx, run_single
from graph.decisions import unwind
from graph.model import Label


async def holds_synthetic(graph: Graph) -> bool:
    """Whether any synthetic node exists: a first load may CREATE only when none does."""

    async def probe(tx: Tx) -> bool:
        # The synthetic_marker index (Synthetic.id) makes this one index seek, not a scan.
        record = await run_single(tx, "MATCH (n:Synthetic) RETURN n.id AS id LIMIT 1")
        return record is not None

    return await graph.read(probe)


async def _create(tx: Tx, query: LiteralString, rows: list[dict[str, Any]]) -> int:
    if not all(row["isSynthetic"] for row in rows):
        # A real row would be labelled Synthetic here and deleted with the demo later.
        raise ValueError("graph.bulk creates synthetic rows only; real rows are MERGEd")
    return await unwind(tx, query, rows)


async def create_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Organisations located in their unit. Parents and successors are linked by the MERGE
    writer only (the demo has none): a row that names one is refused, not silently unlinked."""
    if any(row["parentId"] is not None or row["successorId"] is not None for row in rows):
        raise ValueError("graph.bulk.create_organisations: parent/successor links need MERGE")
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        CREATE (o:Organisation:Synthetic {
            id: row.id, kind: row.kind, name: row.name, searchKey: row.searchKey,
            validFrom: row.validFrom, validTo: row.validTo, totalStaff: row.totalStaff,
            cdsStaff: row.cdsStaff, synthetic: true})
        WITH o, row
        OPTIONAL MATCH (u:AdministrativeUnit {key: row.unitKey})
        FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | CREATE (o)-[:LOCATED_IN]->(u))
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_decisions(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        MATCH (o:Organisation {id: row.issuerId})
        CREATE (d:Decision:Synthetic {
            id: row.id, kind: row.kind, number: row.number, date: date(row.date),
            synthetic: true})
        CREATE (d)-[:ISSUED_BY]->(o)
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_people(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        CREATE (p:Person:Synthetic {
            id: row.id, fullName: row.fullName, searchKey: row.searchKey, phone: row.phone,
            email: row.email, birthDate: date(row.birthDate), synthetic: true})
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_teams(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        MATCH (u:AdministrativeUnit {key: row.unitKey})
        MATCH (d:Decision {id: row.decisionId})
        CREATE (t:CommunityTechTeam:Synthetic {
            id: row.id, name: row.name, searchKey: row.searchKey, level: row.level,
            villageName: row.villageName, villageKind: row.villageKind,
            since: date(row.since), until: date(row.until), synthetic: true})
        CREATE (t)-[:OPERATES_IN]->(u), (t)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_memberships(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MEMBER_OF between people and teams created earlier in the same first load (membership
    rows carry no synthetic flag: they are synthetic because both ends are)."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (t:CommunityTechTeam {id: row.teamId})
        CREATE (p)-[:MEMBER_OF {
            role: row.role, since: date(row.since), until: date(row.until),
            homeAffiliation: row.homeAffiliation}]->(t)
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (o:Organisation {id: row.organisationId})
        MATCH (d:Decision {id: row.decisionId})
        CREATE (a:FocalPointAssignment:Synthetic {
            id: row.id, mode: row.mode, since: date(row.since), until: date(row.until),
            title: row.title, synthetic: true})
        CREATE (p)-[:HOLDS]->(a), (a)-[:AT]->(o), (a)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_experts(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (u:AdministrativeUnit {key: row.provinceKey})
        OPTIONAL MATCH (o:Organisation {id: row.affiliationId})
        CREATE (e:ExpertProfile:Synthetic {
            id: row.id, status: row.status, expertise: row.expertise,
            affiliation: row.affiliation, searchKey: row.searchKey,
            submittedAt: datetime(row.submittedAt), verifiedAt: datetime(row.verifiedAt),
            synthetic: true})
        CREATE (p)-[:HAS_PROFILE]->(e), (e)-[:LOCATED_IN]->(u)
        FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | CREATE (e)-[:AFFILIATED_WITH]->(o))
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await _create(
        tx,
        """
        UNWIND $rows AS row
        MATCH (u:AdministrativeUnit {key: row.unitKey})
        MATCH (d:Decision {id: row.decisionId})
        CREATE (n:ProvincialNetwork:Synthetic {id: row.id, name: row.name, synthetic: true})
        CREATE (n)-[:LOCATED_IN]->(u), (n)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


# The labels a first load writes that carry a full-text index (graph.migrations.SEARCH_INDEXES):
# cheaper to build once from the finished nodes than to update in every transaction.
DEFERRED_SEARCH_LABELS: tuple[Label, ...] = (
    Label.ORGANISATION,
    Label.PERSON,
    Label.TEAM,
    Label.EXPERT,
)
