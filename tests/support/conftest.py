"""The support tests write requests, experts and areas of their own; each module removes them
when it ends, so the seeded graph other modules read is left as found."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from graph.core.db import Graph
from tests.support.factories import clean_up


@pytest_asyncio.fixture(scope="module", autouse=True)
async def _clean(graph: Graph) -> AsyncIterator[None]:
    yield
    await clean_up(graph)
