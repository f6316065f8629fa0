"""Whole answers to anonymous GraphQL queries, kept per data version (ASGI middleware).

The public dashboard asks the same few questions over and over; while the graph's change counter
(graph/core/changes.py) reads the same value, their answers cannot differ, so an unchanged answer
should cost a counter read, not a GraphQL execution. The key is the request as sent (POST body,
or GET query string and Accept header) and today's date (figures default to today); the entry is
valid for the counter value read *before* the answer was computed (``answers_version``: the
data version plus the editions published), so a change made meanwhile
only makes the next request recompute.

What is never kept:
- anything a signed-in viewer asks (a request with an Authorization header): their answers may
  hold personal fields, and every read of those is audited (api/policy.py), so they always
  execute. An anonymous viewer sees no personal field at all, so there is one visibility class
  here and no entry can reach another class;
- mutations and subscriptions (only an operation that parses as a query is looked up);
- answers with GraphQL errors or a status other than 200 (Neo4j away, a bad variable): the next
  request executes again.

A request with ``Cache-Control: no-cache`` executes (what HTTP means by it) and refreshes the
entry. A request with ``Cache-Control: max-stale=N`` (HTTP's request directive: the client
accepts an answer up to N seconds out of date, at most MAX_STALE_SECONDS) is answered at once
from the entry kept for an older version when that entry's data were read at most N seconds ago
(``X-Cache: STALE``, with ``Age``); once that answer is ``refresh_after(N)`` old, one execution
refreshes the entry in the background, so under a steady stream of changes a dashboard that
allows a little staleness never waits for the national aggregates, each process recomputes them
about once a second instead of after every change, and what it shows is never more than N
seconds old. Without the directive
an answer is always that of the data version read after the request arrived. Concurrent misses for the same question share one execution (``VersionedCache``). Every answer
that passes here carries an ETag; a client that sends it back in If-None-Match gets 304 and no
body while the answer is unchanged. ``X-Cache: HIT`` / ``MISS`` tells which it was.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.cache import VersionedCache, VersionReader
from api.observability import CACHE
from graph.core import changes
from graph.core.db import Graph, Unavailable

# A dashboard's query is a few KiB; a bigger body is unusual enough to execute as it is.
MAX_REQUEST_BYTES = 64 * 1024
# One answer larger than this (a huge page of rows) is not worth holding in every process.
MAX_ANSWER_BYTES = 1024 * 1024
# The most staleness a client may accept (``max-stale`` without a value means this much).
MAX_STALE_SECONDS = 10
# A stale answer is refreshed once it is this old (or half the staleness allowed, if less): under
# ten changes a second, refreshing after each one recomputed the national figures twenty times a
# second on two cores, and the dashboard's p95 was 2 s (python -m bench.soak --max-stale 2).
REFRESH_AFTER_SECONDS = 1.0
# A background refresh that takes longer is abandoned (the next stale request starts another).
REFRESH_TIMEOUT_SECONDS = 120

log = logging.getLogger("cds.response_cache")


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: bytes
    body: bytes
    etag: bytes


class _NotKept(Exception):
    """The answer must not be kept; it is still the answer to this request (and to any request
    that shared the execution)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def refresh_after(max_stale: float) -> float:
    """How old a stale answer may get before one execution refreshes it: soon enough that the
    refreshed answer is kept before the allowance runs out."""
    return min(REFRESH_AFTER_SECONDS, max_stale / 2)


