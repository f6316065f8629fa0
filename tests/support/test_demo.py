"""The demo's support requests: synthetic, consistent with their engagements, written once."""

from __future__ import annotations

from graph.core.db import Graph, Tx, run
from seed.demo.params import DEMO_SEED
from seed.demo.support import load_support_demo


async def state(tx: Tx) -> dict[str, int]:
    [found] = await run(
        tx,
        """
        MATCH (r:SupportRequest) WHERE r.id STARTS WITH 'demo-request-'
        OPTIONAL MATCH (g:Engagement)-[:FOR]->(r)
        RETURN count(DISTINCT r) AS requests, count(g) AS engagements,
          sum(CASE WHEN r:Synthetic AND r.synthetic THEN 0 ELSE 1 END) AS unlabelled,
          sum(CASE WHEN g IS NULL OR (g:Synthetic AND g.synthetic) THEN 0 ELSE 1 END)
            AS unlabelledEngagements,
          // each request's status follows its engagement's
          sum(CASE WHEN (g IS NULL AND r.status = 'OPEN')
                OR (g.status = 'PROPOSED' AND r.status = 'MATCHING')
                OR (g.status = 'ACCEPTED' AND r.status = 'ASSIGNED'
                    AND r.firstAcceptedAt IS NOT NULL)
                OR (g.status = 'COMPLETED' AND r.status = 'DONE' AND g.feedbackScore >= 1)
              THEN 0 ELSE 1 END) AS inconsistent
        """,
    )
    return dict(found)


async def remove(tx: Tx) -> None:
    await run(
        tx,
        "MATCH (n) WHERE (n:SupportRequest OR n:Engagement) AND n:Synthetic DETACH DELETE n",
    )


async def test_demo_requests_are_synthetic_consistent_and_written_once(graph: Graph) -> None:
    try:
        requests, engagements = await load_support_demo(graph, DEMO_SEED)
        assert requests == 34 * 3  # every current province has its CĐS department
        assert 0 < engagements < requests
        found = await graph.read(state)
        assert found == {
            "requests": requests,
            "engagements": engagements,
            "unlabelled": 0,
            "unlabelledEngagements": 0,
            "inconsistent": 0,
        }
        assert await load_support_demo(graph, DEMO_SEED) == (0, 0)
        assert await graph.read(state) == found
    finally:
        await graph.write(remove)
