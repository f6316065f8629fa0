"""The places' team digests (graph/core/team_digests.py): built right by construction, kept by
every team and membership writer, and giving coverage the counts a direct walk gives."""

from __future__ import annotations

import datetime as dt
from typing import LiteralString

from graph.core.cypher import active_on
from graph.core.days import OPEN, day_number
from graph.core.db import Graph, Tx, run
from graph.core.model import HomeAffiliation, TeamLevel, TeamRole
from graph.core.team_digests import (
    build_digest,
    person_key,
    refresh_team_digests,
    stale_team_digests,
    team_places,
)
from graph.network import people, teams
from graph.network.teams import TeamInput
from graph.reports.coverage import coverage
from tests.factories import FUTURE, SYSTEM, anyone, make_team, other_commune, unique

D = dt.date


def n(day: D) -> int:
    return day_number(day)


def test_a_digest_counts_what_runs_on_each_day() -> None:
    t1 = (n(D(2024, 1, 1)), n(D(2024, 12, 31)))
    t2 = (n(D(2024, 6, 1)), OPEN)
    digest = build_digest(
        [
            (
                *t1,
                [
                    [None, False, n(D(2023, 1, 1)), OPEN],  # alone; from the team's first day
                    ["p-shared", True, n(D(2024, 3, 1)), n(D(2024, 3, 31))],
                    [None, False, n(D(2025, 1, 1)), OPEN],  # after the team closed: never
                ],
            ),
            (*t2, [["p-shared", True, n(D(2024, 7, 1)), OPEN]]),
        ]
    )
    assert digest is not None
    assert digest["teamDays"] == [
        n(D(2024, 1, 1)),  # team 1 and its lone member
        n(D(2024, 3, 1)),  # the shared person joins team 1
        n(D(2024, 4, 1)),  # … and leaves after 31 March
        n(D(2024, 6, 1)),  # team 2
        n(D(2024, 7, 1)),  # the shared person joins team 2
        n(D(2025, 1, 1)),  # team 1 closed after 31 December, with its lone member
    ]
    assert digest["teamCounts"] == [1, 1, 1, 2, 2, 1]
    assert digest["memberCounts"] == [1, 2, 1, 1, 2, 1]
    assert digest["loneCounts"] == [1, 1, 1, 1, 1, 0]
    key = person_key("p-shared")
    assert digest["sharedPeople"] == [key, key]
    assert digest["sharedFrom"] == [n(D(2024, 3, 1)), n(D(2024, 7, 1))]
    assert digest["sharedTo"] == [n(D(2024, 3, 31)), OPEN]
    assert build_digest([]) is None


def test_from_its_last_day_a_digest_keeps_the_shared_people_without_an_end() -> None:
    """Coverage on a date past the day ``teamNow`` begins with reads the shared people after it
    and the figures' last values, not the lists: a shared membership ending as another begins
    changes no count, so that day must still be after the one that ended."""
    team = (n(D(2024, 1, 1)), OPEN)
    ended, began = n(D(2024, 5, 31)), n(D(2024, 6, 1))
    digest = build_digest(
        [
            (
                *team,
                [
                    ["p-left", True, n(D(2024, 1, 1)), ended],
                    ["p-joined", True, began, OPEN],  # the member count does not change
                    ["p-stays", True, n(D(2024, 1, 1)), OPEN],
                ],
            )
        ]
    )
    assert digest is not None
    assert digest["teamDays"] == [n(D(2024, 1, 1))]
    first, *shared = digest["teamNow"]
    assert first == began
    assert sorted(shared) == sorted([person_key("p-joined"), person_key("p-stays")])


