"""Reading uploaded sheets (.xlsx, .csv in UTF-8, UTF-8 with BOM or CP1258) into plain text cells,
and writing sheets (.xlsx, .csv) with spreadsheet formulas neutralised.

Every cell is read as text: openpyxl is opened without ``data_only`` so a formula cell arrives as
its source ("=HYPERLINK(…)"), never as a value Excel computed, and the row checks flag it.

Uploads come from outside, so reading is bounded (``Limits``): rows, cells and the length of one
cell are counted while the rows stream, and an .xlsx is refused from its zip directory when its
parts would unpack to more than openpyxl should hold in memory. Each limit that is hit is one
``FileError`` naming the limit, and the row and column when there is one.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

ENCODINGS = ("utf-8", "utf-8-sig", "cp1258")
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Excel and LibreOffice also start a formula after a tab or carriage return.
_INJECTION_PREFIXES = (*FORMULA_PREFIXES, "\t", "\r")
HEADER_SEARCH_ROWS = 10  # real sheets often carry a title and a blank line above the headers


class FileCode:
    UNREADABLE = "UNREADABLE_FILE"
    ENCODING = "UNSUPPORTED_ENCODING"
    TOO_LARGE = "FILE_TOO_LARGE"
    CELL_TOO_LONG = "CELL_TOO_LONG"


class FileError(Exception):
    """The file cannot be read (not a spreadsheet, an unknown encoding, no header row, over a
    limit); ``row`` and ``column`` say where when it is one place (0 and "": the whole file)."""

    def __init__(
        self,
        reason: str,
        *,
        code: str = FileCode.UNREADABLE,
        row: int = 0,
        column_index: int | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.row = row
        self.column_index = column_index  # 0-based
        self.value = value
        self.column = (
            "" if column_index is None else f"column {get_column_letter(column_index + 1)}"
        )

    def under(self, headers: Sequence[str | None]) -> FileError:
        """The same error, its column named by the file's header when it has one."""
        index = self.column_index
        if index is not None and index < len(headers) and headers[index]:
            self.column = str(headers[index])
        return self


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may hold. The README promises 100,000 rows; 120,000 leaves headroom for
    title lines, blank lines and a list that grew. Columns past ``max_columns`` are not read (no
    template has more than a dozen); a cell is at most Excel's own limit of 32,767 characters.
    openpyxl holds an .xlsx's shared strings (and every part but the sheets, which it streams) in
    memory whole, hence the separate cap on those."""

    max_rows: int = 120_000
    max_cells: int = 120_000 * 16
    max_columns: int = 100
    max_cell_chars: int = 32_767
    max_xlsx_part_bytes: int = 32 * 2**20  # any part openpyxl reads whole (sharedStrings.xml)
    max_xlsx_unpacked_bytes: int = 256 * 2**20  # all parts together, the sheets included

    @classmethod
    def for_rows(cls, rows: int) -> Limits:
        """The limits for ``rows`` rows (``CDS_IMPORT_MAX_ROWS``): cells grow with them."""
        return cls(max_rows=rows, max_cells=rows * CELLS_PER_ROW)


CELLS_PER_ROW = 16  # filled cells a row may average: the widest template has a dozen columns
DEFAULT_LIMITS = Limits()  # what graph.core.settings defaults to: import_max_rows=120_000


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


# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _refuse_wide_or_binary(data: bytes) -> None:
    """UTF-16 (Excel's "Unicode Text") and UTF-32 are refused with what to do, rather than
    decoded: the templates and the README say UTF-8, and a CP1258 fallback would otherwise turn
    them into text full of NUL characters that the csv module cannot read."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise FileError(
                f"the file is {name} (it starts with a {name} byte-order mark): "
                "save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)",
                code=FileCode.ENCODING,
            )
    nul = data.find(b"\0")
    if nul < 0:
        return
    head = data[:4096]
    if head.count(0) * 4 >= len(head):
        raise FileError(
            "the file looks like UTF-16 or UTF-32 without a byte-order mark (every other byte "
            "is zero): save it as CSV UTF-8",
            code=FileCode.ENCODING,
        )
    raise FileError(
        f"the file contains a NUL byte (at byte {nul:,}): it is not a text CSV",
        code=FileCode.ENCODING,
    )


