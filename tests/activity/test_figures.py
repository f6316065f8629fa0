"""Activity figures and quiet teams, known by construction: around the N-day boundary, for a
closed team, and across the 2025 reform (a team of a pre-reform commune now in a merged one).
Figures are compared as the change the test's own teams make (other tests' data stays as it
is) and with counts written plainly in Cypher."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio

from graph.core.activity_place_digests import refresh_activity_places
from graph.core.db import Graph, Tx, run
from graph.core.model import CENTRAL_UNIT_KEY, TeamRole
from graph.core.team_digests import refresh_team_digests
from graph.network import teams
from graph.reports.coverage import CoverageMetrics, coverage
from graph.reports.gaps import GapArgs, GapKind, gaps
from graph.reports.ranking import RankingMetric, rank_provinces
from tests.activity.support import member, nth_commune, remove, report, team
from tests.factories import SYSTEM, anyone

D = dt.date(2025, 10, 1)
N = 90
PROVINCE = "CURRENT:PROVINCE:01"


async def _merged(tx: Tx) -> dict[str, str]:
    """A legacy commune of Hà Nội whose default successor took over several legacy communes,
    with that successor and the legacy district it was in."""
    records = await run(
        tx,
        """
        MATCH (l:AdministrativeUnit {era: 'LEGACY', level: 'COMMUNE'})
              -[:SUCCEEDED_BY {isDefault: true}]->(c:AdministrativeUnit {level: 'COMMUNE'})
              -[:PART_OF]->(:AdministrativeUnit {key: $p})
        WHERE COUNT { (:AdministrativeUnit)-[:SUCCEEDED_BY {isDefault: true}]->(c) } > 1
        MATCH (l)-[:PART_OF]->(district:AdministrativeUnit {level: 'DISTRICT'})
        RETURN l.key AS legacy, c.key AS current, c.code AS code, district.key AS district
        ORDER BY c.code DESC, l.code LIMIT 1
        """,
        p=PROVINCE,
    )
    return {k: str(records[0][k]) for k in ("legacy", "current", "code", "district")}


@dataclass(frozen=True)
class Built:
    commune_key: str
    active: str  # reported exactly N days before D
    stale: str  # reported N + 1 days before D
    silent: str  # never reported
    closed: str  # closed the day before D, reported within the window
    reform: str  # a team of a legacy commune, now in its merged successor
    merged: dict[str, str]


async def _row(graph: Graph, scope: str, day: dt.date, key: str, **kw: object) -> CoverageMetrics:
    found = await graph.read(coverage, scope, day, in_current_units=False, **kw)  # type: ignore[arg-type]
    return next(r.metrics for r in found.rows if r.unit.key == key)


async def _snapshot(graph: Graph, commune_key: str, merged: dict[str, str]) -> dict[str, object]:
    return {
        "d": await _row(graph, PROVINCE, D, commune_key),
        "d91": await _row(graph, PROVINCE, D, commune_key, active_days=N + 1),
        "legacy": await _row(graph, merged["district"], dt.date(2025, 6, 15), merged["legacy"]),
        "after": await _row(graph, PROVINCE, dt.date(2025, 7, 20), merged["current"]),
        "late": await _row(graph, PROVINCE, dt.date(2025, 8, 1), merged["current"]),
    }


@pytest_asyncio.fixture(scope="module")
async def built(graph: Graph) -> AsyncIterator[tuple[Built, dict[str, object]]]:
    code = await graph.read(
        nth_commune, PROVINCE, 2
    )  # a commune the other activity tests do not use
    merged = await graph.read(_merged)
    commune_key = f"CURRENT:COMMUNE:{code}"
    before = await _snapshot(graph, commune_key, merged)
    since = dt.date(2025, 7, 1)
    active, stale, silent, closed = [await team(graph, code, since) for _ in range(4)]
    await report(graph, active, D - dt.timedelta(days=N), 10)
    await report(graph, stale, D - dt.timedelta(days=N + 1), 7)
    await report(graph, closed, dt.date(2025, 9, 15), 5)
    await graph.write(teams.close_team, closed, D - dt.timedelta(days=1), None, SYSTEM, anyone)
    leader = await member(graph, active, TeamRole.HEAD, since)
    # A team of the legacy commune, established before the reform: it operates in the merged
    # commune today and keeps the legacy one it served (as imports and the demo do).
    reform = await team(graph, merged["code"], dt.date(2025, 1, 1))
    await graph.write(_serve_legacy, reform, merged["legacy"])
    await report(graph, reform, dt.date(2025, 5, 1), 4)
    yield Built(commune_key, active, stale, silent, closed, reform, merged), before
    await remove(graph, [active, stale, silent, closed, reform], [leader])


async def _serve_legacy(tx: Tx, team_id: str, legacy_key: str) -> None:
    await run(
        tx,
        "MATCH (t:CommunityTechTeam {id: $id}) SET t.legacyUnitKey = $key",
        id=team_id,
        key=legacy_key,
    )
    await refresh_team_digests(tx, teams=[team_id])  # as every team writer does
    await refresh_activity_places(tx, [team_id])


def _delta(after: CoverageMetrics, before: object) -> dict[str, int]:
    assert isinstance(before, CoverageMetrics)
    return {
        "teams": after.teams - before.teams,
        "activeTeams": after.active_teams - before.active_teams,
        "householdsHelped": after.households_helped - before.households_helped,
        "peopleHelped": after.people_helped - before.people_helped,
    }


class TestTheNDayBoundary:
    async def test_a_report_exactly_n_days_old_counts_one_day_older_does_not(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        b, before = built
        after = await _row(graph, PROVINCE, D, b.commune_key)
        # Running on D: active, stale, silent (closed ended the day before). Helped within the
        # window: active's 10 households and the closed team's 5 (it helped them while running).
        assert _delta(after, before["d"]) == {
            "teams": 3,
            "activeTeams": 1,
            "householdsHelped": 15,
            "peopleHelped": 30,
        }

    async def test_n_is_configurable(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        b, before = built
        after = await _row(graph, PROVINCE, D, b.commune_key, active_days=N + 1)
        assert _delta(after, before["d91"])["activeTeams"] == 2
        assert _delta(after, before["d91"])["householdsHelped"] == 22

    async def test_the_quiet_teams_are_the_gaps(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        b, _ = built
        page = await graph.read(
            gaps, GapArgs(GapKind.TEAM_WITHOUT_RECENT_ACTIVITY, PROVINCE, D, 100_000, None)
        )
        found = {g.team.id: g.last_activity for g in page.items if g.team is not None}
        assert found[b.stale] == D - dt.timedelta(days=N + 1)
        assert found[b.silent] is None
        assert b.active not in found
        assert b.closed not in found  # not running on D: not a team to urge

    async def test_figures_equal_direct_counts(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        b, _ = built

        async def direct(tx: Tx) -> tuple[int, int]:
            since = D - dt.timedelta(days=N)
            active = await run(
                tx,
                "MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(:AdministrativeUnit {key: $c}) "
                "WHERE t.since <= $d AND (t.until IS NULL OR t.until >= $d) AND EXISTS { "
                "MATCH (r:ActivityReport)-[:BY]->(t) WHERE $from <= r.periodTo <= $d } "
                "RETURN count(t) AS n",
                c=b.commune_key,
                d=D,
                **{"from": since},
            )
            helped = await run(
                tx,
                "MATCH (r:ActivityReport)-[:BY]->(:CommunityTechTeam)-[:OPERATES_IN]->"
                "(:AdministrativeUnit {key: $c}) WHERE $from <= r.periodTo <= $d "
                "RETURN sum(r.householdsHelped) AS n",
                c=b.commune_key,
                d=D,
                **{"from": since},
            )
            return int(active[0]["n"]), int(helped[0]["n"] or 0)

        row = await _row(graph, PROVINCE, D, b.commune_key)
        assert (row.active_teams, row.households_helped) == await graph.read(direct)

    async def test_provinces_rank_by_their_share_of_active_teams(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        """The map offers the share of active teams, so the ranking page asks for it too."""
        national = await graph.read(coverage, CENTRAL_UNIT_KEY, D, in_current_units=False)
        ranked = rank_provinces(national, RankingMetric.ACTIVE_TEAM_SHARE)
        rows = {r.unit.key: r.metrics for r in national.rows}
        assert len(ranked) == len(rows)
        for r in ranked:
            m = rows[r.province.key]
            assert (r.numerator, r.denominator) == (m.active_teams, m.teams)
        values = [r.value for r in ranked if r.value is not None]
        assert values == sorted(values, reverse=True)
        hanoi = next(r for r in ranked if r.province.key == PROVINCE)
        assert hanoi.numerator >= 1  # the active team built here


class TestAcrossTheReform:
    async def test_before_the_reform_the_legacy_commune_has_the_activity(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        b, before = built
        legacy = await _row(graph, b.merged["district"], dt.date(2025, 6, 15), b.merged["legacy"])
        assert _delta(legacy, before["legacy"]) == {
            "teams": 1,
            "activeTeams": 1,
            "householdsHelped": 4,
            "peopleHelped": 8,
        }

    async def test_after_the_reform_the_merged_commune_has_it_until_it_goes_quiet(
        self, graph: Graph, built: tuple[Built, dict[str, object]]
    ) -> None:
        b, before = built
        current = b.merged["current"]
        after = await _row(graph, PROVINCE, dt.date(2025, 7, 20), current)  # 80 days on
        assert _delta(after, before["after"])["activeTeams"] == 1
        late = await _row(graph, PROVINCE, dt.date(2025, 8, 1), current)  # 92 days on
        assert _delta(late, before["late"]) == {
            "teams": 1,
            "activeTeams": 0,
            "householdsHelped": 0,
            "peopleHelped": 0,
        }
        page = await graph.read(
            gaps,
            GapArgs(
                GapKind.TEAM_WITHOUT_RECENT_ACTIVITY, PROVINCE, dt.date(2025, 8, 1), 100_000, None
            ),
        )
        quiet = {g.team.id: g for g in page.items if g.team is not None}
        assert quiet[b.reform].last_activity == dt.date(2025, 5, 1)
        assert quiet[b.reform].unit.key == current