def test_people_whose_teams_are_all_here_count_once_per_day_here() -> None:
    """Two memberships of one person in teams of this place, overlapping for March: one
    person; another whose other team is elsewhere is a shared entry."""
    team = (n(D(2024, 1, 1)), OPEN)
    digest = build_digest(
        [
            (*team, [["p-here", False, n(D(2024, 1, 1)), n(D(2024, 3, 31))]]),
            (
                *team,
                [
                    ["p-here", False, n(D(2024, 3, 1)), OPEN],
                    ["p-away", True, n(D(2024, 2, 1)), OPEN],
                ],
            ),
        ]
    )
    assert digest is not None
    assert digest["teamDays"] == [
        n(D(2024, 1, 1)),
        n(D(2024, 2, 1)),
        n(D(2024, 3, 1)),
        n(D(2024, 4, 1)),
    ]
    assert digest["memberCounts"] == [1, 2, 3, 2]
    assert digest["loneCounts"] == [1, 1, 1, 1]
    assert digest["sharedPeople"] == [person_key("p-away")]


async def _direct(tx: Tx, commune_keys: list[str], day: D) -> dict[str, tuple[int, int, int]]:
    """Teams, memberships and distinct people running on ``day`` in each commune, walked."""
    records = await run(
        tx,
        "UNWIND $keys AS key MATCH (u:AdministrativeUnit {key: key}) "
        "OPTIONAL MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u) "
        "WHERE t.since <= $d AND (t.until IS NULL OR t.until >= $d) "
        "OPTIONAL MATCH (p:Person)-[m:MEMBER_OF]->(t) "
        "WHERE m.since <= $d AND (m.until IS NULL OR m.until >= $d) "
        "RETURN key, count(DISTINCT t) AS teams, count(m) AS members, count(DISTINCT p) AS people",
        keys=commune_keys,
        d=day,
    )
    return {r["key"]: (r["teams"], r["members"], r["people"]) for r in records}


async def _add(graph: Graph, team: str, person: people.PersonRef, since: D) -> str:
    cmd = teams.NewMembership(team, person, TeamRole.MEMBER, since, HomeAffiliation.RESIDENT)
    return (await graph.write(teams.add_team_member, cmd, SYSTEM, anyone)).value.person_id


async def test_writers_keep_the_digests_and_coverage_counts_as_a_walk(graph: Graph) -> None:
    here = "00004"
    there = await other_commune(graph, "01", besides=here)
    team = await make_team(graph, here)
    far = await make_team(graph, there)
    later = FUTURE + dt.timedelta(days=30)
    # One person in both communes' teams, one alone, one who leaves and comes back.
    both = await _add(graph, team, people.PersonRef(new=people.NewPerson(unique("Hai Tổ"))), FUTURE)
    await _add(graph, far, people.PersonRef(id=both), later)
    await _add(graph, team, people.PersonRef(new=people.NewPerson(unique("Một Tổ"))), FUTURE)
    back = await _add(
        graph, team, people.PersonRef(new=people.NewPerson(unique("Trở Lại"))), FUTURE
    )
    left_on = FUTURE + dt.timedelta(days=9)
    await graph.write(teams.end_team_membership, team, back, left_on, SYSTEM, anyone)
    await _add(graph, team, people.PersonRef(id=back), later)
    closed_on = later + dt.timedelta(days=19)
    await graph.write(teams.close_team, far, closed_on, None, SYSTEM, anyone)

    assert await graph.read(stale_team_digests) == []
    keys = [f"CURRENT:COMMUNE:{here}", f"CURRENT:COMMUNE:{there}"]
    for day in (FUTURE, left_on, left_on + dt.timedelta(days=1), later, closed_on, closed_on + dt.timedelta(days=1)):  # fmt: skip
        found = await graph.read(coverage, "CURRENT:PROVINCE:01", day, in_current_units=False)
        rows = {r.unit.key: r.metrics for r in found.rows}
        walked = await graph.read(_direct, keys, day)
        for key in keys:
            m = rows[key]
            assert (m.teams, m.memberships, m.people) == walked[key], (day, key)
        # The person in both communes counts once in the province's total.
        province = await graph.read(_province_people, day)
        assert found.totals.people == province, day


