"""Bulk imports of provincial lists: real .xlsx and CSV files (UTF-8, UTF-8 with BOM, CP1258)
made here, checked (dry run), applied all or nothing, re-applied without change, undone."""

from __future__ import annotations

import datetime as dt
import gc
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook

from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.digests import stale_digests
from graph.core.errors import Conflict
from graph.core.org_digests import stale_org_digests
from graph.core.settings import Settings
from graph.imports import apply as chunks
from graph.imports import batches
from spreadsheets import service
from spreadsheets.columns import COLUMNS, ImportKind
from spreadsheets.templates import TEMPLATE_DIR, template_csv
from tests.spreadsheets.files import csv_file, undo_all_imports, xlsx
from tests.tokens import bearer

TEAM_HEADERS = [
    "Mã xã",
    "Mã xã cũ",
    "Xã/Phường",
    "Quận/Huyện (cũ)",
    "Tỉnh/Thành phố",
    "Tên tổ",
    "Thôn/Bản/Tổ dân phố",
    "Số quyết định",
    "Ngày quyết định",
]
GOOD_TEAMS: list[list[Any]] = [
    ["00004", None, None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", None, "901/QĐ-UBND", "15/08/2025"],
    # A legacy address (pre-2025, with its district): Trúc Bạch became part of Ba Đình.
    [None, None, "Phường Trúc Bạch", "Quận Ba Đình", "Thành phố Hà Nội",
     "Tổ CNSCĐ kiểm thử Trúc Bạch", "Tổ dân phố 7", "902/QĐ-UBND", "16/08/2025"],
    # The current form without accents or types spelled out.
    [None, None, "P. Ba Dinh", None, "TP Ha Noi", "Tổ CNSCĐ kiểm thử không dấu", None,
     "903/QĐ-UBND", "2025-08-17"],
    # A split legacy commune, settled by naming the current one.
    ["00008", "00007", None, None, None, "Tổ CNSCĐ kiểm thử Ngọc Hà", "Thôn Đông", "904/QĐ-UBND",
     "18/08/2025"],
]  # fmt: skip
MEMBER_HEADERS = ["Mã xã", "Xã/Phường", "Quận/Huyện (cũ)", "Tỉnh/Thành phố", "Tên tổ",
                  "Họ và tên", "Số điện thoại", "Vai trò", "Thành phần"]  # fmt: skip
GOOD_MEMBERS: list[list[Any]] = [
    ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Nguyễn Văn Kiểm", "0970 000 001",
     "Tổ trưởng", "Đoàn Thanh niên"],
    ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Trần Thị Thử", "+84970000002",
     "Tổ phó", "Công an xã"],
    # Excel dropped the leading 0 of a numeric phone column.
    ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Lê Văn Ba", 970000003, None, None],
    # The same person in a second team; that team named by its legacy address.
    [None, "Phường Trúc Bạch", "Quận Ba Đình", "Hà Nội", "Tổ CNSCĐ kiểm thử Trúc Bạch",
     "Nguyễn Văn Kiểm", "0970000001", None, "Người dân"],
]  # fmt: skip


@pytest_asyncio.fixture(autouse=True)
async def remove_imports(graph: Graph) -> AsyncIterator[None]:
    yield
    await undo_all_imports(graph)


def national(settings: Settings) -> dict[str, str]:
    return bearer(settings, Role.NATIONAL_COORDINATOR)


async def upload(
    client: httpx.AsyncClient,
    step: str,
    kind: ImportKind,
    name: str,
    data: bytes,
    headers: dict[str, str],
    **form: str,
) -> httpx.Response:
    return await client.post(
        f"/imports/{kind.value}/{step}",
        files={"file": (name, data)},
        data=form,
        headers=headers,
    )


