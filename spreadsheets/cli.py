"""`cds import dry-run|apply|rollback|batches` and `cds export coverage|gaps|ranking`: the
spreadsheet commands, kept out of api/cli.py, which only registers them.

Expected failures (a file with problems, an unreadable file, an unknown scope) print what to do
and exit 1; a file with problems lists each as sheet!row, column, value, reason.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import json
import sys
import time
from pathlib import Path

from graph.core.connection import open_graph
from graph.core.db import Graph
from graph.core.errors import DomainError
from graph.core.settings import Settings
from graph.imports import batches
from graph.reports.gaps import GapKind
from graph.reports.ranking import RankingMetric
from spreadsheets import exports, service
from spreadsheets.columns import ImportKind
from spreadsheets.files import ENCODINGS, Limits


class ProgressBar:
    """rows done / total, rows per second and time left, redrawn in place on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0.0
        filled = int(30 * done / total) if total else 30
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} rows "
            f"{rate:,.0f} rows/s ETA {int(eta) // 60}:{int(eta) % 60:02d} "
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _print_report(report: service.Report) -> None:
    print(f"{report.file_name}: {report.rows} rows, {len(report.problems)} problem(s)")
    for p in report.problems:
        print(f"  {p.sheet}!{p.row} [{p.column}] {p.value!r}: {p.reason}")


async def _import(args: argparse.Namespace, graph: Graph, settings: Settings) -> int:
    kind = ImportKind(args.kind)
    path = Path(args.file)
    upload = service.Upload(path.read_bytes(), path.name, args.encoding)
    limits = Limits.for_rows(settings.import_max_rows)
    report = await service.dry_run(graph, upload, kind, scope=args.province, limits=limits)
    _print_report(report)
    if args.report:
        out = Path(args.report)
        if out.suffix == ".xlsx":
            out.write_bytes(service.report_xlsx(upload, report, limits))
        else:
            out.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        print(f"report written to {out}")
    if args.action == "dry-run":
        return 0 if report.ok else 1
    if not report.ok:
        print("error: the file has problems; nothing was written", file=sys.stderr)
        return 1
    batch = await service.apply(
        graph,
        upload,
        kind,
        scope=args.province,
        imported_by=args.by,
        progress=ProgressBar("import"),
        chunk_rows=args.chunk_rows,
        report=report,
        limits=limits,
    )
    print(f"batch {batch.id}: {batch.rows} rows, {batch.changed} change(s), {batch.status}")
    return 0


async def _rollback(args: argparse.Namespace, graph: Graph) -> int:
    batch = await service.rollback(graph, args.batch)
    print(f"batch {batch.id}: {batch.status}")
    return 0


async def _batches(args: argparse.Namespace, graph: Graph) -> int:
    for b in await graph.read(batches.list_batches, args.province, args.first):
        print(
            f"{b.id}  {b.at:%Y-%m-%d %H:%M}  {b.status:<11} {b.kind:<12} {b.rows:>7} rows "
            f"{b.changed:>7} changes  {b.file_name}  sha256:{b.file_hash[:12]}  {b.imported_by}"
        )
    return 0


async def _export(args: argparse.Namespace, graph: Graph, settings: Settings) -> int:
    request = exports.ExportRequest(
        kind=exports.ExportKind(args.report),
        format=exports.ExportFormat(args.format),
        scope_code=args.scope,
        as_of=args.as_of or dt.date.today(),
        gap_kind=GapKind(args.gap),
        metric=RankingMetric(args.metric),
        team_min_size=settings.team_min_size,
        team_min_size_by_province=tuple(sorted(settings.team_min_size_by_province.items())),
    )
    file = await exports.export(graph, request)
    out = Path(args.out or file.file_name)
    out.write_bytes(file.data)
    print(f"written {out} ({len(file.data):,} bytes)")
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    async def body() -> int:
        graph = await open_graph(settings)
        try:
            if args.command == "export":
                return await _export(args, graph, settings)
            if args.action == "rollback":
                return await _rollback(args, graph)
            if args.action == "batches":
                return await _batches(args, graph)
            return await _import(args, graph, settings)
        finally:
            await graph.close()

    try:
        return asyncio.run(body())
    except (DomainError, service.ImportRefused, OSError) as error:
        # GraphUnavailable is a DomainError too: cds's main prints those the same way.
        print(f"error: {error}", file=sys.stderr)
        return 1


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser(
        "import",
        help="import a province's teams, members or focal points from .xlsx/.csv",
        description="dry-run checks every row and writes nothing; apply writes a file with no "
        "problem as one batch (all or nothing); rollback undoes a batch; batches lists them.",
    )
    imp.add_argument("action", choices=["dry-run", "apply", "rollback", "batches"])
    imp.add_argument("file", nargs="?", help="the .xlsx or .csv file (dry-run, apply)")
    imp.add_argument("--kind", choices=[k.value for k in ImportKind])
    imp.add_argument(
        "--encoding", choices=ENCODINGS, help="CSV encoding (default: UTF-8, else CP1258)"
    )
    imp.add_argument("--province", help="refuse rows outside this current province code")
    imp.add_argument("--report", help="also write the report: FILE.json or FILE.xlsx")
    imp.add_argument("--by", default=f"cli:{getpass.getuser()}", help="recorded as importedBy")
    imp.add_argument("--batch", help="the batch id (rollback)")
    imp.add_argument("--first", type=int, default=20, help="how many batches to list")
    imp.add_argument(
        "--chunk-rows", type=int, default=service.CHUNK_ROWS, help="rows per transaction"
    )
    imp.set_defaults(func=_checked_import)

    exp = sub.add_parser("export", help="coverage, gap list or ranking as CSV or .xlsx")
    exp.add_argument("report", choices=[k.value for k in exports.ExportKind])
    exp.add_argument("--format", choices=[f.value for f in exports.ExportFormat], default="xlsx")
    exp.add_argument("--scope", help="province (or, before 2025-07-01, district) code")
    exp.add_argument("--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD (default today)")
    exp.add_argument("--gap", choices=[k.value for k in GapKind], default="COMMUNE_WITHOUT_TEAM")
    exp.add_argument("--metric", choices=[m.value for m in RankingMetric], default="TEAM_COVERAGE")
    exp.add_argument("--out", help="output file (default: a name with report, scope, date)")
    exp.set_defaults(func=_run)


def _checked_import(args: argparse.Namespace, settings: Settings) -> int:
    needs = {"dry-run": ("file", "kind"), "apply": ("file", "kind"), "rollback": ("batch",)}
    missing = [name for name in needs.get(args.action, ()) if not getattr(args, name)]
    if missing:
        print(f"error: import {args.action} needs {' and '.join(missing)}", file=sys.stderr)
        return 2
    return _run(args, settings)