async def _running_people(tx: Tx, day: D, match: LiteralString, where: LiteralString) -> int:
    """Distinct people ``p`` holding a membership ``m`` running on ``day`` in a team ``t``
    running then, of those ``match`` and ``where`` find: the direct count digests must equal."""
    records = await run(
        tx,
        match
        + " WHERE "
        + active_on("t")
        + " AND "
        + active_on("m")
        + " AND "
        + where
        + " RETURN count(DISTINCT p) AS n",
        d=day,
    )
    return int(records[0]["n"])


async def _province_people(tx: Tx, day: D) -> int:
    return await _running_people(
        tx,
        day,
        "MATCH (p:Person)-[m:MEMBER_OF]->(t:CommunityTechTeam)-[:OPERATES_IN]->"
        "(:AdministrativeUnit {era: 'CURRENT'})-[:PART_OF*0..2]->"
        "(:AdministrativeUnit {key: 'CURRENT:PROVINCE:01'})",
        "true",
    )


async def _merged(tx: Tx) -> tuple[str, str, str, str]:
    """A current commune formed from two legacy ones (both default successors to it), and a
    decision to establish teams by."""
    records = await run(
        tx,
        "MATCH (l:AdministrativeUnit {era: 'LEGACY', level: 'COMMUNE'})"
        "-[:SUCCEEDED_BY {isDefault: true}]->(c:AdministrativeUnit {era: 'CURRENT'}) "
        "WITH c, collect(l.key) AS ls WHERE size(ls) >= 2 "
        "MATCH (d:Decision) WITH c, ls, d LIMIT 1 "
        "RETURN c.key AS current, ls[0] AS one, ls[1] AS other, d.id AS decision",
    )
    r = records[0]
    return r["current"], r["one"], r["other"], r["decision"]


async def test_a_team_given_another_legacy_commune_rebuilds_its_members_other_places(
    graph: Graph,
) -> None:
    """One person in two teams of one current commune, serving one legacy commune: counted
    there once. When an import says the second team served the other legacy commune, the
    person now counts in both; the first legacy commune's digest must say so too, or a legacy
    coverage over both would count them twice."""
    current, one, other, decision = await graph.read(_merged)
    since = D(2024, 1, 1)
    first = TeamInput(unique("team-a"), "Tổ thử A", TeamLevel.COMMUNE, current, decision, since, legacy_unit_key=one)  # fmt: skip
    second = TeamInput(unique("team-b"), "Tổ thử B", TeamLevel.COMMUNE, current, decision, since)
    person = people.NewPerson(unique("Hai Tổ Cũ"))

    async def write(tx: Tx) -> None:
        await teams.upsert_teams(tx, [first.as_param(), second.as_param()])
        await refresh_team_digests(tx, teams=[first.id, second.id])  # as imports do per file

    await graph.write(write)
    pid = await _add(graph, first.id, people.PersonRef(new=person), since)
    await _add(graph, second.id, people.PersonRef(id=pid), since)
    assert await graph.read(stale_team_digests) == []

    async def reimport(tx: Tx) -> None:
        moved = TeamInput(second.id, "Tổ thử B", TeamLevel.COMMUNE, current, decision, since, legacy_unit_key=other)  # fmt: skip
        # As an import does: the places of the team and of its members' teams, before and after.
        places = await team_places(tx, [second.id], members=True)
        await teams.upsert_teams(tx, [moved.as_param()])
        await refresh_team_digests(tx, teams=[second.id], places=places, members=True)

    await graph.write(reimport)
    assert await graph.read(stale_team_digests) == []
    day = D(2024, 6, 30)
    found = await graph.read(coverage, "NATIONAL:CENTRAL:VN", day, in_current_units=True)
    walked = await graph.read(_walked_people, day)
    assert found.totals.people == walked


async def _walked_people(tx: Tx, day: D) -> int:
    """Distinct people in teams running on a legacy date, by the legacy commune they served."""
    return await _running_people(
        tx,
        day,
        "MATCH (p:Person)-[m:MEMBER_OF]->(t:CommunityTechTeam)",
        "(t.legacyUnitKey IS NOT NULL OR EXISTS { (t)-[:OPERATES_IN]->({era: 'LEGACY'}) })",
    )
