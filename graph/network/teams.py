"""Community digital technology teams (Tổ Công nghệ số cộng đồng) and their members.

Coordinators' commands (one unit of work each for ``Graph.write``) check the input, place the
target and call the caller's guard, then change the graph and write the audit event, all in the
one transaction. Ends are never deletions: closing a team, ending a membership or a post sets
``until`` and keeps the record. Ids are made by the commands, outside the transaction, so a
driver retry writes the same ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from graph.audit.events import Actor, Change, record
from graph.core.activity_place_digests import refresh_activity_places
from graph.core.commands import Changed, new_id
from graph.core.cypher import columns, iso, native, require, synthetic_only, unwind
from graph.core.db import Tx, run, run_collected, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.model import TEAM_LEADER_ROLE, HomeAffiliation, TeamLevel, TeamRole, VillageKind
from graph.core.team_digests import refresh_team_digests
from graph.core.text import clean_name, fold
from graph.core.validation import Checker, Code
from graph.network.people import PersonRef, check_person, name_and_key, person_id_of
from graph.network.records import TEAM_FIELDS, TeamRecord
from graph.units.scopes import Guard, Kind, placement


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
    """MERGE teams by id with their commune and establishing decision (both must exist).
    Bulk writer: the caller rebuilds the places' digests (imports once per file, the demo and
    the units seed at the end)."""
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
    """One MEMBER_OF per (person, team), its properties (re)set: ending sets ``until``.
    Bulk writer: the caller rebuilds the places' digests (imports once per file, the demo and
    the units seed at the end)."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.personId}) USING INDEX p:Person(id)
        MATCH (t:CommunityTechTeam {id: row.teamId}) USING INDEX t:CommunityTechTeam(id)
        MERGE (p)-[m:MEMBER_OF]->(t)
        SET m.role = row.role, m.since = date(row.since), m.until = date(row.until),
            m.homeAffiliation = row.homeAffiliation
        RETURN count(*) AS n
        """,
        rows,
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
        synthetic_only(rows),
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
        columns(rows, ("id", "unitKey", "decisionId")),
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
        columns(rows, ("personId", "teamId", "role", "since", "until", "homeAffiliation")),
    )


@dataclass(frozen=True, slots=True)
class NamedTeam:
    """A team found by its natural key (commune, folded name)."""

    id: str
    since: dt.date
    until: dt.date | None


async def teams_by_name(
    tx: Tx, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], list[NamedTeam]]:
    """The teams of each (commune key, folded name), oldest id first; a key with none is absent.
    Imports use it to tell a new team from one already registered."""
    found = await run_collected(
        tx,
        "UNWIND $keys AS k MATCH (:AdministrativeUnit {key: k[0]})<-[:OPERATES_IN]-"
        "(t:CommunityTechTeam) WHERE t.searchKey = k[1] "
        "WITH k, t ORDER BY t.id WITH k, collect(t {.id, .since, .until}) AS teams "
        "RETURN collect([k, teams]) AS rows",
        keys=sorted(keys),
    )
    return {
        (k[0], k[1]): [NamedTeam(t["id"], native(t["since"]), native(t["until"])) for t in teams]
        for k, teams in found
    }


async def _team(tx: Tx, team_id: str) -> TeamRecord:
    found = await run_single(
        tx, "MATCH (t:CommunityTechTeam {id: $id}) RETURN t {" + TEAM_FIELDS + "} AS t", id=team_id
    )
    if found is None:
        raise NotFound("CommunityTechTeam", team_id)
    return TeamRecord.from_map(found["t"])


@dataclass(frozen=True, slots=True)
class NewTeam:
    commune_code: str
    name: str
    level: TeamLevel
    since: dt.date
    decision_number: str
    decision_date: dt.date
    village_name: str | None = None
    village_kind: VillageKind | None = None
    id: str = field(default_factory=lambda: new_id("team"))
    decision_id: str = field(default_factory=lambda: new_id("decision"))


async def create_team(tx: Tx, cmd: NewTeam, actor: Actor, guard: Guard) -> Changed[TeamRecord]:
    """A team in a current commune, established by a decision of the commune People's
    Committee (Ủy ban nhân dân xã)."""
    check = Checker()
    name = check.name("name", cmd.name)
    number = check.name("decisionNumber", cmd.decision_number)
    village = check.name("villageName", cmd.village_name, required=cmd.level is TeamLevel.VILLAGE)
    check.require(
        (cmd.level is TeamLevel.VILLAGE) == (cmd.village_kind is not None),
        "villageKind",
        Code.INVALID_VALUE,
        "give a village kind exactly for a VILLAGE team",
    )
    check.done()
    commune = await run_single(
        tx,
        "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'COMMUNE', code: $code}) "
        "OPTIONAL MATCH (o:Organisation {kind: 'COMMUNE_PEOPLES_COMMITTEE'})-[:LOCATED_IN]->(u) "
        "RETURN u.key AS key, o.id AS issuer LIMIT 1",
        code=cmd.commune_code.strip(),
    )
    if commune is None:
        raise NotFound("commune", cmd.commune_code)
    guard(await placement(tx, Kind.UNIT, commune["key"]))
    if commune["issuer"] is None:
        raise Conflict("communeCode", "the commune has no People's Committee in the registry")
    await run(
        tx,
        """
        MATCH (u:AdministrativeUnit {key: $unitKey}), (o:Organisation {id: $issuer})
        CREATE (d:Decision {id: $decisionId, number: $number, date: $decisionDate,
                            kind: 'TEAM_ESTABLISHMENT', synthetic: false})-[:ISSUED_BY]->(o)
        CREATE (t:CommunityTechTeam {id: $id, name: $name, searchKey: $key, level: $level,
                                     villageName: $village, villageKind: $villageKind,
                                     since: $since, synthetic: false})
        CREATE (t)-[:OPERATES_IN]->(u), (t)-[:ESTABLISHED_BY]->(d)
        """,
        unitKey=commune["key"],
        issuer=commune["issuer"],
        decisionId=cmd.decision_id,
        number=number,
        decisionDate=cmd.decision_date,
        id=cmd.id,
        name=name,
        key=fold(name or ""),
        level=cmd.level.value,
        village=village,
        villageKind=cmd.village_kind.value if cmd.village_kind else None,
        since=cmd.since,
    )
    await refresh_team_digests(tx, teams=[cmd.id])
    team = await _team(tx, cmd.id)
    changes = [
        Change("name", None, team.name),
        Change("level", None, team.level.value),
        Change("since", None, team.since),
        Change("commune", None, commune["key"]),
        Change("decisionNumber", None, number),
    ]
    return Changed(team, await record(tx, actor, "createTeam", (Kind.TEAM, cmd.id), changes))


async def close_team(
    tx: Tx, team_id: str, until: dt.date, reason: str | None, actor: Actor, guard: Guard
) -> Changed[TeamRecord]:
    """Close on ``until`` (kept, never deleted); memberships still running end the same day."""
    check = Checker()
    reason = check.text("reason", reason)
    check.done()
    guard(await placement(tx, Kind.TEAM, team_id))
    team = await _team(tx, team_id)
    if team.until is not None:
        raise Conflict("teamId", f"the team was already closed on {team.until.isoformat()}")
    if until < team.since:
        raise Conflict("until", "before the team was established")
    await run(
        tx,
        """
        MATCH (t:CommunityTechTeam {id: $id}) SET t.until = $until
        WITH t MATCH (:Person)-[m:MEMBER_OF]->(t) WHERE m.until IS NULL OR m.until > $until
        SET m.until = $until
        """,
        id=team_id,
        until=until,
    )
    await refresh_team_digests(tx, teams=[team_id])
    await refresh_activity_places(tx, [team_id])
    changes = [Change("until", None, until), Change("reason", None, reason)]
    seq = await record(tx, actor, "closeTeam", (Kind.TEAM, team_id), changes)
    return Changed(await _team(tx, team_id), seq)


@dataclass(frozen=True, slots=True)
class Membership:
    team: TeamRecord
    person_id: str
    role: TeamRole
    since: dt.date
    until: dt.date | None


@dataclass(frozen=True, slots=True)
class NewMembership:
    team_id: str
    person: PersonRef
    role: TeamRole
    since: dt.date
    home_affiliation: HomeAffiliation


async def add_team_member(
    tx: Tx, cmd: NewMembership, actor: Actor, guard: Guard
) -> Changed[Membership]:
    """A new MEMBER_OF from ``since``; an earlier, ended membership stays as it was."""
    check = Checker()
    ref = check_person(check, cmd.person, "person")
    check.done()
    guard(await placement(tx, Kind.TEAM, cmd.team_id))
    team = await _team(tx, cmd.team_id)
    if team.until is not None and team.until < cmd.since:
        raise Conflict("teamId", "the team is closed")
    person_id = await person_id_of(tx, ref, "person", guard)
    active = await run_single(
        tx,
        "MATCH (:Person {id: $pid})-[m:MEMBER_OF]->(:CommunityTechTeam {id: $tid}) "
        "WHERE m.until IS NULL OR m.until >= $since RETURN m.since AS since LIMIT 1",
        pid=person_id,
        tid=cmd.team_id,
        since=cmd.since,
    )
    if active is not None:
        raise Conflict("person", "is already a member of this team")
    await run(
        tx,
        "MATCH (p:Person {id: $pid}), (t:CommunityTechTeam {id: $tid}) "
        "CREATE (p)-[:MEMBER_OF {role: $role, since: $since, homeAffiliation: $home}]->(t)",
        pid=person_id,
        tid=cmd.team_id,
        role=cmd.role.value,
        since=cmd.since,
        home=cmd.home_affiliation.value,
    )
    await refresh_team_digests(tx, people=[person_id])
    changes = [
        Change("person", None, person_id),
        Change("role", None, cmd.role.value),
        Change("since", None, cmd.since),
        Change("homeAffiliation", None, cmd.home_affiliation.value),
    ]
    seq = await record(
        tx, actor, "addTeamMember", (Kind.TEAM, cmd.team_id), changes, [(Kind.PERSON, person_id)]
    )
    return Changed(Membership(team, person_id, cmd.role, cmd.since, None), seq)


async def end_team_membership(
    tx: Tx, team_id: str, person_id: str, until: dt.date, actor: Actor, guard: Guard
) -> Changed[Membership]:
    guard(await placement(tx, Kind.TEAM, team_id))
    team = await _team(tx, team_id)
    found = await run_single(
        tx,
        "MATCH (:Person {id: $pid})-[m:MEMBER_OF]->(:CommunityTechTeam {id: $tid}) "
        "WHERE m.until IS NULL RETURN m.since AS since, m.role AS role LIMIT 1",
        pid=person_id,
        tid=team_id,
    )
    if found is None:
        raise Conflict("personId", "has no running membership in this team")
    since: dt.date = found["since"].to_native()
    if since > until:
        raise Conflict("until", "before the membership began")
    await run(
        tx,
        "MATCH (:Person {id: $pid})-[m:MEMBER_OF]->(:CommunityTechTeam {id: $tid}) "
        "WHERE m.until IS NULL SET m.until = $until",
        pid=person_id,
        tid=team_id,
        until=until,
    )
    await refresh_team_digests(tx, people=[person_id])
    seq = await record(
        tx,
        actor,
        "endTeamMembership",
        (Kind.TEAM, team_id),
        [Change("person", person_id, person_id), Change("until", None, until)],
        [(Kind.PERSON, person_id)],
    )
    return Changed(Membership(team, person_id, TeamRole(found["role"]), since, until), seq)


async def teams_led(tx: Tx, person_id: str, day: dt.date) -> list[TeamRecord]:
    """The running teams the person leads on the day (a running membership with role
    ``TEAM_LEADER_ROLE``), by name: a signed-in team leader's "My teams", in one statement."""
    records = await run(
        tx,
        "MATCH (:Person {id: $person})-[m:MEMBER_OF {role: $role}]->(t:CommunityTechTeam) "
        "WHERE m.since <= $d AND (m.until IS NULL OR m.until >= $d) "
        "AND t.since <= $d AND (t.until IS NULL OR t.until >= $d) "
        "WITH DISTINCT t ORDER BY t.searchKey, t.id RETURN t {" + TEAM_FIELDS + "} AS t",
        person=person_id,
        role=TEAM_LEADER_ROLE.value,
        d=day,
    )
    return [TeamRecord.from_map(r["t"]) for r in records]
