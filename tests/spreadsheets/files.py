"""Test helpers: real spreadsheet files built in memory (openpyxl, CSV in each encoding), and
the clean-up of what a test imported."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence

from openpyxl import Workbook

from graph.core.db import Graph, Tx, run
from graph.imports import batches
from spreadsheets import service

Cells = Sequence[Sequence[str | int | None]]


def xlsx(headers: Sequence[str], rows: Cells, *, title_rows: int = 0) -> bytes:
    """An .xlsx as a province would send it, optionally with title lines above the headers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sach"
    for _ in range(title_rows):
        sheet.append(["DANH SÁCH TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"])
    sheet.append(list(headers))
    for row in rows:
        # openpyxl would store "=…" as a formula: what a real sheet with a formula holds.
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cp1258(text: str) -> bytes:
    """CP1258 spells most Vietnamese letters as a base letter plus a combining tone mark, as
    Windows does; Python's codec maps characters one to one, so decompose what it lacks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        # "ậ" is a + dot below + circumflex: CP1258 has "â" and a combining dot below.
        for mark in marks:
            head = unicodedata.normalize("NFC", base + mark)
            rest = "".join(m for m in marks if m != mark)
            try:
                out += (head + rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def csv_file(headers: Sequence[str], rows: Cells, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    value = text.getvalue()
    if encoding == "cp1258":
        return _cp1258(value)
    return value.encode(encoding)


async def undo_all_imports(graph: Graph) -> None:
    """Undo every applied batch (newest first, as a user would) and drop the batches: other
    tests compare coverage with direct counts."""
    for batch in await graph.read(batches.list_batches, None, 1000):
        if batch.status is batches.BatchStatus.APPLIED:
            await service.rollback(graph, batch.id)

    async def drop(tx: Tx) -> None:
        await run(tx, "MATCH (n) WHERE n:ImportBatch OR n:ImportLock DETACH DELETE n")

    await graph.write(drop)
