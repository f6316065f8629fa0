"""`cds import` and `cds export` end to end on the session's Neo4j: exit codes, the report, the
progress bar on stderr, and files that match the API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.cli import main
from graph.core.db import Graph
from graph.core.settings import Settings, get_settings
from tests.spreadsheets.files import csv_file, undo_all_imports
from tests.spreadsheets.test_imports import GOOD_TEAMS, TEAM_HEADERS


@pytest.fixture
def cds_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads its settings from the environment, once per process (``get_settings`` is
    cached): point it at the session's Neo4j and forget any settings read before, or it would
    write into the developer's local Neo4j."""
    monkeypatch.setenv("NEO4J_URI", settings.neo4j_uri or "")
    monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("CDS_ENVIRONMENT", "test")
    get_settings.cache_clear()
    assert get_settings().neo4j_uri == settings.neo4j_uri
    yield
    get_settings.cache_clear()


def cds(*argv: str) -> Awaitable[int]:
    """The CLI in a thread: it runs its own event loop, the test keeps the session's."""
    return asyncio.to_thread(main, list(argv))


@pytest.mark.usefixtures("cds_env")
async def test_import_dry_run_then_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], graph: Graph
) -> None:
    bad = tmp_path / "to-loi.csv"
    bad.write_bytes(
        csv_file(TEAM_HEADERS, [*GOOD_TEAMS, ["00004", None, None, None, None, "=1+1", None,
                                              "1/QĐ", "01/09/2025"]], "cp1258")
    )  # fmt: skip
    report = tmp_path / "loi.xlsx"
    code = await cds("import", "dry-run", str(bad), "--kind", "teams", "--report", str(report))
    out = capsys.readouterr().out
    assert code == 1
    assert "to-loi.csv!6 [Tên tổ] '=1+1'" in out
    assert load_workbook(report).sheetnames == ["to-loi.csv", "Loi"]
    assert await cds("import", "apply", str(bad), "--kind", "teams") == 1

    good = tmp_path / "to.csv"
    good.write_bytes(csv_file(TEAM_HEADERS, GOOD_TEAMS, "cp1258"))
    try:
        assert await cds("import", "apply", str(good), "--kind", "teams", "--chunk-rows", "2") == 0
        captured = capsys.readouterr()
        assert "4 rows, 8 change(s), APPLIED" in captured.out
        assert "4/4 rows" in captured.err
        assert "rows/s" in captured.err
        assert "ETA" in captured.err
        assert await cds("import", "batches") == 0
        assert "to.csv" in capsys.readouterr().out
    finally:
        await undo_all_imports(graph)


@pytest.mark.usefixtures("cds_env")
async def test_export_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bao-phu.xlsx"
    code = await cds(
        "export", "coverage", "--scope", "01", "--as-of", "2025-09-01", "--out", str(out)
    )
    assert code == 0
    sheet = load_workbook(out).worksheets[0]
    assert sheet["A1"].value == "Mã"
    assert sheet.max_row > 2
    assert await cds("export", "coverage", "--scope", "9") == 1
    assert "error: scopeCode: must be a province code" in capsys.readouterr().err
    assert await cds("export", "coverage", "--scope", "99") == 1
    assert "not found" in capsys.readouterr().err
