"""The graph's change counter: one number that grows with every committed change.

Every write transaction that changes what the API reads (a mutation, an import batch, a seed)
calls ``bump`` inside that same transaction, so the counter and the change commit together.
Readers use ``current`` as a version: a result computed at version v is still exact while the
counter reads v. The counter node serialises writers on one lock; at the registry's write
rates (people editing records) that is cheap, and it gives the audit feed its strictly
increasing sequence numbers.
"""

from __future__ import annotations

from graph.core.db import Tx, run_single

COUNTER_ID = "changes"
# Publishing an edition changes what is published (the `editions` list), not a figure, so it does
# not move the data version editions are keyed by (graph/reports/editions.py); it moves this one,
# which whole-answer caches add in (``answers_version``).
PUBLISHED_ID = "published"


async def bump(tx: Tx, counter: str = COUNTER_ID) -> int:
    """Increase the counter in this transaction and return the new value."""
    record = await run_single(
        tx,
        "MERGE (c:ChangeCounter {id: $id}) ON CREATE SET c.seq = 0 "
        "SET c.seq = c.seq + 1 RETURN c.seq AS seq",
        id=counter,
    )
    assert record is not None
    return int(record["seq"])


async def answers_version(tx: Tx) -> int:
    """A number that grows with every change to anything the API answers: the data version plus
    the publications (api/response_cache.py keys whole answers by it)."""
    record = await run_single(
        tx,
        "OPTIONAL MATCH (c:ChangeCounter) WHERE c.id IN $ids RETURN sum(c.seq) AS seq",
        ids=[COUNTER_ID, PUBLISHED_ID],
    )
    return int(record["seq"]) if record and record["seq"] is not None else 0


async def current(tx: Tx) -> int:
    record = await run_single(
        tx, "OPTIONAL MATCH (c:ChangeCounter {id: $id}) RETURN c.seq AS seq", id=COUNTER_ID
    )
    return int(record["seq"]) if record and record["seq"] is not None else 0