async def snapshot(graph: Graph) -> dict[str, Any]:
    """Everything an import can touch, as plain values."""

    async def read(tx: Tx) -> dict[str, Any]:
        teams = await run(
            tx,
            "MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u) WHERE t.id STARTS WITH 'imp-' "
            "OPTIONAL MATCH (t)-[:ESTABLISHED_BY]->(d) "
            "RETURN t {.*, unit: u.key, decision: d.id} AS t ORDER BY t.id",
        )
        members = await run(
            tx,
            "MATCH (p:Person)-[m:MEMBER_OF]->(t) WHERE p.id STARTS WITH 'imp-' "
            "RETURN p.id AS p, p.fullName AS name, t.id AS t, m {.*} AS m ORDER BY p, t",
        )
        decisions = await run(
            tx,
            "MATCH (d:Decision) WHERE d.id STARTS WITH 'imp-' RETURN d {.*} AS d ORDER BY d.id",
        )
        return {
            "teams": [dict(r["t"]) for r in teams],
            "members": [(r["p"], r["name"], r["t"], dict(r["m"])) for r in members],
            "decisions": [dict(r["d"]) for r in decisions],
        }

    return await graph.read(read)


def problems(body: dict[str, Any]) -> set[tuple[int, str, str]]:
    return {(p["row"], p["column"], p["code"]) for p in body["problems"]}


class TestTemplates:
    async def test_downloadable_templates_have_the_vietnamese_headers(
        self, client: httpx.AsyncClient
    ) -> None:
        for kind in ImportKind:
            response = await client.get(f"/imports/templates/{kind.value}.xlsx")
            assert response.status_code == 200
            book = load_workbook(io.BytesIO(response.content))
            headers = [c.value for c in book.worksheets[0][1]]
            assert headers == [c.header for c in COLUMNS[kind]]
            assert book.worksheets[0].freeze_panes == "A2"
            csv_response = await client.get(f"/imports/templates/{kind.value}.csv")
            assert csv_response.content == template_csv(kind)

    def test_shipped_csv_templates_are_current(self) -> None:
        for kind in ImportKind:
            assert (TEMPLATE_DIR / f"{kind.value}.csv").read_bytes() == template_csv(kind), (
                "run: python -m spreadsheets.templates"
            )


