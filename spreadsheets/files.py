"""Reading uploaded sheets (.xlsx, .csv in UTF-8, UTF-8 with BOM or CP1258) into plain text cells,
and writing sheets (.xlsx, .csv) with spreadsheet formulas neutralised.

Every cell is read as text: openpyxl is opened without ``data_only`` so a formula cell arrives as
its source ("=HYPERLINK(…)"), never as a value Excel computed, and the row checks flag it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

ENCODINGS = ("utf-8", "utf-8-sig", "cp1258")
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Excel and LibreOffice also start a formula after a tab or carriage return.
_INJECTION_PREFIXES = (*FORMULA_PREFIXES, "\t", "\r")
HEADER_SEARCH_ROWS = 10  # real sheets often carry a title and a blank line above the headers


class FileError(Exception):
    """The file cannot be read at all (not a spreadsheet, an unknown encoding, no header row)."""


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    header_row: int  # 1-based, as a spreadsheet shows it
    headers: list[str | None]
    rows: list[tuple[int, list[str | None]]]  # (row number, cells) for non-empty rows


def cell_text(value: Any) -> str | None:
    """A cell as NFC text, trimmed; None when empty. Dates become ISO, whole floats integers
    (Excel stores 912345678 as 912345678.0)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def decode(data: bytes, encoding: str | None) -> str:
    """Strict UTF-8 first (BOM or not), then CP1258, unless the caller names the encoding.
    UTF-8 is tried first because CP1258 decodes almost any byte string without error."""
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise FileError(f"the file is not valid {encoding}: {error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        raise FileError("the file is neither UTF-8 nor Windows-1258: save it as UTF-8") from None


def _find_header(
    rows: Iterable[tuple[int, list[str | None]]], is_header: Any
) -> tuple[int, list[str | None], list[tuple[int, list[str | None]]]]:
    it = iter(rows)
    for number, cells in it:
        if is_header(cells):
            rest = [(n, c) for n, c in it if any(v is not None for v in c)]
            return number, cells, rest
        if number >= HEADER_SEARCH_ROWS:
            break
    raise FileError(
        f"no header row in the first {HEADER_SEARCH_ROWS} rows: use the template's headers"
    )


def _csv_rows(text: str) -> Iterator[tuple[int, list[str | None]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, record in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        yield number, [cell_text(v) for v in record]


def _xlsx_rows(data: bytes) -> tuple[str, Iterator[tuple[int, list[str | None]]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise FileError(f"not a readable .xlsx file ({error.__class__.__name__})") from None
    sheet = book.worksheets[0]

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]

    return sheet.title, rows()


def read_sheet(
    data: bytes, file_name: str, is_header: Any, *, encoding: str | None = None
) -> Sheet:
    """The first worksheet of an .xlsx, or a CSV; ``is_header(cells)`` recognises the header
    row."""
    if file_name.lower().endswith(".xlsx"):
        name, rows = _xlsx_rows(data)
    elif file_name.lower().endswith(".csv"):
        name, rows = file_name.rsplit("/", 1)[-1], _csv_rows(decode(data, encoding))
    else:
        raise FileError("only .xlsx and .csv files can be imported")
    header_row, headers, body = _find_header(rows, is_header)
    return Sheet(name, header_row, headers, body)


def looks_like_formula(text: str) -> bool:
    return text.startswith(_INJECTION_PREFIXES)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, which Excel and
    LibreOffice show as text (OWASP's advice for CSV injection); numbers pass unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet to write: a title, labelled columns and rows of plain values."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    marks: dict[tuple[int, int], str] | None = None  # (row index, column index) → comment
    widths: Sequence[int] | None = None


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM: Excel opens it with the right Vietnamese letters (without the BOM it
    assumes the ANSI code page)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_PROBLEM_FILL = PatternFill("solid", fgColor="F8CBAD")


def _format_sheet(ws: Worksheet, table: Table) -> None:
    for cell in ws[1]:
        cell.fill = _HEADER_FILL
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A2"
    for index, header in enumerate(table.headers):
        width = table.widths[index] if table.widths else None
        if width is None:
            sample = [header, *(r[index] for r in table.rows[:200] if index < len(r))]
            width = min(60, max(10, *(len(str(v)) + 2 for v in sample if v is not None)))
        ws.column_dimensions[get_column_letter(index + 1)].width = width


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one formatted sheet per table: coloured bold header, frozen first row,
    column widths from the content; marked cells filled and commented."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in tables:
        ws = book.create_sheet(table.title[:31])  # Excel's limit on sheet names
        ws.append([neutralise(h) for h in table.headers])
        for row in table.rows:
            ws.append([neutralise(v) for v in row])
        for (r, c), comment in (table.marks or {}).items():
            cell = ws.cell(row=r + 2, column=c + 1)
            cell.fill = _PROBLEM_FILL
            cell.comment = Comment(comment, "cds")
        _format_sheet(ws, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
