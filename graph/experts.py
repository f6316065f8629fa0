"""The expert network (mạng lưới chuyên gia): a person's expert profile, where they work and in
which province they can support."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.db import Tx
from graph.decisions import iso, require, unwind
from graph.model import Expertise, ExpertStatus
from graph.people import name_and_key
from graph.text import clean_name, fold


@dataclass(frozen=True, slots=True)
class ExpertInput:
    id: str
    person_id: str
    full_name: str  # the person's name, only for the searchKey (name + affiliation)
    status: ExpertStatus
    expertise: tuple[Expertise, ...]
    affiliation: str  # as the expert wrote it
    affiliation_id: str | None  # the Organisation it was matched to, when there is one
    province_key: str  # a current province
    submitted_at: dt.datetime
    verified_at: dt.datetime | None = None
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(bool(self.id and self.person_id), f"expert {self.id!r}: id and person")
        require(bool(self.expertise), f"expert {self.id!r}: at least one area of expertise")
        require(bool(self.province_key), f"expert {self.id!r}: province")
        require(
            (self.verified_at is not None) == (self.status is ExpertStatus.VERIFIED),
            f"expert {self.id!r}: verifiedAt exactly when VERIFIED",
        )

    def as_param(self) -> dict[str, Any]:
        affiliation = clean_name(self.affiliation)
        name, _ = name_and_key(self.full_name)
        return {
            "id": self.id,
            "personId": self.person_id,
            "status": self.status.value,
            "expertise": [e.value for e in self.expertise],
            "affiliation": affiliation,
            "affiliationId": self.affiliation_id,
            "searchKey": fold(f"{name} {affiliation}"),
            "provinceKey": self.province_key,
            "submittedAt": self.submitted_at.isoformat(),
            "verifiedAt": iso(self.verified_at),
            "isSynthetic": self.synthetic,
        }


async def upsert_experts(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE profiles by id: person -HAS_PROFILE-> profile -LOCATED_IN-> province, and
    -AFFILIATED_WITH-> the organisation when the affiliation matched one."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (u:AdministrativeUnit {key: row.provinceKey})
        OPTIONAL MATCH (o:Organisation {id: row.affiliationId})
        MERGE (e:ExpertProfile {id: row.id})
        SET e.status = row.status, e.expertise = row.expertise, e.affiliation = row.affiliation,
            e.searchKey = row.searchKey, e.submittedAt = datetime(row.submittedAt),
            e.verifiedAt = datetime(row.verifiedAt), e.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET e:Synthetic)
        MERGE (p)-[:HAS_PROFILE]->(e)
        MERGE (e)-[:LOCATED_IN]->(u)
        FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (e)-[:AFFILIATED_WITH]->(o))
        RETURN count(*) AS n
        """,
        rows,
    )
