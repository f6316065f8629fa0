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


async def bump(tx: Tx) -> int:
    """Increase the counter in this transaction and return the new value."""
    record = await run_single(
        tx,
        "MERGE (c:ChangeCounter {id: $id}) ON CREATE SET c.seq = 0 "
        "SET c.seq = c.seq + 1 RETURN c.seq AS seq",
        id=COUNTER_ID,
    )
    assert record is not None
    return int(record["seq"])


async def current(tx: Tx) -> int:
    record = await run_single(
        tx, "OPTIONAL MATCH (c:ChangeCounter {id: $id}) RETURN c.seq AS seq", id=COUNTER_ID
    )
    return int(record["seq"]) if record and record["seq"] is not None else 0
