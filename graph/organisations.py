"""Organisations (units of the network): where they are, whom they belong to, and when they lived."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.db import Tx, run
from graph.model import OrganisationKind
from graph.text import clean_name, fold


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    id: str
    kind: OrganisationKind
    name: str
    unit_key: str | None
    parent_id: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    total_staff: int | None = None
    cds_staff: int | None = None
    successor_id: str | None = None  # the organisation that took over when this one ceased
    synthetic: bool = False

    def as_param(self) -> dict[str, Any]:
        name = clean_name(self.name)
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": name,
            "searchKey": fold(name),
            "unitKey": self.unit_key,
            "parentId": self.parent_id,
            "validFrom": self.valid_from,
            "validTo": self.valid_to,
            "totalStaff": self.total_staff,
            "cdsStaff": self.cds_staff,
            "successorId": self.successor_id,
            "isSynthetic": self.synthetic,
        }


async def upsert_organisations(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE by id; place each in its unit and its parent organisation. Parents and successors
    must be in an earlier batch or this one (rows are linked after all are merged)."""
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        MERGE (o:Organisation {id: row.id})
        SET o.kind = row.kind, o.name = row.name, o.searchKey = row.searchKey,
            o.validFrom = row.validFrom, o.validTo = row.validTo,
            o.totalStaff = row.totalStaff, o.cdsStaff = row.cdsStaff, o.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET o:Synthetic)
        WITH o, row
        OPTIONAL MATCH (u:AdministrativeUnit {key: row.unitKey})
        FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | MERGE (o)-[:LOCATED_IN]->(u))
        RETURN count(*) AS n
        """,
        rows=rows,
    )
    await run(
        tx,
        """
        UNWIND $rows AS row
        WITH row WHERE row.parentId IS NOT NULL OR row.successorId IS NOT NULL
        MATCH (o:Organisation {id: row.id})
        OPTIONAL MATCH (p:Organisation {id: row.parentId})
        OPTIONAL MATCH (s:Organisation {id: row.successorId})
        FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (o)-[:PART_OF]->(p))
        FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (o)-[:ORG_SUCCEEDED_BY]->(s))
        """,
        rows=rows,
    )
    return int(records[0]["n"])


async def create_organisation(tx: Tx, org: OrganisationInput) -> str:
    """Create one organisation; an existing id is a conflict, never an overwrite."""
    from neo4j.exceptions import ConstraintError

    from graph.errors import AlreadyExists

    try:
        await _insert_organisation(tx, org.as_param())
    except ConstraintError:
        raise AlreadyExists("Organisation", org.id) from None
    return org.id


async def _insert_organisation(tx: Tx, row: dict[str, Any]) -> None:
    await run(
        tx,
        """
        CREATE (o:Organisation {id: $row.id})
        SET o.kind = $row.kind, o.name = $row.name, o.searchKey = $row.searchKey,
            o.validFrom = $row.validFrom, o.validTo = $row.validTo,
            o.totalStaff = $row.totalStaff, o.cdsStaff = $row.cdsStaff, o.synthetic = $row.isSynthetic
        WITH o
        OPTIONAL MATCH (u:AdministrativeUnit {key: $row.unitKey})
        FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | MERGE (o)-[:LOCATED_IN]->(u))
        """,
        row=row,
    )
