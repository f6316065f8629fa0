"""Community digital technology teams (Tổ Công nghệ số cộng đồng) and their members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.db import Tx
from graph.decisions import iso, require, unwind
from graph.model import HomeAffiliation, TeamLevel, TeamRole, VillageKind
from graph.people import name_and_key
from graph.text import clean_name

# The teams of a place ``u``, for ``CALL (u) { … }``: those that operate in it and, when u is a
# legacy commune, those that served it before the 2025 reform (``legacyUnitKey``), so coverage
# and gaps on a date before 2025-07-01 count the teams of that time. A team's OPERATES_IN stays
# its one current commune, which scopes and lookups follow.
TEAMS_OF_PLACE: LiteralString = """
    MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u) RETURN t
    UNION
    MATCH (t:CommunityTechTeam {legacyUnitKey: u.key}) RETURN t
"""


@dataclass(frozen=True, slots=True)
class TeamInput:
    id: str
    name: str
    level: TeamLevel
    unit_key: str  # the commune it operates in
    decision_id: str  # the decision that established it
    since: dt.date
    until: dt.date | None = None
    village_name: str | None = None  # "Thôn Đông"; only for VILLAGE teams
    village_kind: VillageKind | None = None
    synthetic: bool = False
    # For a team older than the 2025 reform: the key of the legacy commune it served until
    # 2025-06-30 (its unit_key is today's commune, which only exists from 2025-07-01).
    legacy_unit_key: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.id and self.name.strip()), f"team {self.id!r}: id and name")
        require(bool(self.unit_key and self.decision_id), f"team {self.id!r}: unit and decision")
        require(self.until is None or self.until >= self.since, f"team {self.id!r}: until < since")
        require(
            (self.level is TeamLevel.VILLAGE) == (self.village_kind is not None),
            f"team {self.id!r}: a village kind exactly when the level is VILLAGE",
        )

    def as_param(self) -> dict[str, Any]:
        name, key = name_and_key(self.name)  # cached: "Tổ CNSCĐ tổ dân phố 1" recurs a lot
        return {
            "id": self.id,
            "name": name,
            "searchKey": key,
            "level": self.level.value,
            "unitKey": self.unit_key,
            "decisionId": self.decision_id,
            "since": self.since.isoformat(),
            "until": iso(self.until),
            "villageName": clean_name(self.village_name) if self.village_name else None,
            "villageKind": self.village_kind.value if self.village_kind else None,
            "legacyUnitKey": self.legacy_unit_key,
            "isSynthetic": self.synthetic,
        }


@dataclass(frozen=True, slots=True)
class MembershipInput:
    person_id: str
    team_id: str
    role: TeamRole
    since: dt.date
    until: dt.date | None
    home_affiliation: HomeAffiliation

    def __post_init__(self) -> None:
        require(
            self.until is None or self.until >= self.since,
            f"membership {self.person_id!r} in {self.team_id!r}: until < since",
        )

    def as_param(self) -> dict[str, Any]:
        return {
            "personId": self.person_id,
            "teamId": self.team_id,
            "role": self.role.value,
            "since": self.since.isoformat(),
            "until": iso(self.until),
            "homeAffiliation": self.home_affiliation.value,
        }


async def upsert_teams(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE teams by id with their commune and establishing decision (both must exist)."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (u:AdministrativeUnit {key: row.unitKey})
        MATCH (d:Decision {id: row.decisionId})
        MERGE (t:CommunityTechTeam {id: row.id})
        SET t.name = row.name, t.searchKey = row.searchKey, t.level = row.level,
            t.villageName = row.villageName, t.villageKind = row.villageKind,
            t.since = date(row.since), t.until = date(row.until),
            t.legacyUnitKey = row.legacyUnitKey, t.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET t:Synthetic)
        MERGE (t)-[:OPERATES_IN]->(u)
        MERGE (t)-[:ESTABLISHED_BY]->(d)
        RETURN count(*) AS n
        """,
        rows,
    )


async def upsert_memberships(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """One MEMBER_OF per (person, team), its properties (re)set: ending sets ``until``."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId})
        MATCH (t:CommunityTechTeam {id: row.teamId})
        MERGE (p)-[m:MEMBER_OF]->(t)
        SET m.role = row.role, m.since = date(row.since), m.until = date(row.until),
            m.homeAffiliation = row.homeAffiliation
        RETURN count(*) AS n
        """,
        rows,
    )
