"""The activity figures of a list of places, as a Cypher subquery coverage embeds.

For the teams of the places (``TEAMS_OF_PLACE``: across the 2025 reform, a pre-reform team is
counted in the legacy commune it served on a legacy date), from the reports *ending* in the
period ``$helpFrom``..``$d``: the people and households helped. And the teams that are
*active*: running on ``$d`` with a report ending in ``$activeFrom``..``$d``, where ``$activeFrom``
is ``$d`` minus N days (``CDS_ACTIVE_TEAM_DAYS``, 90): a report exactly N days old still counts,
one N+1 days old does not.

They are read from the places' activity digests (graph/core/activity_place_digests.py): running
sums of what was helped by day and the active teams' step function, so a national coverage reads
a few thousand places instead of ~100,000 teams.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.activity_place_digests import DEFAULT_ACTIVE_DAYS
from graph.core.cypher import active_on
from graph.core.days import day_number
from graph.core.place_digests import by_index, count_upto, of_places, value_on
from graph.core.team_digests import TEAMS_OF_PLACE

__all__ = ["ACTIVITY_BY_INDEX", "ACTIVITY_OF_PLACES", "DEFAULT_ACTIVE_DAYS", "ActivityWindow"]

# A place's activity digest (graph/core/activity_place_digests.py) read into variables once.
_DIGEST_OF_U: LiteralString = """u, u.helpDays AS days, u.helpPeople AS people,
       u.helpHouseholds AS households, u.activeDays AS activeDays,
       u.activeCounts AS activeCounts, u.activeWindow AS window"""


def _figures_on(
    on: LiteralString, help_from: LiteralString, on_date: LiteralString, active_from: LiteralString
) -> LiteralString:
    """For a place's digest read by ``_DIGEST_OF_U`` and a date (``on``: its day number,
    ``on_date``: the date), a ``WITH *`` clause adding the people and households helped by the
    reports ending in ``help_from``..``on`` (day numbers) and the teams active on it
    (``placeActive``). A digest built for another N than ``$activeWindow`` has its active
    teams counted from the place's teams instead: running on the date with a report ending in
    ``active_from``..``on_date`` (dates, compared as day numbers with the teams'
    ``activityDays``)."""
    return (
        """
  WITH *, """
        + count_upto("days", on)
        + " AS kTo, "
        + count_upto("days", "(" + help_from + " - 1)")
        + """ AS kFrom,
       """
        + count_upto("activeDays", on)
        + """ AS kActive
  WITH *, """
        + on_date
        + " AS onDate, "
        + active_from
        + """ AS activeFrom, """
        + on
        + """ AS onDay, coalesce(window, -1) = $activeWindow AS fromDigest
  CALL (u, fromDigest, onDate, activeFrom, onDay) {
    WITH * WHERE NOT fromDigest
    WITH *, duration.inDays(date('1970-01-01'), activeFrom).days AS activeFromDay
    CALL (u) {"""
        + TEAMS_OF_PLACE
        + """}
    WITH t, onDate, activeFromDay, onDay WHERE t.activityDays IS NOT NULL AND """
        + active_on("t", "onDate")
        + """
      AND any(day IN t.activityDays WHERE day >= activeFromDay AND day <= onDay)
    RETURN count(t) AS walked
  }
  WITH *, """
        + value_on("people", "kTo")
        + " - "
        + value_on("people", "kFrom")
        + """ AS helpedPeople,
       """
        + value_on("households", "kTo")
        + " - "
        + value_on("households", "kFrom")
        + """ AS helpedHouseholds,
       CASE WHEN fromDigest THEN """
        + value_on("activeCounts", "kActive")
        + """ ELSE walked END AS placeActive
"""
    )


# Expects ``places`` (a list of units) in scope; returns peopleHelped, householdsHelped and
# activeTeams (teams counts running teams on $d alike in the coverage query beside it), read
# from the places' activity digests: a few thousand places instead of every team's reports.
ACTIVITY_OF_PLACES: LiteralString = (
    of_places("helpNow", _DIGEST_OF_U, "$day")
    + _figures_on("$day", "$helpFrom", "$d", "$activeFrom")
    + """
  RETURN sum(helpedPeople) AS peopleHelped, sum(helpedHouseholds) AS householdsHelped,
         sum(placeActive) AS activeTeams
}
"""
)

# The same for many dates at once (graph/reports/series_totals.py): ``places`` are maps of a
# unit ``u`` and the indices ``idx`` of the dates ``$ends`` (day numbers ``$days``) it counts
# on, with each date's windows in ``$helpFroms`` and ``$activeFroms``; one row per index:
# [index, peopleHelped, householdsHelped, activeTeams].
ACTIVITY_BY_INDEX: LiteralString = (
    by_index("helpNow", _DIGEST_OF_U)
    + _figures_on("$days[i]", "$helpFroms[i]", "$ends[i]", "$activeFroms[i]")
    + """
  WITH i, sum(helpedPeople) AS peopleHelped, sum(helpedHouseholds) AS householdsHelped,
       sum(placeActive) AS activeTeams
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
    active_days: int

    @staticmethod
    def of(day: dt.date, active_days: int, helped_from: dt.date | None = None) -> ActivityWindow:
        active_from = day - dt.timedelta(days=active_days)
        return ActivityWindow(day, helped_from or active_from, active_from, active_days)

    def params(self) -> dict[str, Any]:
        """The query parameters of coverage's activity part and of the gaps."""
        return {
            "activityFrom": self.helped_from,
            "activeFrom": self.active_from,
            "helpFrom": day_number(self.helped_from),
            "activeWindow": self.active_days,
        }
