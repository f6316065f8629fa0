"""Each place's activity digest: the activity coverage counts of the teams at a place, as step
functions of the date, kept on the place (an AdministrativeUnit).

Coverage's activity figures on a date d, with N the days of "active within the last N days"
(``CDS_ACTIVE_TEAM_DAYS``), are the people and households helped by the reports ending in
d-N..d, and the teams running on d with such a report (graph/activity/figures.py). Reading them
from every team of the nation was most of a national coverage once the other figures came from
digests (#14, #17). A place whose teams (``TEAMS_OF_PLACE``) have reported carries instead:

- ``helpDays``: the last days of its teams' reports (day numbers, ascending, distinct), with
  ``helpPeople`` and ``helpHouseholds``: the people and households helped by the reports ending
  on or before that day (running sums), so the figures of any window are two look-ups;
- ``activeDays``, ``activeCounts``: the days on which the number of its teams active within
  ``activeWindow`` days changes, and that number from the day on. A team is active on the days
  of each report's last day up to N days after it, while the team runs.

The active teams of another N than the digest's are counted by walking the place's teams
(``ACTIVITY_OF_PLACES`` does both), so a changed ``CDS_ACTIVE_TEAM_DAYS`` is right at once and
fast again after ``cds digests --rebuild``, which builds the digests with the configured N.
Writers keep the window a place already has.

The digest is derived data, rebuilt from each team's own activity digest
(graph/core/activity_digests.py) in the transaction that changes the reports or the team
(``refresh_activity_places``); an import notes the places and rebuilds them once every chunk is
written (graph/imports/batches.py, ``rebuild_noted``). It lives in core, beside the migrations,
because migration 22 builds it for the reports already there.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import accumulate
from typing import Any, LiteralString

from graph.core.days import DAWN, NEVER, OPEN
from graph.core.db import Graph, Tx
from graph.core.place_digests import DigestKind, add, day_of, facts_of, running
from graph.core.place_rollups import Rollup
from graph.core.team_digests import TEAMS_OF_PLACE, team_places

DEFAULT_ACTIVE_DAYS = 90
"""N of "active within the last N days" when settings do not say (CDS_ACTIVE_TEAM_DAYS), and
the N a place's digest is built with when neither the caller nor the place says."""

_FACTS: LiteralString = facts_of(
    """
  CALL (u) {"""
    + TEAMS_OF_PLACE
    + """}
  WITH t WHERE t.activityDays IS NOT NULL
  RETURN collect(["""
    + day_of("t.since", "$never")
    + ", "
    + day_of("t.until", "$open")
    + """,
      t.activityDays,
      t.activityPeople, t.activityHouseholds]) AS teams
""",
    "[coalesce($window, u.activeWindow, $defaultWindow), teams]",
)

_PROPERTIES: tuple[LiteralString, ...] = (
    "helpDays",
    "helpPeople",
    "helpHouseholds",
    "activeDays",
    "activeCounts",
    "activeWindow",
)


def build_digest(facts: Iterable[Any]) -> dict[str, Any] | None:
    """The digest of a place from ``[window, teams]`` (``_FACTS``' shape); None when none of
    its teams has reported. Nationally this is millions of team entries when a big import
    closes, so it sums into one integer per day (``running``)."""
    window, teams = facts
    if not teams:
        return None
    people: dict[int, int] = {}
    households: dict[int, int] = {}
    active: dict[int, int] = {}
    for t_from, t_to, days, people_helped, households_helped in teams:
        # Inlined: a call per entry was a third of the build.
        for day, p, h in zip(days, people_helped, households_helped, strict=True):
            people[day] = people.get(day, 0) + p
            households[day] = households.get(day, 0) + h
        for first, last in _active(days, window):
            first, last = max(first, t_from), min(last, t_to)
            if first <= last:
                add(active, first, 1)
                add(active, last + 1, -1)
    # A day whose reports helped no one is not a change of the sums either.
    help_days = [day for day in sorted(people) if day <= OPEN and (people[day] or households[day])]
    active_days, active_counts = running(active)
    return {
        # Nothing changes after the last active day either (DigestKind.now).
        "helpNow": [max([DAWN, *active_days[-1:]])],
        "helpDays": help_days,
        "helpPeople": list(accumulate(people[day] for day in help_days)),
        "helpHouseholds": list(accumulate(households[day] for day in help_days)),
        "activeDays": active_days,
        "activeCounts": active_counts,
        "activeWindow": window,
    }


def _active(days: Iterable[int], window: int) -> Iterator[tuple[int, int]]:
    """The disjoint intervals a team is active in, from its reports' last days: each day to
    ``window`` days after it, overlapping or touching ones merged (``merged``, for intervals
    of one length: sorting the days sorts them)."""
    first = last = None
    for day in sorted(days):
        if last is not None and day <= last + 1:
            last = day + window
            continue
        if first is not None and last is not None:
            yield first, last
        first, last = day, day + window
    if first is not None and last is not None:
        yield first, last


ACTIVITY_DIGESTS = DigestKind(
    "activity",
    _FACTS,
    build_digest,
    _PROPERTIES,
    "helpDays",
    "EXISTS { MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u) WHERE t.activityDays IS NOT NULL } "
    "OR EXISTS { MATCH (t:CommunityTechTeam {legacyUnitKey: u.key}) "
    "WHERE t.activityDays IS NOT NULL }",
    {"open": OPEN, "never": NEVER, "window": None, "defaultWindow": DEFAULT_ACTIVE_DAYS},
    now="helpNow",
    rollup=Rollup(
        (("helpDays", ("helpPeople", "helpHouseholds")), ("activeDays", ("activeCounts",))),
        tally="activeWindow",
    ),
)


async def refresh_activity_places(
    tx: Tx, teams: Collection[str], places: Collection[str] = ()
) -> None:
    """After a change to these teams' reports, or to the teams themselves, in its transaction:
    rebuild the activity digests of their places (and of ``places``: those a team left)."""
    keys = await team_places(tx, teams) | set(places)
    await ACTIVITY_DIGESTS.rebuild(tx, keys)


async def rebuild_all_activity_places(graph: Graph, window: int | None = None) -> None:
    """Migration 22, ``cds digests --rebuild`` (with the configured N) and the demo."""
    await ACTIVITY_DIGESTS.rebuild_all(graph, window=window)
