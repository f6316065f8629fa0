"""What the places' digests share: figures of the things at a place (an AdministrativeUnit) as
step functions of the date, kept on the place by the things' writers.

A digest is a list of change days (day numbers, ``day_number``, ascending) and, per figure, a
list of its values from that day on (until the next change). On a date, a figure is the value at
the last change day on or before it, 0 before the first. Coverage sums the figures of the places
of a row instead of walking every team, membership or organisation under it (#14, #16): at
national scale that is a few thousand places' lists instead of half a million records.

Each kind of digest (graph/core/team_digests.py, graph/core/org_digests.py) reads the facts of a
place, builds its lists in Python (``steps``) and writes them in the transaction that changed
the facts, after taking the places' write locks (``lock_places``) so that two transactions
changing things at one place rebuild its digest one after the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, LiteralString

from graph.core.days import DAWN, OPEN
from graph.core.db import Graph, Tx, run, run_collected
from graph.core.place_rollups import (
    Rollup,
    in_turns,
    provinces_of,
    rebuild_all_rollups,
    rebuild_rollups_of,
    set_aside,
)


def day_of(expression: LiteralString, missing: LiteralString) -> LiteralString:
    """Cypher: the day number of a date ``expression``, ``missing`` (a parameter) when null."""
    return (
        "CASE WHEN "
        + expression
        + " IS NULL THEN "
        + missing
        + " ELSE duration.inDays(date('1970-01-01'), "
        + expression
        + ").days END"
    )


def steps(deltas: Mapping[int, Sequence[int]], width: int) -> tuple[list[int], list[list[int]]]:
    """The change days and each figure's values from per-day changes (``deltas[day][i]``: how
    figure i moves on that day). Days that change nothing, and the day after ``OPEN``, which
    never comes, are left out."""
    days = [day for day in sorted(deltas) if day <= OPEN and any(deltas[day])]
    return days, [list(accumulate(deltas[day][i] for day in days)) for i in range(width)]


def running(deltas: Mapping[int, int]) -> tuple[list[int], list[int]]:
    """``steps`` of one figure given as ``deltas[day]``: an integer per day, not a list (the
    activity digests build millions of entries, and a list per day was most of their time)."""
    days = [day for day in sorted(deltas) if day <= OPEN and deltas[day]]
    return days, list(accumulate(deltas[day] for day in days))


def add(deltas: dict[int, int], day: int, amount: int) -> None:
    """``running``'s deltas move by ``amount`` on ``day``."""
    deltas[day] = deltas.get(day, 0) + amount


def add_interval(
    deltas: dict[int, list[int]], first: int, last: int, amounts: Sequence[int]
) -> None:
    """Figures move by ``amounts`` from day ``first`` to day ``last`` (both included)."""
    if first > last:
        return
    width = len(amounts)
    start = deltas.setdefault(first, [0] * width)
    end = deltas.setdefault(last + 1, [0] * width)
    for i, amount in enumerate(amounts):
        start[i] += amount
        end[i] -= amount


