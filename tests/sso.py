"""Test helpers for single sign-on: the session's development identity provider
(tests/oidc/server.mjs, started by the ``sso`` fixture in tests/conftest.py) and tokens from it,
obtained as a machine client would (client_credentials), never made by the tests themselves."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from api.dev_oidc import DevProvider

# The machine clients tests/oidc/server.mjs defines (development secrets).
MACHINE_SECRETS = {
    "cds-bi-national": "cds-dev-bi-secret",  # cds_role NATIONAL_COORDINATOR
    "cds-portal-79": "cds-dev-portal-secret",  # PROVINCIAL_COORDINATOR, cds_scope 79
    "cds-no-role": "cds-dev-no-role-secret",  # no cds_role
}
# Another API of the provider: its tokens are the provider's, for another audience.
OTHER_RESOURCE = "urn:example:another-api"
PASSWORD = "cds-dev"  # every development account's
SHORT_TOKEN_TTL = 10  # seconds: the account province-79-short, to see a session expire


@dataclass(frozen=True)
class Sso:
    provider: DevProvider
    # The port kept for the API process whose dashboard signs in (the provider knows the
    # dashboard's address, its redirect URI, from its start).
    dashboard_port: int


async def machine_token(provider: DevProvider, client_id: str, resource: str | None = None) -> str:
    """An access token for a machine client, from the provider's token endpoint."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        response = await http.post(
            f"{provider.issuer}/token",
            data={"grant_type": "client_credentials", "resource": resource or provider.resource},
            auth=(client_id, MACHINE_SECRETS[client_id]),
        )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
