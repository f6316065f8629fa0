"""Shared pieces of Cypher and of the rows sent to it: the one spelling of "valid on a date" and
"active on a date", the ``UNWIND $rows`` runner every bulk writer shares, and the conversions
between Python values and what the statements read.

Writers MATCH the endpoints before they MERGE, so a row whose endpoint is missing writes nothing
and the caller sees it in the count instead of getting a half-linked node.

Rows carry the synthetic flag as ``isSynthetic``, not ``synthetic``: the planner cannot tell the
map key ``row.synthetic`` from a node property, so reading it in a statement that also sets
``n.synthetic`` made it buffer every row first (an Eager step) to keep reads and writes apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, LiteralString

from graph.core.db import Tx, run


def valid_on(var: LiteralString, on: LiteralString = "$d") -> LiteralString:
    """A unit or organisation ``var`` exists on the date ``on`` (open-ended bounds are null)."""
    return (
        "("
        + var
        + ".validFrom IS NULL OR "
        + var
        + ".validFrom <= "
        + on
        + ") AND ("
        + var
        + ".validTo IS NULL OR "
        + var
        + ".validTo >= "
        + on
        + ")"
    )


def active_on(var: LiteralString, on: LiteralString = "$d") -> LiteralString:
    """A team, membership or focal-point assignment ``var`` is active on ``on``: started, and not
    ended before it (``until`` is the last active day)."""
    return (
        var
        + ".since <= "
        + on
        + " AND ("
        + var
        + ".until IS NULL OR "
        + var
        + ".until >= "
        + on
        + ")"
    )


def require(condition: bool, message: str) -> None:
    """Community has no existence constraints: writers check required fields before any Cypher."""
    if not condition:
        raise ValueError(message)


def iso(value: dt.date | None) -> str | None:
    """Dates and datetimes travel as ISO strings, turned back by ``date()``/``datetime()`` in the
    Cypher: the driver packs temporal objects through a Python hook per value, which halves the
    rows per second a bulk load can send (strings are packed natively)."""
    return None if value is None else value.isoformat()


def native(value: Any) -> Any:
    """Neo4j temporal values to Python ones."""
    return value.to_native() if value is not None and hasattr(value, "to_native") else value


def instant(expression: LiteralString) -> LiteralString:
    """A DateTime read as ``[epoch seconds, nanosecond, offset seconds]`` (null stays null),
    which ``from_instant`` turns into the datetime ``native`` would give: the driver hydrates a
    temporal value through pure-Python neo4j.time objects and pytz, which was a sixth of the
    request page's CPU (bench.match) for the experts' four timestamps; three integers cost
    nothing. For projections of many rows; a single record may keep the plain value."""
    return (
        "CASE WHEN "
        + expression
        + " IS NULL THEN null ELSE ["
        + expression
        + ".epochSeconds, "
        + expression
        + ".nanosecond, "
        + expression
        + ".offsetSeconds] END"
    )


def from_instant(value: list[int] | None) -> dt.datetime | None:
    """What ``instant`` read, as a timezone-aware datetime (its offset kept, the nanoseconds
    truncated to microseconds like ``native``)."""
    if value is None:
        return None
    seconds, nanosecond, offset = value
    zone = dt.timezone(dt.timedelta(seconds=offset)) if offset else dt.UTC
    return dt.datetime.fromtimestamp(seconds, zone).replace(microsecond=nanosecond // 1000)


async def unwind(tx: Tx, query: LiteralString, rows: list[dict[str, Any]] | list[list[Any]]) -> int:
    """Run one ``UNWIND $rows AS row … RETURN count(*) AS n`` statement; return n. Rows are
    maps, or positional lists where a statement reads ``r[0]``, ``r[1]`` (the first-load links)."""
    records = await run(tx, query, rows=rows)
    return int(records[0]["n"]) if records else 0


def synthetic_only(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first-load CREATE writers label every node Synthetic: refuse a real row, which would
    be labelled so and deleted with the demo later."""
    if not all(row["isSynthetic"] for row in rows):
        raise ValueError("the first-load writers create synthetic rows only; real rows are MERGEd")
    return rows


def columns(rows: Sequence[dict[str, Any]], keys: tuple[str, ...]) -> list[list[Any]]:
    """Rows as positional lists in ``keys`` order, which the link statements read as r[0], r[1]…
    Unpacking a map per row was a sixth of the server's work in a statement that only links
    (36k against 30k relationships/s on #2's machine); node statements, dominated by index
    upkeep, gain nothing from it and keep their readable maps."""
    return [[row[key] for key in keys] for row in rows]
