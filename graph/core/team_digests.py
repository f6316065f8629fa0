"""Each place's team digest: what coverage counts of the teams at a place and their members, as
step functions of the date, kept on the place (an AdministrativeUnit).

Coverage counts, for the places of each row, the teams running on the date, the places with one,
the memberships running on it (in a running team) and the distinct people holding them. Walking
the nation's ~100,000 teams and ~425,000 memberships for that was about 1.4 s of the national
coverage's 2.2 s (#14). A place whose teams (``TEAMS_OF_PLACE``) have ever existed carries instead:

- ``teamDays``: the days (day numbers, ``day_number``) on which one of its counts changes, in
  ascending order;
- ``teamCounts``, ``memberCounts``, ``loneCounts``: from that day on (until the next), the
  running teams, the memberships running in a running team, and the people holding them whose
  teams are all in this one current commune, or all served this one legacy commune (a
  coverage counts places of one era), each counted once;
- ``sharedPeople``, ``sharedFrom``, ``sharedTo``: one entry per running membership of anyone
  else (people in teams of several communes): the person's key (``person_key``) and the first
  and last day numbers of it (``OPEN`` when it has no end).

On a date, a place's counts are the values at the last change day on or before it (none: 0),
and the distinct people of a set of places are their lone counts plus the distinct keys among
the shared entries running then. About 4,000 of the ~400,000 people serve in several
communes, so the nation's digests hold ~9,000 shared entries instead of ~425,000 memberships.

The digest is derived data, rebuilt from the teams and memberships of its place in the same
transaction as every change to them (``refresh_team_digests``): team writers name the teams,
membership writers the people (a membership in another commune's team makes a person's
others shared, so the places of all their teams are rebuilt), and a writer that moves a team or deletes one names
the places it leaves. It lives in core, beside the migrations, because migration 19 builds it
for the teams already there; readers take the fragments below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from typing import Any, LiteralString

from graph.core.days import DAWN, NEVER, OPEN
from graph.core.db import Graph, Tx, run_collected
from graph.core.place_digests import (
    DigestKind,
    add_interval,
    by_index,
    count_upto,
    day_of,
    facts_of,
    merged,
    of_places,
    reads,
    steps,
    value_on,
)
from graph.core.place_rollups import Rollup

# The teams of a place ``u``, for ``CALL (u) { … }``: those that operate in it and, when u is a
# legacy commune, those that served it before the 2025 reform (``legacyUnitKey``), so coverage
# and gaps on a date before 2025-07-01 count the teams of that time. A team's OPERATES_IN stays
# its one current commune, which scopes and lookups follow.
TEAMS_OF_PLACE: LiteralString = """
    MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u) RETURN t
    UNION
    MATCH (t:CommunityTechTeam {legacyUnitKey: u.key}) RETURN t
