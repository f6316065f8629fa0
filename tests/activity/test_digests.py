"""The teams' activity digests (graph/core/activity_digests.py) and the places' built from them
(graph/core/activity_place_digests.py), which coverage reads instead of every report: after each
way reports change (a spreadsheet's rows, several on one day, its rollback, a report rewritten,
a team closed) and after migrations 18 and 22 build them for reports already there, the figures
are the counts written plainly in Cypher over the reports, for the digests' N and for others
(counted from the teams), and no place's digest is stale."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from graph.activity.reports import write_reports
from graph.core.activity_digests import heal_activity_digests
from graph.core.activity_place_digests import (
    ACTIVITY_DIGESTS,
    rebuild_all_activity_places,
    refresh_activity_places,
)
from graph.core.db import Graph, Tx, run
from graph.core.migrations import MIGRATIONS
from graph.reports.coverage import coverage
from spreadsheets import service
from spreadsheets.columns import ImportKind
from tests.activity.support import nth_commune, remove, report, team
from tests.spreadsheets.files import undo_all_imports, xlsx

PROVINCE = "CURRENT:PROVINCE:01"
D = dt.date(2025, 10, 1)
HEADERS = ["Mã xã", "Tên tổ", "Từ ngày", "Loại hoạt động", "Số người được hỗ trợ",
           "Số hộ được hỗ trợ", "Ghi chú"]  # fmt: skip


async def _name(tx: Tx, team_id: str) -> str:
    records = await run(tx, "MATCH (t:CommunityTechTeam {id: $id}) RETURN t.name AS n", id=team_id)
    return str(records[0]["n"])


async def _direct(tx: Tx, commune_key: str, day: dt.date, days: int) -> tuple[int, int, int]:
    """(people helped, households helped, active teams) of the commune, from the reports."""
    since = day - dt.timedelta(days=days)
    helped = await run(
        tx,
        "MATCH (r:ActivityReport)-[:BY]->(:CommunityTechTeam)-[:OPERATES_IN]->"
        "(:AdministrativeUnit {key: $c}) WHERE $from <= r.periodTo <= $d "
        "RETURN sum(r.peopleHelped) AS p, sum(r.householdsHelped) AS h",
        c=commune_key,
        d=day,
        **{"from": since},
    )
    active = await run(
        tx,
        "MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(:AdministrativeUnit {key: $c}) "
        "WHERE t.since <= $d AND (t.until IS NULL OR t.until >= $d) AND EXISTS { "
        "MATCH (r:ActivityReport)-[:BY]->(t) WHERE $from <= r.periodTo <= $d } "
        "RETURN count(t) AS n",
        c=commune_key,
        d=day,
        **{"from": since},
    )
    return int(helped[0]["p"] or 0), int(helped[0]["h"] or 0), int(active[0]["n"])


async def _figures(graph: Graph, commune_key: str, day: dt.date, days: int) -> tuple[int, ...]:
    found = await graph.read(coverage, PROVINCE, day, in_current_units=False, active_days=days)
    m = next(r.metrics for r in found.rows if r.unit.key == commune_key)
    return m.people_helped, m.households_helped, m.active_teams


async def _exact(graph: Graph, commune_key: str) -> None:
    """The commune's figures equal the direct counts, on several days and windows around the
    reports (their boundaries included): N = 90 is read from the place's digest, the others
    from its teams. No place's activity digest differs from the one the graph gives."""
    for day, days in (
        (D, 90),
        (D, 5),
        (D, 4),
        (D - dt.timedelta(days=1), 90),
        (D + dt.timedelta(days=90), 90),
        (D + dt.timedelta(days=91), 90),
        (D, 0),
    ):
        assert await _figures(graph, commune_key, day, days) == await graph.read(
            _direct, commune_key, day, days
        ), (day, days)
    assert await graph.read(ACTIVITY_DIGESTS.stale) == []


@pytest_asyncio.fixture(scope="module")
async def commune(graph: Graph) -> AsyncIterator[tuple[str, str]]:
    code = await graph.read(
        nth_commune, PROVINCE, 3
    )  # a commune the other activity tests do not use
    team_id = await team(graph, code, dt.date(2025, 1, 1))
    yield code, team_id
    await undo_all_imports(graph)
    await remove(graph, [team_id], [])


