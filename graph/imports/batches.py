"""Import batches: a validated file written to the graph in chunks, traced and undoable.

All-or-nothing across chunks, by compensation. A 100,000-row file cannot be one transaction
(Neo4j would hold every change in memory until commit), so each chunk of rows commits on its
own, and every node a chunk creates or changes gets an ``IMPORTED_IN {row, entity, action,
previous}`` relationship to its ``ImportBatch``; ``previous`` keeps the values it overwrote
(JSON). When a later chunk fails, ``rollback`` walks those links back: it deletes what the
batch created and restores what it changed, then marks the batch ``ROLLED_BACK``. The other
way, writing rows PENDING and flipping them visible at the end, would make every reader of the
graph (coverage, gaps, search, the change feed) filter on a status it knows nothing about, and
the flip itself would again be one huge transaction. The price of compensation: while a batch
runs, readers see its first chunks (the change counter moves with each, so caches stay exact),
and only one batch runs at a time (``ImportLock``), so a rollback never undoes someone else's
later edit of the same node.

Idempotent: a chunk reads the current state of its targets, compares it with what the row asks
for, and writes only what differs (graph/imports/apply.py) through the aggregates' own upserts (``upsert_teams``,
``upsert_memberships``, ``upsert_people``, ``upsert_focal_points``, ``upsert_decisions``).
Natural keys decide create versus update: a team is (commune, folded name), a decision
(issuer, number), a person their phone, a membership (person, team), a focal-point post
(person, organisation, still open), an organisation (its place, folded name). Imports create
people but never rename them, and never end a team, membership or post (``until`` is kept); an
organisation's empty parent or date cell keeps what the registry has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.activity.reports import delete_reports
from graph.core import changes
from graph.core.activity_place_digests import ACTIVITY_DIGESTS
from graph.core.cypher import native
from graph.core.db import Graph, Tx, run, run_collected, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.org_digests import ORG_DIGESTS, org_places
from graph.core.place_digests import DigestKind, lock_places
from graph.core.place_rollups import build, provinces_of
from graph.core.team_digests import TEAM_DIGESTS, team_places
from graph.core.text import fold

LOCK_ID = "imports"


class Entity(StrEnum):
    """What an IMPORTED_IN link is about (a whitelist: each has its own Cypher)."""

    DECISION = "Decision"
    TEAM = "CommunityTechTeam"
    PERSON = "Person"
    MEMBERSHIP = "MEMBER_OF"
    FOCAL_POINT = "FocalPointAssignment"
    ACTIVITY = "ActivityReport"
    ORGANISATION = "Organisation"


class BatchStatus(StrEnum):
    RUNNING = "RUNNING"
    APPLIED = "APPLIED"
    ROLLED_BACK = "ROLLED_BACK"


def new_id(prefix: str, *parts: str) -> str:
    """Ids of imported nodes come from their natural key, so two imports of one team meet."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]
    return f"imp-{prefix}-{digest}"


@dataclass(frozen=True, slots=True)
class BatchInput:
    id: str
    file_hash: str
    file_name: str
    kind: str
    rows: int
    imported_by: str | None
    scope: str | None  # the current province code the importer is bound to; None: national


@dataclass(frozen=True, slots=True)
class BatchRecord:
    id: str
    file_hash: str
    file_name: str
    kind: str
    rows: int
    changed: int
    imported_by: str | None
    scope: str | None
    at: dt.datetime
    status: BatchStatus

    @staticmethod
    def from_map(m: dict[str, Any]) -> BatchRecord:
        return BatchRecord(
            m["id"],
            m["fileHash"],
            m["fileName"],
            m["kind"],
            m["rows"],
            m.get("changed") or 0,
            m.get("importedBy"),
            m.get("scope"),
            native(m["at"]),
            BatchStatus(m["status"]),
        )


_BATCH_FIELDS: LiteralString = (
    ".id, .fileHash, .fileName, .kind, .rows, .changed, .importedBy, .scope, .at, .status"
)


# ---------------------------------------------------------------------------------------------
# The batch's life: begin (takes the lock), chunks, finish or rollback (release it).


