"""One chunk of an import batch: resolve natural keys, read the targets' state, write and link
only what differs (the rules are in graph/imports/batches.py's docstring)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.activity.reports import CheckedReport, Created, create_reports
from graph.core import changes
from graph.core.cypher import iso
from graph.core.db import Tx, run, run_collected
from graph.core.model import (
    DecisionKind,
    FocalPointMode,
    HomeAffiliation,
    OrganisationKind,
    TeamLevel,
    TeamRole,
    VillageKind,
)
from graph.core.org_digests import org_places
from graph.core.team_digests import team_places
from graph.core.text import clean_name, fold
from graph.imports.batches import Entity, new_id, note_places, touch
from graph.network.decisions import upsert_decisions
from graph.network.focal_points import upsert_focal_points
from graph.network.organisations import upsert_organisations
from graph.network.people import people_by_phone, upsert_people
from graph.network.teams import teams_by_name, upsert_memberships, upsert_teams


@dataclass(frozen=True, slots=True)
class DecisionImport:
    number: str
    date: dt.date
    issuer_id: str
    kind: DecisionKind

    @property
    def id(self) -> str:
        return new_id("decision", self.issuer_id, fold(self.number))


@dataclass(frozen=True, slots=True)
class TeamImport:
    row: int
    unit_key: str
    legacy_unit_key: str | None
    name: str
    level: TeamLevel
    village_name: str | None
    village_kind: VillageKind | None
    since: dt.date
    decision: DecisionImport


@dataclass(frozen=True, slots=True)
class MemberImport:
    row: int
    team_id: str
    team_since: dt.date
    full_name: str
    phone: str
    role: TeamRole
    home: HomeAffiliation
    since: dt.date | None  # None: the existing membership's start, else the team's


@dataclass(frozen=True, slots=True)
class FocalPointImport:
    row: int
    organisation_id: str
    full_name: str
    phone: str
    title: str | None
    mode: FocalPointMode
    since: dt.date
    decision: DecisionImport


@dataclass(frozen=True, slots=True)
class ActivityImport:
    row: int
    report: CheckedReport  # its id comes from its content: the same row again is the same report


@dataclass(frozen=True, slots=True)
class OrganisationImport:
    row: int
    id: str  # the registry's organisation at this place with this name, or a new id
    kind: OrganisationKind
    name: str
    unit_key: str
    parent_id: str | None  # None: keep the registry's
    valid_from: dt.date | None  # None: keep the registry's
    valid_to: dt.date | None


AnyImport = TeamImport | MemberImport | FocalPointImport | ActivityImport | OrganisationImport


# Every look-up by id names its index (USING INDEX): a statement planned while the label was
# empty (the first import into a store, or the one after a rollback) may otherwise scan the
# label for each row, and the nodes this very chunk created are then scanned 5,000 times over
# (a members chunk's state read ran for minutes instead of a second).
#
# The state of existing targets, as the same maps the planned rows are compared with (dates
# as ISO strings, so a map from the file and one from the graph compare equal): [id, state]
# pairs in one record (``run_collected``).
_STATE: dict[Entity, LiteralString] = {
    Entity.DECISION: """
        UNWIND $ids AS id MATCH (d:Decision {id: id}) USING INDEX d:Decision(id)
        RETURN collect([id, {date: toString(d.date), kind: d.kind}]) AS rows""",
    Entity.TEAM: """
        UNWIND $ids AS id MATCH (t:CommunityTechTeam {id: id}) USING INDEX t:CommunityTechTeam(id)
        OPTIONAL MATCH (t)-[:ESTABLISHED_BY]->(d:Decision)
        WITH id, t, min(d.id) AS decisionId
        RETURN collect([id, {name: t.name, level: t.level, villageName: t.villageName,
                    villageKind: t.villageKind, since: toString(t.since),
                    until: toString(t.until), decisionId: decisionId,
                    legacyUnitKey: t.legacyUnitKey}]) AS rows""",
    Entity.PERSON: """
        UNWIND $ids AS id MATCH (p:Person {id: id}) USING INDEX p:Person(id)
        RETURN collect([id, {}]) AS rows""",
    Entity.MEMBERSHIP: """
        UNWIND $ids AS id
        MATCH (p:Person {id: split(id, '|')[0]})-[m:MEMBER_OF]->
              (:CommunityTechTeam {id: split(id, '|')[1]})
        USING INDEX p:Person(id)
        RETURN collect([id, {role: m.role, since: toString(m.since), until: toString(m.until),
                            homeAffiliation: m.homeAffiliation}]) AS rows""",
    Entity.FOCAL_POINT: """
        UNWIND $ids AS id MATCH (a:FocalPointAssignment {id: id})
        USING INDEX a:FocalPointAssignment(id)
        OPTIONAL MATCH (a)-[:ESTABLISHED_BY]->(d:Decision)
        WITH id, a, min(d.id) AS decisionId
        RETURN collect([id, {mode: a.mode, since: toString(a.since), until: toString(a.until),
                            title: a.title, decisionId: decisionId}]) AS rows""",
    Entity.ACTIVITY: """
        UNWIND $ids AS id MATCH (r:ActivityReport {id: id}) USING INDEX r:ActivityReport(id)
        RETURN collect([id, {}]) AS rows""",
    Entity.ORGANISATION: """
        UNWIND $ids AS id MATCH (o:Organisation {id: id}) USING INDEX o:Organisation(id)
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(u:AdministrativeUnit)
        OPTIONAL MATCH (o)-[:PART_OF]->(p:Organisation)
        WITH id, o, min(u.key) AS unitKey, min(p.id) AS parentId
        RETURN collect([id, {kind: o.kind, name: o.name, unitKey: unitKey, parentId: parentId,
                            validFrom: toString(o.validFrom), validTo: toString(o.validTo)}])
               AS rows""",
}


# After the upsert: what the shared upserts do not know about (a decision replaced by the
# file's, whose old ESTABLISHED_BY would otherwise stay).
_AFTER: dict[Entity, LiteralString] = {
    Entity.TEAM: """
        UNWIND $rows AS row
        MATCH (t:CommunityTechTeam {id: row.id})-[r:ESTABLISHED_BY]->(d:Decision)
        WHERE d.id <> row.decisionId
        DELETE r""",
    Entity.FOCAL_POINT: """
        UNWIND $rows AS row MATCH (a:FocalPointAssignment {id: row.id})
        -[r:ESTABLISHED_BY]->(d:Decision) WHERE d.id <> row.decisionId DELETE r""",
    # The upsert MERGEs the place and parent: drop the ones the row moved it from.
    Entity.ORGANISATION: """
        UNWIND $rows AS row MATCH (o:Organisation {id: row.id})
        CALL (o, row) {
          MATCH (o)-[r:LOCATED_IN]->(u) WHERE u.key <> row.unitKey DELETE r }
        CALL (o, row) {
          MATCH (o)-[r:PART_OF]->(p) WHERE row.parentId IS NOT NULL AND p.id <> row.parentId
          DELETE r }""",
}


_LINK: dict[Entity, LiteralString] = {
    Entity.DECISION: "MATCH (n:Decision {id: l.id}) USING INDEX n:Decision(id)",
    Entity.TEAM: "MATCH (n:CommunityTechTeam {id: l.id}) USING INDEX n:CommunityTechTeam(id)",
    Entity.PERSON: "MATCH (n:Person {id: l.id}) USING INDEX n:Person(id)",
    Entity.MEMBERSHIP: "MATCH (n:Person {id: l.id}) USING INDEX n:Person(id)",  # the member; teamId says which team
    Entity.FOCAL_POINT: "MATCH (n:FocalPointAssignment {id: l.id}) USING INDEX n:FocalPointAssignment(id)",
    Entity.ACTIVITY: "MATCH (n:ActivityReport {id: l.id}) USING INDEX n:ActivityReport(id)",
    Entity.ORGANISATION: "MATCH (n:Organisation {id: l.id}) USING INDEX n:Organisation(id)",
}


Upsert = Callable[[Tx, list[dict[str, Any]]], Any]


_UPSERT: dict[Entity, Upsert] = {
    Entity.DECISION: upsert_decisions,
    Entity.TEAM: upsert_teams,
    Entity.PERSON: upsert_people,
    Entity.MEMBERSHIP: upsert_memberships,
    Entity.FOCAL_POINT: upsert_focal_points,
    Entity.ACTIVITY: create_reports,  # only new ids reach it (``_sync``)
    Entity.ORGANISATION: upsert_organisations,
}


@dataclass(frozen=True, slots=True)
class _Planned:
    """One target of a chunk: its key, the row it comes from, and, given the target's current
    state (None: it does not exist), the comparable map and the upsert parameters."""

    key: str
    row: int
    build: Callable[[dict[str, Any] | None], tuple[dict[str, Any], dict[str, Any]]]
    team_id: str | None = None


async def _sync(tx: Tx, batch_id: str, entity: Entity, planned: Sequence[_Planned]) -> int:
    """Write and link the planned targets whose state differs; return how many did."""
    unique = list({p.key: p for p in reversed(planned)}.values())  # first row wins
    found = await run_collected(tx, _STATE[entity], ids=[p.key for p in unique])
    states: dict[str, dict[str, Any]] = {key: dict(state) for key, state in found}
    writes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for p in unique:
        state = states.get(p.key)
        wanted, params = p.build(state)
        if state is not None and {k: state.get(k) for k in wanted} == wanted:
            continue
        writes.append(params)
        links.append(
            {
                "id": p.key.split("|")[0],
                "row": p.row,
                "action": "CREATED" if state is None else "UPDATED",
                "previous": None if state is None else json.dumps(state, ensure_ascii=False),
                "teamId": p.team_id,
            }
        )
    if not writes:
        return 0
    # The places whose digests the batch rebuilds when it closes: where the targets were and
    # are (graph/imports/batches.py, ``note_places``).
    # A membership or a report never leaves a place: its places after the write are all there
    # are.
    moves = entity not in (Entity.MEMBERSHIP, Entity.ACTIVITY)
    before = await _digest_places(tx, entity, writes) if moves else (set(), set(), set())
    written = await _UPSERT[entity](tx, writes)
    if entity in _AFTER:
        await run(tx, _AFTER[entity], rows=writes)
    after = await _digest_places(tx, entity, writes, written)
    await note_places(
        tx,
        batch_id,
        team=before[0] | after[0],
        org=before[1] | after[1],
        activity=before[2] | after[2],
    )
    await run(
        tx,
        "MATCH (b:ImportBatch {id: $batch}) UNWIND $links AS l "
        + _LINK[entity]
        + " CREATE (n)-[:IMPORTED_IN {row: l.row, entity: $entity, action: l.action, "
        "previous: l.previous, teamId: l.teamId}]->(b)",
        batch=batch_id,
        links=links,
        entity=entity.value,
    )
    return len(writes)


async def _digest_places(
    tx: Tx, entity: Entity, writes: list[dict[str, Any]], written: Any = None
) -> tuple[set[str], set[str], set[str]]:
    """The places of the written targets whose team, organisation and activity digests they
    feed (``written``: what the upsert returned, if it was called)."""
    if entity is Entity.TEAM:  # its legacy commune may change: its members' places too
        places = await team_places(tx, [w["id"] for w in writes], members=True)
        return places, set(), places
    if entity is Entity.MEMBERSHIP:
        teams, people = [w["teamId"] for w in writes], [w["personId"] for w in writes]
        return await team_places(tx, teams, people), set(), set()
    if entity is Entity.ORGANISATION:
        return set(), await org_places(tx, [w["id"] for w in writes]), set()
    if entity is Entity.FOCAL_POINT:
        return set(), await org_places(tx, [w["organisationId"] for w in writes]), set()
    if entity is Entity.ACTIVITY:  # reports are created, never moved: their teams' places
        assert isinstance(written, Created), "the reports' upsert is create_reports"
        return set(), set(), set(written.places)
    return set(), set(), set()


def _dates(m: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Upsert parameters carry dates as dates: Cypher's ``date()`` takes a date or an ISO
    string, so they fit the upserts whichever they expect; the compared maps use ISO strings."""
    return {**m, **{k: dt.date.fromisoformat(m[k]) if m.get(k) else None for k in keys}}