class ResponseCache:
    def __init__(self, app: ASGIApp, max_entries: int, path: str = "/graphql") -> None:
        self.app = app
        self.path = path
        self.entries = VersionedCache(max_entries, name="responses")
        # Whether a request text is a query, so a miss after each change does not parse again.
        self._is_query: OrderedDict[bytes, bool] = OrderedDict()
        self._max = max_entries
        self._versions: VersionReader | None = None
        self._refreshing: set[tuple[bytes, dt.date]] = set()  # keys refreshed in the background
        self._tasks: set[asyncio.Task[None]] = set()  # referenced, so they are not collected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._candidate(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if scope["method"] == "GET":
            raw = bytes(scope.get("query_string", b""))
            key = b"GET\n" + headers.get(b"accept", b"") + b"\n" + raw
            body_read = b""
            is_query = self._query(key, lambda: _from_query_string(raw))
        else:
            body, complete = await _read_body(receive)
            if not complete:
                await self.app(scope, _replay(body, receive, more=True), send)
                return
            key = b"POST\n" + body
            is_query = self._query(key, lambda: _from_json(body))
            receive = _replay(body, receive)
            body_read = body
        if not is_query:
            CACHE.labels("responses", "bypass").inc()
            await self.app(scope, receive, send)
            return
        if self._versions is None:
            graph: Graph = scope["app"].state.graph
            self._versions = VersionReader(lambda: graph.read(changes.answers_version))
        arrived = time.monotonic()
        try:
            version = await self._versions.current()
        except Unavailable:
            await self.app(scope, receive, send)  # the app answers its typed 503 error
            return
        cache_control = headers.get(b"cache-control", b"")
        cache_key = (key, dt.date.today())
        max_stale = _max_stale(cache_control)
        if max_stale is not None and b"no-cache" not in cache_control:
            kept = self.entries.last(cache_key)
            if kept is not None and kept.version < version:
                age = time.monotonic() - kept.read_at
                if age <= max_stale:
                    CACHE.labels("responses", "stale").inc()
                    if age >= refresh_after(max_stale):
                        self._refresh_later(cache_key, version, scope, body_read, arrived)
                    await _send(kept.value, b"STALE", headers.get(b"if-none-match"), send, age)
                    return
        execution = _Execution(self.app, scope, receive)
        try:
            if b"no-cache" in cache_control:
                # The client asks for a fresh answer (HTTP's request directive): execute, and
                # keep it for the others.
                answer = await self.entries.refresh(cache_key, version, execution)
            else:
                answer = await self.entries.get_or_compute(cache_key, version, execution, arrived)
        except _NotKept as not_kept:
            answer = not_kept.answer
        # A request that waited for another's execution of the same question did not execute.
        state = b"MISS" if execution.ran else b"HIT"
        await _send(answer, state, headers.get(b"if-none-match"), send)

    def _refresh_later(
        self, key: tuple[bytes, dt.date], version: int, scope: Scope, body: bytes, arrived: float
    ) -> None:
        """One execution of this question for ``version``, after the stale answer was sent."""
        if key in self._refreshing:
            return
        self._refreshing.add(key)
        execution = _Execution(self.app, dict(scope), _body_only(body))

        async def refresh() -> None:
            try:
                # Bounded: a hung execution would keep the key from ever refreshing behind.
                async with asyncio.timeout(REFRESH_TIMEOUT_SECONDS):
                    await self.entries.get_or_compute(key, version, execution, arrived)
            except _NotKept:
                pass  # an error this time: the next request executes again
            except Exception:
                log.exception("background refresh of a cached answer failed")
            finally:
                self._refreshing.discard(key)

        task = asyncio.get_running_loop().create_task(refresh())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _candidate(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path or not self._max:
            return False
        if scope["method"] not in ("GET", "POST"):
            return False
        return not any(name == b"authorization" for name, _ in scope["headers"])

    def _query(self, key: bytes, operation: Callable[[], tuple[str, str | None] | None]) -> bool:
        """Is this request text a query (parsed once per text, not per request)?"""
        known = self._is_query.get(key)
        if known is None:
            found = operation()
            known = found is not None and _is_query(*found)
            self._is_query[key] = known
            while len(self._is_query) > 4 * self._max:
                self._is_query.popitem(last=False)
        return known


def _is_query(text: str, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(text), operation_name)
    except GraphQLError:
        return False  # the app answers the syntax error
    return operation is not None and operation.operation is OperationType.QUERY


def _from_json(body: bytes) -> tuple[str, str | None] | None:
    try:
        request = json.loads(body)
    except ValueError:
        return None
    if not isinstance(request, dict):
        return None
    return _operation(request.get("query"), request.get("operationName"))


def _from_query_string(raw: bytes) -> tuple[str, str | None] | None:
    params = parse_qs(raw.decode("latin-1"))
    name = params.get("operationName", [None])[0]
    return _operation(params.get("query", [None])[0], name)


def _operation(query: object, name: object) -> tuple[str, str | None] | None:
    if not isinstance(query, str) or not (name is None or isinstance(name, str)):
        return None
    return query, name


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, or what was read of it when it passed MAX_REQUEST_BYTES (False)."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        more = bool(message.get("more_body", False))
        if more and len(body) > MAX_REQUEST_BYTES:
            return body, False
        if not more:
            return body, True


def _max_stale(cache_control: bytes) -> float | None:
    """The seconds of staleness ``Cache-Control: max-stale[=N]`` accepts (None: not asked)."""
    found = re.search(
        rb"(?:^|[,\s])max-stale(?:=\"?(\d+)\"?)?(?:$|[,\s])", cache_control, re.IGNORECASE
    )
    if found is None:
        return None
    return min(float(found.group(1) or MAX_STALE_SECONDS), MAX_STALE_SECONDS)


def _body_only(body: bytes) -> Receive:
    """The receive of an execution nobody waits on: the body, then nothing (never a
    disconnect: the client that asked was already answered)."""

    async def nothing() -> Message:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return _replay(body, nothing)


def _replay(body: bytes, receive: Receive, more: bool = False) -> Receive:
    """A receive that gives the app the body already read, then the rest (or the disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return again


class _Execution:
    """Runs the app for this request, keeping what it sends instead of sending it."""

    def __init__(self, app: ASGIApp, scope: Scope, receive: Receive) -> None:
        self.app, self.scope, self.receive = app, scope, receive
        self.ran = False

    async def __call__(self) -> Answer:
        self.ran = True
        status, content_type, parts = 500, b"application/json", []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = dict(message.get("headers", [])).get(b"content-type", content_type)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(self.scope, self.receive, capture)
        body = b"".join(parts)
        answer = Answer(status, content_type, body, _etag(body))
        if status != 200 or len(body) > MAX_ANSWER_BYTES or _has_errors(body):
            raise _NotKept(answer)
        return answer


def _has_errors(body: bytes) -> bool:
    try:
        answer = json.loads(body)
    except ValueError:
        return True
    return not isinstance(answer, dict) or bool(answer.get("errors"))


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


async def _send(
    answer: Answer,
    state: bytes,
    if_none_match: bytes | None,
    send: Send,
    age: float | None = None,
) -> None:
    unchanged = if_none_match is not None and answer.etag in if_none_match.split(b", ")
    status, body = (
        (304, b"") if unchanged and answer.status == 200 else (answer.status, answer.body)
    )
    headers = [(b"etag", answer.etag), (b"cache-control", b"no-cache"), (b"x-cache", state)]
    if age is not None:
        headers.append((b"age", str(int(age)).encode()))
    if status != 304:
        headers += [
            (b"content-type", answer.content_type),
            (b"content-length", str(len(body)).encode()),
        ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