async def begin(tx: Tx, batch: BatchInput) -> None:
    """Record the batch as RUNNING and take the import lock, or Conflict when one is running."""
    record = await run_single(
        tx,
        "MERGE (l:ImportLock {id: $lock}) RETURN l.batch AS running",
        lock=LOCK_ID,
    )
    if record is not None and record["running"] is not None:
        raise Conflict(
            "file",
            f"import batch {record['running']} is still running; wait, or roll it back "
            "(cds import rollback BATCH) if its process died",
        )
    await run(
        tx,
        "MATCH (l:ImportLock {id: $lock}) SET l.batch = $b.id "
        "CREATE (:ImportBatch {id: $b.id, fileHash: $b.fileHash, fileName: $b.fileName, "
        "kind: $b.kind, rows: $b.rows, changed: 0, importedBy: $b.importedBy, scope: $b.scope, "
        "at: datetime(), status: 'RUNNING'})",
        lock=LOCK_ID,
        b={
            "id": batch.id,
            "fileHash": batch.file_hash,
            "fileName": batch.file_name,
            "kind": batch.kind,
            "rows": batch.rows,
            "importedBy": batch.imported_by,
            "scope": batch.scope,
        },
    )


async def touch(tx: Tx, batch_id: str) -> None:
    """The batch is alive: each chunk says so, and ``abandoned`` goes by it."""
    await run(tx, "MATCH (b:ImportBatch {id: $id}) SET b.touched = datetime()", id=batch_id)


async def abandoned(tx: Tx, idle: dt.timedelta) -> str | None:
    """The running batch, when nothing has touched it for ``idle``: its process died (a crash,
    a kill) before it could finish or roll back, and it holds the lock and half its rows."""
    record = await run_single(
        tx,
        "MATCH (l:ImportLock {id: $lock}) MATCH (b:ImportBatch {id: l.batch, status: 'RUNNING'}) "
        "WHERE coalesce(b.touched, b.at) < datetime() - $idle RETURN b.id AS id",
        lock=LOCK_ID,
        idle=idle,
    )
    return None if record is None else record["id"]


async def _close(tx: Tx, batch_id: str, status: BatchStatus) -> BatchRecord:
    record = await run_single(
        tx,
        "MATCH (b:ImportBatch {id: $id}) "
        "SET b.status = $status, b.changed = COUNT { (b)<-[:IMPORTED_IN]-() } "
        "WITH b OPTIONAL MATCH (l:ImportLock {id: $lock, batch: $id}) REMOVE l.batch "
        "RETURN b {" + _BATCH_FIELDS + "} AS b",
        id=batch_id,
        status=status.value,
        lock=LOCK_ID,
    )
    if record is None:
        raise NotFound("ImportBatch", batch_id)
    await changes.bump(tx)
    return BatchRecord.from_map(record["b"])


async def finish(tx: Tx, batch_id: str) -> BatchRecord:
    await _rebuild_noted(tx, batch_id)
    return await _close(tx, batch_id, BatchStatus.APPLIED)


async def list_batches(tx: Tx, scope: str | None, first: int) -> list[BatchRecord]:
    """Newest first; a provincial coordinator sees their province's batches."""
    records = await run(
        tx,
        "MATCH (b:ImportBatch) WHERE $scope IS NULL OR b.scope = $scope "
        "RETURN b {" + _BATCH_FIELDS + "} AS b ORDER BY b.at DESC LIMIT $first",
        scope=scope,
        first=first,
    )
    return [BatchRecord.from_map(r["b"]) for r in records]


@dataclass(frozen=True, slots=True)
class TracedChange:
    entity: Entity
    id: str
    row: int
    action: str
    team_id: str | None


async def batch_changes(tx: Tx, batch_id: str) -> list[TracedChange]:
    """What a batch changed, each with the file row it came from."""
    records = await run(
        tx,
        "MATCH (n)-[r:IMPORTED_IN]->(:ImportBatch {id: $id}) "
        "RETURN r.entity AS entity, n.id AS id, r.row AS row, r.action AS action, "
        "r.teamId AS teamId ORDER BY r.row, r.entity",
        id=batch_id,
    )
    return [
        TracedChange(Entity(r["entity"]), r["id"], r["row"], r["action"], r["teamId"])
        for r in records
    ]


# ---------------------------------------------------------------------------------------------
# Compensation

# Undo order: what points at other things first (memberships and posts before people, teams
# before their decisions).
UNDO_ORDER = (
    Entity.ACTIVITY,
    Entity.MEMBERSHIP,
    Entity.FOCAL_POINT,
    Entity.PERSON,
    Entity.TEAM,
    Entity.DECISION,
    Entity.ORGANISATION,  # last: an organisation a batch created may issue or hold the above
)

_RESTORE: dict[Entity, LiteralString] = {
    Entity.DECISION: "MATCH (d:Decision {id: x.id}) "
    "SET d.date = date(x.prev.date), d.kind = x.prev.kind",
    Entity.TEAM: "MATCH (t:CommunityTechTeam {id: x.id}) "
    "SET t.name = x.prev.name, t.searchKey = x.searchKey, t.level = x.prev.level, "
    "t.villageName = x.prev.villageName, t.villageKind = x.prev.villageKind, "
    "t.since = date(x.prev.since), t.legacyUnitKey = x.prev.legacyUnitKey "
    "WITH t, x OPTIONAL MATCH (t)-[r:ESTABLISHED_BY]->() DELETE r "
    "WITH DISTINCT t, x MATCH (d:Decision {id: x.prev.decisionId}) MERGE (t)-[:ESTABLISHED_BY]->(d)",
    Entity.PERSON: "MATCH (p:Person {id: x.id}) SET p.fullName = x.prev.fullName",
    Entity.MEMBERSHIP: "MATCH (:Person {id: x.id})-[m:MEMBER_OF]->(:CommunityTechTeam {id: x.teamId}) "
    "SET m.role = x.prev.role, m.since = date(x.prev.since), "
    "m.homeAffiliation = x.prev.homeAffiliation",
    Entity.FOCAL_POINT: "MATCH (a:FocalPointAssignment {id: x.id}) "
    "SET a.mode = x.prev.mode, a.since = date(x.prev.since), a.title = x.prev.title "
    "WITH a, x OPTIONAL MATCH (a)-[r:ESTABLISHED_BY]->() DELETE r "
    "WITH DISTINCT a, x MATCH (d:Decision {id: x.prev.decisionId}) MERGE (a)-[:ESTABLISHED_BY]->(d)",
}

_RESTORE[Entity.ORGANISATION] = """
MATCH (o:Organisation {id: x.id})
SET o.kind = x.prev.kind, o.name = x.prev.name, o.searchKey = x.searchKey,
    o.validFrom = date(x.prev.validFrom), o.validTo = date(x.prev.validTo)
WITH o, x
CALL (o) { MATCH (o)-[r:LOCATED_IN|PART_OF]->() DELETE r }
OPTIONAL MATCH (u:AdministrativeUnit {key: x.prev.unitKey})
OPTIONAL MATCH (p:Organisation {id: x.prev.parentId})
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | MERGE (o)-[:LOCATED_IN]->(u))
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (o)-[:PART_OF]->(p))"""

_DELETE_CREATED: dict[Entity, LiteralString] = {
    Entity.ORGANISATION: "MATCH (n:Organisation {id: x.id}) DETACH DELETE n",
    Entity.MEMBERSHIP: "MATCH (:Person {id: x.id})-[m:MEMBER_OF]->(:CommunityTechTeam {id: x.teamId}) "
    "DELETE m",
    Entity.DECISION: "MATCH (n:Decision {id: x.id}) DETACH DELETE n",
    Entity.TEAM: "MATCH (n:CommunityTechTeam {id: x.id}) DETACH DELETE n",
    Entity.PERSON: "MATCH (n:Person {id: x.id}) DETACH DELETE n",
    Entity.FOCAL_POINT: "MATCH (n:FocalPointAssignment {id: x.id}) DETACH DELETE n",
}


async def undo_chunk(tx: Tx, batch_id: str, entity: Entity, size: int) -> int:
    """Undo up to ``size`` of the batch's changes to one kind of target; 0 when none are left."""
    records = await run_collected(
        tx,
        "MATCH (n)-[r:IMPORTED_IN {entity: $entity}]->(:ImportBatch {id: $batch}) "
        "WITH n, r LIMIT $size "
        "RETURN collect({id: n.id, action: r.action, previous: r.previous, teamId: r.teamId, "
        "link: elementId(r)}) AS rows",
        entity=entity.value,
        batch=batch_id,
        size=size,
    )
    if not records:
        return 0
    restore = []
    for r in records:
        if r["action"] == "UPDATED":
            prev = json.loads(r["previous"])
            restore.append(
                {
                    "id": r["id"],
                    "teamId": r["teamId"],
                    "prev": prev,
                    "searchKey": fold(prev.get("name") or ""),
                }
            )
    created = [{"id": r["id"], "teamId": r["teamId"]} for r in records if r["action"] == "CREATED"]
    # The team digests of the places these teams and people were at before the undo
    # (graph/core/team_digests.py): a deleted team or membership leaves its place's digest.
    # The places of the targets before the undo, whose digests the batch rebuilds when it
    # closes (a deleted team or organisation leaves its place).
    teams, people = _team_digest_targets(entity, records)
    orgs = await _org_digest_targets(tx, entity, records)
    moves = entity in (Entity.TEAM, Entity.ORGANISATION)  # their places may be restored
    members = entity is Entity.TEAM  # a team restored or deleted: its members' places too
    team_left = await team_places(tx, teams, people, members=members)
    org_left = await org_places(tx, orgs)
    await run(
        tx,
        "UNWIND $links AS link MATCH ()-[r:IMPORTED_IN]->() WHERE elementId(r) = link DELETE r",
        links=[r["link"] for r in records],
    )
    if restore:
        await run(tx, "UNWIND $rows AS x " + _RESTORE[entity], rows=restore)
    # A team restored or deleted changes its places' activity figures too.
    activity_left = set(team_left) if entity is Entity.TEAM else set()
    if created and entity is Entity.ACTIVITY:
        # An import only ever creates reports (a row imported again is the same id, left as it
        # is); their writer deletes them, keeping the teams' activity digests.
        reported = await delete_reports(tx, [c["id"] for c in created])
        activity_left |= await team_places(tx, reported)
    elif created:
        await run(tx, "UNWIND $rows AS x " + _DELETE_CREATED[entity], rows=created)
    if moves:
        team_left |= await team_places(tx, teams, people, members=members)
        org_left |= await org_places(tx, orgs)
        if entity is Entity.TEAM:
            activity_left |= team_left
    await note_places(tx, batch_id, team=team_left, org=org_left, activity=activity_left)
    await changes.bump(tx)
    return len(records)


async def _org_digest_targets(tx: Tx, entity: Entity, records: list[dict[str, Any]]) -> list[str]:
    """The organisations whose places' digests an undo of ``entity`` may change."""
    ids = [str(r["id"]) for r in records]
    if entity is Entity.ORGANISATION:
        return ids
    if entity is Entity.FOCAL_POINT:
        return await run_collected(
            tx,
            "UNWIND $ids AS id MATCH (:FocalPointAssignment {id: id})-[:AT]->(o:Organisation) "
            "RETURN collect(DISTINCT o.id) AS rows",
            ids=ids,
        )
    return []


