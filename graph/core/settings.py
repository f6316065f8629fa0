"""The one settings object of the project, read from the environment (prefix ``CDS_``).

It lives in the bottom layer so that ``graph/``, ``seed/`` and ``api/`` all read the same object
without importing upward. ``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE``
are also accepted without the prefix, because that is how Neo4j's own tools and images name them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    Field,
    IPvAnyNetwork,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_PASSWORD = "cds-local-dev"
# Development secrets: known to everyone, so refused in production.
DEV_SIGNING_KEY = "cds-local-dev-signing-key-not-for-production"
DEV_EMAIL_TOKEN_KEY = "cds-local-dev-email-token-key-not-for-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CDS_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    # An external Neo4j (a server, a cluster through neo4j://, or Aura). When unset the project
    # starts its own local Neo4j (graph/neo4j-local) and connects to that.
    neo4j_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("CDS_NEO4J_URI", "NEO4J_URI")
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("CDS_NEO4J_USER", "NEO4J_USER")
    )
    neo4j_password: SecretStr = Field(
        default=SecretStr(DEV_PASSWORD),
        validation_alias=AliasChoices("CDS_NEO4J_PASSWORD", "NEO4J_PASSWORD"),
    )
    neo4j_database: str = Field(
        default="neo4j", validation_alias=AliasChoices("CDS_NEO4J_DATABASE", "NEO4J_DATABASE")
    )

    # The local Neo4j (used only when neo4j_uri is unset).
    local_neo4j_port: int = 7687
    local_neo4j_data: Path = REPO_ROOT / "var" / "neo4j"
    local_neo4j_heap_mb: int = 1024
    local_neo4j_pagecache_mb: int = 1024
    local_neo4j_conf: Path | None = None  # more settings for the local server, neo4j.conf syntax

    # Coverage rules: the smallest active team that is not a gap, and per-province overrides
    # (JSON in the environment, e.g. CDS_TEAM_MIN_SIZE_BY_PROVINCE='{"01": 5}').
    team_min_size: int = 3
    team_min_size_by_province: dict[str, int] = Field(default_factory=dict)
    # A team is active when it reported an activity within the last N days (#17); the helped
    # figures of coverage cover the same window.
    active_team_days: int = Field(default=90, gt=0)

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    # How long an idle HTTP connection stays open. Longer than a client's or a reverse proxy's
    # own idle timeout (httpx 5 s, browsers ~60 s, nginx upstream keepalive 60 s), so the
    # client closes first: with uvicorn's 5 s the server closed connections the client was
    # reusing at that moment, and the request failed (bench.soak: 4 ReadErrors in 4 min).
    keep_alive_seconds: int = Field(default=75, ge=1)

    # GraphQL limits
    page_size_default: int = 50
    page_size_max: int = 500
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    introspection: bool = True

    # Identity: bearer JWTs. "local" verifies HS256 tokens signed with jwt_signing_key (what
    # `cds token` issues, for development); "oidc" verifies RS256/ES256 tokens of an OpenID
    # Connect provider against its JWKS, issuer and audience. The role and scope travel in the
    # claims named below (scope: province code, commune code, organisation id or person id).
    auth_mode: Literal["local", "oidc"] = "local"
    jwt_signing_key: SecretStr = SecretStr(DEV_SIGNING_KEY)
    jwt_issuer: str = "cds-registry"
    # The API's audience: the `aud` its tokens must carry (with OIDC, the resource indicator
    # clients ask the provider for, e.g. urn:cds:registry or the API's https address).
    jwt_audience: str = "cds-registry"
    # OIDC by issuer: the provider's issuer URL, exactly as its tokens' `iss`; the keys are found
    # through its discovery document (<issuer>/.well-known/openid-configuration -> jwks_uri).
    # Or, without discovery: oidc_jwks_url with jwt_issuer. Set both and the JWKS URL is used
    # for the keys, oidc_issuer for `iss`.
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    # The dashboard's single sign-on (authorization code + PKCE) as this public client of the
    # provider, asking these scopes; unset: the dashboard offers no SSO (machines still call the
    # API with the provider's tokens).
    oidc_client_id: str | None = None
    oidc_scopes: str = "openid"
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    jwt_role_claim: str = "cds_role"
    jwt_scope_claim: str = "cds_scope"
    jwt_leeway_seconds: int = 30
    # Experts and team leaders sign in without passwords (graph/signin/links.py): a link by
    # e-mail, valid this long and once, gives a session token signed with jwt_signing_key under
    # the issuer "<jwt_issuer>/link-session", accepted in both modes for roles EXPERT and
    # TEAM_LEADER only (api/auth.py); expert_session_minutes is both roles' session length.
    sign_in_url: str = "http://127.0.0.1:8000/sign-in"
    sign_in_link_minutes: int = Field(default=15, gt=0)
    expert_session_minutes: int = Field(default=60, gt=0)

    # Outgoing mail goes through the outbox (graph/core/outbox.py): files in outbox_dir, or SMTP
    # when smtp_host is set. Confirmation links carry a token signed with email_token_key.
    outbox_dir: Path = REPO_ROOT / "var" / "outbox"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "CĐS registry <no-reply@cds.invalid>"
    confirm_url: str = "http://127.0.0.1:8000/confirm-email"
    register_url: str = "http://127.0.0.1:8000/register"
    email_token_key: SecretStr = SecretStr(DEV_EMAIL_TOKEN_KEY)
    email_token_hours: int = 48
    # Wrong confirmation codes allowed per e-mail address and rate-limit window (the code is 8
    # characters: a few guesses an hour cannot find it within its hours).
    email_code_attempts: int = Field(default=5, gt=0)

    # Anonymous self-registration: attempts per fixed window, counted in Neo4j so that every
    # API replica shares them.
    rate_limit_window_seconds: int = 3600
    rate_limit_per_address: int = 20
    rate_limit_per_email: int = 3
    # Sign-in links one e-mail address may be sent per window (the per-address limit above
    # applies too): a few, for a mail that is slow to arrive.
    rate_limit_sign_in_per_email: int = Field(default=5, gt=0)
    # nominateExpert: invitations one signed-in nominator may have sent per window, whatever
    # address they come from (a token is one accountable official; the registry's mail is not
    # theirs to use in bulk).
    rate_limit_nominations_per_nominator: int = 10
    # The reverse proxies whose X-Forwarded-For is believed (addresses or networks, e.g.
    # CDS_TRUSTED_PROXIES=10.0.0.5,192.168.0.0/24 or a JSON list); empty: the header is ignored
    # and the client is the connection's peer (api/app.py ``client_address``).
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)
    # Replaced by trusted_proxies: true is refused with a message saying what to set instead.
    trust_forwarded_for: bool = False

    # Spreadsheet uploads (POST /imports/…): the largest request body, refused with 413 from its
    # Content-Length before it is read, or as soon as the streamed body passes it; and the most
    # rows one file may hold (the README promises 100,000: the default leaves headroom). A
    # 100,000-row members CSV is ~9 MB, the same list as .xlsx ~4 MB.
    import_max_bytes: int = Field(default=32 * 2**20, gt=0)
    import_max_rows: int = Field(default=120_000, gt=0)

    # Whole answers to anonymous GraphQL queries (api/response_cache.py), kept per data version:
    # how many distinct queries each API process keeps (0: none, every request executes).
    response_cache_entries: int = Field(default=256, ge=0)

    # Live updates (api/live.py): how often each API process reads the change counter to find
    # changes made by any process. Smaller is fresher and costs one tiny query more per second.
    live_poll_seconds: float = Field(default=1.0, gt=0)

    # Operations (api/observability.py): log lines as JSON objects with the request id
    # ("json", what `cds serve` uses), plain text ("text"), or as the host set them up ("none":
    # tests, embedding); a GraphQL operation slower than this is logged with its name.
    log_format: Literal["json", "text", "none"] = "none"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    slow_operation_ms: int = Field(default=1000, gt=0)
    # Browser pages served from other origins that may call the API (a province's portal, a BI
    # tool), e.g. CDS_CORS_ORIGINS=https://cds.hanoi.gov.vn; empty: none, the default.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("local_neo4j_conf", mode="before")
    @classmethod
    def _empty_conf_is_none(cls, value: object) -> object:
        # `CDS_LOCAL_NEO4J_CONF= cds run` means no file, not the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.rstrip("/") for item in text.replace(",", " ").split() if item]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        # A JSON list, or addresses separated by commas (or spaces).
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item for item in text.replace(",", " ").split() if item]
        return value

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Settings:
        if self.trust_forwarded_for:
            raise ValueError(
                "CDS_TRUST_FORWARDED_FOR is replaced by CDS_TRUSTED_PROXIES: name the addresses "
                "(or networks) of the reverse proxies that set X-Forwarded-For, e.g. "
                "CDS_TRUSTED_PROXIES=10.0.0.5,10.1.0.0/16, and remove CDS_TRUST_FORWARDED_FOR"
            )
        if (
            self.environment == "production"
            and self.neo4j_password.get_secret_value() == DEV_PASSWORD
        ):
            raise ValueError(
                "NEO4J_PASSWORD is the development default; set a real password in production"
            )
        # Both modes: the signing key also signs the experts' sign-in sessions (api/auth.py),
        # so with the known development key anyone could sign in as any expert.
        if self.environment == "production" and (
            self.email_token_key.get_secret_value() == DEV_EMAIL_TOKEN_KEY
            or self.jwt_signing_key.get_secret_value() == DEV_SIGNING_KEY
        ):
            raise ValueError(
                "CDS_JWT_SIGNING_KEY / CDS_EMAIL_TOKEN_KEY are development defaults; set real "
                "secrets in production (with CDS_AUTH_MODE=oidc too: the signing key signs "
                "the experts' sign-in sessions)"
            )
        if self.auth_mode == "oidc" and not (self.oidc_issuer or self.oidc_jwks_url):
            raise ValueError(
                "CDS_AUTH_MODE=oidc needs CDS_OIDC_ISSUER (the provider's issuer URL, its keys "
                "found by discovery) or CDS_OIDC_JWKS_URL with CDS_JWT_ISSUER"
            )
        return self

    @property
    def token_issuer(self) -> str:
        """The ``iss`` bearer tokens must carry: the provider's issuer in OIDC mode when named,
        else ``jwt_issuer``."""
        if self.auth_mode == "oidc" and self.oidc_issuer:
            return self.oidc_issuer
        return self.jwt_issuer


@cache
def get_settings() -> Settings:
    return Settings()
