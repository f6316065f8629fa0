"""Each team's activity digest: its reports summed by last day, kept on the team.

Coverage reads the activity of every team of the nation (about 100,000 teams, millions of
reports). Walking each team's reports for that is far too slow, and a report's last day is
what every figure filters on, so each team carries three parallel lists, one entry per
(last day, some of its reports ending that day):

- ``activityDays``: the day (a report's ``periodTo``) as a day number, days since 1970-01-01
  (``day_number``): the places' digests are built from these lists, nationally millions of
  entries, and read integers a third faster than dates they convert;
- ``activityPeople`` / ``activityHouseholds``: the sums of ``peopleHelped`` /
  ``householdsHelped`` of those reports.

Every report is in exactly one entry; a day may have several entries and the entries are in
no particular order (readers filter by day and sum). A rebuild leaves one entry per day, in
day order; new reports are appended. A team without reports has none of the three. The
figures of any window (any ``asOf``, any N) are then read from one team node, and stay exactly
the counts of the reports.

The digest is derived data, changed in the same transaction as the reports by their writers
(graph/activity/reports.py: the mutation, the spreadsheet import and its rollback, the demo):
new reports are appended by the statement that creates them (grouped by ``appended``); any
other change (a report rewritten or deleted) rebuilds the team's digest from its reports
(``rebuild_digests``). It lives in core, beside the migrations, because migration 18 builds it
for the reports already there; graph/activity is its one writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, LiteralString

from graph.core.days import day_number
from graph.core.db import Graph, Tx, run

# Rebuild the digests of the teams in $teamIds. The first SET takes each team's write lock
# before its reports are read: two transactions writing reports of one team (the demo loads
# in parallel) then rebuild one after the other, the second seeing the first's reports.
_REBUILD: LiteralString = """
UNWIND $teamIds AS id
MATCH (t:CommunityTechTeam {id: id})
SET t.activityDays = null
WITH t
CALL (t) {
  MATCH (r:ActivityReport)-[:BY]->(t)
  WITH r.periodTo AS day, sum(r.peopleHelped) AS people, sum(r.householdsHelped) AS households
  ORDER BY day
  RETURN collect(duration.inDays(date('1970-01-01'), day).days) AS days,
         collect(people) AS people, collect(households) AS households
}
SET t.activityDays = CASE WHEN size(days) = 0 THEN null ELSE days END,
    t.activityPeople = CASE WHEN size(days) = 0 THEN null ELSE people END,
    t.activityHouseholds = CASE WHEN size(days) = 0 THEN null ELSE households END
RETURN count(*) AS n
"""


def appended(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New reports (``CheckedReport.as_param`` rows, each a new id) grouped by team, with the
    entries they add to its digest (one per day, a day number): ``{teamId, reports, days,
    people, households}``, which the reports' writer appends in the statement that creates
    them."""
    teams: dict[str, dict[str, Any]] = {}
    for row in rows:
        team = teams.setdefault(row["teamId"], {"reports": [], "sums": {}})
        team["reports"].append(row)
        day = team["sums"].setdefault(row["periodTo"], [0, 0])
        day[0] += row["peopleHelped"]
        day[1] += row["householdsHelped"]
    # Each distinct day once: a chunk of 5,000 reports has a few hundred.
    numbers = {d: _number(d) for d in {row["periodTo"] for row in rows}}
    return [
        {
            "teamId": team_id,
            "reports": team["reports"],
            "days": [numbers[d] for d in team["sums"]],
            "people": [p for p, _ in team["sums"].values()],
            "households": [h for _, h in team["sums"].values()],
        }
        for team_id, team in sorted(teams.items())
    ]


def _number(day: dt.date | str) -> int:
    return day_number(day if isinstance(day, dt.date) else dt.date.fromisoformat(day))


async def rebuild_digests(tx: Tx, team_ids: Collection[str]) -> None:
    """Rebuild the digests of these teams from their reports (teams not found are skipped)."""
    if team_ids:
        await run(tx, _REBUILD, teamIds=sorted(set(team_ids)))


HEAL_BATCH = 2000


async def _teams_to_heal(tx: Tx, after: str, limit: int) -> list[str]:
    """Teams with reports, and any with a digest (which a rebuild clears if it has none)."""
    records = await run(
        tx,
        "MATCH (t:CommunityTechTeam) WHERE t.id > $after "
        "AND (t.activityDays IS NOT NULL OR EXISTS { (:ActivityReport)-[:BY]->(t) }) "
        "RETURN t.id AS id ORDER BY id LIMIT $limit",
        after=after,
        limit=limit,
    )
    return [str(r["id"]) for r in records]


async def heal_activity_digests(graph: Graph) -> None:
    """Migrations 18, 22 and 24: every team's digest rebuilt from its reports, a batch of
    teams per transaction (rebuilding is idempotent: a crash midway is healed by running it
    again). Since migration 24 its days are day numbers, which the places' digests read."""
    after = ""
    while ids := await graph.read(_teams_to_heal, after, HEAL_BATCH):
        await graph.write(rebuild_digests, ids)
        after = ids[-1]