"""


def person_key(person_id: str) -> int:
    """A person's id as a 64-bit integer (BLAKE2b): reading 47,000 integers per national query
    costs a third of reading as many strings. Two of the ~25,000 people holding several
    memberships share a key with a probability below 1 in 10^10."""
    return int.from_bytes(
        hashlib.blake2b(person_id.encode(), digest_size=8).digest(), "big", signed=True
    )


_FIGURES: tuple[LiteralString, ...] = ("teamCounts", "memberCounts", "loneCounts")


# A place ``u``'s digest read into variables, once per place: a property read inside a list
# comprehension is read again for every element, and a series evaluates each place on many days.
# With ``now`` (``of_places``), the shared entries read are those running from the last change
# on (``teamNow``'s entries after the three figures), and never the three lists.
def _digest_of_u(*, now: bool) -> LiteralString:
    counts = reads(
        "teamDays",
        _FIGURES,
        (
            ("teamDays", "days"),
            ("teamCounts", "teamCounts"),
            ("memberCounts", "memberCounts"),
            ("loneCounts", "loneCounts"),
        ),
        now=now,
    )
    # A province's rollup (graph/core/place_rollups.py) also counts its places with a team.
    if not now:
        return (
            counts
            + ", u.sharedPeople AS ids, u.sharedFrom AS froms, u.sharedTo AS tos,"
            + " u.withTeamCounts AS withTeams"
        )
    return (
        counts
        + """,
       CASE WHEN now THEN nowValues[4..] ELSE u.sharedPeople END AS ids,
       CASE WHEN now THEN [] ELSE u.sharedFrom END AS froms,
       CASE WHEN now THEN [] ELSE u.sharedTo END AS tos, u.withTeamCounts AS withTeams"""
    )


def counts_on(on: LiteralString) -> LiteralString:
    """For a digest read by ``_digest_of_u`` and a day number ``on``, a ``WITH *`` clause adding
    the place's counts then (``placeTeams``, ``placeMembers``, ``placeLone``), its places with
    a running team (``placeWith``: 1 or 0 for a unit, a rollup's count) and the keys of its
    shared entries running then (``placeShared``)."""
    return (
        """
  WITH *, """
        + count_upto("days", on)
        + """ AS k
  WITH *, """
        + value_on("teamCounts", "k")
        + " AS placeTeams, "
        + value_on("memberCounts", "k")
        + " AS placeMembers, "
        + value_on("loneCounts", "k")
        + """ AS placeLone,
       CASE WHEN now THEN ids ELSE [j IN range(0, size(ids) - 1) WHERE froms[j] <= """
        + on
        + " AND tos[j] >= "
        + on
        + """ | ids[j]] END AS placeShared
  WITH *, CASE WHEN withTeams IS NULL THEN CASE WHEN placeTeams > 0 THEN 1 ELSE 0 END
               WHEN now THEN withTeams[-1] ELSE """
        + value_on("withTeams", "k")
        + """ END AS placeWith
"""
    )


# Coverage's team figures of ``places`` on ``$day`` (``day_number`` of ``$d``): communesWithTeam,
# teams, memberships, lonePeople and sharedSet (the distinct keys of the shared entries running).
TEAM_FIGURES_OF_PLACES: LiteralString = (
    of_places("teamNow", _digest_of_u(now=True), "$day")
    + counts_on("$day")
    + """
  RETURN sum(placeWith) AS communesWithTeam,
         sum(placeTeams) AS teams, sum(placeMembers) AS memberships,
         sum(placeLone) AS lonePeople, collect(placeShared) AS sharedLists
}
CALL (sharedLists) {
  UNWIND sharedLists AS keys
  UNWIND keys AS key
  RETURN collect(DISTINCT key) AS sharedSet
}
"""
)

# The same for a series (graph/reports/series_totals.py): ``places`` are maps of a unit ``u`` (or
# a province's rollup, which also counts its places with a team) and the indices ``idx`` of the
# day numbers ``$days`` it counts on; one row per index:
# [index, communesWithTeam, teams, memberships, people].
TEAM_FIGURES_BY_INDEX: LiteralString = (
    by_index("teamNow", _digest_of_u(now=False))
    + counts_on("$days[i]")
    + """
  WITH i, sum(placeWith) AS withTeam,
       sum(placeTeams) AS teams, sum(placeMembers) AS memberships, sum(placeLone) AS lone,
       collect(placeShared) AS sharedLists
  CALL (sharedLists) {
    UNWIND sharedLists AS keys
    UNWIND keys AS key
    RETURN count(DISTINCT key) AS shared
  }
  RETURN collect([i, withTeam, teams, memberships, lone + shared]) AS teamRows
}
"""
)


# What is read of a place's teams to build its digest: per team, its first and last day numbers
# and per membership [person id (null when it is their only membership), whether the person is
# spread (build_digest), first day, last day].
_FACTS: LiteralString = facts_of(
    """
  CALL (u) {"""
    + TEAMS_OF_PLACE
    + """}
  WITH t, """
    + day_of("t.since", "$never")
    + " AS tFrom, "
    + day_of("t.until", "$open")
    + """ AS tTo
  CALL (t) {
    MATCH (p:Person)-[m:MEMBER_OF]->(t)
    WITH p, m, COUNT { (p)-[:MEMBER_OF]->() } > 1 AS several
    // Spread: the person's teams are in more than one current commune, or served more than
    // one legacy commune (a coverage counts places of one era: see build_digest).
    WITH p, m, several, several AND (
           COUNT { MATCH (p)-[:MEMBER_OF]->()-[:OPERATES_IN]->(c {era: 'CURRENT'})
                   WITH DISTINCT c RETURN c } > 1
           OR COUNT { MATCH (p)-[:MEMBER_OF]->(x)
                      OPTIONAL MATCH (x)-[:OPERATES_IN]->(c)
                      WITH CASE WHEN c.era = 'LEGACY' THEN c.key ELSE x.legacyUnitKey END AS l
                      WITH DISTINCT l WHERE l IS NOT NULL RETURN l } > 1) AS spread
    RETURN collect([CASE WHEN several THEN p.id END, spread, """
    + day_of("m.since", "$never")
    + ", "
    + day_of("m.until", "$open")
    + """]) AS ms
  }
  RETURN collect([tFrom, tTo, ms]) AS teams
