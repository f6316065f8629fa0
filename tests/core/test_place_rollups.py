"""The provinces' rollups of the places' digests (graph/core/place_rollups.py): sums by
construction, kept by every digest writer as a full rebuild would leave them, and giving the
series and coverage the figures they count from the units without them."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from typing import Any

import pytest

from graph.core import place_digests
from graph.core.activity_place_digests import ACTIVITY_DIGESTS
from graph.core.activity_place_digests import build_digest as build_activity
from graph.core.days import OPEN, day_number
from graph.core.db import Graph, Tx, run, run_collected
from graph.core.digests import rebuild_rollups, stale_digests
from graph.core.model import ExpertStatus, TeamRole
from graph.core.org_digests import ORG_DIGESTS
from graph.core.place_digests import DigestKind
from graph.core.place_rollups import MIXED_WINDOW, rebuild_rollups_of, set_aside
from graph.core.team_digests import TEAM_DIGESTS
from graph.core.team_digests import build_digest as build_team
from graph.experts.review import review_expert
from graph.network import teams
from graph.reports.coverage import coverage
from graph.reports.series import Step, period_ends
from graph.reports.series_totals import series_totals
from tests.activity.support import member, nth_commune, remove, report, team
from tests.factories import SYSTEM, anyone, make_focal_point, make_pending_expert

D = dt.date
NATION = "NATIONAL:CENTRAL:VN"


def n(day: D) -> int:
    return day_number(day)


def _on(digest: dict[str, Any], days: str, values: str, day: int) -> int:
    k = bisect.bisect_right(digest[days] or [], day)
    return int(digest[values][k - 1]) if k else 0


def _team_place(since: D, members: list[tuple[str | None, bool, D]]) -> dict[str, Any]:
    facts = [[n(since), OPEN, [[p, spread, n(d), OPEN] for p, spread, d in members]]]
    digest = build_team(facts)
    assert digest is not None
    return {**dict.fromkeys(TEAM_DIGESTS.stored), **digest}


def test_a_rollup_is_the_sum_and_a_change_moves_it_as_a_rebuild_would() -> None:
    rollup = TEAM_DIGESTS.rollup
    assert rollup is not None
    a = _team_place(D(2024, 1, 1), [(None, False, D(2024, 2, 1)), ("p-1", True, D(2024, 3, 1))])
    b = _team_place(D(2024, 6, 1), [("p-1", True, D(2024, 6, 1))])
    c = _team_place(D(2030, 1, 1), [])  # a team from 2030: no place with a team before
    whole = rollup.props(rollup.total([a, b, c]), TEAM_DIGESTS)
    for day in (D(2023, 12, 31), D(2024, 2, 1), D(2024, 6, 1), D(2030, 1, 1)):
        for figure in ("teamCounts", "memberCounts", "loneCounts"):
            assert _on(whole, "teamDays", figure, n(day)) == sum(
                _on(x, "teamDays", figure, n(day)) for x in (a, b, c)
            ), (day, figure)
        with_team = sum(_on(x, "teamDays", "teamCounts", n(day)) > 0 for x in (a, b, c))
        assert _on(whole, "teamDays", "withTeamCounts", n(day)) == with_team, day
    # The shared person's two entries are both kept: the readers count distinct people.
    assert len(whole["sharedPeople"]) == 2
    assert len(set(whole["sharedPeople"])) == 1
    assert whole["teamNow"][0] == n(D(2030, 1, 1))
    # b changes: taking the old b off and adding the new one gives what a rebuild gives.
    b2 = _team_place(D(2024, 5, 1), [])
    moved = rollup.parts(whole)
    rollup.add(moved, rollup.parts(b), -1)
    rollup.add(moved, rollup.parts(b2), 1)
    assert rollup.props(moved, TEAM_DIGESTS) == rollup.props(rollup.total([a, b2, c]), TEAM_DIGESTS)
    # Every place gone: no digest at all, as a province without teams.
    for x in (a, b2, c):
        rollup.add(moved, rollup.parts(x), -1)
    assert all(v is None for v in rollup.props(moved, TEAM_DIGESTS).values())


def test_a_rollup_holds_the_activity_window_only_when_its_places_share_it() -> None:
    rollup = ACTIVITY_DIGESTS.rollup
    assert rollup is not None

    def place(window: int) -> dict[str, Any]:
        digest = build_activity([window, [[n(D(2025, 1, 1)), OPEN, [n(D(2025, 3, 1))], [4], [2]]]])
        assert digest is not None
        return digest

    same = rollup.total([place(90), place(90)])
    assert rollup.props(same, ACTIVITY_DIGESTS)["activeWindow"] == 90
    assert rollup.props(same, ACTIVITY_DIGESTS)["helpPeople"] == [8]
    rollup.add(same, rollup.parts(place(30)), 1)
    assert rollup.props(same, ACTIVITY_DIGESTS)["activeWindow"] == MIXED_WINDOW
    rollup.add(same, rollup.parts(place(30)), -1)
    assert rollup.props(same, ACTIVITY_DIGESTS)["activeWindow"] == 90


def _random_digest(rng: random.Random, kind: DigestKind, like: dict[str, Any] | None) -> Any:
    """A digest of ``kind`` with random lists; with ``like``, one sharing a random start with
    it (what a writer changes: later days, values from some day on, entries, the N)."""
    assert kind.rollup is not None
    out: dict[str, Any] = {}
    for days_prop, value_props in kind.rollup.series:
        keep = rng.randint(0, len(like[days_prop])) if like else 0
        days = list(like[days_prop][:keep]) if like else []
        day = days[-1] if days else 20_000
        for _ in range(rng.randint(0, 6)):
            day += rng.randint(1, 40)
            days.append(day)
        out[days_prop] = days
        for prop in value_props:
            if prop == "withTeamCounts":  # derived from the counts, never stored on a unit
                continue
            start = list(like[prop][:keep]) if like else []
            out[prop] = start + [rng.randint(0, 9) for _ in days[len(start) :]]
    for prop in kind.rollup.entries:
        out[prop] = []
    if kind.rollup.entries:
        for _ in range(rng.randint(0, 3)):
            first = rng.randint(20_000, 20_300)
            entry = (rng.randint(1, 4), first, rng.choice([first + 30, OPEN]))
            for prop, value in zip(kind.rollup.entries, entry, strict=True):
                out[prop].append(value)
    if kind.rollup.tally:
        out[kind.rollup.tally] = rng.choice([90, 90, 30])
    return None if rng.random() < 0.1 else out


def test_moving_a_rollup_by_the_days_two_digests_differ_equals_a_rebuild() -> None:
    """``Rollup.move`` (what writers do) takes one place's old digest off and adds its new one
    by the per-day changes that differ; the rollup must equal one built from every place
    again, whether the new digest is longer, shorter, differs only in values, or is gone."""
    rng = random.Random(20261201)
    for kind in (TEAM_DIGESTS, ACTIVITY_DIGESTS, ORG_DIGESTS):
        rollup = kind.rollup
        assert rollup is not None
        for _ in range(300):
            places = [_random_digest(rng, kind, None) for _ in range(3)]
            old = places[0]
            new = _random_digest(rng, kind, old)
            total = rollup.parts(rollup.props(rollup.total(places), kind))
            rollup.move(total, old, new)
            again = rollup.props(rollup.total([new, *places[1:]]), kind)
            assert rollup.props(total, kind) == again, (kind.name, old, new)


class Undone(Exception):
    """Rolls back a transaction that changed the graph to compute something, and carries it."""


async def _series_as_coverage(graph: Graph, ends: list[D], active_days: int = 90) -> None:
    """The series, nationally and in a province of each era, and the national coverage on these
    dates are what they are when every unit is read instead of the rollups (in a transaction
    that deletes them and is rolled back), and each date of the series is coverage's."""
    reform = D(2025, 7, 1)
    scopes = (
        [(d, NATION) for d in ends],
        [(d, f"{'LEGACY' if d < reform else 'CURRENT'}:PROVINCE:01") for d in ends],
    )

    async def figures(tx: Tx) -> list[Any]:
        out: list[Any] = [await series_totals(tx, points, active_days) for points in scopes]
        for day in ends:
            for in_current_units in (False, True) if day < reform else (False,):
                found = await coverage(
                    tx, NATION, day, in_current_units=in_current_units, active_days=active_days
                )
                out.append((found.rows, found.totals))
        return out

    async def from_units(tx: Tx) -> None:
        await run(tx, "MATCH (r:PlaceRollup) DETACH DELETE r")
        raise Undone(await figures(tx))

    rolled = await graph.read(figures)
    with pytest.raises(Undone) as units:
        await graph.write(from_units)
    assert rolled == units.value.args[0]
    for points, series in zip(scopes, rolled, strict=False):
        for (day, key), totals in zip(points, series, strict=True):
            alone = await graph.read(
                coverage, key, day, in_current_units=False, active_days=active_days
            )
            assert totals == alone.totals, (key, day)


