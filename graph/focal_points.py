"""The CĐS network proper: focal-point assignments (cán bộ đầu mối CĐS) at organisations, and the
provincial networks (mạng lưới CĐS) each province establishes by decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.db import Tx
from graph.decisions import iso, require, unwind
from graph.model import FocalPointMode
from graph.text import clean_name


@dataclass(frozen=True, slots=True)
class FocalPointInput:
    id: str
    person_id: str
    organisation_id: str
    decision_id: str
    mode: FocalPointMode
    since: dt.date
    until: dt.date | None = None  # set when the assignment ended; assignments are never deleted
    title: str | None = None  # the post the person holds, e.g. "Phó Giám đốc Sở"
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(
            bool(self.id and self.person_id and self.organisation_id and self.decision_id),
            f"focal point {self.id!r}: id, person, organisation and decision",
        )
        require(self.until is None or self.until >= self.since, f"focal point {self.id!r}: until")

    def as_param(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "personId": self.person_id,
            "organisationId": self.organisation_id,
            "decisionId": self.decision_id,
            "mode": self.mode.value,
            "since": self.since.isoformat(),
            "until": iso(self.until),
            "title": clean_name(self.title) if self.title else None,
            "isSynthetic": self.synthetic,
        }


@dataclass(frozen=True, slots=True)
class NetworkInput:
    id: str
    name: str
    unit_key: str  # the (current) province
    decision_id: str
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(
            bool(self.id and self.name.strip() and self.unit_key and self.decision_id),
            f"network {self.id!r}: id, name, province and decision",
        )

    def as_param(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": clean_name(self.name),
            "unitKey": self.unit_key,
            "decisionId": self.decision_id,
            "isSynthetic": self.synthetic,
        }


async def upsert_focal_points(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE assignments by id: person -HOLDS-> assignment -AT-> organisation, and the decision."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (o:Organisation {id: row.organisationId})
        MATCH (d:Decision {id: row.decisionId})
        MERGE (a:FocalPointAssignment {id: row.id})
        SET a.mode = row.mode, a.since = date(row.since), a.until = date(row.until), a.title = row.title,
            a.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET a:Synthetic)
        MERGE (p)-[:HOLDS]->(a)
        MERGE (a)-[:AT]->(o)
        MERGE (a)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


async def upsert_networks(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE provincial networks by id, located in their province, with their decision."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (u:AdministrativeUnit {key: row.unitKey})
        MATCH (d:Decision {id: row.decisionId})
        MERGE (n:ProvincialNetwork {id: row.id})
        SET n.name = row.name, n.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET n:Synthetic)
        MERGE (n)-[:LOCATED_IN]->(u)
        MERGE (n)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )
