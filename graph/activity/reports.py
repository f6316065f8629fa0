"""Activity reports: what a team did, when, and how many people and households it helped.

A report hangs off its team: ``(:ActivityReport)-[:BY]->(:CommunityTechTeam)``. It covers one
day or a period (``periodFrom``..``periodTo``, both inclusive; a one-day activity has both the
same), and is counted on its last day (``periodTo``): the figures of a period and "active
within the last N days" read that one indexed date, so a report is never counted twice.

``report_activity`` is the unit of work behind the ``reportActivity`` mutation: it checks the
input (every mistake at once, named by field), places the team, lets the caller's guard decide,
writes the report and its audit event in one transaction. The guard is given the team's
placement plus its running leaders (members with role ``TEAM_LEADER_ROLE``): the policy lets a
team leader report for the teams they lead and no other. ``write_reports`` is the one writer
the spreadsheet import and the demo share (rows checked by ``check_report``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph.activity.records import ACTIVITY_FIELDS, ActivityRecord
from graph.audit.events import Actor, Change, record
from graph.core.activity_digests import appended, rebuild_digests
from graph.core.activity_place_digests import refresh_activity_places
from graph.core.commands import Changed, new_id
from graph.core.cypher import unwind
from graph.core.db import Tx, run, run_collected, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.model import TEAM_LEADER_ROLE, ActivityKind
from graph.core.paging import Page, paged
from graph.core.validation import Checker, Code
from graph.units.scopes import Guard, Kind, Placement, placement

# A generous ceiling per report: a commune has tens of thousands of residents at most; a
# larger number is a typing mistake (an extra zero), not an achievement.
MAX_HELPED = 100_000
MAX_SERVICES = 20


@dataclass(frozen=True, slots=True)
class NewActivityReport:
    team_id: str
    period_from: dt.date
    period_to: dt.date | None  # None: a one-day activity
    kind: ActivityKind
    people_helped: int
    households_helped: int
    services: tuple[str, ...] = ()
    place: str | None = None
    note: str | None = None
    synthetic: bool = False
    id: str = field(default_factory=lambda: new_id("activity"))


@dataclass(frozen=True, slots=True)
class CheckedReport:
    """A report's values once checked and cleaned, as the writers store them."""

    id: str
    team_id: str
    period_from: dt.date
    period_to: dt.date
    kind: ActivityKind
    people_helped: int
    households_helped: int
    services: tuple[str, ...]
    place: str | None
    note: str | None
    synthetic: bool

    def as_param(self, reported_by: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "teamId": self.team_id,
            "periodFrom": self.period_from.isoformat(),
            "periodTo": self.period_to.isoformat(),
            "kind": self.kind.value,
            "peopleHelped": self.people_helped,
            "householdsHelped": self.households_helped,
            "services": list(self.services),
            "place": self.place,
            "note": self.note,
            "reportedBy": reported_by,
            "isSynthetic": self.synthetic,
        }


def check_report(check: Checker, cmd: NewActivityReport, today: dt.date) -> CheckedReport:
    """Every rule a report's own fields must keep (the team's dates are checked against the
    graph by the writers). Mistakes are collected in ``check``, named by input field."""
    period_to = cmd.period_to or cmd.period_from
    check.require(period_to >= cmd.period_from, "periodTo", Code.INVALID_DATE, "before periodFrom")
    check.require(period_to <= today, "periodTo", Code.INVALID_DATE, "in the future")
    counts = (("peopleHelped", cmd.people_helped), ("householdsHelped", cmd.households_helped))
    for name, value in counts:
        check.require(
            0 <= value <= MAX_HELPED, name, Code.INVALID_VALUE, f"between 0 and {MAX_HELPED}"
        )
    # A household helped is at least one person helped (said once both counts are in range).
    check.require(
        not all(0 <= v <= MAX_HELPED for _, v in counts)
        or cmd.households_helped <= cmd.people_helped,
        "householdsHelped",
        Code.INVALID_VALUE,
        "more households than people helped",
    )
    check.require(
        len(cmd.services) <= MAX_SERVICES, "services", Code.TOO_LONG, f"at most {MAX_SERVICES}"
    )
    services = tuple(
        s for i, raw in enumerate(cmd.services) if (s := check.name(f"services.{i}", raw))
    )
    place = check.name("place", cmd.place, required=False)
    note = check.text("note", cmd.note)
    return CheckedReport(
        cmd.id,
        cmd.team_id,
        cmd.period_from,
        period_to,
        cmd.kind,
        cmd.people_helped,
        cmd.households_helped,
        services,
        place,
        note,
        cmd.synthetic,
    )


async def leaders(tx: Tx, team_id: str, day: dt.date) -> frozenset[str]:
    """The people leading the team on the day (running membership with the leader's role)."""
    records = await run(
        tx,
        "MATCH (p:Person)-[m:MEMBER_OF {role: $role}]->(:CommunityTechTeam {id: $id}) "
        "WHERE m.since <= $d AND (m.until IS NULL OR m.until >= $d) RETURN p.id AS id",
        id=team_id,
        role=TEAM_LEADER_ROLE.value,
        d=day,
    )
    return frozenset(r["id"] for r in records)


async def team_placement(tx: Tx, team_id: str, day: dt.date) -> Placement:
    """Where a report for the team is placed: the team's commune and province, and its
    leaders on the day, so a leader's guard admits their own team only."""
    found = await placement(tx, Kind.TEAM, team_id)
    return found | Placement(people=await leaders(tx, team_id, day))


_WRITE: LiteralString = """
UNWIND $rows AS row
MATCH (t:CommunityTechTeam {id: row.teamId})
MERGE (r:ActivityReport {id: row.id})
ON CREATE SET r.reportedAt = datetime.transaction(), r.reportedBy = row.reportedBy
SET r.periodFrom = date(row.periodFrom), r.periodTo = date(row.periodTo), r.kind = row.kind,
    r.peopleHelped = row.peopleHelped, r.householdsHelped = row.householdsHelped,
    r.services = row.services, r.place = row.place, r.note = row.note,
    r.synthetic = row.isSynthetic
FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET r:Synthetic)
MERGE (r)-[:BY]->(t)
RETURN count(*) AS n
"""

# New reports, by team (``appended``): each team is matched once, its reports created, and
# their entries appended to its digest. The first SET takes the team's write lock before its
# lists are read, so two transactions adding reports to one team add to each other's entries
# instead of overwriting them. CREATE, not MERGE: the writer has just read that no report has
# these ids (the import's chunks went a third faster).
_CREATE: LiteralString = """
UNWIND $teams AS x
MATCH (t:CommunityTechTeam {id: x.teamId})
SET t.activityLock = true
WITH t, x
CALL (t, x) {
  UNWIND x.reports AS row
  CREATE (r:ActivityReport {id: row.id, periodFrom: date(row.periodFrom),
      periodTo: date(row.periodTo), kind: row.kind, peopleHelped: row.peopleHelped,
      householdsHelped: row.householdsHelped, services: row.services, place: row.place,
      note: row.note, synthetic: row.isSynthetic, reportedAt: datetime.transaction(),
      reportedBy: row.reportedBy})-[:BY]->(t)
  FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET r:Synthetic)
  RETURN count(*) AS created
}
SET t.activityDays = coalesce(t.activityDays, []) + x.days,
    t.activityPeople = coalesce(t.activityPeople, []) + x.people,
    t.activityHouseholds = coalesce(t.activityHouseholds, []) + x.households
REMOVE t.activityLock
WITH t, created
CALL (t) {
  OPTIONAL MATCH (t)-[:OPERATES_IN]->(u:AdministrativeUnit)
  RETURN collect(u.key) AS current
}
WITH created,
     current + CASE WHEN t.legacyUnitKey IS NULL THEN [] ELSE [t.legacyUnitKey] END AS keys
RETURN sum(created) AS n, collect(keys) AS places
"""


@dataclass(frozen=True, slots=True)
class Created:
    """What ``create_reports`` wrote: how many reports, and the places of their teams (their
    commune and the legacy commune they served: ``team_places``), whose activity digests the
    caller refreshes."""

    count: int
    places: frozenset[str]


async def create_reports(tx: Tx, rows: list[dict[str, Any]]) -> Created:
    """Create reports whose ids the caller has just read are not in the graph, each named once
    (``write_reports``' new rows; an import's chunk, whose batch read them), appending them to
    their teams' digests. A row whose team is missing writes nothing. The teams stay
    write-locked until the transaction ends."""
    if not rows:
        return Created(0, frozenset())
    records = await run(tx, _CREATE, teams=appended(rows))  # one row: it aggregates
    places = frozenset(str(key) for keys in records[0]["places"] for key in keys)
    return Created(int(records[0]["n"] or 0), places)


async def write_reports(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Write reports (``CheckedReport.as_param`` rows) of existing teams, by id: the one
    writer of the label (the mutation, the spreadsheet import, the demo), which keeps the
    teams' digests (graph/core/activity_digests.py) in the same transaction. A row whose team
    is missing writes nothing, and the caller sees it in the count."""
    ids = [row["id"] for row in rows]
    found = await run_collected(
        tx,
        "UNWIND $ids AS id MATCH (r:ActivityReport {id: id}) "
        "OPTIONAL MATCH (r)-[:BY]->(t:CommunityTechTeam) RETURN collect([id, t.id]) AS rows",
        ids=ids,
    )
    # New reports are created and appended to their teams' digests; a report rewritten (or
    # named twice) rebuilds the digests of the teams it left and joined.
    counts = Counter(ids)
    rewritten = {i for i, _ in found} | {i for i, n in counts.items() if n > 1}
    rebuild = {team for _, team in found if team is not None}
    rebuild |= {row["teamId"] for row in rows if row["id"] in rewritten}
    new = [row for row in rows if row["id"] not in rewritten and row["teamId"] not in rebuild]
    rest = [row for row in rows if row["id"] in rewritten or row["teamId"] in rebuild]
    written = (await create_reports(tx, new)).count
    if rest:
        written += await unwind(tx, _WRITE, rest)
        await rebuild_digests(tx, rebuild)
    return written


async def delete_reports(tx: Tx, ids: list[str]) -> list[str]:
    """Delete reports by id (an import's rollback), rebuilding their teams' digests; return
    the teams, whose places' digests the caller rebuilds."""
    teams = await run_collected(
        tx,
        "UNWIND $ids AS id MATCH (r:ActivityReport {id: id}) "
        "OPTIONAL MATCH (r)-[:BY]->(t:CommunityTechTeam) "
        "WITH r, t.id AS team DETACH DELETE r RETURN collect(DISTINCT team) AS rows",
        ids=ids,
    )
    await rebuild_digests(tx, teams)
    return [str(t) for t in teams]


async def _report(tx: Tx, report_id: str) -> ActivityRecord:
    found = await run_single(
        tx,
        "MATCH (r:ActivityReport {id: $id})-[:BY]->(t:CommunityTechTeam) "
        "RETURN r {" + ACTIVITY_FIELDS + ", teamId: t.id} AS r",
        id=report_id,
    )
    if found is None:
        raise NotFound("ActivityReport", report_id)
    return ActivityRecord.from_map(found["r"])


async def report_activity(
    tx: Tx, cmd: NewActivityReport, today: dt.date, actor: Actor, guard: Guard
) -> Changed[ActivityRecord]:
    check = Checker()
    report = check_report(check, cmd, today)
    check.done()
    guard(await team_placement(tx, cmd.team_id, today))
    team = await run_single(
        tx,
        "MATCH (t:CommunityTechTeam {id: $id}) RETURN t.since AS since, t.until AS until",
        id=cmd.team_id,
    )
    if team is None:
        raise NotFound("CommunityTechTeam", cmd.team_id)
    if report.period_from < team["since"].to_native():
        raise Conflict("periodFrom", "before the team was established")
    if team["until"] is not None and report.period_to > team["until"].to_native():
        raise Conflict("periodTo", "after the team was closed")
    await write_reports(tx, [report.as_param(actor.subject)])
    await refresh_activity_places(tx, [cmd.team_id])
    changes = [
        Change("report", None, report.id),
        Change("kind", None, report.kind.value),
        Change("periodFrom", None, report.period_from),
        Change("periodTo", None, report.period_to),
        Change("peopleHelped", None, report.people_helped),
        Change("householdsHelped", None, report.households_helped),
    ]
    seq = await record(tx, actor, "reportActivity", (Kind.TEAM, cmd.team_id), changes)
    return Changed(await _report(tx, report.id), seq)


async def reports_of_teams(
    tx: Tx, keys: list[str], args: tuple[int, str | None]
) -> dict[str, Page]:
    """Each team's reports, newest first (by last day, then id), paged: items are (sort key,
    record). The sort key counts down from the date so that the shared ascending pager lists
    the newest first."""
    first, after = args
    query: LiteralString = (
        """
        UNWIND $keys AS key
        MATCH (t:CommunityTechTeam {id: key})
        OPTIONAL MATCH (r:ActivityReport)-[:BY]->(t)
        WITH key, t, r ORDER BY r.periodTo DESC, r.id
        WITH key, collect(r {sortKey: toString(100000000 - (r.periodTo.year * 10000
            + r.periodTo.month * 100 + r.periodTo.day)) + ':' + r.id, """
        + ACTIVITY_FIELDS
        + ", teamId: t.id}) AS items"
    )
    return await paged(tx, query, _keyed, keys, first, after)


def _keyed(m: dict[str, Any]) -> tuple[str, ActivityRecord]:
    return m["sortKey"], ActivityRecord.from_map(m)
