"""Live updates: one poller per API process follows the audit feed and fans it out to the
process's subscribers (``Subscription.networkChanges``, over WebSocket).

Neo4j Community has no change data capture, so the source is the feed the application writes
itself: every change bumps the change counter and writes its AuditEvent in the same transaction
(graph/audit/events.py). Whichever process committed a change, every process finds it by polling the
database, so live updates work with any number of workers and replicas; nothing is passed
between processes.

Per tick a process reads the counter (one tiny query). Only when it moved does it read the new
events with their targets' current placements (graph/audit/events.py ``placed_events``: one query per
page of events plus one per kind of target in it), then hands each subscriber the events in its
scope. The cost grows with the rate of changes, not with the number of subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable, Iterator
from dataclasses import dataclass

from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph.audit import events as audit
from graph.audit.events import AuditEventRecord, PlacedEvent
from graph.core import changes
from graph.core.db import Graph
from graph.core.errors import InvalidInput
from graph.core.model import Era, UnitLevel, unit_key
from graph.units import units
from graph.units.scopes import Placement

log = logging.getLogger("cds.live")

PAGE = 500  # events per read, the feed's own page maximum
QUEUE_SIZE = 64  # messages a subscriber may fall behind before it is told to refetch instead
CATCH_UP_MAX = 2000  # events scanned for a reconnecting subscriber; past that it just refetches


@dataclass(frozen=True, slots=True)
class Scope:
    """What a subscriber follows: a current province, a current commune, or (neither) it all."""

    province_key: str | None = None
    commune_key: str | None = None

    def admits(self, placement: Placement) -> bool:
        if self.commune_key is not None:
            return self.commune_key in placement.communes
        if self.province_key is not None:
            return self.province_key in placement.provinces
        return True


NATIONAL = Scope()


async def resolve_scope(graph: Graph, code: str | None) -> Scope:
    """The scope a ``scopeCode`` names, or InvalidInput naming ``scopeCode``."""
    if code is None:
        return NATIONAL
    code = code.strip()
    level = units.level_of_code(code)
    if level not in (UnitLevel.PROVINCE, UnitLevel.COMMUNE):
        raise InvalidInput(
            "scopeCode", "must be a current province code (2 digits) or commune code (5 digits)"
        )
    key = unit_key(Era.CURRENT, level, code)
    if key not in await graph.read(units.units_by_keys, [key]):
        raise InvalidInput("scopeCode", f"no current province or commune has code {code!r}")
    if level is UnitLevel.PROVINCE:
        return Scope(province_key=key)
    return Scope(commune_key=key)


@dataclass(frozen=True, slots=True)
class Batch:
    """One message to a subscriber: the newest sequence it accounts for and the events in scope
    (none: where the subscriber stands, or a change it must refetch to see)."""

    seq: int
    events: tuple[AuditEventRecord, ...] = ()
    # False while this process cannot read the change feed (Neo4j away): the client shows the
    # figures may be stale; the first message after it comes back is True and says "refetch".
    available: bool = True


class Subscriber:
    """One subscription's scope and its bounded queue of messages."""

    def __init__(self, scope: Scope, queue_size: int = QUEUE_SIZE) -> None:
        self.scope = scope
        self.queue: asyncio.Queue[Batch] = asyncio.Queue(maxsize=queue_size)

    def offer(self, batch: Batch) -> None:
        """Queue a message without ever waiting: when the subscriber is too slow, what it has
        not read is replaced by one message with the newest sequence and no events, which tells
        it to refetch (the poller must not wait for one slow client)."""
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(Batch(batch.seq, available=batch.available))


