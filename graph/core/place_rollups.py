"""Per-province rollups of the places' digests: one ``PlaceRollup`` node per province holding, for
each kind of digest (graph/core/place_digests.py), the sum of the digests of the province and of
every district and commune under it, under the same property names.

A national series read the digests of every place under the nation, ~14,000 units for twelve
period ends (1 s cold, #16's goal 300 ms), and a national coverage on a past date ~240 ms (#14's
goal 150 ms). The places of a date are all of one era and all valid
with their province (the units of vietnamadminunits and vietnam-provinces share their province's
dates), so a province valid on the date stands for everything under it, and its rollup is read
by the same Cypher fragments as a unit's digest: ~100 nodes instead of ~14,000. A rollup is
``exact`` only when every unit under the province has its dates; the series and coverage read
the units of any other province, so an odd unit loaded later costs speed, never a wrong figure.

Step functions add up: a figure's per-day changes are the differences of its values, and the
sum's values are the running sum of the summed changes. The teams' shared entries (people in
teams of several communes) are concatenated: readers count distinct people across places
anyway. A rollup also keeps what a unit's figures cannot give by summing:

- ``withTeamCounts`` beside the team counts: how many of its places have a running team;
- ``activeWindowTally``: [N, places] pairs of the activity digests' N, so ``activeWindow`` is
  the province's N only when all its places share it (-1 otherwise: readers then walk the
  units, which count the teams of any N);
- ``rollupCommunes``: its communes.

Kept in the transaction that rebuilds a place's digest (``DigestKind.rebuild``): the province's
rollup is locked, and the place's old digest is taken off and its new one added (only the per-day
changes that differ: a report added on one day moves a running sum on every later day, but its
change on that day only). A rebuild of many places in several transactions (an import's close)
builds their provinces' rollups whole once it is done instead (``rebuild_rollups_of``): reading
every old digest and moving by it cost more.

Rollups are created, every kind at once, by migration 26 and the units seed
(``rebuild_all_rollups``); after a kind's ``rebuild_all`` (migrations, the demo load, ``cds
digests --rebuild``) its part of every rollup is built again whole, which also heals a store
edited around the writers. A build locks the units it reads and the rollups, in the writers'
order. A writer finding no rollup leaves it be, and readers then walk the units.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, count
from operator import ne, sub
from typing import Any, LiteralString, Protocol

from graph.core.days import DAWN, OPEN
from graph.core.db import Graph, Tx, run, run_collected

MIXED_WINDOW = -1
"""``activeWindow`` of a rollup whose places were built with different N: never a query's N."""


class DigestKind(Protocol):
    """What a rollup reads of its kind (graph/core/place_digests.py's ``DigestKind``)."""

    @property
    def name(self) -> str: ...
    @property
    def now(self) -> LiteralString: ...
    @property
    def figures(self) -> tuple[LiteralString, ...]: ...
    @property
    def stored(self) -> tuple[LiteralString, ...]: ...
    @property
    def rollup(self) -> Rollup | None: ...


Parts = tuple[list[list[Counter[int]]], Counter[tuple[int, ...]], Counter[int]]


