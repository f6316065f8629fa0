"""Each team's activity digest: its reports summed per last day, kept on the team.

Coverage reads the activity of every team of the nation (about 100,000 teams, millions of
reports). Walking each team's reports for that is far too slow, and a report's last day is
what every figure filters on, so each team carries its reports summed per last day, in three
parallel lists sorted by day:

- ``activityDays``: the distinct ``periodTo`` of its reports (Date, ascending);
- ``activityPeople`` / ``activityHouseholds``: the sums of ``peopleHelped`` /
  ``householdsHelped`` of the reports ending on that day.

A team without reports has none of the three. The figures of any window (any ``asOf``, any N)
are then read from one team node, and stay exactly the counts of the reports.

The digest is derived data: it is rebuilt from the team's reports (never patched) in the same
transaction as every change of them: ``write_reports`` and ``delete_reports``
(graph/activity/reports.py: the mutation, the spreadsheet import and its rollback, the demo).
It lives in core, beside the migrations, because migration 20 builds it for the reports
already there; graph/activity is its one writer.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import LiteralString

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
  RETURN collect(day) AS days, collect(people) AS people, collect(households) AS households
}
SET t.activityDays = CASE WHEN size(days) = 0 THEN null ELSE days END,
    t.activityPeople = CASE WHEN size(days) = 0 THEN null ELSE people END,
    t.activityHouseholds = CASE WHEN size(days) = 0 THEN null ELSE households END
RETURN count(*) AS n
"""


async def rebuild_digests(tx: Tx, team_ids: Collection[str]) -> None:
    """Rebuild the digests of these teams from their reports (teams not found are skipped)."""
    if team_ids:
        await run(tx, _REBUILD, teamIds=sorted(set(team_ids)))


HEAL_BATCH = 2000


async def _teams_with_reports(tx: Tx, after: str, limit: int) -> list[str]:
    records = await run(
        tx,
        "MATCH (t:CommunityTechTeam) WHERE t.id > $after "
        "AND EXISTS { (:ActivityReport)-[:BY]->(t) } "
        "RETURN t.id AS id ORDER BY id LIMIT $limit",
        after=after,
        limit=limit,
    )
    return [str(r["id"]) for r in records]


async def heal_activity_digests(graph: Graph) -> None:
    """Migration 20: the digests of the teams that have reports, a batch of teams per
    transaction (rebuilding is idempotent: a crash midway is healed by running it again)."""
    after = ""
    while ids := await graph.read(_teams_with_reports, after, HEAL_BATCH):
        await graph.write(rebuild_digests, ids)
        after = ids[-1]
