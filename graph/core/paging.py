"""Pages of ordered lists, computed in Cypher so a page and its list's size come from one read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, LiteralString, TypeVar

from graph.core.db import Tx, run

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """A slice of an ordered list: items after a cursor, and the list's total size."""

    items: list[Any]
    total: int
    has_next: bool


# Slices each key's ordered ``items`` (maps with a ``sortKey``) after the cursor; shared by every
# paged nested field so they page the same way.
PAGE_TAIL: LiteralString = """
WITH key, items, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
RETURN key, size(items) AS total, rest[0..$first] AS page, size(rest) > $first AS hasNext
"""


async def paged(
    tx: Tx,
    query: LiteralString,
    build: Callable[[dict[str, Any]], T],
    keys: list[str],
    first: int,
    after: str | None,
    **params: Any,
) -> dict[str, Page]:
    records = await run(tx, query + PAGE_TAIL, keys=keys, first=first, after=after, **params)
    return {
        r["key"]: Page([build(m) for m in r["page"]], r["total"], r["hasNext"]) for r in records
    }
