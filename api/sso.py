"""Single sign-on with the ministry's OpenID Connect provider (``CDS_AUTH_MODE=oidc``).

Two things live here: where the provider's signing keys come from (its discovery document,
``<CDS_OIDC_ISSUER>/.well-known/openid-configuration`` -> ``jwks_uri``, or ``CDS_OIDC_JWKS_URL``
when named), for ``api.auth.TokenVerifier``; and what the dashboard needs to sign people in
(``GET /auth/config``: the issuer, its public client id, the scopes and the API's audience as
the resource to ask for), which also opens the page's Content-Security-Policy to the provider's
origin so that the page can read its discovery document and exchange the code.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import jwt
from fastapi import APIRouter, Request

from graph.core.settings import Settings

log = logging.getLogger("cds.sso")

# Keys and discovery are kept this long; a token naming an unknown key id fetches the keys
# again at once (PyJWKClient), which is how a provider's key rotation reaches us.
CACHE_SECONDS = 3600
FETCH_TIMEOUT_SECONDS = 10


class DiscoveryError(jwt.PyJWKClientError):
    """The provider's discovery document could not be read, or names another issuer."""


def discovery_url(issuer: str) -> str:
    # OpenID Connect Discovery 1.0, section 4: the issuer without its trailing slash.
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _read_discovery(issuer: str) -> dict[str, Any]:
    url = discovery_url(issuer)
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            document = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise DiscoveryError(f"could not read {url}: {error}") from None
    if not isinstance(document, dict):
        raise DiscoveryError(f"{url} is not a JSON object")
    # Section 4.3: the document must name exactly the issuer it was asked for, or a provider
    # (or whoever answers at that address) could pass off another issuer's tokens.
    if document.get("issuer") != issuer:
        raise DiscoveryError(
            f"{url} names the issuer {document.get('issuer')!r}, not CDS_OIDC_ISSUER {issuer!r}"
        )
    if not isinstance(document.get("jwks_uri"), str):
        raise DiscoveryError(f"{url} has no jwks_uri")
    return document


class ProviderKeys:
    """The provider's public keys, found by discovery (once an hour) or at a named JWKS URL."""

    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.oidc_issuer
        self._jwks: jwt.PyJWKClient | None = None
        self._jwks_url = settings.oidc_jwks_url
        self._discovered_at = 0.0
        self._lock = asyncio.Lock()
        if self._jwks_url:
            self._jwks = jwt.PyJWKClient(self._jwks_url, cache_keys=True, lifespan=CACHE_SECONDS)

    async def _client(self) -> jwt.PyJWKClient:
        if self._jwks_url or (
            self._jwks is not None and time.monotonic() - self._discovered_at < CACHE_SECONDS
        ):
            assert self._jwks is not None
            return self._jwks
        assert self._issuer is not None  # Settings refuses oidc mode with neither
        async with self._lock:
            if self._jwks is None or time.monotonic() - self._discovered_at >= CACHE_SECONDS:
                try:
                    # Blocking HTTP, like PyJWKClient's own: off the event loop.
                    document = await asyncio.to_thread(_read_discovery, self._issuer)
                except DiscoveryError as error:
                    log.error("single sign-on: %s", error)
                    raise
                if self._jwks is None or self._jwks.uri != document["jwks_uri"]:
                    self._jwks = jwt.PyJWKClient(
                        document["jwks_uri"], cache_keys=True, lifespan=CACHE_SECONDS
                    )
                self._discovered_at = time.monotonic()
            return self._jwks

    async def signing_key(self, token: str) -> Any:
        client = await self._client()
        return (await asyncio.to_thread(client.get_signing_key_from_jwt, token)).key


def dashboard_sso(settings: Settings) -> dict[str, str] | None:
    """What the dashboard needs to sign people in through the provider, or None when it
    offers no single sign-on (local mode, or no client id for it)."""
    if settings.auth_mode != "oidc" or not settings.oidc_issuer or not settings.oidc_client_id:
        return None
    return {
        "issuer": settings.oidc_issuer,
        "clientId": settings.oidc_client_id,
        "scopes": settings.oidc_scopes,
        "resource": settings.jwt_audience,
    }


def connect_origins(settings: Settings) -> list[str]:
    """Origins the pages may fetch from besides this server: the provider's, for discovery and
    the token exchange (its login and logout pages are navigations, which need nothing)."""
    sso = dashboard_sso(settings)
    if sso is None:
        return []
    parts = urlsplit(sso["issuer"])
    return [f"{parts.scheme}://{parts.netloc}"]


router = APIRouter()


@router.get("/auth/config", summary="How the dashboard signs people in")
async def auth_config(request: Request) -> dict[str, object]:
    """``sso``: the provider to send people to (null: none); ``tokenPaste``: whether the page
    may offer pasting a bearer token (never in production with single sign-on)."""
    settings: Settings = request.app.state.settings
    return {
        "mode": settings.auth_mode,
        "sso": dashboard_sso(settings),
        "tokenPaste": settings.auth_mode == "local" or settings.environment != "production",
    }