class TestDryRun:
    async def test_every_kind_of_bad_row_is_reported(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph
    ) -> None:
        bad_teams = [
            *GOOD_TEAMS,
            ["00004", None, None, None, None, None, None, "905/QĐ-UBND", "15/08/2025"],
            [None, None, "Xã Không Tồn Tại", None, "Hà Nội", "Tổ A", None, "906/QĐ", "15/08/2025"],
            [None, None, "Phường Cống Vị", "Quận Ba Đình", "Hà Nội", "Tổ B", None, "907/QĐ",
             "15/08/2025"],
            ["00004", None, None, None, None, "Tổ C", None, "908/QĐ", "31/02/2025"],
            ["25747", None, None, None, None, "Tổ D", None, "909/QĐ", "15/08/2025"],
            ["00004", None, None, None, None, '=HYPERLINK("http://x.example","bấm")', None,
             "910/QĐ", "15/08/2025"],
            [*GOOD_TEAMS[0][:5], "tổ cnscđ  KIỂM THỬ ba đình", None, "911/QĐ", "15/08/2025"],
        ]  # fmt: skip
        before = await snapshot(graph)
        token = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
        response = await upload(
            client, "dry-run", ImportKind.TEAMS, "to.xlsx", xlsx(TEAM_HEADERS, bad_teams), token
        )
        assert response.status_code == 200
        body = response.json()
        assert not body["ok"]
        assert body["rows"] == len(bad_teams)
        first = 2  # header on row 1
        assert problems(body) == {
            (first + 4, "Tên tổ", "REQUIRED"),
            (first + 5, "Xã/Phường", "UNKNOWN_COMMUNE"),
            (first + 6, "Xã/Phường", "SPLIT_COMMUNE"),
            (first + 7, "Ngày quyết định", "INVALID_DATE"),
            (first + 8, "Mã xã", "OUT_OF_SCOPE"),
            (first + 9, "Tên tổ", "FORMULA_INJECTION"),
            (first + 10, "Tên tổ", "DUPLICATE"),
        }
        split = next(p for p in body["problems"] if p["code"] == "SPLIT_COMMUNE")
        assert "00008" in split["reason"]
        assert "00025" in split["reason"]
        assert split["sheet"] == "Danh sach"
        assert split["value"] == "Phường Cống Vị"
        assert await snapshot(graph) == before  # a dry run writes nothing

        marked = await client.post(
            "/imports/teams/dry-run?format=xlsx",
            files={"file": ("to.xlsx", xlsx(TEAM_HEADERS, bad_teams))},
            headers=token,
        )
        book = load_workbook(io.BytesIO(marked.content))
        sheet, listing = book.worksheets
        assert listing.max_row == 1 + len(body["problems"])
        formula = sheet.cell(row=first + 9, column=TEAM_HEADERS.index("Tên tổ") + 1)
        assert formula.data_type == "s"
        assert str(formula.value).startswith("'=")
        assert formula.comment is not None

    async def test_member_problems_and_legacy_addresses(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph
    ) -> None:
        await self._apply_teams(client, settings)
        registered = await graph.read(
            lambda tx: run(
                tx,
                "MATCH (p:Person) WHERE p.phone STARTS WITH '+8490' "
                "RETURN p.phone AS phone LIMIT 1",
            )
        )
        rows = [
            *GOOD_MEMBERS,
            ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Phạm Văn Sai", "12345",
             None, None],
            ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Trần Thị Thử", "0970000002",
             None, None],
            ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Hoàng Văn Khác",
             "0970000001", None, None],
            ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Người Đã Có",
             registered[0]["phone"], None, None],
            ["00004", None, None, None, "Tổ không có", "Vũ Văn", "0970000009", None, None],
            ["00004", None, None, None, "Tổ CNSCĐ kiểm thử Ba Đình", "Đỗ Văn", "0970000008",
             "Trưởng nhóm", None],
        ]  # fmt: skip
        response = await upload(
            client,
            "dry-run",
            ImportKind.MEMBERS,
            "tv.csv",
            csv_file(MEMBER_HEADERS, rows, "utf-8-sig"),
            national(settings),
        )
        body = response.json()
        n = len(GOOD_MEMBERS) + 2
        assert problems(body) == {
            (n, "Số điện thoại", "INVALID_PHONE"),
            (n + 1, "Số điện thoại", "DUPLICATE"),  # the same person twice in one team
            (n + 2, "Số điện thoại", "DUPLICATE"),  # one phone, two names
            (n + 3, "Số điện thoại", "CONFLICT"),  # a phone the registry gives another name
            (n + 4, "Tên tổ", "NOT_FOUND"),
            (n + 5, "Vai trò", "NOT_IN_VOCABULARY"),
        }

    async def test_headers_match_ignoring_case_diacritics_and_spacing(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        loose = ["ma xa", "MA XA CU", "xa / phuong", "quan/huyen (cu)", "Tinh/Thanh  Pho",
                 "TÊN   TỔ", "thon/ban/to dan pho", "so quyet dinh", "Ngày Quyết Định"]  # fmt: skip
        response = await upload(
            client,
            "dry-run",
            ImportKind.TEAMS,
            "loose.xlsx",
            xlsx(loose, GOOD_TEAMS, title_rows=2),
            national(settings),
        )
        body = response.json()
        assert body["ok"], body["problems"]
        assert body["validRows"] == len(GOOD_TEAMS)

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
    async def test_csv_encodings_read_the_same(
        self, graph: Graph, encoding: str, tmp_path: Path
    ) -> None:
        data = csv_file(TEAM_HEADERS, GOOD_TEAMS, encoding)
        report = await service.dry_run(
            graph, service.Upload(data, "to.csv"), ImportKind.TEAMS, scope=None
        )
        assert report.ok, report.problems
        names = [getattr(r, "name", None) for r in report.plan]
        assert names == [row[5] for row in GOOD_TEAMS]
        explicit = await service.dry_run(
            graph, service.Upload(data, "to.csv", encoding), ImportKind.TEAMS, scope=None
        )
        assert explicit.ok

    async def test_a_dry_run_does_not_confirm_names_outside_the_scope(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph
    ) -> None:
        """The attacker: a provincial coordinator uploading rows with the phone of someone
        elsewhere and guessed names, to see which guess makes the CONFLICT go away."""
        await self._apply_teams(client, settings)
        [elsewhere] = await graph.read(
            lambda tx: run(
                tx,
                """
                MATCH (p:Person)-[m:MEMBER_OF]->(:CommunityTechTeam)-[:OPERATES_IN]->
                      (:AdministrativeUnit)-[:PART_OF]->(:AdministrativeUnit {code: '79',
                                                                          era: 'CURRENT'})
                WHERE p.phone IS NOT NULL AND m.until IS NULL
                  AND NOT EXISTS { (p)-[:HOLDS|HAS_PROFILE]->() }
                  AND COUNT { (:Person {phone: p.phone}) } = 1
                RETURN p.phone AS phone, p.fullName AS name LIMIT 1
                """,
            )
        )
        team = "Tổ CNSCĐ kiểm thử Ba Đình"
        token = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
        answers = []
        for guess in (elsewhere["name"], "Tên Đoán Sai"):
            row = ["00004", None, None, None, team, guess, elsewhere["phone"], None, None]
            data = csv_file(MEMBER_HEADERS, [row])
            response = await upload(client, "dry-run", ImportKind.MEMBERS, "tv.csv", data, token)
            body = response.json()
            assert problems(body) == {(2, "Số điện thoại", "OUT_OF_SCOPE")}, body
            answers.append(body["problems"])
        # The right name and a wrong one get the same answer, and none names the person.
        assert answers[0] == answers[1]
        assert elsewhere["name"] not in str(answers)

    async def _apply_teams(self, client: httpx.AsyncClient, settings: Settings) -> None:
        response = await upload(
            client, "apply", ImportKind.TEAMS, "to.xlsx", xlsx(TEAM_HEADERS, GOOD_TEAMS),
            national(settings),
        )  # fmt: skip
        assert response.status_code == 201, response.text


class TestApply:
    async def test_writes_exactly_the_rows_then_nothing_the_second_time(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph
    ) -> None:
        token = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
        teams = await upload(
            client, "apply", ImportKind.TEAMS, "to.xlsx", xlsx(TEAM_HEADERS, GOOD_TEAMS), token
        )
        assert teams.status_code == 201, teams.text
        batch = teams.json()
        assert batch["rows"] == 4
        assert batch["status"] == "APPLIED"
        assert batch["scope"] == "01"
        after_teams = await snapshot(graph)
        assert len(after_teams["teams"]) == 4
        assert len(after_teams["decisions"]) == 4
        by_name = {t["name"]: t for t in after_teams["teams"]}
        truc_bach = by_name["Tổ CNSCĐ kiểm thử Trúc Bạch"]
        assert truc_bach["unit"] == "CURRENT:COMMUNE:00004"
        assert truc_bach["legacyUnitKey"] == "LEGACY:COMMUNE:00004"
        assert truc_bach["villageKind"] == "TO_DAN_PHO"
        assert by_name["Tổ CNSCĐ kiểm thử Ngọc Hà"]["unit"] == "CURRENT:COMMUNE:00008"
        assert by_name["Tổ CNSCĐ kiểm thử Ba Đình"]["since"] == dt.date(2025, 8, 15)

        members_file = csv_file(MEMBER_HEADERS, GOOD_MEMBERS, "cp1258")
        members = await upload(client, "apply", ImportKind.MEMBERS, "tv.csv", members_file, token)
        assert members.status_code == 201, members.text
        state = await snapshot(graph)
        assert len(state["members"]) == 4
        assert len({m[0] for m in state["members"]}) == 3  # one person in two teams
        assert {m[1] for m in state["members"]} == {"Nguyễn Văn Kiểm", "Trần Thị Thử", "Lê Văn Ba"}

        # Traced back to the file: each change names its row.
        changes = await client.get(
            f"/imports/batches/{members.json()['id']}/changes", headers=token
        )
        traced = changes.json()
        assert sorted({c["row"] for c in traced}) == [2, 3, 4, 5]
        assert {c["entity"] for c in traced} == {"Person", "MEMBER_OF"}

        again = await upload(client, "apply", ImportKind.MEMBERS, "tv.csv", members_file, token)
        assert again.status_code == 201
        assert again.json()["changed"] == 0
        teams_again = await upload(
            client, "apply", ImportKind.TEAMS, "to.xlsx", xlsx(TEAM_HEADERS, GOOD_TEAMS), token
        )
        assert teams_again.json()["changed"] == 0
        assert await snapshot(graph) == state
        listed = (await client.get("/imports/batches", headers=token)).json()
        assert [b["changed"] for b in listed][:2] == [0, 0]
        assert listed[1]["id"] == again.json()["id"]
        assert again.json()["fileHash"] == members.json()["fileHash"]
        assert await graph.read(stale_digests) == {}  # coverage reads them

    async def test_a_file_with_any_problem_applies_nothing(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph
    ) -> None:
        before = await snapshot(graph)
        rows = [*GOOD_TEAMS, ["00004", None, None, None, None, "Tổ E", None, "912/QĐ", "hôm qua"]]
        response = await upload(
            client, "apply", ImportKind.TEAMS, "to.xlsx", xlsx(TEAM_HEADERS, rows),
            national(settings),
        )  # fmt: skip
        assert response.status_code == 422
        assert problems(response.json()) == {(6, "Ngày quyết định", "INVALID_DATE")}
        assert await snapshot(graph) == before
        assert await graph.read(batches.list_batches, None, 10) == []

    async def test_only_coordinators_import(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        data = xlsx(TEAM_HEADERS, GOOD_TEAMS)
        anonymous = await upload(client, "apply", ImportKind.TEAMS, "to.xlsx", data, {})
        assert anonymous.status_code == 403
        officer = bearer(settings, Role.COMMUNE_OFFICER, scope="00004")
        assert (await upload(client, "dry-run", ImportKind.TEAMS, "to.xlsx", data, officer)).status_code == 403  # fmt: skip
        elsewhere = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="79")
        refused = await upload(client, "apply", ImportKind.TEAMS, "to.xlsx", data, elsewhere)
        assert refused.status_code == 422
        assert {p["code"] for p in refused.json()["problems"]} == {"OUT_OF_SCOPE"}

    async def test_a_failure_midway_undoes_the_chunks_already_written(self, graph: Graph) -> None:
        teams = service.Upload(xlsx(TEAM_HEADERS, GOOD_TEAMS), "to.xlsx")
        await service.apply(graph, teams, ImportKind.TEAMS, scope=None, imported_by="test")
        before = await snapshot(graph)
        # A second version of the list: one team's decision re-dated and one new team; it
        # stops after its first chunk of two rows.
        edited = [list(r) for r in GOOD_TEAMS]
        edited[0][8] = "20/08/2025"
        edited.append(["00004", None, None, None, None, "Tổ CNSCĐ kiểm thử mới", None,
                       "913/QĐ-UBND", "19/08/2025"])  # fmt: skip
        edited.insert(0, edited.pop())

        def fail(done: int, total: int) -> None:
            if done < total:
                raise RuntimeError("the connection dropped")

        with pytest.raises(RuntimeError):
            await service.apply(
                graph,
                service.Upload(xlsx(TEAM_HEADERS, edited), "to-2.xlsx"),
                ImportKind.TEAMS,
                scope=None,
                imported_by="test",
                progress=fail,
                chunk_rows=2,
            )
        assert await snapshot(graph) == before
        statuses = [b.status for b in await graph.read(batches.list_batches, None, 10)]
        assert statuses == [batches.BatchStatus.ROLLED_BACK, batches.BatchStatus.APPLIED]

        # Applied for real, then undone: the update is restored, the new team gone.
        done = await service.apply(
            graph,
            service.Upload(xlsx(TEAM_HEADERS, edited), "to-2.xlsx"),
            ImportKind.TEAMS,
            scope=None,
            imported_by="test",
        )
        # The new decision and team; the re-dated decision, and its team's start date, which
        # defaults to the decision's.
        assert done.changed == 4
        await service.rollback(graph, done.id)
        assert await snapshot(graph) == before
        assert await graph.read(stale_digests) == {}  # teams', activity's too

    async def test_the_collector_skips_the_file_while_it_is_written_and_gets_it_back(
        self, graph: Graph
    ) -> None:
        # What is alive when the writing starts (the file's checked rows) is frozen out of the
        # collector's passes (spreadsheets/offloop.py, ``frozen``), and given back however the
        # writing ends: a heap frozen for good would never free its cycles.
        frozen_while: list[int] = []

        def watch(done: int, total: int) -> None:
            frozen_while.append(gc.get_freeze_count())

        teams = service.Upload(xlsx(TEAM_HEADERS, GOOD_TEAMS), "to.xlsx")
        done = await service.apply(
            graph,
            teams,
            ImportKind.TEAMS,
            scope=None,
            imported_by="test",
            progress=watch,
            chunk_rows=2,
        )
        assert len(frozen_while) > 1
        assert min(frozen_while) > 0
        assert gc.get_freeze_count() == 0
        await service.rollback(graph, done.id)
        assert gc.get_freeze_count() == 0

        def fail(done: int, total: int) -> None:
            raise RuntimeError("the connection dropped")

        with pytest.raises(RuntimeError):
            await service.apply(
                graph, teams, ImportKind.TEAMS, scope=None, imported_by="test", progress=fail
            )
        assert gc.get_freeze_count() == 0

    async def test_a_batch_whose_process_died_is_undone_by_the_next_import(
        self, graph: Graph
    ) -> None:
        """A crash (the API, or Neo4j under it) between two chunks leaves half a file and the
        lock: the next import rolls that batch back once it has been idle long enough."""
        before = await snapshot(graph)
        teams = service.Upload(xlsx(TEAM_HEADERS, GOOD_TEAMS), "to.xlsx")
        report = await service.dry_run(graph, teams, ImportKind.TEAMS, scope=None)
        dead = batches.BatchInput("dead", report.file_hash, "to.xlsx", "TEAMS", 4, "test", None)
        await graph.write(batches.begin, dead)
        await graph.write(chunks.apply_chunk, dead.id, report.plan[:2])
        assert await snapshot(graph) != before

        with pytest.raises(Conflict, match="still running"):  # maybe alive: wait
            await service.apply(graph, teams, ImportKind.TEAMS, scope=None, imported_by="test")

        async def idle(tx: Tx) -> None:
            await run(tx, "MATCH (b:ImportBatch {id: 'dead'}) SET b.touched = datetime() - $d",
                      d=service.ABANDONED_AFTER + dt.timedelta(seconds=1))  # fmt: skip

        await graph.write(idle)
        done = await service.apply(graph, teams, ImportKind.TEAMS, scope=None, imported_by="test")
        statuses = {b.id: b.status for b in await graph.read(batches.list_batches, None, 10)}
        assert statuses["dead"] is batches.BatchStatus.ROLLED_BACK
        # Had the dead batch's two teams stayed, this import would have found them and
        # written only the other two, and undoing it would leave them behind.
        await service.rollback(graph, done.id)
        assert await snapshot(graph) == before


FOCAL_HEADERS = ["Cơ quan/Đơn vị", "Tỉnh/Thành phố", "Họ và tên", "Số điện thoại", "Chức vụ",
                 "Hình thức", "Số quyết định", "Ngày quyết định", "Cơ quan ban hành"]  # fmt: skip
GOOD_FOCAL_POINTS: list[list[Any]] = [
    ["Sở Khoa học và Công nghệ Hà Nội", "Hà Nội", "Phan Văn Đầu", "0970000011",
     "Phó Giám đốc Sở", "Kiêm nhiệm", "77/QĐ-SKHCN", "02/09/2025", None],
    ["UBND Phường Ba Đình", None, "Vương Thị Mối", "0970000012", "Công chức văn phòng",
     "Chuyên trách", "78/QĐ-UBND", "03/09/2025", "Ủy ban nhân dân Phường Ba Đình"],
]  # fmt: skip


class TestFocalPoints:
    async def test_apply_then_again_and_the_problems(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph
    ) -> None:
        token = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
        data = xlsx(FOCAL_HEADERS, GOOD_FOCAL_POINTS)
        first = await upload(client, "apply", ImportKind.FOCAL_POINTS, "dm.xlsx", data, token)
        assert first.status_code == 201, first.text
        assert first.json()["changed"] == 6  # two decisions, two people, two posts

        async def posts(tx: Tx) -> list[Any]:
            return await run(
                tx,
                "MATCH (p:Person)-[:HOLDS]->(a:FocalPointAssignment)-[:AT]->(o), "
                "(a)-[:ESTABLISHED_BY]->(d)-[:ISSUED_BY]->(i) WHERE a.id STARTS WITH 'imp-' "
                "RETURN o.id AS org, p.phone AS phone, a.mode AS mode, d.number AS number, "
                "i.id AS issuer ORDER BY org",
            )

        found = [dict(r) for r in await graph.read(posts)]
        assert found == [
            {"org": "so-khcn-01", "phone": "+84970000011", "mode": "PART_TIME",
             "number": "77/QĐ-SKHCN", "issuer": "so-khcn-01"},
            {"org": "ubnd-xa-00004", "phone": "+84970000012", "mode": "FULL_TIME",
             "number": "78/QĐ-UBND", "issuer": "ubnd-xa-00004"},
        ]  # fmt: skip
        again = await upload(client, "apply", ImportKind.FOCAL_POINTS, "dm.xlsx", data, token)
        assert again.json()["changed"] == 0
        assert await graph.read(stale_org_digests) == []  # coverage reads them

        bad = [
            ["Sở Khoa học và Công nghệ Hồ Chí Minh", None, "Ngô Văn", "0970000013",
             None, "Kiêm nhiệm", "79/QĐ", "02/09/2025", None],
            ["Sở Không Có", None, "Ngô Văn", "0970000014", None, "Kiêm nhiệm", "80/QĐ",
             "02/09/2025", None],
            ["Sở Khoa học và Công nghệ Hà Nội", None, "Ngô Văn", "0970000015", None,
             "Bán thời gian", "81/QĐ", "02/09/2025", None],
            ["Sở Khoa học và Công nghệ Hà Nội", None, "Ngô Văn", "0970000016", None,
             "Kiêm nhiệm", None, "02/09/2025", None],
        ]  # fmt: skip
        response = await upload(
            client, "dry-run", ImportKind.FOCAL_POINTS, "dm.csv", csv_file(FOCAL_HEADERS, bad),
            token,
        )  # fmt: skip
        assert problems(response.json()) == {
            (2, "Cơ quan/Đơn vị", "OUT_OF_SCOPE"),
            (3, "Cơ quan/Đơn vị", "NOT_FOUND"),
            (4, "Hình thức", "NOT_IN_VOCABULARY"),
            (5, "Số quyết định", "REQUIRED"),
        }
