"""The "activities" spreadsheet: dry run, apply, the same file again, rollback; a file with any
problem writes nothing, and each problem names its row and column."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from graph.core.db import Graph, Tx, run
from graph.core.digests import stale_digests
from graph.imports import apply as chunks
from graph.imports import batches
from spreadsheets import service
from spreadsheets.columns import ImportKind
from tests.activity.support import remove, team
from tests.spreadsheets.files import undo_all_imports, xlsx

HEADERS = ["Mã xã", "Tên tổ", "Từ ngày", "Đến ngày", "Loại hoạt động", "Số người được hỗ trợ",
           "Số hộ được hỗ trợ", "Dịch vụ", "Địa điểm"]  # fmt: skip


@pytest_asyncio.fixture(scope="module")
async def team_name(graph: Graph) -> AsyncIterator[str]:
    team_id = await team(graph, "00004", dt.date(2024, 1, 1))
    name = await graph.read(_name, team_id)
    yield name
    await undo_all_imports(graph)
    await remove(graph, [team_id], [])


async def _name(tx: Tx, team_id: str) -> str:
    records = await run(tx, "MATCH (t:CommunityTechTeam {id: $id}) RETURN t.name AS n", id=team_id)
    return str(records[0]["n"])


def _good(name: str) -> list[list[Any]]:
    return [
        ["00004", name, "02/09/2025", None, "VNeID", 40, 25, "Định danh mức 2; Khai sinh", "TDP 1"],
        ["00004", name, "01/10/2025", "05/10/2025", "Kỹ năng số", "30", "20", None, None],
        # Excel's numeric cells come back as 12.0; accents may be missing.
        ["00004", name, "2025-10-10", None, "Thuong mai dien tu", 12.0, 12, None, "Chợ xã"],
    ]


async def _reports(tx: Tx, name: str) -> tuple[int, int]:
    records = await run(
        tx,
        "MATCH (r:ActivityReport)-[:BY]->(t:CommunityTechTeam {name: $n}) "
        "RETURN count(r) AS n, sum(r.householdsHelped) AS h",
        n=name,
    )
    return int(records[0]["n"]), int(records[0]["h"] or 0)


async def _undone(graph: Graph, name: str, *batch_ids: str) -> None:
    """Roll the batches back, newest first: none of their reports is left, no digest stale."""
    for batch_id in batch_ids:
        await service.rollback(graph, batch_id)
    assert await graph.read(_reports, name) == (0, 0)
    assert await graph.read(stale_digests) == {}


class TestRoundTrip:
    async def test_dry_run_apply_again_and_rollback(self, graph: Graph, team_name: str) -> None:
        upload = service.Upload(xlsx(HEADERS, _good(team_name)), "hoat-dong.xlsx")
        report = await service.dry_run(graph, upload, ImportKind.ACTIVITIES, scope="01")
        assert report.problems == []
        assert report.as_json()["validRows"] == 3
        assert await graph.read(_reports, team_name) == (0, 0)  # a dry run writes nothing

        batch = await service.apply(
            graph, upload, ImportKind.ACTIVITIES, scope="01", imported_by="test"
        )
        assert batch.changed == 3
        assert await graph.read(_reports, team_name) == (3, 57)
        assert await graph.read(stale_digests) == {}  # the batch rebuilt its places' digests

        again = await service.apply(
            graph, upload, ImportKind.ACTIVITIES, scope="01", imported_by="test"
        )
        assert again.changed == 0
        assert await graph.read(_reports, team_name) == (3, 57)

        await _undone(graph, team_name, again.id, batch.id)

    async def test_a_file_with_any_problem_writes_nothing(
        self, graph: Graph, team_name: str
    ) -> None:
        rows = [
            *_good(team_name),
            ["00004", team_name, "03/09/2025", None, "VNeID", 3, 5, None, None],
            ["00004", "Tổ không có", "03/09/2025", None, "VNeID", 3, 1, None, None],
            ["00004", team_name, "03/09/2025", "01/09/2025", "Họp chợ", "ba", 1, None, None],
            ["00004", team_name, "03/09/2023", None, "Khác", 3, 1, None, None],
            ["79", team_name, "03/09/2025", None, "Khác", 3, 1, None, None],
        ]
        upload = service.Upload(xlsx(HEADERS, rows), "hoat-dong-loi.xlsx")
        report = await service.dry_run(graph, upload, ImportKind.ACTIVITIES, scope="01")
        found = {(p.row, p.column, p.code) for p in report.problems}
        assert found >= {
            (5, "Số hộ được hỗ trợ", "CONFLICT"),  # more households than people
            (6, "Tên tổ", "NOT_FOUND"),
            (7, "Loại hoạt động", "NOT_IN_VOCABULARY"),
            (7, "Số người được hỗ trợ", "INVALID_NUMBER"),
            (8, "Từ ngày", "CONFLICT"),  # before the team was established
        }
        assert any(p.row == 9 for p in report.problems)  # not a commune of the province
        with pytest.raises(service.ImportRefused):
            await service.apply(
                graph, upload, ImportKind.ACTIVITIES, scope="01", imported_by="test"
            )
        assert await graph.read(_reports, team_name) == (0, 0)


@pytest_asyncio.fixture(scope="module")
async def other_team_name(graph: Graph) -> AsyncIterator[str]:
    team_id = await team(graph, "00004", dt.date(2024, 1, 1))
    yield await graph.read(_name, team_id)
    await undo_all_imports(graph)
    await remove(graph, [team_id], [])


class TestChunksAtOnce:
    """An activities file's chunks are written two at a time (graph/imports/apply.py,
    ``at_once``): every chunk, the progress in file order, and a failure while another chunk
    is being written must give what chunks written one by one give. Two teams, so that two
    chunks (rows are planned team by team) do not wait on one team's lock."""

    def _rows(self, names: tuple[str, str]) -> list[list[Any]]:
        return [
            ["00004", names[day % 2], f"{day:02d}/09/2025", None, "VNeID", day, 1, None, None]
            for day in range(1, 8)
        ]

    async def _apply(
        self, graph: Graph, names: tuple[str, str], progress: service.Progress
    ) -> batches.BatchRecord:
        upload = service.Upload(xlsx(HEADERS, self._rows(names)), "hoat-dong-2.xlsx")
        report = await service.dry_run(graph, upload, ImportKind.ACTIVITIES, scope="01")
        assert chunks.at_once(report.plan) == 2
        return await service.apply(
            graph,
            upload,
            ImportKind.ACTIVITIES,
            scope="01",
            imported_by="test",
            chunk_rows=2,
            progress=progress,
        )

    async def test_every_chunk_is_written_and_counted(
        self, graph: Graph, team_name: str, other_team_name: str
    ) -> None:
        names = (team_name, other_team_name)
        seen: list[tuple[int, int]] = []
        batch = await self._apply(graph, names, lambda done, total: seen.append((done, total)))
        assert batch.changed == 7
        # 1 household each: days 2, 4, 6 for the first team, 1, 3, 5, 7 for the other.
        assert await graph.read(_reports, team_name) == (3, 3)
        assert await graph.read(_reports, other_team_name) == (4, 4)
        assert seen == [(2, 7), (4, 7), (6, 7), (7, 7)]
        assert await graph.read(stale_digests) == {}
        await _undone(graph, team_name, batch.id)
        assert await graph.read(_reports, other_team_name) == (0, 0)

    async def test_a_failure_undoes_the_chunk_written_beside_it_too(
        self, graph: Graph, team_name: str, other_team_name: str
    ) -> None:
        def fail(done: int, total: int) -> None:
            raise RuntimeError("the connection dropped")  # the second chunk is being written

        with pytest.raises(RuntimeError):
            await self._apply(graph, (team_name, other_team_name), fail)
        assert await graph.read(_reports, team_name) == (0, 0)
        assert await graph.read(_reports, other_team_name) == (0, 0)
        assert await graph.read(stale_digests) == {}

    async def test_a_report_named_twice_is_refused(self, graph: Graph, team_name: str) -> None:
        """A blank last day is the first day: the two rows are one report (one id), which two
        chunks written at once would both create."""
        rows: list[list[Any]] = [
            ["00004", team_name, "01/09/2025", None, "VNeID", 5, 1, None, None],
            ["00004", team_name, "01/09/2025", "01/09/2025", "VNeID", 5, 1, None, None],
        ]
        upload = service.Upload(xlsx(HEADERS, rows), "hoat-dong-4.xlsx")
        report = await service.dry_run(graph, upload, ImportKind.ACTIVITIES, scope="01")
        assert [(p.row, p.code) for p in report.problems] == [(3, "DUPLICATE")]
