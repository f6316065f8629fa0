"""Blank import templates, from the one definition of the columns (``columns.COLUMNS``).

``python -m spreadsheets.templates`` rewrites ``spreadsheets/templates/``: the CSV templates are
committed (small, and readable in a review); the .xlsx ones are derived and ignored by git, and
the API builds them on request anyway.
"""

from __future__ import annotations

from pathlib import Path

from spreadsheets.columns import COLUMNS, SHEET_TITLES, ImportKind
from spreadsheets.files import Table, to_csv, to_xlsx

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def _sheets(kind: ImportKind) -> tuple[Table, Table]:
    columns = COLUMNS[kind]
    blank = Table(SHEET_TITLES[kind], [c.header for c in columns], [])
    guide = Table(
        "Huong dan",
        ["Cột", "Bắt buộc", "Ghi chú", "Ví dụ"],
        [[c.header, "có" if c.required else "", c.note, c.example] for c in columns],
        widths=[24, 10, 70, 32],
    )
    return blank, guide


def template_csv(kind: ImportKind) -> bytes:
    return to_csv(_sheets(kind)[0])


def template_xlsx(kind: ImportKind) -> bytes:
    """The sheet to fill in first (imports read the first sheet), then the guide."""
    return to_xlsx(_sheets(kind))


def write_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in ImportKind:
        for suffix, data in (("csv", template_csv(kind)), ("xlsx", template_xlsx(kind))):
            path = directory / f"{kind.value}.{suffix}"
            path.write_bytes(data)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_templates():
        print(path)  # noqa: T201