async def _rollups(tx: Tx) -> dict[str, dict[str, Any]]:
    found = await run_collected(tx, "MATCH (r:PlaceRollup) RETURN collect([r.key, r {.*}]) AS rows")
    return {str(k): dict(v) for k, v in found}


async def test_writers_keep_the_rollups_and_the_series_counts_as_coverage(graph: Graph) -> None:
    """Teams founded and closed mid-quarter, members, reports, a focal point and an expert, each
    written through its writer: every rollup stays what a rebuild from the units gives, and
    the series, which reads them, stays coverage's."""
    commune = await graph.read(nth_commune, "CURRENT:PROVINCE:01", 7)
    since = D(2031, 2, 10)
    made = [await team(graph, commune, since), await team(graph, commune, D(2031, 5, 3))]
    people = [
        await member(graph, made[0], TeamRole.HEAD, since),
        await member(graph, made[1], TeamRole.MEMBER, D(2031, 5, 3)),
    ]
    try:
        await report(graph, made[0], D(2031, 3, 1), 5)
        await report(graph, made[1], D(2031, 6, 20), 3)
        await graph.write(teams.close_team, made[1], D(2031, 8, 15), None, SYSTEM, anyone)
        await make_focal_point(graph, "so-khcn-01")
        expert, _ = await make_pending_expert(graph, "01")
        await graph.write(review_expert, expert, ExpertStatus.VERIFIED, None, SYSTEM, anyone)
        assert await graph.read(stale_digests) == {}
        ends = period_ends(D(2030, 10, 1), D(2031, 12, 31), Step.QUARTER)
        await _series_as_coverage(graph, [*ends, D.today()])
    finally:
        await remove(graph, made, people)
    assert await graph.read(stale_digests) == {}