class LiveFeed:
    """The process's poller and its subscribers. Started by the first subscriber (a process
    nobody watches does not poll); ``close`` stops it at shutdown."""

    def __init__(self, graph: Graph, poll_seconds: float, queue_size: int = QUEUE_SIZE) -> None:
        self._graph = graph
        self._poll_seconds = poll_seconds
        self._queue_size = queue_size
        self._subscribers: set[Subscriber] = set()
        self._seq = 0  # the newest sequence handed to subscribers
        self._ready = asyncio.Event()  # set once _seq has been read from the graph
        self._available = True  # whether the last poll could read the graph
        self._poller: asyncio.Task[None] | None = None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def follow(self, scope: Scope, since: int | None = None) -> AsyncGenerator[Batch, None]:
        """First where the feed stands (with, after ``since``, the in-scope events up to there),
        then one message per poll round with changes in scope."""
        if self._poller is None:
            self._poller = asyncio.create_task(self._run(), name="cds-live-poller")
        told_down = False
        while not self._ready.is_set():
            # Neo4j away before the feed could be read even once: say so now, rather than leave
            # the client waiting for a first message; the one below follows when it is back.
            if not self._available and not told_down:
                told_down = True
                yield Batch(since or 0, (), available=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), self._poll_seconds)
        subscriber = Subscriber(scope, self._queue_size)
        # Registered and positioned with no await in between: every change after `start` will
        # reach the queue, none up to it will.
        self._subscribers.add(subscriber)
        start = self._seq
        # A client back from another process may have seen more than this poller yet has.
        seen = max(start, since or 0)
        try:
            caught_up = await self._catch_up(scope, since, start) if since is not None else ()
            available = self._available
            yield Batch(seen, caught_up, available)
            while True:
                batch = await subscriber.queue.get()
                if batch.available != available:  # Neo4j went away, or came back: say so
                    available = batch.available
                    seen = max(seen, batch.seq)
                    yield Batch(seen, (), available)
                    continue
                if batch.seq <= seen:
                    continue  # the process the client came from has told it already
                events = tuple(e for e in batch.events if e.seq > seen)
                if events or not batch.events:
                    yield Batch(batch.seq, events)
        finally:
            self._subscribers.discard(subscriber)

    async def _catch_up(self, scope: Scope, since: int, upto: int) -> tuple[AuditEventRecord, ...]:
        """The in-scope events in ``(since, upto]``; none when there are too many to scan (the
        client refetches after the first message anyway)."""
        if upto - since > CATCH_UP_MAX:
            return ()
        found: list[AuditEventRecord] = []
        after = since
        while after < upto:
            page = await self._graph.read(audit.placed_events, after, upto, PAGE)
            found.extend(p.event for p in page if scope.admits(p.placement))
            if len(page) < PAGE:
                break
            after = page[-1].event.seq
        return tuple(found)

    async def _run(self) -> None:
        failing = False
        while True:
            try:
                if self._ready.is_set():
                    await self.poll()
                else:
                    self._seq = await self._graph.read(changes.current)
                    self._ready.set()
                if failing:
                    log.warning("live updates: reading the change feed again")
                    failing = False
                    self._set_available(True)
            except Exception as error:  # Neo4j away: subscribers are told, the next tick retries
                if not failing:  # once per outage, not once per tick
                    log.warning("live updates: reading the change feed failed (%r)", error)
                    failing = True
                    self._set_available(False)
            await asyncio.sleep(self._poll_seconds)

    async def poll(self) -> None:
        """One round: the counter, then only if it moved, the new events and their placements."""
        current = await self._graph.read(changes.current)
        if current < self._seq:
            # The store was replaced (a restore): numbers start again, everyone refetches.
            log.warning(
                "live updates: the change counter went back from %d to %d", self._seq, current
            )
            self._seq = current
            self._fan_out(current, [], everyone=True)
        while self._seq < current:
            page = await self._graph.read(audit.placed_events, self._seq, current, PAGE)
            upto = page[-1].event.seq if len(page) == PAGE else current
            # A number with no event is a change the feed does not describe (an import, a seed):
            # every subscriber is told to refetch.
            undescribed = len(page) < upto - self._seq
            self._fan_out(upto, page, everyone=undescribed)
            self._seq = upto

    def _set_available(self, available: bool) -> None:
        """Tell every subscriber the feed stopped (or started again) being readable; after an
        outage they refetch, whatever happened meanwhile."""
        self._available = available
        for subscriber in self._subscribers:
            subscriber.offer(Batch(self._seq, (), available))

    def _fan_out(self, seq: int, page: Iterable[PlacedEvent], *, everyone: bool) -> None:
        placed = list(page)
        for subscriber in self._subscribers:
            events = tuple(p.event for p in placed if subscriber.scope.admits(p.placement))
            if events or everyone:
                subscriber.offer(Batch(seq, events))

    async def close(self) -> None:
        """Stop polling (shutdown). Open subscriptions end with their connections, not with a
        'complete', so clients reconnect to another process."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None


class SubscriptionsOnlyOverWebSocket(SchemaExtension):
    """A WebSocket's context lives as long as the connection, with its DataLoaders, data version
    and personal-read log: only subscriptions, which use none of them, run over it. Queries and
    mutations go over HTTP, a fresh context each."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        request = getattr(ec.context, "request", None)
        if isinstance(request, WebSocket) and ec.operation_type is not OperationType.SUBSCRIPTION:
            raise InvalidInput(
                "operation",
                "only subscriptions run over WebSocket; send queries and mutations over HTTP",
            )
        yield
