"""Dry-run and apply: the two things the CLI and the REST endpoints do with an uploaded file.

``dry_run`` reads the file, checks every row (``rows``) and what only the graph can tell (the
team a member joins exists, the organisation named is one and only one, a phone is not another
person's), writes nothing, and returns the report plus the rows ready to write. ``apply`` runs
the same dry run, refuses the file if it has any problem, then writes it in chunks as one import
batch (``graph/imports/batches.py`` explains how a failed batch is undone).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.core.db import Graph
from graph.core.errors import GraphUnavailable
from graph.imports import apply as chunks
from graph.imports import batches as imports
from graph.imports.apply import (
    AnyImport,
)
from graph.imports.batches import BatchInput, BatchRecord
from spreadsheets.checks import (
    check_activities,
    check_focal_points,
    check_members,
    check_organisations,
    check_teams,
)
from spreadsheets.columns import ImportKind
from spreadsheets.files import DEFAULT_LIMITS, FileError, Limits, Table, read_sheet, to_xlsx
from spreadsheets.offloop import COLLECTOR, off_loop
from spreadsheets.rows import (
    Parsed,
    Problem,
    is_header,
    parse_rows,
)

# Rows per write transaction: big enough that a 100,000-row file is ~20 round trips of work,
# small enough that one transaction's changes stay a few megabytes in Neo4j's heap.
CHUNK_ROWS = 5_000

# A running batch untouched for this long lost its process (a chunk takes seconds): the next
# import rolls it back instead of waiting for a lock no one will release.
ABANDONED_AFTER = dt.timedelta(minutes=10)

# Rollbacks waiting for Neo4j to return; a reference keeps each task alive until it ends.
_RETRIES: set[asyncio.Task[None]] = set()

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (rows written, rows in the file)


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    file_name: str
    encoding: str | None = None  # CSV only; None: UTF-8 (with or without BOM), else CP1258

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Report:
    kind: ImportKind
    file_name: str
    file_hash: str
    sheet: str
    rows: int
    problems: list[Problem]
    plan: list[AnyImport] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "fileName": self.file_name,
            "fileHash": self.file_hash,
            "sheet": self.sheet,
            "rows": self.rows,
            "validRows": len(self.plan),
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
        }


class ImportRefused(Exception):
    """apply was given a file with problems: nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"{len(report.problems)} problem(s) in {report.file_name}: nothing written"
        )
        self.report = report


_CHECKS = {
    ImportKind.TEAMS: check_teams,
    ImportKind.MEMBERS: check_members,
    ImportKind.FOCAL_POINTS: check_focal_points,
    ImportKind.ACTIVITIES: check_activities,
    ImportKind.ORGANISATIONS: check_organisations,
}


def _read_and_parse(
    upload: Upload, name: str, kind: ImportKind, scope: str | None, today: dt.date, limits: Limits
) -> Parsed:
    sheet = read_sheet(upload.data, name, is_header(kind), encoding=upload.encoding, limits=limits)
    return parse_rows(kind, sheet, scope, today)


def _report(
    kind: ImportKind, name: str, upload: Upload, parsed: Parsed, plan: list[AnyImport]
) -> Report:
    problems = sorted(parsed.problems, key=lambda p: (p.row, p.column))
    if not parsed.total_rows:
        problems.append(
            Problem(parsed.sheet, 0, "", None, "the file has no data rows", "EMPTY_FILE")
        )
    return Report(
        kind,
        name,
        upload.sha256,
        parsed.sheet,
        parsed.total_rows,
        problems,
        [] if problems else plan,
    )