async def test_without_rollups_the_series_reads_the_units_and_migration_26_builds_them(
    graph: Graph,
) -> None:
    """Coverage and the series read the units' digests where no rollup serves: the same
    figures, rows and totals, as with every rollup, on the demo network."""
    ends = [D(2024, 12, 31), D(2025, 6, 30), D(2025, 9, 30), D.today()]
    points = [(d, NATION) for d in ends]

    async def figures(tx: Tx) -> list[Any]:
        out: list[Any] = [await series_totals(tx, points)]
        for day, in_current_units in ((D.today(), False), (ends[0], False), (ends[0], True)):
            out.append(await coverage(tx, NATION, day, in_current_units=in_current_units))
        return out

    rolled = await graph.read(figures)
    kept = await graph.read(_rollups)
    assert len(kept) == 97  # 63 provinces before the reform, 34 after
    await graph.write(lambda tx: run(tx, "MATCH (r:PlaceRollup) DETACH DELETE r"))
    try:
        assert await graph.read(figures) == rolled
    finally:
        await rebuild_rollups(graph)  # migration 26's heal
    assert await graph.read(_rollups) == kept
    assert await graph.read(stale_digests) == {}


async def test_a_province_with_a_unit_of_other_dates_is_counted_from_its_units(
    graph: Graph,
) -> None:
    """A commune that ends before its province (not in today's data, but the model allows it)
    makes the province's rollup inexact: the series then reads that province's units, as it
    does with no rollup at all, and the commune stops counting after its last day."""
    commune = await graph.read(nth_commune, "CURRENT:PROVINCE:01", 7)
    key = f"CURRENT:COMMUNE:{commune}"
    made = [await team(graph, commune, D(2025, 8, 1))]
    people = [await member(graph, made[0], TeamRole.HEAD, D(2025, 8, 1))]
    ended = D(2025, 12, 31)
    points = [(d, NATION) for d in (D(2025, 9, 30), ended, D(2026, 3, 31))]

    async def end(tx: Tx, on: D | None) -> None:
        await run(tx, "MATCH (u:AdministrativeUnit {key: $k}) SET u.validTo = $on", k=key, on=on)

    async def unrolled(tx: Tx) -> None:
        await run(tx, "MATCH (r:PlaceRollup {key: 'CURRENT:PROVINCE:01'}) DETACH DELETE r")
        raise Undone(await series_totals(tx, points))

    before = await graph.read(series_totals, points)
    try:
        await graph.write(end, ended)
        await rebuild_rollups(graph)
        assert (await graph.read(_rollups))["CURRENT:PROVINCE:01"]["exact"] is False
        assert await graph.read(stale_digests) == {}
        found = await graph.read(series_totals, points)
        with pytest.raises(Undone) as without:
            await graph.write(unrolled)
        assert found == without.value.args[0]
        assert found[:2] == before[:2]
        assert found[2].communes == before[2].communes - 1
        assert found[2].teams < before[2].teams
        await report(graph, made[0], D(2025, 9, 1), 2)  # a writer leaves an inexact rollup be
        assert await graph.read(stale_digests) == {}
    finally:
        await graph.write(end, None)
        await remove(graph, made, people)
        await rebuild_rollups(graph)
    assert (await graph.read(_rollups))["CURRENT:PROVINCE:01"]["exact"] is True


