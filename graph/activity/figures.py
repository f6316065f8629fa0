"""The activity figures of a list of places, as a Cypher subquery coverage embeds.

For the teams of the places (``TEAMS_OF_PLACE``: across the 2025 reform, a pre-reform team is
counted in the legacy commune it served on a legacy date), from the reports *ending* in the
period ``$activityFrom``..``$d``: the people and households helped. And the teams that are
*active*: running on ``$d`` with a report ending in ``$activeFrom``..``$d``, where ``$activeFrom``
is ``$d`` minus N days (``CDS_ACTIVE_TEAM_DAYS``, 90): a report exactly N days old still counts,
one N+1 days old does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.cypher import active_on
from graph.network.teams import TEAMS_OF_PLACE

DEFAULT_ACTIVE_DAYS = 90
"""N of "active within the last N days" when settings do not say (CDS_ACTIVE_TEAM_DAYS)."""

# Expects ``places`` (a list of units) in scope; returns peopleHelped, householdsHelped,
# activeTeams (teams counts running teams on $d alike in the coverage query beside it). Each
# team's reports are read from its digest (graph/core/activity_digests.py): its reports summed per
# last day, so the nation's figures read one node per team instead of every report.
ACTIVITY_OF_PLACES: LiteralString = (
    """
CALL (places) {
  UNWIND places AS u
  CALL (u) {"""
    + TEAMS_OF_PLACE
    + """}
  WITH DISTINCT t
  WITH t, coalesce(t.activityDays, []) AS days, t.activityPeople AS people,
       t.activityHouseholds AS households
  WITH t, people, households,
       [i IN range(0, size(days) - 1) WHERE days[i] >= $activityFrom AND days[i] <= $d]
         AS helped,
       any(day IN days WHERE day >= $activeFrom AND day <= $d) AS recent
  RETURN sum(reduce(s = 0, i IN helped | s + people[i])) AS peopleHelped,
         sum(reduce(s = 0, i IN helped | s + households[i])) AS householdsHelped,
         count(CASE WHEN recent AND """
    + active_on("t")
    + """ THEN 1 END) AS activeTeams
}
"""
)


@dataclass(frozen=True, slots=True)
class ActivityWindow:
    """The two periods the figures read: helped within ``helped_from``..``day``, active
    within ``active_from``..``day``."""

    day: dt.date
    helped_from: dt.date
    active_from: dt.date

    @staticmethod
    def of(day: dt.date, active_days: int, helped_from: dt.date | None = None) -> ActivityWindow:
        active_from = day - dt.timedelta(days=active_days)
        return ActivityWindow(day, helped_from or active_from, active_from)

    def params(self) -> dict[str, Any]:
        return {"activityFrom": self.helped_from, "activeFrom": self.active_from}
