"""A per-process cache of expensive read results, keyed by the graph's change counter.

A result computed while the counter read v is exact as long as it still reads v, so every
process (however many replicas) serves figures equal to a direct count, while the national
aggregates run once per change instead of once per request. Concurrent misses for the same key
share one computation, so a burst of dashboards after a change costs one query, not fifty.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from api.observability import CACHE

T = TypeVar("T")


class VersionedCache:
    def __init__(self, max_entries: int = 512, name: str = "reads") -> None:
        self._name = name  # the metric's label
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._pending: dict[tuple[Hashable, int], asyncio.Future[Any]] = {}
        self._max = max_entries

    async def get_or_compute(
        self, key: Hashable, version: int, compute: Callable[[], Awaitable[T]]
    ) -> T:
        hit = self._entries.get(key)
        if hit is not None and hit[0] == version:
            self._entries.move_to_end(key)
            CACHE.labels(self._name, "hit").inc()
            value: T = hit[1]
            return value
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
        self._keep(key, version, result)
        return result

    def _keep(self, key: Hashable, version: int, result: Any) -> None:
        self._entries[key] = (version, result)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def refresh(self, key: Hashable, version: int, compute: Callable[[], Awaitable[T]]) -> T:
        """Compute whatever is kept, and keep the result (a client asked for a fresh one)."""
        CACHE.labels(self._name, "refresh").inc()
        result = await compute()
        self._keep(key, version, result)
        return result
