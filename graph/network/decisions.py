"""Decisions (quyết định) that establish teams, assign focal points and set up provincial networks.

Also home of ``unwind``, the one shape every bulk writer of the aggregates shares: a single
parameterised ``UNWIND $rows`` statement whose ``RETURN count(*) AS n`` says how many rows found
all their endpoints. Writers MATCH the endpoints before they MERGE, so a row whose endpoint is
missing writes nothing and the caller sees it in the count instead of getting a half-linked node.

Rows carry the synthetic flag as ``isSynthetic``, not ``synthetic``: the planner cannot tell the
map key ``row.synthetic`` from a node property, so reading it in a statement that also sets
``n.synthetic`` made it buffer every row first (an Eager step) to keep reads and writes apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.core.cypher import columns, require, synthetic_only, unwind
from graph.core.db import Tx
from graph.core.model import DecisionKind


@dataclass(frozen=True, slots=True)
class DecisionInput:
    id: str
    kind: DecisionKind
    number: str  # as printed on the decision, e.g. "123/QĐ-UBND"
    date: dt.date
    issuer_id: str  # the Organisation that signed it
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(bool(self.id and self.number and self.issuer_id), f"decision {self.id!r}: empty")

    def as_param(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "number": self.number,
            "date": self.date.isoformat(),
            "issuerId": self.issuer_id,
            "isSynthetic": self.synthetic,
        }


async def upsert_decisions(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE decisions by id and link each to its issuer; returns the rows whose issuer exists."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (o:Organisation {id: row.issuerId})
        MERGE (d:Decision {id: row.id})
        SET d.kind = row.kind, d.number = row.number, d.date = date(row.date),
            d.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET d:Synthetic)
        MERGE (d)-[:ISSUED_BY]->(o)
        RETURN count(*) AS n
        """,
        rows,
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
        synthetic_only(rows),
    )


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
        columns(rows, ("id", "issuerId")),
    )