class TestTheDigestFollowsEveryWrite:
    async def test_reports_sum_per_day_and_a_rollback_takes_them_back(
        self, graph: Graph, commune: tuple[str, str]
    ) -> None:
        code, team_id = commune
        key = f"CURRENT:COMMUNE:{code}"
        await report(graph, team_id, D - dt.timedelta(days=5), 3)
        before = await _figures(graph, key, D, 90)
        name = await graph.read(_name, team_id)
        rows: list[list[str | int | None]] = [
            [code, name, "01/10/2025", "VNeID", 10, 4, "sáng"],  # two reports on one day
            [code, name, "01/10/2025", "VNeID", 7, 5, "chiều"],
            [code, name, "26/09/2025", "Kỹ năng số", 2, 1, None],  # exactly 5 days before D
        ]
        upload = service.Upload(xlsx(HEADERS, rows), "hoat-dong-digest.xlsx")
        batch = await service.apply(
            graph, upload, ImportKind.ACTIVITIES, scope=None, imported_by="test"
        )
        after = await _figures(graph, key, D, 90)
        assert (after[0] - before[0], after[1] - before[1]) == (19, 10)
        await _exact(graph, key)

        await service.rollback(graph, batch.id)
        assert await _figures(graph, key, D, 90) == before
        await _exact(graph, key)

    async def test_a_rewritten_report_counts_with_its_new_values(
        self, graph: Graph, commune: tuple[str, str]
    ) -> None:
        code, team_id = commune
        key = f"CURRENT:COMMUNE:{code}"
        report_id = await report(graph, team_id, D - dt.timedelta(days=3), 6)

        async def rewrite(tx: Tx) -> None:
            records = await run(
                tx,
                "MATCH (r:ActivityReport {id: $id}) RETURN r {.*} AS r",
                id=report_id,
            )
            row = dict(records[0]["r"])
            moved = D - dt.timedelta(days=200)  # out of every window of _exact
            await write_reports(
                tx,
                [
                    {
                        **row,
                        "teamId": team_id,
                        "periodFrom": moved.isoformat(),
                        "periodTo": moved.isoformat(),
                        "isSynthetic": False,
                    }
                ],
            )

        async def rewrite_and_refresh(tx: Tx) -> None:
            await rewrite(tx)
            await refresh_activity_places(tx, [team_id])  # as the writers around it do

        before = await _figures(graph, key, D, 90)
        await graph.write(rewrite_and_refresh)
        after = await _figures(graph, key, D, 90)
        assert (before[0] - after[0], before[1] - after[1]) == (12, 6)
        await _exact(graph, key)


class TestMigrations18And22:
    async def test_it_builds_the_digests_of_reports_already_there(
        self, graph: Graph, commune: tuple[str, str]
    ) -> None:
        code, team_id = commune
        key = f"CURRENT:COMMUNE:{code}"
        await report(graph, team_id, D - dt.timedelta(days=1), 2)

        async def as_before_migration(tx: Tx) -> None:
            await run(
                tx,
                "MATCH (t:CommunityTechTeam {id: $id}) "
                "REMOVE t.activityDays, t.activityPeople, t.activityHouseholds "
                "WITH t MATCH (t)-[:OPERATES_IN]->(u) "
                "REMOVE u.helpDays, u.helpPeople, u.helpHouseholds, u.activeDays, "
                "u.activeCounts, u.activeWindow, u.helpNow",
                id=team_id,
            )

        await graph.write(as_before_migration)
        assert await _figures(graph, key, D, 90) != await graph.read(_direct, key, D, 90)
        await heal_activity_digests(graph)  # migration 18
        await rebuild_all_activity_places(graph)  # migration 22
        await _exact(graph, key)

    async def test_migrations_22_to_24_turn_the_teams_dates_into_day_numbers(
        self, graph: Graph, commune: tuple[str, str]
    ) -> None:
        # Before migration 24 a team's days were dates; a store at 18 to 23 still has them,
        # and migrations 22 and 23, which rebuild the places, must read them all the same.
        code, team_id = commune
        key = f"CURRENT:COMMUNE:{code}"
        await report(graph, team_id, D - dt.timedelta(days=3), 2)
        await report(graph, team_id, D - dt.timedelta(days=40), 5)

        async def as_before_migration_24(tx: Tx) -> None:
            await run(
                tx,
                "MATCH (t:CommunityTechTeam {id: $id}) SET t.activityDays = "
                "[x IN t.activityDays | date('1970-01-01') + duration({days: x})]",
                id=team_id,
            )

        async def days(tx: Tx) -> list[Any]:
            found = await run(
                tx, "MATCH (t:CommunityTechTeam {id: $id}) RETURN t.activityDays AS d", id=team_id
            )
            return list(found[0]["d"])

        heals = {m.version: m.heal for m in MIGRATIONS}
        for version in (22, 23, 24):
            await graph.write(as_before_migration_24)
            assert not any(isinstance(day, int) for day in await graph.read(days))
            heal = heals[version]
            assert heal is not None
            await heal(graph)
            found = await graph.read(days)
            assert all(isinstance(day, int) for day in found), version
            for n in (40, 3):
                assert (D - dt.timedelta(days=n) - dt.date(1970, 1, 1)).days in found
            await _exact(graph, key)