async def dry_run(
    graph: Graph,
    upload: Upload,
    kind: ImportKind,
    *,
    scope: str | None,
    today: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Every problem of the file, and the rows ready to write when there is none. ``scope``: the
    current province code the importer is bound to (None: national).

    Reading and checking rows is seconds of CPU for a big file, so it runs in a worker thread
    and the event loop (the API's other requests) only runs the graph look-ups. A thread, not a
    process: bench/upload_latency.py measures what this leaves for the other requests."""
    name = upload.file_name.rsplit("/", 1)[-1]
    try:
        try:
            parsed = await off_loop(
                _read_and_parse, upload, name, kind, scope, today or dt.date.today(), limits
            )
        except FileError as error:
            problem = Problem(name, error.row, error.column, error.value, error.reason, error.code)
            digest = await asyncio.to_thread(lambda: upload.sha256)
            return Report(kind, name, digest, name, 0, [problem])
        plan: list[AnyImport] = []
        if parsed.rows:
            plan = await _CHECKS[kind](graph, parsed, scope)
        return await off_loop(_report, kind, name, upload, parsed, plan)
    finally:
        COLLECTOR.thaw()


async def rollback(graph: Graph, batch_id: str, chunk_rows: int = CHUNK_ROWS) -> BatchRecord:
    """Undo a batch's changes (compensation), chunk by chunk, and mark it ROLLED_BACK."""
    with COLLECTOR.frozen():
        for entity in imports.UNDO_ORDER:
            while await graph.write(imports.undo_chunk, batch_id, entity, chunk_rows):
                pass
        await imports.rebuild_noted(graph, batch_id)
        return await graph.write(imports.mark_rolled_back, batch_id)


async def apply(
    graph: Graph,
    upload: Upload,
    kind: ImportKind,
    *,
    scope: str | None,
    imported_by: str | None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    report: Report | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BatchRecord:
    """Write a file with no problems as one batch, or raise ImportRefused having written
    nothing. ``report``: a dry run of this same upload already made (the CLI shows it first)."""
    if report is None or report.file_hash != await asyncio.to_thread(lambda: upload.sha256):
        report = await dry_run(graph, upload, kind, scope=scope, limits=limits)
    if not report.ok:
        raise ImportRefused(report)
    batch = BatchInput(
        uuid.uuid4().hex,
        report.file_hash,
        report.file_name,
        kind.value,
        report.rows,
        imported_by,
        scope,
    )
    if stale := await graph.read(imports.abandoned, ABANDONED_AFTER):
        log.warning("rolling back import batch %s, abandoned by its process", stale)
        await rollback(graph, stale, chunk_rows)
    await graph.write(imports.begin, batch)
    try:
        with COLLECTOR.frozen():
            await _write_chunks(graph, batch.id, report.plan, chunk_rows, progress)
            await imports.rebuild_noted(graph, batch.id)
            return await graph.write(imports.finish, batch.id)
    except BaseException:
        # Whatever stopped us (Neo4j gone, Ctrl-C), what was written must go: now, or, when
        # Neo4j itself is what went away, as soon as it is back.
        try:
            await rollback(graph, batch.id, chunk_rows)
        except GraphUnavailable:
            task = asyncio.create_task(_rollback_when_back(graph, batch.id, chunk_rows))
            _RETRIES.add(task)
            task.add_done_callback(_RETRIES.discard)
        raise


async def _write_chunks(
    graph: Graph,
    batch_id: str,
    plan: list[AnyImport],
    chunk_rows: int,
    progress: Progress | None,
) -> None:
    """Write the plan in chunks, one transaction each, as many at once as ``at_once`` allows.
    Whether it ends or fails, no chunk is still being written when this returns: a rollback
    must find every chunk either committed or not."""
    most = chunks.at_once(plan)
    running: list[asyncio.Task[int]] = []
    done = 0
    try:
        for start in range(0, len(plan), chunk_rows):
            chunk = plan[start : start + chunk_rows]
            running.append(asyncio.create_task(graph.write(chunks.apply_chunk, batch_id, chunk)))
            last = start + chunk_rows >= len(plan)
            while len(running) >= most or (running and last):
                await running.pop(0)
                done = min(len(plan), done + chunk_rows)
                if progress:
                    progress(done, len(plan))
    finally:
        await asyncio.gather(*running, return_exceptions=True)


async def _rollback_when_back(graph: Graph, batch_id: str, chunk_rows: int) -> None:
    """Retry a rollback Neo4j's absence stopped, every few seconds, until it is done. Should
    this process end first, the next import finds the batch abandoned and rolls it back."""
    delay = 1.0
    while True:
        await asyncio.sleep(delay)
        try:
            await rollback(graph, batch_id, chunk_rows)
        except GraphUnavailable:
            delay = min(delay * 2, 30.0)
            continue
        log.warning("rolled back import batch %s after Neo4j came back", batch_id)
        return


def report_xlsx(upload: Upload, report: Report, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The uploaded sheet again, every problem cell filled and commented, a "Loi" column with
    the row's reasons, and a sheet listing the problems (sheet, row, column, value, reason).
    Seconds of CPU for a big file: the API calls it in a worker thread."""
    listing = Table(
        "Loi",
        ["Trang tính", "Dòng", "Cột", "Giá trị", "Lý do", "Mã lỗi"],
        [[p.sheet, p.row, p.column, p.value, p.reason, p.code] for p in report.problems],
        widths=[16, 8, 20, 30, 70, 20],
    )
    try:
        sheet = read_sheet(
            upload.data,
            report.file_name,
            is_header(report.kind),
            encoding=upload.encoding,
            limits=limits,
        )
    except FileError:
        return to_xlsx([listing])
    position = {h: i for i, h in enumerate(sheet.headers) if h}
    by_row: dict[int, list[Problem]] = {}
    for p in report.problems:
        by_row.setdefault(p.row, []).append(p)
    width = len(sheet.headers)
    rows: list[list[Any]] = []
    marks: dict[tuple[int, int], str] = {}
    for index, (number, cells) in enumerate(sheet.rows):
        found = by_row.get(number, [])
        rows.append([*cells, *[None] * (width - len(cells)), "; ".join(p.reason for p in found)])
        for p in found:
            column = position.get(p.column, width)
            marks[(index, column)] = f"{p.column}: {p.reason}"
    marked = Table(sheet.name, [*(h or "" for h in sheet.headers), "Lỗi"], rows, marks)
    return to_xlsx([marked, listing])
