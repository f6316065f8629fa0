"""Each test module of the experts gets its own app over the session's graph, with mail going
to a directory of its own; everything a module writes is removed when it ends (the nodes its
audit events are about, plus the profiles made directly), so the seeded graph other modules
read is left as found."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.digests import rebuild_all_digests
from graph.core.settings import Settings
from tests.experts.support import MADE_HERE, last_seq


@pytest.fixture(scope="module")
def outbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox-self-service")


@pytest.fixture(scope="module")
def ss_settings(settings: Settings, outbox_dir: Path) -> Settings:
    # The modules nominate and register far more than one person would in an hour; the limits
    # themselves are tested with strict settings of their own.
    return settings.model_copy(
        update={
            "outbox_dir": outbox_dir,
            "rate_limit_per_address": 100_000,
            "rate_limit_nominations_per_nominator": 100_000,
        }
    )


@pytest_asyncio.fixture(scope="module")
async def web(graph: Graph, ss_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    start = await graph.read(last_seq)
    transport = httpx.ASGITransport(app=create_app(ss_settings, graph), client=("127.0.30.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
    await graph.write(_clean_up, start)
    await rebuild_all_digests(graph)  # the places of what was deleted


async def _clean_up(tx: Tx, start: int) -> None:
    """Remove what this module made: every node its audit events are about, with the records
    hanging off them, and the profiles written directly."""
    await run(
        tx,
        """
        MATCH (a:AuditEvent)-[:CONCERNS]->(n) WHERE a.seq > $start
        WITH collect(DISTINCT n) AS made
        UNWIND made AS n
        OPTIONAL MATCH (n)-[:ESTABLISHED_BY]->(d:Decision)
        OPTIONAL MATCH (n)-[:HAS_PROFILE]->(e:ExpertProfile)
        OPTIONAL MATCH (n)-[:GAVE|WITHDREW|NOMINATED|HAS_SIGN_IN_LINK]->(c)
        OPTIONAL MATCH (nom:Nomination)-[:LED_TO]->(n)
        OPTIONAL MATCH (claim:ContactClaim {personId: n.id})
        WITH collect(n) + collect(d) + collect(e) + collect(c) + collect(nom) + collect(claim)
             AS doomed
        UNWIND doomed AS x
        WITH DISTINCT x
        DETACH DELETE x
        """,
        start=start,
    )
    await run(
        tx,
        """
        UNWIND $ids AS id MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: id})
        DETACH DELETE p, e
        """,
        ids=MADE_HERE,
    )
    await changes.bump(tx)
