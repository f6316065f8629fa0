"""The expert network (mạng lưới chuyên gia): a person's expert profile, where they work and in
which province they can support."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.core.cypher import columns, iso, require, synthetic_only, unwind
from graph.core.db import Tx, run
from graph.core.expert_province import PROVINCE_OF, keep_province_key
from graph.core.model import ExpertStatus
from graph.core.text import clean_name, fold
from graph.experts.records import EXPERT_FIELDS, ExpertRecord
from graph.network.people import name_and_key
from graph.network.records import PERSON_FIELDS


@dataclass(frozen=True, slots=True)
class ExpertInput:
    id: str
    person_id: str
    full_name: str  # the person's name, only for the searchKey (name + affiliation)
    status: ExpertStatus
    expertise: tuple[str, ...]  # area codes (graph/core/expertise.py)
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
            "expertise": list(self.expertise),
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
    -AFFILIATED_WITH-> the organisation when the affiliation matched one. Bulk writer: the caller rebuilds the places' digests (imports once per file, the demo and
    the units seed at the end)."""
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
        // A profile placed elsewhere before (a demo of another scale) is moved, not doubled.
        WITH *
        CALL (e, u) { MATCH (e)-[r:LOCATED_IN|SUPPORTS]->(x) WHERE x <> u DELETE r }
        MERGE (e)-[:LOCATED_IN]->(u)
        """
        + keep_province_key("u", "null")
        + """
        FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (e)-[:AFFILIATED_WITH]->(o))
        RETURN count(*) AS n
        """,
        rows,
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
        synthetic_only(rows),
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
        """
        + keep_province_key("u", "null")
        + """
        RETURN count(*) AS n
        """,
        columns(rows, ("id", "personId", "provinceKey")),
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
        columns(affiliated, ("id", "affiliationId")),
    )
    # A row is fully linked when both statements found its ends: subtract the misses of the second.
    return linked - (len(affiliated) - affiliated_linked)


async def experts_by_ids(tx: Tx, ids: list[str]) -> dict[str, ExpertRecord]:
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: id}) "
        + PROVINCE_OF
        + "OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation) "
        "RETURN e {" + EXPERT_FIELDS + "} AS e, p {" + PERSON_FIELDS + "} AS p, "
        "province.key AS provinceKey, o.id AS orgId",
        ids=ids,
    )
    return {
        r["e"]["id"]: ExpertRecord.from_maps(r["e"], r["p"], r["provinceKey"], r["orgId"])
        for r in records
    }