@dataclass(frozen=True, slots=True)
class Rollup:
    """How one kind of digest adds up: ``series``, each a days property and the value lists
    aligned with it; ``entries``, parallel lists of (key, first day, last day) concatenated;
    ``tally``, a scalar property whose values are counted (``activeWindow``); ``derive`` adds
    lists a unit's digest lacks but its rollup keeps (computed from the unit's)."""

    series: tuple[tuple[LiteralString, tuple[LiteralString, ...]], ...]
    entries: tuple[LiteralString, ...] = ()
    tally: LiteralString | None = None
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None

    def properties(self, now: LiteralString) -> tuple[LiteralString, ...]:
        """Every property the kind's rollup sets."""
        out: list[LiteralString] = [now]
        for days, values in self.series:
            out += [days, *values]
        out += self.entries
        if self.tally is not None:
            out += [self.tally, self.tally + "Tally"]
        return tuple(out)

    def parts(self, digest: Mapping[str, Any] | None) -> Parts:
        """A digest (a unit's or a rollup's stored properties) as per-day changes of each
        figure, entries and tally, which add up."""
        changes = [[Counter(c) for c in series] for series in self._changes(digest)]
        return (changes, *self._extras(digest))

    def _extras(self, digest: Mapping[str, Any] | None) -> tuple[Counter[Any], Counter[int]]:
        """A digest's entries and tally."""
        entries: Counter[tuple[int, ...]] = Counter()
        tally: Counter[int] = Counter()
        if digest is None:
            return entries, tally
        if self.tally is not None:
            counted = digest.get(self.tally + "Tally")
            if counted is not None:  # a rollup's
                tally.update(dict(zip(counted[::2], counted[1::2], strict=True)))
            elif digest.get(self.tally) is not None:
                tally[int(digest[self.tally])] += 1
        if self.entries:
            lists = [digest.get(p) or [] for p in self.entries]
            entries.update(zip(*lists, strict=True))
        return entries, tally

    def _changes(self, digest: Mapping[str, Any] | None) -> list[list[dict[int, int]]]:
        """Per series, each figure's changes by day ({day: change})."""
        ready = self._ready(digest)
        return [
            [_changes_from(ready.get(days) or [], ready.get(p) or [], 0) for p in value_props]
            for days, value_props in self.series
        ]

    def move(
        self, total: Parts, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
    ) -> None:
        """``total`` −= ``before`` and += ``after`` (one place's old and new digests), by the
        per-day changes that differ between them: from the first day their lists differ (found
        by comparing slices, in C), the changes of each side as dicts, and only the items that
        differ (set operations, in C) moved. A report added on one day moves a running sum on
        every later day, but its change on that day only; an import's close moves thousands of
        places."""
        old, new = self._ready(before), self._ready(after)
        for at, (days_prop, value_props) in enumerate(self.series):
            props = (days_prop, *value_props)
            a = [old.get(p) or [] for p in props]
            b = [new.get(p) or [] for p in props]
            if a == b:
                continue
            k = min(_common(x, y) for x, y in zip(a, b, strict=True))
            for have, x, y in zip(total[0][at], a[1:], b[1:], strict=True):
                o = _changes_from(a[0], x, k)
                n = _changes_from(b[0], y, k)
                for day, amount in o.items() - n.items():
                    have[day] -= amount
                for day, amount in n.items() - o.items():
                    have[day] += amount
        if self.entries or self.tally is not None:
            (old_entries, old_tally), (new_entries, new_tally) = map(self._extras, (before, after))
            if old_entries != new_entries:
                total[1].subtract(old_entries)
                total[1].update(new_entries)
            if old_tally != new_tally:
                total[2].subtract(old_tally)
                total[2].update(new_tally)

    def _ready(self, digest: Mapping[str, Any] | None) -> Mapping[str, Any]:
        """A digest with its derived lists ({} for none)."""
        if digest is None or all(digest.get(p) is None for p, _ in self.series):
            return {}
        return digest if self.derive is None else self.derive(digest)

    def add(self, total: Parts, part: Parts, sign: int) -> None:
        """``total`` += ``sign`` × ``part``."""
        for into, changes in zip(total[0], part[0], strict=True):
            for have, column in zip(into, changes, strict=True):
                if sign > 0:
                    have.update(column)
                else:
                    have.subtract(column)
        if sign > 0:
            total[1].update(part[1])
            total[2].update(part[2])
        else:
            total[1].subtract(part[1])
            total[2].subtract(part[2])

    def props(self, total: Parts, kind: DigestKind) -> dict[str, Any]:
        """The rollup's properties from its summed parts (all None when nothing is left)."""
        out: dict[str, Any] = dict.fromkeys(self.properties(kind.now))
        changes, entries, tally = total
        windows = sorted(w for w, n in tally.items() if n > 0)
        if self.tally is not None and windows:
            out[self.tally] = windows[0] if len(windows) == 1 else MIXED_WINDOW
            out[self.tally + "Tally"] = [x for w in windows for x in (w, tally[w])]
        kept = sorted(e for e, n in entries.items() for _ in range(max(n, 0)))
        by_series = []
        for columns in changes:
            moved: set[int] = set()
            for column in columns:
                moved.update(day for day, amount in column.items() if amount)
            by_series.append(sorted(moved))
        if not kept and not any(by_series):
            return out
        last = DAWN
        for (days_prop, value_props), columns, days in zip(
            self.series, changes, by_series, strict=True
        ):
            out[days_prop] = days
            for prop, column in zip(value_props, columns, strict=True):
                out[prop] = list(accumulate(map(column.__getitem__, days)))
            last = max([last, *days[-1:]])
        for i, prop in enumerate(self.entries):
            out[prop] = [e[i] for e in kept]
        if kept:  # the teams' shared entries: (key, first, last)
            last = max([last, *(e[1] for e in kept), *(e[2] + 1 for e in kept if e[2] < OPEN)])
        figures = [(out[f] or [0])[-1] for f in kind.figures]
        out[kind.now] = [last, *figures, *(e[0] for e in kept if e[2] == OPEN)]
        return out

    def total(self, digests: Iterable[Mapping[str, Any] | None]) -> Parts:
        total = self.parts(None)
        for digest in digests:
            self.add(total, self.parts(digest), 1)
        return total

    async def held(
        self, tx: Tx, kind: DigestKind, keys: Sequence[str]
    ) -> dict[str, tuple[str | None, Mapping[str, Any]]]:
        """Take the write locks of these places (``lock_places``' order and reason), and read
        their digests of this kind and their provinces: what ``apply`` takes off the rollups."""
        found = await run_collected(
            tx,
            """
            UNWIND $keys AS key
            MATCH (u:AdministrativeUnit {key: key})
            SET u.digestLock = true
            REMOVE u.digestLock
            WITH key, u
            OPTIONAL MATCH (u)-[:PART_OF*0..2]->(p:AdministrativeUnit {level: 'PROVINCE'})
            RETURN collect([key, p.key, """
            + _projection("u", kind.stored)
            + "]) AS rows",
            keys=list(keys),
        )
        return {str(key): (province, props) for key, province, props in found}

    async def apply(
        self,
        tx: Tx,
        kind: DigestKind,
        held: Mapping[str, tuple[str | None, Mapping[str, Any]]],
        new: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """After ``kind.rebuild`` wrote ``new`` digests over those ``held`` (by place key, the
        places' write locks held), in its transaction: move the rollups of their provinces by
        the difference. Provinces without an exact rollup are left (readers walk their units)."""
        old = {k: props for k, (_, props) in held.items()}
        provinces = {k: province for k, (province, _) in held.items()}
        changed = [k for k in new if dict(old.get(k) or {}) != dict(new[k])]
        keys = sorted({p for k in changed if (p := provinces.get(k)) is not None})
        if not keys:
            return
        found = await run_collected(  # locks them, in key order
            tx,
            _LOCK_ROLLUPS
            + "RETURN collect([key, "
            + _projection("r", self.properties(kind.now))
            + "]) AS rows",
            keys=keys,
        )
        writes: dict[str, dict[str, Any]] = {}
        for key, stored in found:
            total = self.parts(stored)
            for place in changed:
                if provinces.get(place) == key:
                    self.move(total, old.get(place), new[place])
            writes[str(key)] = self.props(total, kind)
        await _write(tx, writes)

    async def stale(self, tx: Tx, kind: DigestKind) -> list[str]:
        """The provinces whose stored rollup of this kind differs from one built from their units
        now, whose exactness is not their units' any more, or that were left being rebuilt (a
        province without a rollup is not stale: readers walk its units)."""
        props = self.properties(kind.now)
        stored = await run_collected(
            tx, "MATCH (r:PlaceRollup) RETURN collect([r.key, r {.*}]) AS rows"
        )
        found = await run_collected(tx, _subtree([kind]), keys=sorted(str(k) for k, _ in stored))
        wanted = {
            str(key): (bool(exact), self.props(self.total(digests[0] if exact else []), kind))
            for key, _, exact, digests in found
        }

        def differs(rollup: Mapping[str, Any], exact: bool, sums: Mapping[str, Any]) -> bool:
            if kind.name in (rollup.get("rebuilding") or []) or bool(rollup.get("exact")) != exact:
                return True
            return exact and {p: rollup.get(p) for p in props} != sums

        return sorted(str(k) for k, r in stored if differs(r, *wanted[str(k)]))


def _common(a: list[Any], b: list[Any]) -> int:
    """The length of the common start of two lists (map, compress and count run in C)."""
    return next(compress(count(), map(ne, a, b)), min(len(a), len(b)))


def _changes_from(days: list[int], values: list[int], k: int) -> dict[int, int]:
    """A figure's changes by day from its ``k``-th day on (map and zip run in C)."""
    before = [values[k - 1] if k else 0, *values[k:]]
    return dict(zip(days[k:], map(sub, values[k:], before), strict=False))


def _projection(var: LiteralString, props: Sequence[LiteralString]) -> LiteralString:
    return var + " {." + ", .".join(props) + "}"


_LOCK_ROLLUPS: LiteralString = """
UNWIND $keys AS key
MATCH (r:PlaceRollup {key: key}) WHERE r.exact
SET r.digestLock = true
REMOVE r.digestLock
"""


async def _write(tx: Tx, rollups: Mapping[str, Mapping[str, Any]]) -> None:
    await run(
        tx,
        "UNWIND $rows AS row MERGE (r:PlaceRollup {key: row.key}) SET r += row.props",
        rows=[{"key": k, "props": dict(p)} for k, p in rollups.items()],
    )


def _subtree(kinds: Sequence[DigestKind]) -> LiteralString:
    """Cypher: per province of ``$keys``, its communes, whether every unit under it has its
    dates, and the stored digests of these kinds of the units that hold one (itself included)."""
    digests: list[LiteralString] = []
    for kind in kinds:
        digests.append(
            "[x IN units WHERE x."
            + kind.now
            + " IS NOT NULL | "
            + _projection("x", kind.stored)
            + "]"
        )
    return (
        """
UNWIND $keys AS key
MATCH (p:AdministrativeUnit {key: key, level: 'PROVINCE'})
CALL (p) {
  MATCH (u:AdministrativeUnit)-[:PART_OF*0..2]->(p)
  RETURN count(CASE WHEN u.level = 'COMMUNE' THEN 1 END) AS communes,
         all(same IN collect(coalesce(u.validFrom = p.validFrom,
                                      u.validFrom IS NULL AND p.validFrom IS NULL)
                             AND coalesce(u.validTo = p.validTo,
                                          u.validTo IS NULL AND p.validTo IS NULL))
             WHERE same) AS exact,
         collect(u) AS units
}
RETURN collect([key, communes, exact, ["""
        + ", ".join(digests)
        + """]]) AS rows
"""
    )


# The places under provinces ``$keys`` (themselves included) locked in key order, as writers lock
# theirs (``lock_places``): a writer holding one of them commits before a ``whole`` build reads
# it, and one coming later waits for the build and moves what it wrote.
_LOCK_SUBTREES: LiteralString = """
UNWIND $keys AS key
MATCH (:AdministrativeUnit {key: key, level: 'PROVINCE'})<-[:PART_OF*0..2]-(u:AdministrativeUnit)
WITH u ORDER BY u.key
SET u.digestLock = true
REMOVE u.digestLock
"""


async def build(
    tx: Tx, kinds: Sequence[DigestKind], keys: Collection[str], *, whole: bool = False
) -> None:
    """Build the rollups of these provinces, of these kinds, from their units' digests (those
    of other kinds are kept), and clear these kinds from their ``rebuilding``. A rollup that
    is not exact holds no digest. ``whole`` (every kind at once) creates missing rollups and
    may mark one exact; otherwise only existing rollups are built, and one is only ever marked
    inexact: its other kinds were not built with it.

    The rollups are locked before the units are read. A writer that changed a unit and has
    moved the rollup committed first, and this reads its unit; one still to move it waits for
    this and moves what this wrote by its own old and new digest, the old one being what this
    read. A writer skips a rollup that does not exist yet, so a ``whole`` build, which may
    create them, locks the units first (in the writers' order: units, then rollups)."""
    if not keys:
        return
    ordered = sorted(set(keys))
    if whole:  # a rollup created here is not seen by writers until this commits
        await run(tx, _LOCK_SUBTREES, keys=ordered)
    # Created only where the constraint on the key (migration 25) guards MERGE, ``whole``.
    found_rollups = await run_collected(
        tx,
        "UNWIND $keys AS key "
        + ("MERGE" if whole else "MATCH")
        + " (r:PlaceRollup {key: key}) SET r.digestLock = true REMOVE r.digestLock "
        "RETURN collect([key, r.rebuilding]) AS rows",
        keys=ordered,
    )
    rebuilding = {str(k): list(names or []) for k, names in found_rollups}
    built = {kind.name for kind in kinds}
    found = await run_collected(tx, _subtree(kinds), keys=sorted(rebuilding))
    writes: dict[str, dict[str, Any]] = {}
    for key, communes, exact, per_kind in found:
        left = [name for name in rebuilding[str(key)] if name not in built and not whole]
        props: dict[str, Any] = {"rollupCommunes": int(communes), "rebuilding": left or None}
        if whole or not exact:
            props["exact"] = bool(exact)
        for kind, digests in zip(kinds, per_kind, strict=True):
            assert kind.rollup is not None
            kept = kind.rollup.props(kind.rollup.total(digests if exact else []), kind)
            props.update(kept)
        writes[str(key)] = props
    await _write(tx, writes)


ROLLUP_BATCH = 8  # provinces per transaction: the biggest reads ~600 units' digests


async def rebuild_all_rollups(
    graph: Graph, kinds: Sequence[DigestKind], *, whole: bool = False
) -> None:
    """Every province's rollup of these kinds (idempotent; ``build``'s ``whole``): all kinds
    whole by migration 26 and after the units are seeded; one kind after its ``rebuild_all``."""
    keys = await graph.read(
        lambda tx: run_collected(
            tx,
            "MATCH (p:AdministrativeUnit {level: 'PROVINCE'}) RETURN collect(p.key) AS rows",
        )
    )
    await rebuild_rollups_of(graph, kinds, [str(k) for k in keys], workers=1, whole=whole)


async def set_aside(tx: Tx, kind: DigestKind, province_keys: Sequence[str]) -> None:
    """Mark these provinces' rollups as being rebuilt for this kind (``rebuilding``): readers
    walk their units until ``build`` clears it, and a stop in between leaves them right, only
    slower. Writers still move them (every kind; this one is built again whole)."""
    await run(
        tx,
        "UNWIND $keys AS key MATCH (r:PlaceRollup {key: key}) "
        "SET r.rebuilding = [x IN coalesce(r.rebuilding, []) WHERE x <> $kind] + $kind",
        keys=sorted(province_keys),
        kind=kind.name,
    )


async def rebuild_rollups_of(
    graph: Graph,
    kinds: Sequence[DigestKind],
    province_keys: Sequence[str],
    workers: int,
    *,
    whole: bool = False,
) -> None:
    """These provinces' rollups of these kinds built again (``build``; ``whole`` as there),
    ``workers`` transactions at a time on disjoint provinces."""
    ordered = sorted(province_keys)

    async def rebuild(batch: Sequence[str]) -> None:
        await graph.write(build, kinds, batch, whole=whole)

    batches = [ordered[i : i + ROLLUP_BATCH] for i in range(0, len(ordered), ROLLUP_BATCH)]
    await in_turns(rebuild, batches, workers)


async def provinces_of(tx: Tx, place_keys: Collection[str]) -> list[str]:
    """The provinces these places are in (or are), by key."""
    found = await run_collected(
        tx,
        "UNWIND $keys AS key MATCH (u:AdministrativeUnit {key: key})"
        "-[:PART_OF*0..2]->(p:AdministrativeUnit {level: 'PROVINCE'}) "
        "RETURN collect(DISTINCT p.key) AS rows",
        keys=sorted(place_keys),
    )
    return sorted(str(k) for k in found)


async def in_turns(
    work: Callable[[Sequence[str]], Awaitable[None]], batches: Sequence[Sequence[str]], workers: int
) -> None:
    """``work`` on each batch, ``workers`` at a time (each batch taken by one of them)."""
    queue = iter(batches)

    async def worker() -> None:
        for batch in queue:  # shared
            await work(batch)

    # Not a TaskGroup: its ExceptionGroup would hide ``Unavailable`` from the callers that
    # retry on it (an import's rollback waits for Neo4j to come back).
    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
