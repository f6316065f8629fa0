"""Live updates as a GraphQL subscription (the poller behind it is api/live.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Annotated

import strawberry

from api import live
from api.types.audit import AuditEvent
from graph.core.errors import InvalidInput

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(description="A message of `networkChanges`.")
class NetworkChange:
    seq: int = strawberry.field(description="The newest sequence number this message accounts for.")
    events: list[AuditEvent] = strawberry.field(
        description="The in-scope events since the previous message, oldest first (same type "
        "and visibility rules as Query.changes)."
    )
    database_available: bool = strawberry.field(
        description="False while the server cannot read the database (figures may be stale); "
        "the next message with true means it is back: refetch."
    )


@strawberry.type(description="Live updates.")
class LiveSubscriptions:
    @strawberry.subscription(
        description="Changes to the network under a scope as they are committed, from any API "
        "process: first one message with the current sequence and no events (so a client knows "
        "where it stands and refetches once; with `since`, it carries the in-scope events after "
        "`since` instead), then one message per poll round that saw changes in scope. A message "
        "with no events after the first means: refetch (a change the feed does not describe, "
        "such as an import, or messages dropped for a client too slow to read them). Over "
        "WebSocket (graphql-transport-ws); send the bearer token as `authorization` in the "
        "connection_init payload."
    )
    async def network_changes(
        self,
        info: strawberry.Info[Context],
        scope_code: Annotated[
            str | None,
            strawberry.argument(description="Current province or commune code; none: national."),
        ] = None,
        since: Annotated[
            int | None,
            strawberry.argument(
                description="Also send the in-scope events after this sequence first (catch-up "
                "after a reconnect)."
            ),
        ] = None,
    ) -> AsyncIterator[NetworkChange]:
        # Checked here, before the stream starts, so a bad argument is the subscription's error
        # message rather than a failed first result.
        if since is not None and since < 0:
            raise InvalidInput("since", "must not be negative")
        ctx = info.context
        if ctx.live is None:
            raise RuntimeError("the app has no live feed (api/app.py makes one)")
        scope = await live.resolve_scope(ctx.graph, scope_code)
        return _messages(ctx.live.follow(scope, since), info)


async def _messages(
    batches: AsyncGenerator[live.Batch, None], info: strawberry.Info[Context]
) -> AsyncIterator[NetworkChange]:
    # Closed with the subscription, so the feed forgets the subscriber at once.
    async with aclosing(batches):
        async for batch in batches:
            yield NetworkChange(
                seq=batch.seq,
                events=[AuditEvent.from_record(e, info) for e in batch.events],
                database_available=batch.available,
            )
