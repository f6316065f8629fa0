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
from graph.core.team_digests import TEAMS_OF_PLACE
from graph.network.teams import TEAMS_OF_INDEXED_PLACES

DEFAULT_ACTIVE_DAYS = 90
"""N of "active within the last N days" when settings do not say (CDS_ACTIVE_TEAM_DAYS)."""


def _digest_figures(
    d: LiteralString, helped_from: LiteralString, active_from: LiteralString
) -> LiteralString:
    """Per team ``t`` (with ``days``, ``people``, ``households`` of its digest): the people and
    households of the days in ``helped_from``..``d`` and whether a day falls in
    ``active_from``..``d``, as ``helpedPeople``, ``helpedHouseholds`` and ``recent``. (``k``
    indexes the digest: a series' ``i`` is the date's index.)"""
    return (
        """
  WITH *, [k IN range(0, size(days) - 1) WHERE days[k] >= """
        + helped_from
        + " AND days[k] <= "
        + d
        + """] AS helped
  WITH *, reduce(s = 0, k IN helped | s + people[k]) AS helpedPeople,
       reduce(s = 0, k IN helped | s + households[k]) AS helpedHouseholds,
       any(day IN days WHERE day >= """
        + active_from
        + " AND day <= "
        + d
        + """) AS recent
"""
    )


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
  // A team that never reported adds nothing: skip it before reading its digest.
  WITH t WHERE t.activityDays IS NOT NULL
  WITH t, t.activityDays AS days, t.activityPeople AS people,
       t.activityHouseholds AS households"""
    + _digest_figures("$d", "$activityFrom", "$activeFrom")
    + """
  RETURN sum(helpedPeople) AS peopleHelped, sum(helpedHouseholds) AS householdsHelped,
         count(CASE WHEN recent AND """
    + active_on("t")
    + """ THEN 1 END) AS activeTeams
}
"""
)

# The same for many dates at once (graph/reports/series_totals.py): ``places`` are maps of a
# unit ``u`` and the indices ``idx`` of the dates ``$ends`` it counts on, with each date's
# windows in ``$activityFroms`` and ``$activeFroms``; one row per index: [index, peopleHelped,
# householdsHelped, activeTeams].
ACTIVITY_BY_INDEX: LiteralString = (
    TEAMS_OF_INDEXED_PLACES
    + """
  WITH t, idx WHERE t.activityDays IS NOT NULL
  UNWIND idx AS i
  WITH DISTINCT i, t
  WITH i, t, t.activityDays AS days, t.activityPeople AS people,
       t.activityHouseholds AS households"""
    + _digest_figures("$ends[i]", "$activityFroms[i]", "$activeFroms[i]")
    + """
  WITH i, sum(helpedPeople) AS peopleHelped, sum(helpedHouseholds) AS householdsHelped,
       count(CASE WHEN recent AND """
    + active_on("t", "$ends[i]")
    + """ THEN 1 END) AS activeTeams
  RETURN collect([i, peopleHelped, householdsHelped, activeTeams]) AS activityRows
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