def _decisions(rows: Sequence[TeamImport | FocalPointImport]) -> list[_Planned]:
    def plan(row: TeamImport | FocalPointImport) -> _Planned:
        d = row.decision

        def build(_: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            wanted = {"date": d.date.isoformat(), "kind": d.kind.value}
            params = {
                "id": d.id,
                "kind": d.kind.value,
                "number": clean_name(d.number),
                "date": d.date,
                "issuerId": d.issuer_id,
                "isSynthetic": False,
            }
            return wanted, params

        return _Planned(d.id, row.row, build)

    return [plan(r) for r in rows]


async def resolve_decisions(tx: Tx, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(issuer id, number) → the id of a decision already in the graph."""
    found = await run_collected(
        tx,
        "UNWIND $keys AS k MATCH (d:Decision {number: k[1]})-[:ISSUED_BY]->"
        "(:Organisation {id: k[0]}) WITH k, min(d.id) AS id RETURN collect([k, id]) AS rows",
        keys=[list(k) for k in keys],
    )
    return {(k[0], k[1]): decision_id for k, decision_id in found}


async def apply_teams(tx: Tx, batch_id: str, rows: Sequence[TeamImport]) -> int:
    existing = await teams_by_name(tx, {(r.unit_key, fold(clean_name(r.name))) for r in rows})
    team_ids = {key: found[0].id for key, found in existing.items()}
    decision_ids = await resolve_decisions(
        tx, [(r.decision.issuer_id, clean_name(r.decision.number)) for r in rows]
    )
    changed = await _sync(tx, batch_id, Entity.DECISION, _decisions(rows))

    def plan(row: TeamImport) -> _Planned:
        name = clean_name(row.name)
        key = (row.unit_key, fold(name))
        team_id = team_ids.get(key) or new_id("team", *key)
        decision_id = decision_ids.get(
            (row.decision.issuer_id, clean_name(row.decision.number)), row.decision.id
        )

        def build(state: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            until = state.get("until") if state else None  # imports never end a team
            wanted = {
                "name": name,
                "level": row.level.value,
                "villageName": row.village_name,
                "villageKind": row.village_kind.value if row.village_kind else None,
                "since": row.since.isoformat(),
                "until": until,
                "decisionId": decision_id,
                "legacyUnitKey": row.legacy_unit_key,
            }
            params = {
                **_dates(wanted, "since", "until"),
                "id": team_id,
                "searchKey": fold(name),
                "unitKey": row.unit_key,
                "isSynthetic": False,
            }
            return wanted, params

        return _Planned(team_id, row.row, build)

    return changed + await _sync(tx, batch_id, Entity.TEAM, [plan(r) for r in rows])


async def _people(
    tx: Tx, batch_id: str, rows: Sequence[MemberImport | FocalPointImport]
) -> dict[str, str]:
    """Phone → person id, creating the people not in the graph yet (never renaming one)."""
    owners = await people_by_phone(tx, {r.phone for r in rows})
    ids: dict[str, str] = {phone: found[0].id for phone, found in owners.items()}

    def plan(row: MemberImport | FocalPointImport) -> _Planned:
        person_id = new_id("person", row.phone)
        name = clean_name(row.full_name)

        def build(_: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            params = {
                "id": person_id,
                "fullName": name,
                "searchKey": fold(name),
                "phone": row.phone,
                "email": None,
                "birthDate": None,
                "isSynthetic": False,
            }
            return {}, params

        return _Planned(person_id, row.row, build)

    new = [r for r in rows if r.phone not in ids]
    await _sync(tx, batch_id, Entity.PERSON, [plan(r) for r in new])
    ids.update({r.phone: new_id("person", r.phone) for r in new})
    return ids


async def apply_members(tx: Tx, batch_id: str, rows: Sequence[MemberImport]) -> int:
    people = await _people(tx, batch_id, rows)

    def plan(row: MemberImport) -> _Planned:
        person_id = people[row.phone]

        def build(state: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            since = (
                row.since.isoformat()
                if row.since
                else (state or {}).get("since") or row.team_since.isoformat()
            )
            wanted = {
                "role": row.role.value,
                "since": since,
                "until": state.get("until") if state else None,
                "homeAffiliation": row.home.value,
            }
            params = {**_dates(wanted, "since", "until"), "personId": person_id}
            return wanted, {**params, "teamId": row.team_id}

        return _Planned(f"{person_id}|{row.team_id}", row.row, build, team_id=row.team_id)

    return await _sync(tx, batch_id, Entity.MEMBERSHIP, [plan(r) for r in rows])


async def apply_focal_points(tx: Tx, batch_id: str, rows: Sequence[FocalPointImport]) -> int:
    decision_ids = await resolve_decisions(
        tx, [(r.decision.issuer_id, clean_name(r.decision.number)) for r in rows]
    )
    changed = await _sync(tx, batch_id, Entity.DECISION, _decisions(rows))
    people = await _people(tx, batch_id, rows)
    found = await run_collected(
        tx,
        "UNWIND $keys AS k MATCH (:Person {id: k[0]})-[:HOLDS]->(a:FocalPointAssignment)-[:AT]->"
        "(:Organisation {id: k[1]}) WHERE a.until IS NULL WITH k, min(a.id) AS id "
        "RETURN collect([k, id]) AS rows",
        keys=[[people[r.phone], r.organisation_id] for r in rows],
    )
    posts = {(k[0], k[1]): post_id for k, post_id in found}

    def plan(row: FocalPointImport) -> _Planned:
        person_id = people[row.phone]
        post_id = posts.get((person_id, row.organisation_id)) or new_id(
            "focal-point", person_id, row.organisation_id
        )
        decision_id = decision_ids.get(
            (row.decision.issuer_id, clean_name(row.decision.number)), row.decision.id
        )

        def build(state: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            wanted = {
                "mode": row.mode.value,
                "since": row.since.isoformat(),
                "until": state.get("until") if state else None,
                "title": clean_name(row.title) if row.title else None,
                "decisionId": decision_id,
            }
            params = {
                **_dates(wanted, "since", "until"),
                "id": post_id,
                "personId": person_id,
                "organisationId": row.organisation_id,
                "isSynthetic": False,
            }
            return wanted, params

        return _Planned(post_id, row.row, build)

    return changed + await _sync(tx, batch_id, Entity.FOCAL_POINT, [plan(r) for r in rows])


async def apply_activities(tx: Tx, batch_id: str, rows: Sequence[ActivityImport]) -> int:
    """Reports are created, never updated: one already there (the same row imported before)
    is left as it is."""
    reporter = f"import:{batch_id}"

    def plan(row: ActivityImport) -> _Planned:
        def build(_: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            return {}, row.report.as_param(reporter)

        return _Planned(row.report.id, row.row, build)

    return await _sync(tx, batch_id, Entity.ACTIVITY, [plan(r) for r in rows])


async def apply_organisations(tx: Tx, batch_id: str, rows: Sequence[OrganisationImport]) -> int:
    """Parents are linked after every row of the chunk is written: a parent on an earlier row
    of the file is in this chunk or an earlier one (spreadsheets.checks requires it)."""

    def plan(row: OrganisationImport) -> _Planned:
        name = clean_name(row.name)

        def build(state: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            kept = state or {}
            wanted = {
                "kind": row.kind.value,
                "name": name,
                "unitKey": row.unit_key,
                "parentId": row.parent_id or kept.get("parentId"),
                "validFrom": iso(row.valid_from) or kept.get("validFrom"),
                "validTo": iso(row.valid_to) or kept.get("validTo"),
            }
            params = {
                **_dates(wanted, "validFrom", "validTo"),
                "id": row.id,
                "searchKey": fold(name),
                "successorId": None,
                "totalStaff": None,
                "cdsStaff": None,
                "isSynthetic": False,
            }
            return wanted, params

        return _Planned(row.id, row.row, build)

    return await _sync(tx, batch_id, Entity.ORGANISATION, [plan(r) for r in rows])


def at_once(plan: Sequence[AnyImport]) -> int:
    """How many chunks of the plan may be written at once.

    An activities file's rows are independent: each report is new (a file naming one twice is
    refused, spreadsheets/rows.py) or left as it is, and its team was there before the file. So
    two of its chunks are written at once: while Neo4j writes one, this process prepares and
    sends the other, and a 100,000-row file keeps both cores busy (#17). Every other kind's
    rows may need an earlier row's (a parent organisation, the person a member row created), so
    their chunks are written one by one, in file order."""
    return 2 if plan and isinstance(plan[0], ActivityImport) else 1


async def apply_chunk(tx: Tx, batch_id: str, rows: Sequence[AnyImport]) -> int:
    """One transaction's worth of rows (all of one kind); bumps the change counter if it
    changed anything. The batch node is written last (``note_places`` locks it before reading
    it, and the links end on it), so a chunk written beside another (``at_once``) waits for
    the other's commit only there."""
    if not rows:
        return 0
    first = rows[0]
    if isinstance(first, TeamImport):
        changed = await apply_teams(tx, batch_id, [r for r in rows if isinstance(r, TeamImport)])
    elif isinstance(first, MemberImport):
        changed = await apply_members(
            tx, batch_id, [r for r in rows if isinstance(r, MemberImport)]
        )
    elif isinstance(first, ActivityImport):
        changed = await apply_activities(
            tx, batch_id, [r for r in rows if isinstance(r, ActivityImport)]
        )
    elif isinstance(first, OrganisationImport):
        changed = await apply_organisations(
            tx, batch_id, [r for r in rows if isinstance(r, OrganisationImport)]
        )
    else:
        changed = await apply_focal_points(
            tx, batch_id, [r for r in rows if isinstance(r, FocalPointImport)]
        )
    await touch(tx, batch_id)
    if changed:
        await changes.bump(tx)
    return changed
