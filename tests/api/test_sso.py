"""Single sign-on and machine clients against a real OpenID Connect provider (the session's
development provider, tests/oidc): the API configured by issuer (discovery), the claims of its
tokens as role and scope, what it refuses, and what the dashboard is told (GET /auth/config)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
import pytest_asyncio

from api.app import create_app
from api.sso import discovery_url
from graph.core.db import Graph
from graph.core.settings import Settings
from tests.gql import gql
from tests.sso import OTHER_RESOURCE, Sso, machine_token

PENDING = "query($p: String) { pendingExperts(provinceCode: $p, first: 50) { totalCount nodes { province { code } } } }"


def oidc_settings(settings: Settings, sso: Sso, **over: Any) -> Settings:
    """The test settings in OIDC mode, configured the way an operator would: by issuer."""
    values = settings.model_dump() | {
        "auth_mode": "oidc",
        "oidc_issuer": sso.provider.issuer,
        "oidc_client_id": "cds-dashboard",
        "jwt_audience": sso.provider.resource,
    }
    return Settings.model_validate(values | over)


async def _client(graph: Graph, settings: Settings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, graph))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest_asyncio.fixture(scope="module")
async def oidc_client(
    graph: Graph, settings: Settings, sso: Sso
) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(graph, oidc_settings(settings, sso)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refused(client: httpx.AsyncClient, token: str) -> str:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers=bearer(token)
    )
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    message: str = body["errors"][0]["message"]
    return message


class TestMachineClients:
    async def test_a_province_portal_reads_its_province_only(
        self, oidc_client: httpx.AsyncClient, sso: Sso
    ) -> None:
        token = await machine_token(sso.provider, "cds-portal-79")
        claims = jwt.decode(token, options={"verify_signature": False})
        assert (claims["cds_role"], claims["cds_scope"]) == ("PROVINCIAL_COORDINATOR", "79")
        data = await gql(oidc_client, PENDING, headers=bearer(token))
        assert {n["province"]["code"] for n in data["pendingExperts"]["nodes"]} <= {"79"}
        # The scope is the token's: another province's queue is refused.
        other = await gql(
            oidc_client, PENDING, {"p": "01"}, headers=bearer(token), expect_errors=True
        )
        assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        # Anonymous callers see no queue at all.
        anonymous = await gql(oidc_client, PENDING, expect_errors=True)
        assert anonymous["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}

    async def test_a_national_bi_tool_pages_through_every_province(
        self, oidc_client: httpx.AsyncClient, sso: Sso
    ) -> None:
        token = await machine_token(sso.provider, "cds-bi-national")
        counts = await gql(
            oidc_client,
            "{ pendingCountsByProvince { province { code } pending } }",
            headers=bearer(token),
        )
        assert len(counts["pendingCountsByProvince"]) > 1
        # The README's paging example: first/after with the previous page's endCursor.
        query = """query Experts($first: Int!, $after: String) {
          experts(first: $first, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } nodes { id }
          }
        }"""
        first = await gql(oidc_client, query, {"first": 5}, headers=bearer(token))
        page = first["experts"]
        assert page["pageInfo"]["hasNextPage"]
        second = await gql(
            oidc_client,
            query,
            {"first": 5, "after": page["pageInfo"]["endCursor"]},
            headers=bearer(token),
        )
        ids = [n["id"] for n in page["nodes"]] + [n["id"] for n in second["experts"]["nodes"]]
        assert len(set(ids)) == 10

    async def test_a_token_without_a_role_is_401(
        self, oidc_client: httpx.AsyncClient, sso: Sso
    ) -> None:
        token = await machine_token(sso.provider, "cds-no-role")
        assert "cds_role" in await refused(oidc_client, token)

    async def test_a_token_for_another_api_is_401(
        self, oidc_client: httpx.AsyncClient, sso: Sso
    ) -> None:
        token = await machine_token(sso.provider, "cds-bi-national", OTHER_RESOURCE)
        # The provider's own signature, a role: only the audience is wrong.
        assert jwt.decode(token, options={"verify_signature": False})["aud"] == OTHER_RESOURCE
        assert "audience" in await refused(oidc_client, token)

    async def test_hs256_with_the_providers_key_id_is_401(
        self, oidc_client: httpx.AsyncClient, settings: Settings, sso: Sso
    ) -> None:
        # Algorithm confusion: the header names the provider's RSA key, the token is HMAC.
        real = await machine_token(sso.provider, "cds-bi-national")
        header = jwt.get_unverified_header(real)
        claims = jwt.decode(real, options={"verify_signature": False})
        forged = jwt.encode(
            claims,
            settings.jwt_signing_key.get_secret_value(),
            algorithm="HS256",
            headers={"kid": header["kid"]},
        )
        assert "algorithm" in await refused(oidc_client, forged)


class TestConfiguration:
    async def test_the_discovery_document_must_name_the_configured_issuer(
        self, graph: Graph, settings: Settings, sso: Sso
    ) -> None:
        # The same provider, named with a trailing slash: its document says otherwise, and
        # nothing it signs is accepted.
        named = sso.provider.issuer + "/"
        assert discovery_url(named) == discovery_url(sso.provider.issuer)
        token = await machine_token(sso.provider, "cds-bi-national")
        async with await _client(graph, oidc_settings(settings, sso, oidc_issuer=named)) as c:
            message = await refused(c, token)
        assert "issuer" in message
        assert "keys could not be found" in message

    async def test_a_jwks_url_with_an_issuer_still_works(
        self, graph: Graph, settings: Settings, sso: Sso
    ) -> None:
        token = await machine_token(sso.provider, "cds-bi-national")
        issuer = sso.provider.issuer
        jwks = {"oidc_issuer": None, "oidc_jwks_url": f"{issuer}/jwks"}
        async with await _client(
            graph, oidc_settings(settings, sso, jwt_issuer=issuer, **jwks)
        ) as client:
            assert await gql(client, "{ __typename }", headers=bearer(token))
        async with await _client(
            graph, oidc_settings(settings, sso, jwt_issuer="https://sso.example", **jwks)
        ) as client:
            assert "issuer" in await refused(client, token)

    def test_oidc_mode_needs_an_issuer_or_a_jwks_url(self, settings: Settings) -> None:
        with pytest.raises(ValueError, match="CDS_OIDC_ISSUER"):
            Settings.model_validate(settings.model_dump() | {"auth_mode": "oidc"})

    async def test_the_dashboard_is_told_how_to_sign_in(
        self, oidc_client: httpx.AsyncClient, client: httpx.AsyncClient, sso: Sso
    ) -> None:
        response = await oidc_client.get("/auth/config")
        assert response.json() == {
            "mode": "oidc",
            "sso": {
                "issuer": sso.provider.issuer,
                "clientId": "cds-dashboard",
                "scopes": "openid",
                "resource": sso.provider.resource,
            },
            "tokenPaste": True,
        }
        # The page may fetch from the provider (discovery, the code exchange), nothing else.
        page = await oidc_client.get("/dashboard/")
        connect = next(
            d
            for d in page.headers["content-security-policy"].split("; ")
            if d.startswith("connect")
        )
        assert connect == f"connect-src 'self' {sso.provider.issuer}"
        # Local mode: no single sign-on, tokens pasted.
        local = await client.get("/auth/config")
        assert local.json() == {"mode": "local", "sso": None, "tokenPaste": True}

    async def test_no_token_pasting_in_production_with_sso(
        self, graph: Graph, settings: Settings, sso: Sso
    ) -> None:
        production = oidc_settings(
            settings,
            sso,
            environment="production",
            email_token_key="a-real-key-" + "x" * 32,
            # Production refuses the development key in oidc mode too: it signs expert sessions.
            jwt_signing_key="a-real-signing-key-" + "y" * 32,
        )
        async with await _client(graph, production) as client:
            config = (await client.get("/auth/config")).json()
        assert config["tokenPaste"] is False
        assert config["sso"]["clientId"] == "cds-dashboard"


class TestTheDevelopmentProvider:
    """What the dashboard's client at the provider requires (tests/oidc/server.mjs), as the
    ministry's provider is to be set up: a public client must use PKCE with S256."""

    async def test_the_dashboard_client_must_use_pkce_s256(self, sso: Sso) -> None:
        provider = sso.provider
        verifier = "v" * 50
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        base = {
            "client_id": "cds-dashboard",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": provider.redirect_uris[0],
            "state": "s",
        }
        async with httpx.AsyncClient(trust_env=False) as http:

            async def error_of(extra: dict[str, str]) -> str | None:
                response = await http.get(f"{provider.issuer}/auth", params=base | extra)
                location = response.headers["location"]
                return parse_qs(urlsplit(location).query).get("error", [None])[0]

            assert await error_of({}) == "invalid_request"  # no PKCE
            plain = {"code_challenge": verifier, "code_challenge_method": "plain"}
            assert await error_of(plain) == "invalid_request"
            s256 = {"code_challenge": challenge, "code_challenge_method": "S256"}
            assert await error_of(s256) is None  # on to the login page
            discovery = (await http.get(discovery_url(provider.issuer))).json()
        assert discovery["code_challenge_methods_supported"] == ["S256"]
        assert json.dumps(discovery["end_session_endpoint"]).startswith(f'"{provider.issuer}')