def merged(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching intervals (first and last day included) as disjoint ones."""
    out: list[tuple[int, int]] = []
    for first, last in sorted(i for i in intervals if i[0] <= i[1]):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


# Powers of two from 2**15 down: a binary search over any digest's list (65,535 change days
# would be 180 years of them).
_STEPS: LiteralString = (
    "[32768, 16384, 8192, 4096, 2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1]"
)


def count_upto(days: LiteralString, on: LiteralString) -> LiteralString:
    """Cypher: how many of ``days`` (a variable holding a digest's ascending list of day numbers)
    are on or before the day number ``on``. A binary search: a national coverage reads a few
    hundred entries at each of thousands of places, and comparing every one of them was a
    fifth of its activity figures' time."""
    return (
        "reduce(digestRank = 0, digestStep IN "
        + _STEPS
        + " | CASE WHEN digestRank + digestStep <= size("
        + days
        + ") AND "
        + days
        + "[digestRank + digestStep - 1] <= "
        + on
        + " THEN digestRank + digestStep ELSE digestRank END)"
    )


def value_on(values: LiteralString, k: LiteralString) -> LiteralString:
    """Cypher: a figure's value given ``k``, the number of change days on or before the date."""
    return "CASE WHEN " + k + " = 0 THEN 0 ELSE " + values + "[" + k + " - 1] END"


def of_places(now_values: LiteralString, read: LiteralString, on: LiteralString) -> LiteralString:
    """Cypher opening a subquery over ``places`` (units) that hold a digest (its ``now_values``
    property, ``DigestKind.now``), with ``nowValues`` and ``now``: whether the day number
    ``on`` is on or after the digest's last change; then its lists read into variables once
    (``read``, from ``reads``: a property read inside a list comprehension is read again for
    every element)."""
    return (
        "\nCALL (places) {\n  UNWIND places AS u\n  WITH u, u."
        + now_values
        + " AS nowValues WHERE nowValues IS NOT NULL\n  WITH u, nowValues, "
        + on
        + " >= nowValues[0] AS now\n  WITH now, nowValues, "
        + read
    )


def by_index(now_values: LiteralString, read: LiteralString) -> LiteralString:
    """The same for a series: ``places`` are maps of a unit ``u`` and the indices ``idx`` of the
    dates it counts on; one row per place and index ``i``; ``now`` is false (its lists are read
    whole: the dates differ)."""
    return (
        "\nCALL (places) {\n  UNWIND places AS p\n  WITH p.u AS u, p.idx AS idx\n  WITH u, idx WHERE u."
        + now_values
        + " IS NOT NULL\n  WITH idx, false AS now, [] AS nowValues, "
        + read
        + "\n  UNWIND idx AS i"
    )


_POSITIONS: tuple[LiteralString, ...] = ("1", "2", "3", "4", "5", "6", "7", "8")


def reads(
    marker: LiteralString,
    figures: Sequence[str],
    lists: Sequence[tuple[LiteralString, LiteralString]],
    *,
    now: bool,
) -> LiteralString:
    """``u.prop AS var`` for each (prop, var) of a place's digest lists (``marker``, its days,
    and the ``figures`` among them). With ``now`` (one date: ``of_places``' ``now`` and
    ``nowValues`` in scope), a place whose last change is on or before the date reads one-entry
    lists instead, its last change day and each figure's value from then on (``DigestKind.now``),
    never its lists. Most coverage asks for today, when nearly every place is past its last
    change, and reading the lists was most of a national coverage (#14)."""
    parts: list[LiteralString] = []
    for prop, var in lists:
        if not now:
            parts.append("u." + prop + " AS " + var)
            continue
        position = "0" if prop == marker else _POSITIONS[list(figures).index(prop)]
        parts.append(
            "CASE WHEN now THEN [nowValues[" + position + "]] ELSE u." + prop + " END AS " + var
        )
    return ",\n       ".join(parts)


def facts_of(body: LiteralString, value: LiteralString) -> LiteralString:
    """Cypher reading the facts of the places ``$keys``: ``body`` is a subquery on ``u`` that
    returns ``value``; one record, ``rows``: [key, value] pairs."""
    return (
        "\nUNWIND $keys AS key\nMATCH (u:AdministrativeUnit {key: key})\nCALL (u) {"
        + body
        + "}\nRETURN collect([key, "
        + value
        + "]) AS rows\n"
    )


_LOCK: LiteralString = """
UNWIND $keys AS key
MATCH (u:AdministrativeUnit {key: key})
SET u.digestLock = true
REMOVE u.digestLock
"""


async def lock_places(tx: Tx, keys: Sequence[str]) -> None:
    """Take the places' write locks, in the order given (sorted, so that two transactions never
    wait on each other in a circle), before reading what their digests are built from: a
    transaction then sees the changes of any other that rebuilt one of them first."""
    await run(tx, _LOCK, keys=list(keys))


async def write_places(tx: Tx, digests: Mapping[str, Mapping[str, Any]]) -> None:
    """Set each place's digest properties (a None value removes the property)."""
    if digests:
        await run(
            tx,
            "UNWIND $rows AS r MATCH (u:AdministrativeUnit {key: r.key}) SET u += r.props",
            rows=[{"key": key, "props": dict(props)} for key, props in digests.items()],
        )


Build = Callable[[Any], Mapping[str, Any] | None]


@dataclass(frozen=True, slots=True)
class DigestKind:
    """One kind of digest: how a place's facts are read and turned into its properties.

    ``facts`` reads ``$keys``' facts, ``RETURN collect([key, facts]) AS rows``, with ``params``;
    ``build`` turns one place's facts into its properties (None: the place has nothing of the
    kind, and loses them); ``marker`` is the property a place with a digest always has (its
    change days), and ``holds`` a Cypher predicate on ``u``: the place has things of the kind.
    ``figures`` are the value lists of the marker's days: a digest also keeps, in one list
    property ``now``, the day from which nothing changes any more (its last change day, or a
    later one that ``build`` gives as the first entry of ``now``), each figure's value from then
    on, and what else ``build`` gave after the first entry (``reads``). One property, not one
    per figure: every property of a unit lengthens the chain each read walks, and seven more
    scalars per place made the whole national coverage a sixth slower."""

    name: str
    facts: LiteralString
    build: Build
    properties: tuple[LiteralString, ...]
    marker: LiteralString
    holds: LiteralString
    params: Mapping[str, Any] = field(default_factory=dict)
    figures: tuple[LiteralString, ...] = ()
    now: LiteralString = field(kw_only=True)
    rollup: Rollup | None = field(default=None, kw_only=True)
    """How the kind adds up in its provinces' rollups (graph/core/place_rollups.py)."""

    @property
    def stored(self) -> tuple[LiteralString, ...]:
        """Every property the digest sets on a place."""
        return (*self.properties, self.now)

    def _with_now(self, digest: Mapping[str, Any] | None) -> dict[str, Any]:
        if digest is None:
            return {}
        days = digest[self.marker]
        given = digest.get(self.now) or [DAWN]
        last = max(DAWN, *days[-1:], given[0])
        values = [digest[f][-1] if digest[f] else 0 for f in self.figures]
        return {**digest, self.now: [last, *values, *given[1:]]}

    def _digests(self, found: Iterable[Any]) -> dict[str, dict[str, Any]]:
        empty = dict.fromkeys(self.stored)
        return {str(key): {**empty, **self._with_now(self.build(facts))} for key, facts in found}

    async def rebuild(
        self, tx: Tx, place_keys: Collection[str], /, *, rollups: bool = True, **params: Any
    ) -> None:
        """Rebuild the digests of these places from their facts, after taking their locks
        (keys not found are skipped), and move their provinces' rollups (not with ``rollups``
        false: the caller rebuilds them whole); ``params`` override the kind's."""
        if not place_keys:
            return
        keys = sorted(set(place_keys))
        held = None
        if self.rollup is None or not rollups:
            await lock_places(tx, keys)
        else:  # also what the provinces' rollups hold of them, to take off
            held = await self.rollup.held(tx, self, keys)
        found = await run_collected(tx, self.facts, keys=keys, **{**self.params, **params})
        if len(keys) < IN_THREAD_FROM:
            digests = self._digests(found)
        else:  # a big import's close builds seconds of them: not on the event loop
            digests = await asyncio.to_thread(self._digests, found)
        await write_places(tx, digests)
        if self.rollup is not None and held is not None:
            await self.rollup.apply(tx, self, held, digests)

    async def rebuild_many(
        self, graph: Graph, place_keys: Collection[str], *, rollups: bool = True, **params: Any
    ) -> None:
        """Rebuild many places' digests (an import's close, ``rebuild_all``), ``HEAL_BATCH``
        places per transaction and ``WORKERS`` transactions at a time, on disjoint places (no
        lock is shared): while one batch is built in Python, Neo4j reads or writes another, and
        both cores work. Each transaction is complete on its own, so a crash midway leaves
        every place either rebuilt or as it was; rebuilding again heals it.

        With ``rollups`` and more than one batch, the provinces' rollups are set aside first
        (``set_aside``: readers walk their units meanwhile) and built whole once the batches are
        done (``rebuild_rollups_of``), not moved batch by batch: reading every old digest and
        moving by it cost more of a 100,000-row activities import's close (#17)."""
        keys = sorted(set(place_keys))
        batches = [keys[i : i + HEAL_BATCH] for i in range(0, len(keys), HEAL_BATCH)]
        after = rollups and self.rollup is not None and len(batches) > 1

        async def rebuild(batch: Sequence[str]) -> None:
            await graph.write(self.rebuild, batch, rollups=rollups and not after, **params)

        provinces = await graph.read(provinces_of, keys) if after else []
        if provinces:
            await graph.write(set_aside, self, provinces)
        await in_turns(rebuild, batches, WORKERS)
        if provinces:
            await rebuild_rollups_of(graph, [self], provinces, WORKERS)

    async def places(self, tx: Tx, after: str, limit: int) -> list[str]:
        """Places that hold things of this kind or any part of a digest (one whose things are
        gone must lose it; coverage reads ``now`` alone), by key after ``after``."""
        records = await run(
            tx,
            "MATCH (u:AdministrativeUnit) WHERE u.key > $after AND (u."
            + self.marker
            + " IS NOT NULL OR u."
            + self.now
            + " IS NOT NULL OR "
            + self.holds
            + ") RETURN u.key AS key ORDER BY key LIMIT $limit",
            after=after,
            limit=limit,
        )
        return [str(r["key"]) for r in records]

    async def rebuild_all(self, graph: Graph, **params: Any) -> None:
        """Every place's digest (``rebuild_many``; idempotent: a crash midway is healed by
        running it again), then its provinces' rollups whole (a store edited around the writers
        is healed too): migrations, and the demo after its bulk load."""
        keys = await graph.read(self.places, "", EVERY)
        await self.rebuild_many(graph, keys, rollups=False, **params)
        if self.rollup is not None:  # those that exist (migration 26 creates them)
            await rebuild_all_rollups(graph, [self])

    async def stale(self, tx: Tx) -> list[str]:
        """The places whose stored digest differs from the one their facts give now, and the
        provinces whose rollup of the kind differs from its units' (``rollup <key>``): none
        when every writer kept them; what tests and an operator's check assert."""
        keys = await self.places(tx, "", EVERY)
        wanted = self._digests(await run_collected(tx, self.facts, keys=keys, **self.params))
        stored = await run_collected(
            tx,
            "UNWIND $keys AS key MATCH (u:AdministrativeUnit {key: key}) "
            "RETURN collect([key, u {.*}]) AS rows",
            keys=keys,
        )
        have = {str(key): {p: props.get(p) for p in self.stored} for key, props in stored}
        places = sorted(key for key in keys if have.get(key) != wanted.get(key))
        if self.rollup is None:
            return places
        return places + ["rollup " + key for key in await self.rollup.stale(tx, self)]


HEAL_BATCH = 500
EVERY = 10_000_000  # a limit on places above any country's (the nation has ~14,000 units)
WORKERS = 2  # this machine's cores; Neo4j runs one transaction's query on one
IN_THREAD_FROM = 100  # places: below, building is milliseconds and stays on the event loop
