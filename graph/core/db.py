"""The driver, the unit-of-work runners and the one place every Cypher statement goes through.

One ``AsyncDriver`` per process (made by the API's lifespan or a CLI command). Each use-case is
one unit-of-work function run by ``Graph.read`` (``execute_read``: a cluster routes it to a
reader) or ``Graph.write`` (``execute_write``); the driver may retry it, so those functions only
touch the transaction they are given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Concatenate, LiteralString, ParamSpec, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j import exceptions as neo4j_errors

from graph.core.errors import GraphUnavailable

T = TypeVar("T")
P = ParamSpec("P")
Tx = AsyncManagedTransaction

# Counts Cypher statements sent in the current context (a request, a test): the API's promise
# that a nested query costs a fixed number of round trips is checked against this.
statements_sent: ContextVar[list[int] | None] = ContextVar("statements_sent", default=None)

# Called once per statement when set: the API counts round trips for its metrics this way, so
# graph/ knows nothing of how they are exported.
on_statement: Callable[[], None] | None = None


class _Unlogged(list[Any]):
    """A list parameter whose ``repr`` is its length. The driver formats every statement's
    parameters for its debug log before it knows whether debug is on (``" ".join(map(repr,
    fields))`` in neo4j/_async/io/_bolt), about a second of CPU per 100,000 imported rows; and
    such rows hold personal data, which a debug log should not (Law 91/2025/QH15; only list
    parameters are hidden so, not single values). It is still a list: the driver packs any
    list subclass, dates inside included, as it packs a list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


async def run(tx: Tx, query: LiteralString, **params: Any) -> list[neo4j.Record]:
    """Run one parameterised statement and return all its records."""
    if (counter := statements_sent.get()) is not None:
        counter[0] += 1
    if on_statement is not None:
        on_statement()
    sent = {k: _Unlogged(v) if type(v) is list else v for k, v in params.items()}
    result = await tx.run(query, sent)
    return [record async for record in result]


async def run_collected(tx: Tx, query: LiteralString, **params: Any) -> list[Any]:
    """Run a statement ending ``RETURN collect(…) AS rows`` and return that list.

    The Python driver spends a fraction of a millisecond of CPU on each record it receives (a
    5,000-record answer took 1.5 s on the shared 2-core machine) and next to nothing on one
    record holding a 5,000-item list (0.02 s): statements answering one item per input row,
    such as the imports' look-ups of a chunk's targets, return them in one record."""
    records = await run(tx, query, **params)
    return list(records[0]["rows"]) if records else []


async def run_single(tx: Tx, query: LiteralString, **params: Any) -> neo4j.Record | None:
    records = await run(tx, query, **params)
    return records[0] if records else None


BOLT_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


# How long a unit of work is retried while Neo4j cannot be reached (the driver's default is 30 s,
# far longer than anyone waits for a page): then the caller gets GraphUnavailable, "retry".
RETRY_SECONDS = 5.0

# What the driver raises when the server is away (stopped, restarting, a cluster electing a
# leader): a connection that cannot be made, or a session whose connection was lost.
UNREACHABLE = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired)


class Unavailable(GraphUnavailable):
    """Neo4j is away for now: nothing was written; the same call later may succeed."""

    retry_after_seconds = 5

    def __init__(self) -> None:
        super().__init__("the database is unavailable for now; nothing was changed: retry shortly")


def driver_for(
    uri: str, user: str, password: str, retry_seconds: float = RETRY_SECONDS
) -> AsyncDriver:
    # Only Bolt: the driver's preview HTTP transport is not what a deployment should use, and a
    # mistyped http:// address must fail here with a clear message.
    if uri.split("://", 1)[0].lower() not in BOLT_SCHEMES:
        raise GraphUnavailable(
            f"NEO4J_URI {uri!r} is not a Neo4j address: use neo4j://host:7687 "
            "(routing: a cluster or Aura), bolt://host:7687 (one server), or their +s forms"
        )
    try:
        return AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            # Warnings such as "label does not exist yet" on an empty store are noise in logs.
            notifications_min_severity="OFF",
            max_transaction_retry_time=retry_seconds,
        )
    except (ValueError, neo4j_errors.ConfigurationError) as error:
        raise GraphUnavailable(
            f"NEO4J_URI {uri!r} is not a Neo4j address ({error}): use neo4j://host:7687 "
            "(routing: a cluster or Aura), bolt://host:7687 (one server), or their +s forms"
        ) from None


@dataclass(frozen=True)
class Graph:
    """The driver plus the database name, passed everywhere the graph is used."""

    driver: AsyncDriver
    database: str
    uri: str = ""

    async def read(
        self, work: Callable[Concatenate[Tx, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_read(work, *args, **kwargs)
        except UNREACHABLE:
            raise Unavailable() from None

    async def write(
        self, work: Callable[Concatenate[Tx, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """One transaction: when Neo4j goes away before it commits, nothing of it is written
        (the driver retries it for ``RETRY_SECONDS``, then ``Unavailable``)."""
        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(work, *args, **kwargs)
        except UNREACHABLE:
            raise Unavailable() from None

    async def schema(
        self, statement: LiteralString, params: Mapping[str, Any] | None = None
    ) -> None:
        """A statement in its own implicit transaction: schema statements (constraints, indexes)
        cannot share a transaction with writes, and ``CALL { … } IN TRANSACTIONS`` commits its
        own batches."""
        try:
            async with self.driver.session(database=self.database) as session:
                result = await session.run(statement, dict(params or {}))
                await result.consume()
        except UNREACHABLE:
            raise Unavailable() from None

    async def ping(self) -> None:
        """One round trip without retries, for readiness probes that must answer at once."""
        try:
            async with self.driver.session(database=self.database) as session:
                await (await session.run("RETURN 1")).consume()
        except UNREACHABLE:
            raise Unavailable() from None

    async def close(self) -> None:
        await self.driver.close()


async def connect(uri: str, user: str, password: str, database: str) -> Graph:
    """Make the driver and prove it works, or raise GraphUnavailable saying what to fix."""
    driver = driver_for(uri, user, password)
    try:
        await driver.verify_connectivity()
        async with driver.session(database=database) as session:
            await (await session.run("RETURN 1")).consume()
    except neo4j_errors.AuthError:
        await driver.close()
        raise GraphUnavailable(
            f"Neo4j at {uri} refused user {user!r}: check NEO4J_USER and NEO4J_PASSWORD"
        ) from None
    except (neo4j_errors.ServiceUnavailable, OSError) as error:
        await driver.close()
        raise GraphUnavailable(
            f"cannot reach Neo4j at {uri} ({error.__class__.__name__}): is it running, and is "
            "NEO4J_URI right? Unset NEO4J_URI to use the local Neo4j"
        ) from None
    except neo4j_errors.ClientError as error:
        await driver.close()
        if "DatabaseNotFound" in (error.code or ""):
            raise GraphUnavailable(
                f"Neo4j at {uri} has no database {database!r}: check NEO4J_DATABASE"
            ) from None
        raise
    return Graph(driver=driver, database=database, uri=uri)