async def test_places_built_for_another_n_make_the_series_walk_that_province(
    graph: Graph,
) -> None:
    """An activity digest rebuilt with another N (CDS_ACTIVE_TEAM_DAYS changed, ``cds digests
    --rebuild`` not yet run) leaves its province's rollup with a mixed N: the series reads that
    province's units, whose figures coverage checks; the province is rolled again once every
    place has one N."""
    places = await graph.read(
        lambda tx: run_collected(
            tx,
            "MATCH (u:AdministrativeUnit)-[:PART_OF*1..2]->(:AdministrativeUnit {key: $p}) "
            "WHERE u.helpNow IS NOT NULL RETURN collect(u.key)[0..1] AS rows",
            p="CURRENT:PROVINCE:01",
        )
    )
    assert places, "the demo's reports reach Hà Nội"
    await graph.write(ACTIVITY_DIGESTS.rebuild, places, window=30)
    try:
        rolled = (await graph.read(_rollups))["CURRENT:PROVINCE:01"]
        assert rolled["activeWindow"] == MIXED_WINDOW
        assert await graph.read(stale_digests) == {}
        await _series_as_coverage(graph, [D(2025, 9, 30), D(2025, 12, 31), D.today()])
    finally:
        await graph.write(ACTIVITY_DIGESTS.rebuild, places, window=90)
    assert (await graph.read(_rollups))["CURRENT:PROVINCE:01"]["activeWindow"] == 90
    assert await graph.read(stale_digests) == {}


async def test_a_rebuild_of_many_places_builds_their_provinces_rollups_again(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import's close rebuilds thousands of places in batches, then their provinces'
    rollups whole (``rebuild_rollups_of``), not batch by batch: they must end as a rebuild from
    the units gives, here with every place's N changed and changed back."""
    monkeypatch.setattr(place_digests, "HEAL_BATCH", 50)  # several batches on the test network
    keys = await graph.read(ACTIVITY_DIGESTS.places, "", 1_000_000)
    assert len(keys) > 2 * place_digests.HEAL_BATCH
    try:
        await ACTIVITY_DIGESTS.rebuild_many(graph, keys, window=30)
        assert await graph.read(stale_digests) == {}
        windows = {r.get("activeWindow") for r in (await graph.read(_rollups)).values()}
        assert windows <= {30, None}
        assert 30 in windows
    finally:
        await ACTIVITY_DIGESTS.rebuild_many(graph, keys, window=90)
    assert await graph.read(stale_digests) == {}
    assert {r.get("activeWindow") for r in (await graph.read(_rollups)).values()} <= {90, None}


async def test_rollups_set_aside_by_a_rebuild_that_stopped_are_read_through_their_units(
    graph: Graph,
) -> None:
    """A rebuild of many places sets its provinces' rollups aside before its batches and
    clears that when it builds them again; stopped in between (a crash), the series and coverage
    read those provinces' units, the check names them, and building them clears it."""
    ends = [D(2025, 6, 30), D.today()]
    points = [(d, NATION) for d in ends]
    before = await graph.read(series_totals, points)
    provinces = ["CURRENT:PROVINCE:01", "LEGACY:PROVINCE:01"]
    await graph.write(set_aside, ACTIVITY_DIGESTS, provinces)
    try:
        assert await graph.read(stale_digests) == {
            "activity": sorted(f"rollup {p}" for p in provinces)
        }
        await _series_as_coverage(graph, ends)
        assert await graph.read(series_totals, points) == before
    finally:
        await rebuild_rollups_of(graph, [ACTIVITY_DIGESTS], provinces, 2)
    assert await graph.read(stale_digests) == {}
    assert all(r.get("rebuilding") is None for r in (await graph.read(_rollups)).values())