def decode(data: bytes, encoding: str | None) -> str:
    """Strict UTF-8 first (BOM or not), then CP1258, unless the caller names the encoding.
    UTF-8 is tried first because CP1258 decodes almost any byte string without error."""
    _refuse_wide_or_binary(data)
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise FileError(
                f"the file is not valid {encoding}: {error}", code=FileCode.ENCODING
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        raise FileError(
            "the file is neither UTF-8 nor Windows-1258: save it as UTF-8", code=FileCode.ENCODING
        ) from None


Row = tuple[int, list[str | None]]  # (row number as the spreadsheet shows it, cells)


def _find_header(rows: Iterable[Row], is_header: Any) -> tuple[int, list[str | None], list[Row]]:
    it = iter(rows)
    for number, cells in it:
        if is_header(cells):
            try:
                rest = [(n, c) for n, c in it if any(v is not None for v in c)]
            except FileError as error:
                raise error.under(cells) from None
            return number, cells, rest
        if number >= HEADER_SEARCH_ROWS:
            break
    raise FileError(
        f"no header row in the first {HEADER_SEARCH_ROWS} rows: use the template's headers"
    )


def _limited(rows: Iterable[tuple[int, Sequence[Any]]], limits: Limits) -> Iterator[Row]:
    """Rows as text cells, each limit checked as the rows stream by, before the next is read."""
    cells = 0
    for number, values in rows:
        if number > limits.max_rows:
            raise FileError(
                f"more than {limits.max_rows:,} rows, the most one file may hold: split the file",
                code=FileCode.TOO_LARGE,
                row=number,
            )
        texts = [cell_text(v) for v in values[: limits.max_columns]]
        for index, text in enumerate(texts):
            if text is None:
                continue
            cells += 1
            if len(text) > limits.max_cell_chars:
                raise FileError(
                    f"a cell of {len(text):,} characters, more than the "
                    f"{limits.max_cell_chars:,} a cell may hold",
                    code=FileCode.CELL_TOO_LONG,
                    row=number,
                    column_index=index,
                    value=text[:40] + "…",
                )
        if cells > limits.max_cells:
            raise FileError(
                f"more than {limits.max_cells:,} filled cells, the most one file may hold: "
                "split the file",
                code=FileCode.TOO_LARGE,
                row=number,
            )
        yield number, texts


def _long_field(text: str, delimiter: str, quotechar: str | None, limit: int) -> tuple[int, str]:
    """The position and beginning of the first field longer than ``limit`` in the text of a
    CSV record the csv module refused: it does not say which field it was reading."""
    index, start, quoted = 0, 0, False
    for position, ch in enumerate(text):
        if ch == quotechar:
            quoted = not quoted  # a doubled quote inside a field flips twice: no change
        elif ch == delimiter and not quoted:
            index, start = index + 1, position + 1
        elif position - start > limit:
            break
    return index, text[start : start + 40].lstrip(quotechar or "")


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The lines of the record being read, so that a record the csv module refuses (a field over
    # its field_size_limit, 131,072 characters) can be reported with its column.
    pending: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text):
            pending.append(line)
            yield line

    reader = csv.reader(lines(), dialect)
    number = 0
    while True:
        pending.clear()
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                limit = csv.field_size_limit()
                index, start = _long_field(
                    "".join(pending), dialect.delimiter, dialect.quotechar, limit
                )
                raise FileError(
                    f"a cell of more than {limit:,} characters",
                    code=FileCode.CELL_TOO_LONG,
                    row=number + 1,
                    column_index=index,
                    value=start + "…",
                ) from None
            raise FileError(f"not a readable CSV: {error}", row=number + 1) from None
        number += 1
        yield number, record


def _check_xlsx_sizes(data: bytes, limits: Limits) -> None:
    """Sizes from the zip's central directory, before openpyxl inflates anything: a few hundred
    kilobytes of repeated text can unpack to a hundred megabytes. zipfile never inflates an entry
    past its declared size, so the directory cannot understate what will be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise FileError("not a readable .xlsx file (not a zip archive)") from None
    total = sum(p.file_size for p in parts)
    if total > limits.max_xlsx_unpacked_bytes:
        raise FileError(
            f"the workbook unpacks to {total / 2**20:,.0f} MB, more than the "
            f"{limits.max_xlsx_unpacked_bytes // 2**20} MB a workbook may unpack to: "
            "keep only the list's sheet, or send it as CSV",
            code=FileCode.TOO_LARGE,
        )
    for part in parts:
        if part.filename.startswith("xl/worksheets/"):
            continue  # streamed by openpyxl's read-only mode; rows and cells are counted
        if part.file_size > limits.max_xlsx_part_bytes:
            what = (
                "the shared strings (the workbook's text)"
                if part.filename.lower().endswith("sharedstrings.xml")
                else part.filename
            )
            raise FileError(
                f"{what} unpack to {part.file_size / 2**20:,.0f} MB, more than the "
                f"{limits.max_xlsx_part_bytes // 2**20} MB allowed: "
                "a list of 100,000 rows needs a few MB; send it as CSV",
                code=FileCode.TOO_LARGE,
            )


def _xlsx_rows(data: bytes, limits: Limits) -> tuple[str, Iterator[tuple[int, Sequence[Any]]]]:
    _check_xlsx_sizes(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise FileError(f"not a readable .xlsx file ({error.__class__.__name__})") from None
    if not isinstance(sheet, ReadOnlyWorksheet):
        raise FileError("the first sheet is not a worksheet (a chart sheet?)")
    # The sheet's declared size (<dimension ref="A1:XFD1048576"/>) would make openpyxl pad every
    # row to it, and add empty rows up to its last: read the cells that are there instead (each
    # row as wide as its last cell; _limited reads max_columns of them).
    sheet.reset_dimensions()

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        values = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                cells = next(values)
            except StopIteration:
                return
            except Exception as error:  # a damaged sheet: bad XML, a bad CRC, a bad cell type
                raise FileError(
                    f"not a readable .xlsx file after row {number} ({error.__class__.__name__})",
                    row=number + 1,
                ) from None
            number += 1
            yield number, cells

    return sheet.title, rows()


def read_sheet(
    data: bytes,
    file_name: str,
    is_header: Any,
    *,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Sheet:
    """The first worksheet of an .xlsx, or a CSV; ``is_header(cells)`` recognises the header
    row. Raises FileError for a file that cannot be read or is over a limit."""
    rows: Iterator[tuple[int, Sequence[Any]]]
    if file_name.lower().endswith(".xlsx"):
        name, rows = _xlsx_rows(data, limits)
    elif file_name.lower().endswith(".csv"):
        name, rows = file_name.rsplit("/", 1)[-1], _csv_rows(decode(data, encoding))
    else:
        raise FileError("only .xlsx and .csv files can be imported")
    header_row, headers, body = _find_header(_limited(rows, limits), is_header)
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
