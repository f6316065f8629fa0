"""What the spreadsheet benches share (bench.imports, bench.activity): one sheet's dry run,
apply, the same file again (nothing to change) and the rollback, each printed with its seconds,
rows/s and this process's peak resident memory."""

from __future__ import annotations

import time

from bench import peak_rss_mib
from graph.core.db import Graph
from spreadsheets import service
from spreadsheets.cli import ProgressBar
from spreadsheets.columns import ImportKind


def step(label: str, seconds: float, rows: int, extra: str = "") -> None:
    print(
        f"{label:<26}{seconds:8.1f} s {rows / max(seconds, 1e-9):10,.0f} rows/s "
        f"peak RSS {peak_rss_mib():6,.0f} MiB  {extra}",
        flush=True,
    )


async def apply_twice(
    graph: Graph, upload: service.Upload, kind: ImportKind, rows: int, label: str
) -> list[str]:
    """Dry run, apply and apply the same file again; the batches to roll back, newest first.
    A sheet the dry run refuses ends the bench with its first problems."""
    began = time.perf_counter()
    report = await service.dry_run(graph, upload, kind, scope=None)
    step(f"{label} dry run", time.perf_counter() - began, rows, f"{len(report.problems)} problems")
    if not report.ok:
        for p in report.problems[:10]:
            print(f"  {p.row} {p.column} {p.value!r}: {p.reason}")
        raise SystemExit(1)
    began = time.perf_counter()
    batch = await service.apply(
        graph,
        upload,
        kind,
        scope=None,
        imported_by="bench",
        report=report,
        progress=ProgressBar(f"{label} apply"),
    )
    step(f"{label} apply", time.perf_counter() - began, rows, f"{batch.changed:,} changes")
    began = time.perf_counter()
    again = await service.apply(graph, upload, kind, scope=None, imported_by="bench")
    step(
        "same file again",
        time.perf_counter() - began,
        rows,
        f"{again.changed} changes (dry run included)",
    )
    return [again.id, batch.id]


async def roll_back(graph: Graph, batches: list[str], rows: int, label: str) -> None:
    began = time.perf_counter()
    for batch in batches:
        await service.rollback(graph, batch)
    step(f"{label} rollback", time.perf_counter() - began, rows)