""",
    "teams",
)

_PROPERTIES: tuple[LiteralString, ...] = (
    "teamDays",
    "teamCounts",
    "memberCounts",
    "loneCounts",
    "sharedPeople",
    "sharedFrom",
    "sharedTo",
)


def build_digest(teams: Iterable[Any]) -> dict[str, Any] | None:
    """The digest of a place from its teams' facts (``_FACTS``' shape); None without teams.

    Each membership counts while both it and its team run. Its person is counted here
    ("lone", as the union of their memberships here) unless their teams are in more than one
    current commune or served more than one legacy commune: the places of one coverage (or of
    one date of a series) are all of one era (teams are in communes, and a row or scope of one
    era holds communes of that era only), so such a person is at one of them at most. Anyone
    else's memberships are shared entries, made distinct across places when read."""
    deltas: dict[int, list[int]] = {}
    shared: list[tuple[int, int, int]] = []
    confined: dict[str, list[tuple[int, int]]] = {}
    any_team = False
    for t_from, t_to, memberships in teams:
        any_team = True
        add_interval(deltas, t_from, t_to, (1, 0, 0))
        for person, spread, m_from, m_to in memberships:
            first, last = max(m_from, t_from), min(m_to, t_to)
            if person is None:  # their only membership
                add_interval(deltas, first, last, (0, 1, 1))
                continue
            add_interval(deltas, first, last, (0, 1, 0))
            if spread:
                if first <= last:
                    shared.append((first, last, person_key(person)))
            else:
                confined.setdefault(person, []).append((first, last))
    if not any_team:
        return None
    for intervals in confined.values():
        for first, last in merged(intervals):
            add_interval(deltas, first, last, (0, 0, 1))
    days, (team_counts, member_counts, lone_counts) = steps(deltas, 3)
    shared.sort()
    # From that day on nothing changes: the shared entries then are those without an end. A
    # shared entry's bounds need not be change days (one membership ends as another begins).
    last = max(
        [DAWN, *days[-1:], *(s for s, _, _ in shared), *(e + 1 for _, e, _ in shared if e < OPEN)]
    )
    return {
        # The day (teamNow's first entry) and, after the figures' values from then on, the
        # keys of the shared entries then (DigestKind.now).
        "teamNow": [last, *(p for _, e, p in shared if e == OPEN)],
        "teamDays": days,
        "teamCounts": team_counts,
        "memberCounts": member_counts,
        "loneCounts": lone_counts,
        "sharedPeople": [p for _, _, p in shared],
        "sharedFrom": [s for s, _, _ in shared],
        "sharedTo": [e for _, e, _ in shared],
    }


