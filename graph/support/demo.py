"""The synthetic demo's support requests and engagements: CREATE writers for rows that
seed/demo/support.py generates (like the network's first-load writers, graph/network/bulk.py,
they write no audit event: demo data is not a change anyone made). Every node is labelled
``Synthetic`` with ``synthetic: true``."""

from __future__ import annotations

from typing import Any

from graph.core.cypher import unwind
from graph.core.db import Tx, run_single


async def holds_demo_requests(tx: Tx) -> bool:
    found = await run_single(
        tx, "MATCH (r:SupportRequest:Synthetic) RETURN count(r) > 0 AS some LIMIT 1"
    )
    return bool(found and found["some"])


async def create_requests(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """Requests filed ``row.daysAgo`` days ago, OPEN; their engagements move them on."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (o:Organisation {id: row.organisationId})
        MATCH (u:AdministrativeUnit {key: row.unitKey})
        CREATE (o)-[:REQUESTED]->(r:SupportRequest:Synthetic {
            id: row.id, topic: row.topic, searchKey: row.searchKey, description: row.description,
            remoteAllowed: row.remoteAllowed, periodStart: date(row.periodStart),
            periodEnd: date(row.periodEnd), expertsWanted: 1, urgency: row.urgency,
            status: 'OPEN', createdAt: datetime() - duration({days: row.daysAgo}),
            synthetic: true})-[:AT]->(u)
        WITH r, row
        UNWIND row.wanted AS code
        MATCH (a:ExpertiseArea {code: code})
        CREATE (r)-[:WANTS {weight: 1.0, mustHave: false}]->(a)
        RETURN count(DISTINCT r) AS n
        """,
        rows,
    )


async def create_engagements(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """One engagement per row in the status given, dated from its request's filing, and the
    request moved to match (PROPOSED: MATCHING, ACCEPTED: ASSIGNED, COMPLETED: DONE)."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MATCH (r:SupportRequest:Synthetic {id: row.requestId})
        MATCH (e:ExpertProfile {id: row.expertId})
        WITH r, e, row, r.createdAt + duration({hours: row.hoursToAnswer}) AS answered
        CREATE (g:Engagement:Synthetic {
            id: row.id, status: row.status, synthetic: true, score: row.score,
            proposedAt: r.createdAt + duration({hours: 2}),
            acceptedAt: CASE WHEN row.status IN ['ACCEPTED', 'COMPLETED'] THEN answered END,
            completedAt: CASE WHEN row.status = 'COMPLETED' THEN answered + duration({days: 20})
                         END,
            feedbackScore: row.feedbackScore})
        CREATE (g)-[:FOR]->(r), (g)-[:OF]->(e)
        SET r.status = CASE row.status WHEN 'PROPOSED' THEN 'MATCHING'
                         WHEN 'ACCEPTED' THEN 'ASSIGNED' ELSE 'DONE' END,
            r.matchingAt = g.proposedAt,
            r.firstAcceptedAt = g.acceptedAt, r.assignedAt = g.acceptedAt,
            r.doneAt = g.completedAt
        RETURN count(g) AS n
        """,
        rows,
    )