def _team_digest_targets(
    entity: Entity, records: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """The teams and people whose places' digests an undo of ``entity`` may change."""
    if entity is Entity.TEAM:
        return [str(r["id"]) for r in records], []
    if entity is Entity.MEMBERSHIP:
        return [str(r["teamId"]) for r in records], [str(r["id"]) for r in records]
    if entity is Entity.PERSON:
        return [], [str(r["id"]) for r in records]
    return [], []


async def mark_rolled_back(tx: Tx, batch_id: str) -> BatchRecord:
    await _rebuild_noted(tx, batch_id)
    return await _close(tx, batch_id, BatchStatus.ROLLED_BACK)


# ---------------------------------------------------------------------------------------------
# The places' digests (graph/core/place_digests.py)
#
# A batch's chunks note the places of what they change (before and after: a team or an
# organisation may move) on the batch node, and their digests are rebuilt once, when every
# chunk is written (``rebuild_noted``, then the close, which rebuilds what is still noted):
# rebuilding them in every chunk rebuilt the same communes once per chunk (a 100,000-member file
# ran at a quarter of the speed). While a file is being applied, coverage does not count its
# rows yet; a batch abandoned midway is rolled back by the next import, whose close rebuilds the
# places noted.


# The batch's lists of places noted, by the kind of digest they are rebuilt for.
_NOTED: dict[str, DigestKind] = {
    "teamPlaces": TEAM_DIGESTS,
    "orgPlaces": ORG_DIGESTS,
    "activityPlaces": ACTIVITY_DIGESTS,
}


async def _noted(tx: Tx, batch_id: str, *, lock: bool = False) -> dict[str, list[str]] | None:
    """The batch's lists of places noted; with ``lock``, read after taking the batch's write
    lock (touching it), so that two chunks adding to them add to each other's lists."""
    if lock:
        await touch(tx, batch_id)
    record = await run_single(
        tx,
        "MATCH (b:ImportBatch {id: $id}) RETURN b {.teamPlaces, .orgPlaces, .activityPlaces} AS b",
        id=batch_id,
    )
    return None if record is None else {name: record["b"][name] or [] for name in _NOTED}


async def note_places(
    tx: Tx,
    batch_id: str,
    *,
    team: Collection[str] = (),
    org: Collection[str] = (),
    activity: Collection[str] = (),
) -> None:
    """Add places to the batch's lists of places whose team, organisation or activity digests
    are rebuilt once its chunks are written (``rebuild_noted``, and its close)."""
    added = {"teamPlaces": team, "orgPlaces": org, "activityPlaces": activity}
    if not any(added.values()):
        return
    noted = await _noted(tx, batch_id, lock=True)
    if noted is None:
        raise NotFound("ImportBatch", batch_id)
    await run(
        tx,
        "MATCH (b:ImportBatch {id: $id}) SET b += $lists",
        id=batch_id,
        lists={name: sorted(set(noted[name]) | set(keys)) for name, keys in added.items()},
    )


async def rebuild_noted(graph: Graph, batch_id: str) -> None:
    """Before the close, once every chunk is written: rebuild the places noted, several
    transactions at a time (``DigestKind.rebuild_many``; a 100,000-row activities file notes
    nearly every commune, seconds of work), then forget them, so the close has none left.
    Should this stop midway, the batch still notes them all, and its close (or its rollback,
    by the next import) rebuilds them."""
    # Read where it is written (a cluster's leader: a secondary may not have the last chunk's
    # places yet), and forget only the places rebuilt: anything noted meanwhile stays noted.
    noted = await graph.write(_noted, batch_id)
    if noted is None:
        return
    for name, kind in _NOTED.items():
        await kind.rebuild_many(graph, noted[name])
    await graph.write(_forget_rebuilt, batch_id, noted)


async def _forget_rebuilt(tx: Tx, batch_id: str, rebuilt: dict[str, list[str]]) -> None:
    noted = await _noted(tx, batch_id, lock=True)
    if noted is not None:
        left = {name: sorted(set(noted[name]) - set(rebuilt[name])) or None for name in _NOTED}
        await run(tx, "MATCH (b:ImportBatch {id: $id}) SET b += $lists", id=batch_id, lists=left)


async def _forget_noted(tx: Tx, batch_id: str) -> None:
    await run(
        tx,
        "MATCH (b:ImportBatch {id: $id}) REMOVE b.teamPlaces, b.orgPlaces, b.activityPlaces",
        id=batch_id,
    )


async def _rebuild_noted(tx: Tx, batch_id: str) -> None:
    noted = await _noted(tx, batch_id)
    if noted is None:
        return
    # Whatever is still noted was left by a ``rebuild_noted`` that stopped: every kind's places
    # are locked first, in one pass (a kind's rollups are locked after its places, and a writer
    # holding a place of the next kind may be waiting for one of them); then the places are
    # rebuilt and their provinces' rollups built whole, not moved: the places may have been
    # rebuilt already, ahead of their rollups.
    await lock_places(tx, sorted({key for name in _NOTED for key in noted[name] or []}))
    for name, kind in _NOTED.items():
        await kind.rebuild(tx, noted[name], rollups=False)
        await build(tx, [kind], await provinces_of(tx, noted[name] or []))
    await _forget_noted(tx, batch_id)