def _with_team(digest: Mapping[str, Any]) -> Mapping[str, Any]:
    """A unit's digest with what its province's rollup sums beside the counts: whether the
    place has a running team (1 or 0) from each change day on."""
    if digest.get("withTeamCounts") is not None:  # a rollup's own
        return digest
    return {**digest, "withTeamCounts": [int(n > 0) for n in digest.get("teamCounts") or []]}


TEAM_DIGESTS = DigestKind(
    "team",
    _FACTS,
    build_digest,
    _PROPERTIES,
    "teamDays",
    "EXISTS { (:CommunityTechTeam)-[:OPERATES_IN]->(u) } "
    "OR EXISTS { MATCH (:CommunityTechTeam {legacyUnitKey: u.key}) }",
    {"open": OPEN, "never": NEVER},
    figures=_FIGURES,
    now="teamNow",
    rollup=Rollup(
        (("teamDays", (*_FIGURES, "withTeamCounts")),),
        entries=("sharedPeople", "sharedFrom", "sharedTo"),
        derive=_with_team,
    ),
)


async def rebuild_team_digests(tx: Tx, place_keys: Collection[str]) -> None:
    """Rebuild the digests of these places from their teams (a place without teams loses its
    digest; keys not found are skipped)."""
    await TEAM_DIGESTS.rebuild(tx, place_keys)


# The teams whose places a change to ``$teams`` or ``$people`` may alter: those teams, every team
# of those people and, when ``$members`` (the teams' places change: whether a member is spread
# depends on the places of all their teams), every team of the teams' members.
_TOUCHED: LiteralString = """
CALL () {
  UNWIND $teams AS id
  MATCH (t:CommunityTechTeam {id: id})
  RETURN t
  UNION
  UNWIND CASE WHEN $members THEN $teams ELSE [] END AS id
  MATCH (:CommunityTechTeam {id: id})<-[:MEMBER_OF]-(:Person)-[:MEMBER_OF]->(t:CommunityTechTeam)
  RETURN t
  UNION
  UNWIND $people AS id
  MATCH (:Person {id: id})-[:MEMBER_OF]->(t:CommunityTechTeam)
  RETURN t
}
"""


async def team_places(
    tx: Tx,
    team_ids: Collection[str] = (),
    person_ids: Collection[str] = (),
    *,
    members: bool = False,
) -> set[str]:
    """The places of these teams, of every team of these people and, with ``members`` (for a
    change to the teams' places or a team deleted), of every team of their members: the digests
    a change to them may alter. The teams are write-locked first (in id
    order), so a concurrent change to their places (a legacy commune re-imported, say) is
    either committed before they are read here or waits for this transaction."""
    if not team_ids and not person_ids:
        return set()
    found = await run_collected(
        tx,
        _TOUCHED
        + """
        WITH t ORDER BY t.id
        SET t.digestLock = true
        REMOVE t.digestLock
        WITH t
        OPTIONAL MATCH (t)-[:OPERATES_IN]->(u:AdministrativeUnit)
        RETURN collect(u.key) + collect(t.legacyUnitKey) AS rows
        """,
        teams=sorted(set(team_ids)),
        people=sorted(set(person_ids)),
        members=members,
    )
    return {str(k) for k in found}


async def refresh_team_digests(
    tx: Tx,
    *,
    teams: Collection[str] = (),
    people: Collection[str] = (),
    places: Collection[str] = (),
    members: bool = False,
) -> None:
    """After a change, in its transaction: rebuild the digests of the places ``team_places``
    names, and these places (the ones a moved or deleted team left)."""
    keys = await team_places(tx, teams, people, members=members) | set(places)
    await TEAM_DIGESTS.rebuild(tx, keys)


async def stale_team_digests(tx: Tx) -> list[str]:
    """The places whose team digest differs from the one their teams give now."""
    return await TEAM_DIGESTS.stale(tx)


async def rebuild_all_team_digests(graph: Graph) -> None:
    """Migration 19, and the demo after its bulk load."""
    await TEAM_DIGESTS.rebuild_all(graph)
