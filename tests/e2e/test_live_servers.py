"""The e2e fixtures themselves: every API process shares the test settings' token key and the
session's graph, so a `bearer` token made in the tests works on any of them."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from api.auth import issue_local_token
from api.viewer import Role
from graph.core.settings import Settings
from tests.e2e.conftest import LiveServer, StartServer
from tests.gql import gql
from tests.tokens import bearer


async def test_a_second_process_verifies_the_test_tokens(
    live_server: LiveServer,
    live_client: httpx.AsyncClient,
    start_server: StartServer,
    settings: Settings,
) -> None:
    second = await start_server()
    assert second.url != live_server.url
    assert second.process.pid != live_server.process.pid
    coordinator = bearer(settings, Role.NATIONAL_COORDINATOR)
    foreign_key = SecretStr("a-key-that-is-not-the-test-settings-signing-key")
    foreign = settings.model_copy(update={"jwt_signing_key": foreign_key})
    forged = issue_local_token(foreign, Role.NATIONAL_COORDINATOR, subject="x", scope=None)
    async with second.client() as other:
        for client in (live_client, other):
            assert await gql(client, "{ __typename }", headers=coordinator) == {
                "__typename": "Query"
            }
            refused = await client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"Authorization": f"Bearer {forged}"},
            )
            assert refused.status_code == 401
