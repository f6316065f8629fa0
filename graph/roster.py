"""Who serves where, as coordinators change it: teams, memberships and focal-point posts.

Each public function is one unit of work for ``Graph.write``: it checks the input, places the
target and calls the caller's guard, then changes the graph and writes the audit event, all in
the one transaction. Ends are never deletions: closing a team, ending a membership or a post sets
``until`` and keeps the record. Ids are made by the commands, outside the transaction, so a
driver retry writes the same ids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from neo4j.exceptions import ConstraintError

from graph.audit import Actor, Change, record
from graph.db import Tx, run, run_single
from graph.errors import Conflict, NotFound
from graph.model import FocalPointMode, HomeAffiliation, TeamLevel, TeamRole, VillageKind
from graph.records import TEAM_FIELDS, TeamRecord
from graph.scopes import Guard, Kind, placement
from graph.text import fold
from graph.validation import Checker, Code

T = TypeVar("T")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class Changed(Generic[T]):
    """What a mutation returns: the changed thing and the sequence number of its audit event."""

    value: T
    seq: int | None  # None when nothing changed, so nothing was audited


@dataclass(frozen=True, slots=True)
class NewPerson:
    full_name: str
    email: str | None = None
    phone: str | None = None
    id: str = field(default_factory=lambda: new_id("person"))


@dataclass(frozen=True, slots=True)
class PersonRef:
    """An existing person by id, or a new one (exactly one of them)."""

    id: str | None = None
    new: NewPerson | None = None


def _check_person(check: Checker, ref: PersonRef, prefix: str) -> PersonRef:
    if (ref.id is None) == (ref.new is None):
        check.fail(prefix, Code.REQUIRED, "give either an existing person's id or a new person")
        return ref
    if ref.new is None:
        return ref
    new = ref.new
    name = check.name(f"{prefix}.fullName", new.full_name)
    email = check.email(f"{prefix}.email", new.email, required=False)
    phone = check.phone(f"{prefix}.phone", new.phone)
    return PersonRef(new=NewPerson(name or "", email, phone, new.id))


async def _person(tx: Tx, ref: PersonRef, field: str) -> str:
    """The id of the referenced person, creating the new one."""
    if ref.id is not None:
        if await run_single(tx, "MATCH (p:Person {id: $id}) RETURN p.id", id=ref.id) is None:
            raise NotFound("Person", ref.id)
        return ref.id
    assert ref.new is not None
    new = ref.new
    try:
        await run(
            tx,
            "CREATE (p:Person {id: $id, fullName: $name, searchKey: $key, email: $email, "
            "phone: $phone, synthetic: false})",
            id=new.id,
            name=new.full_name,
            key=fold(new.full_name),
            email=new.email,
            phone=new.phone,
        )
    except ConstraintError:
        raise Conflict(f"{field}.email", "already belongs to a person: add them by id") from None
    return new.id


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
    ref = _check_person(check, cmd.person, "person")
    check.done()
    guard(await placement(tx, Kind.TEAM, cmd.team_id))
    team = await _team(tx, cmd.team_id)
    if team.until is not None and team.until < cmd.since:
        raise Conflict("teamId", "the team is closed")
    person_id = await _person(tx, ref, "person")
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
    seq = await record(
        tx,
        actor,
        "endTeamMembership",
        (Kind.TEAM, team_id),
        [Change("person", person_id, person_id), Change("until", None, until)],
        [(Kind.PERSON, person_id)],
    )
    return Changed(Membership(team, person_id, TeamRole(found["role"]), since, until), seq)


@dataclass(frozen=True, slots=True)
class FocalPost:
    id: str
    organisation_id: str
    person_id: str
    mode: FocalPointMode
    since: dt.date
    until: dt.date | None
    title: str | None


@dataclass(frozen=True, slots=True)
class NewFocalPoint:
    organisation_id: str
    person: PersonRef
    mode: FocalPointMode
    since: dt.date
    decision_number: str
    decision_date: dt.date
    title: str | None = None
    id: str = field(default_factory=lambda: new_id("focal"))
    decision_id: str = field(default_factory=lambda: new_id("decision"))


def _post(m: dict[str, Any]) -> FocalPost:
    until = m.get("until")
    return FocalPost(
        m["id"],
        m["org"],
        m["person"],
        FocalPointMode(m["mode"]),
        m["since"].to_native(),
        until.to_native() if until is not None else None,
        m.get("title"),
    )


_POST = (
    "MATCH (p:Person)-[:HOLDS]->(a:FocalPointAssignment {id: $id})-[:AT]->(o:Organisation) "
    "RETURN a {.id, .mode, .since, .until, .title, org: o.id, person: p.id} AS a"
)


async def assign_focal_point(
    tx: Tx, cmd: NewFocalPoint, actor: Actor, guard: Guard
) -> Changed[FocalPost]:
    """Name a CĐS focal point (cán bộ đầu mối) by a decision of the organisation itself."""
    check = Checker()
    ref = _check_person(check, cmd.person, "person")
    number = check.name("decisionNumber", cmd.decision_number)
    title = check.name("title", cmd.title, required=False)
    check.done()
    guard(await placement(tx, Kind.ORGANISATION, cmd.organisation_id))
    org = await run_single(
        tx, "MATCH (o:Organisation {id: $id}) RETURN o.validTo AS validTo", id=cmd.organisation_id
    )
    assert org is not None  # placement() raised NotFound otherwise
    if org["validTo"] is not None and org["validTo"].to_native() < cmd.since:
        raise Conflict("organisationId", "the organisation had ceased by then")
    person_id = await _person(tx, ref, "person")
    await run(
        tx,
        """
        MATCH (p:Person {id: $pid}), (o:Organisation {id: $org})
        CREATE (d:Decision {id: $decisionId, number: $number, date: $decisionDate,
                            kind: 'FOCAL_POINT_ASSIGNMENT', synthetic: false})-[:ISSUED_BY]->(o)
        CREATE (p)-[:HOLDS]->(a:FocalPointAssignment {id: $id, mode: $mode, since: $since,
                                                      title: $title, synthetic: false})-[:AT]->(o)
        CREATE (a)-[:ESTABLISHED_BY]->(d)
        """,
        pid=person_id,
        org=cmd.organisation_id,
        decisionId=cmd.decision_id,
        number=number,
        decisionDate=cmd.decision_date,
        id=cmd.id,
        mode=cmd.mode.value,
        since=cmd.since,
        title=title,
    )
    changes = [
        Change("person", None, person_id),
        Change("mode", None, cmd.mode.value),
        Change("since", None, cmd.since),
        Change("decisionNumber", None, number),
    ]
    seq = await record(
        tx,
        actor,
        "assignFocalPoint",
        (Kind.FOCAL_POINT, cmd.id),
        changes,
        [(Kind.ORGANISATION, cmd.organisation_id), (Kind.PERSON, person_id)],
    )
    found = await run_single(tx, _POST, id=cmd.id)
    assert found is not None
    return Changed(_post(found["a"]), seq)


async def end_focal_point(
    tx: Tx, assignment_id: str, until: dt.date, actor: Actor, guard: Guard
) -> Changed[FocalPost]:
    guard(await placement(tx, Kind.FOCAL_POINT, assignment_id))
    found = await run_single(tx, _POST, id=assignment_id)
    if found is None:
        raise NotFound("FocalPointAssignment", assignment_id)
    post = _post(found["a"])
    if post.until is not None:
        raise Conflict("assignmentId", f"the post already ended on {post.until.isoformat()}")
    if until < post.since:
        raise Conflict("until", "before the post began")
    await run(
        tx, "MATCH (a:FocalPointAssignment {id: $id}) SET a.until = $until", id=post.id, until=until
    )
    seq = await record(
        tx,
        actor,
        "endFocalPoint",
        (Kind.FOCAL_POINT, post.id),
        [Change("until", None, until)],
        [(Kind.ORGANISATION, post.organisation_id), (Kind.PERSON, post.person_id)],
    )
    return Changed(
        FocalPost(
            post.id, post.organisation_id, post.person_id, post.mode, post.since, until, post.title
        ),
        seq,
    )
