"""A per-process cache of expensive read results, keyed by the graph's change counter.

A result computed while the counter read v is exact as long as it still reads v, so every
process (however many replicas) serves figures equal to a direct count, while the national
aggregates run once per change instead of once per request. Concurrent misses for the same key
share one computation, so a burst of dashboards after a change costs one query, not fifty.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, NamedTuple, TypeVar

from api.observability import CACHE

T = TypeVar("T")


class Kept(NamedTuple):
    version: int
    value: Any
    read_at: float  # time.monotonic() when the data it was computed from were read, or before


class VersionedCache:
    def __init__(self, max_entries: int = 512, name: str = "reads") -> None:
        self._name = name  # the metric's label
        self._entries: OrderedDict[Hashable, Kept] = OrderedDict()
        self._pending: dict[tuple[Hashable, int], asyncio.Future[Any]] = {}
        self._max = max_entries

    async def get_or_compute(
        self,
        key: Hashable,
        version: int,
        compute: Callable[[], Awaitable[T]],
        read_at: float | None = None,
    ) -> T:
        """``read_at``: a time before ``version`` was read (the computation reads the data after
        it; by default, now). A hit moves the entry's time to it: the version read after it
        still named the entry's data."""
        hit = self._entries.get(key)
        if hit is not None and hit.version == version:
            if read_at is not None and read_at > hit.read_at:
                # This version was read again, after read_at: the entry was current then too.
                hit = self._entries[key] = hit._replace(read_at=read_at)
            self._entries.move_to_end(key)
            CACHE.labels(self._name, "hit").inc()
            value: T = hit.value
            return value
        read_at = time.monotonic() if read_at is None else read_at
        flight = (key, version)
        if (pending := self._pending.get(flight)) is not None:
            CACHE.labels(self._name, "shared").inc()
            shared: T = await asyncio.shield(pending)
            return shared
        CACHE.labels(self._name, "miss").inc()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[flight] = future
        try:
            result = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self._pending.pop(flight, None)
        future.set_result(result)
        self._keep(key, version, result, read_at)
        return result

    def last(self, key: Hashable) -> Kept | None:
        """The entry kept for the key, whatever its version."""
        return self._entries.get(key)

    def _keep(self, key: Hashable, version: int, result: Any, read_at: float) -> None:
        kept = self._entries.get(key)
        if kept is not None and kept.version > version:
            return  # a slower computation of older data must not replace newer data
        self._entries[key] = Kept(version, result, read_at)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def refresh(self, key: Hashable, version: int, compute: Callable[[], Awaitable[T]]) -> T:
        """Compute whatever is kept, and keep the result (a client asked for a fresh one)."""
        CACHE.labels(self._name, "refresh").inc()
        read_at = time.monotonic()
        result = await compute()
        self._keep(key, version, result, read_at)
        return result


class VersionReader:
    """The change counter, read for many requests at once but never stale for any of them.

    A request waits for the next read that *starts* after it arrived: whatever was committed
    before the request (a write its client saw acknowledged) is counted. Requests that arrive
    while a read is in flight share the one after it, so under load a process sends one tiny
    read per round trip instead of one per request. ``read`` reads the counter: the answers'
    version for the response cache, the data version for a request's cached reads.
    """

    def __init__(self, read: Callable[[], Awaitable[int]]) -> None:
        self._read_version = read
        self._next: asyncio.Future[int] | None = None
        self._reading = False
        self._task: asyncio.Task[None] | None = None  # referenced, so it is not collected

    async def current(self) -> int:
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            if not self._reading:
                self._reading = True
                self._task = asyncio.get_running_loop().create_task(self._read())
        return await asyncio.shield(self._next)

    async def _read(self) -> None:
        try:
            while (waiting := self._next) is not None:
                self._next = None  # later arrivals wait for the next read
                try:
                    waiting.set_result(await self._read_version())
                except Exception as error:
                    waiting.set_exception(error)
                    waiting.exception()  # retrieved: the waiters re-raise it
        finally:
            self._reading = False
