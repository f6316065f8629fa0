"""The dashboard tells its user when the API cannot read Neo4j, and refetches once it is back
(#18): an API process on the spare server (tests/spare.py), which the test stops and starts."""

from __future__ import annotations

from playwright.async_api import Page, expect

from graph.core.db import connect
from graph.core.local_neo4j import LocalNeo4j
from graph.core.migrations import migrate
from graph.units.units import mark_units_loaded, units_loaded
from tests.e2e.conftest import StartServer
from tests.spare import SPARE_PASSWORD


async def test_the_live_badge_says_when_the_database_is_away(
    page: Page, start_server: StartServer, spare_neo4j: LocalNeo4j
) -> None:
    graph = await connect(spare_neo4j.uri, "neo4j", SPARE_PASSWORD, "neo4j")
    try:
        await migrate(graph)
        if not await graph.read(units_loaded):
            # Run alone, before tests/core/test_first_start.py loads them: the badge needs no
            # units, and loading them would take the API's start-up longer than it may.
            await graph.write(mark_units_loaded, 0)
    finally:
        await graph.close()
    server = await start_server({"NEO4J_URI": spare_neo4j.uri, "NEO4J_PASSWORD": SPARE_PASSWORD})
    await page.goto(f"{server.url}/dashboard/#/map")
    badge = page.get_by_test_id("live-status")
    await expect(badge).to_have_attribute("data-connected", "true", timeout=30_000)

    spare_neo4j.stop()
    try:
        # The socket to the API stays up; what it reports is the database (after the driver's
        # 5 s of retries, on a busy machine more).
        try:
            await expect(badge).to_have_text(
                "Cơ sở dữ liệu tạm ngừng: số liệu có thể chưa mới", timeout=60_000
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\nthe API's log:\n{server.log_tail()}") from None
        await expect(badge).to_have_attribute("data-connected", "false")
        await expect(badge).to_have_attribute("role", "status")  # read out by screen readers
    finally:
        spare_neo4j.start()
    await expect(badge).to_have_attribute("data-connected", "true", timeout=60_000)
    await expect(badge).to_have_text("Trực tiếp")
