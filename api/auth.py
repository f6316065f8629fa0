"""Bearer tokens to viewers.

Two modes (``CDS_AUTH_MODE``): ``local`` verifies HS256 tokens signed with the project's own key
(``cds token`` issues them, for development and tests); ``oidc`` verifies RS256/ES256 tokens of
the ministry's OpenID Connect provider against the keys it publishes (found by discovery from its
issuer, or at a named JWKS URL: ``api.sso.ProviderKeys``). Each mode
accepts only its own algorithms, so a token can neither choose ``none`` nor pass an RSA public key
off as an HMAC secret. Issuer, audience, expiry and subject are always required.

In both modes the API also accepts the sessions it issues itself when someone redeems a sign-in
link (graph/signin/links.py): HS256 with ``CDS_JWT_SIGNING_KEY``, a distinct issuer
``<CDS_JWT_ISSUER>/link-session``, the same audience, the role the link was asked for (EXPERT or
TEAM_LEADER: ``LINK_ROLES``) and the person's id as scope. A token is routed by its (unverified)
issuer: that issuer is verified only with the project's key and HS256, and then only the link
roles are accepted, so neither a forged role in such a token nor the provider's keys can reach
anything else (a coordinator's role never comes from a link); every other issuer goes the
mode's own way (an OIDC deployment keeps trusting its provider alone for coordinators).

No ``Authorization`` header means an anonymous viewer; a header that does not verify is a 401 with
a GraphQL-shaped body, never a silent downgrade to anonymous (a client with a stale token must
find out).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt

from api.sso import DiscoveryError, ProviderKeys
from api.viewer import Role, Viewer
from graph.core.model import Era, UnitLevel, unit_key
from graph.core.settings import Settings

LOCAL_ALGORITHMS = ["HS256"]
SESSION_ISSUER_SUFFIX = "/link-session"
LINK_ROLES = frozenset({Role.EXPERT, Role.TEAM_LEADER})
"""The roles a sign-in link's session may carry (graph/signin/links.py ``LinkRole``)."""
_LINK_ROLES_ONLY = "a sign-in link's session carries role EXPERT or TEAM_LEADER only"


class AuthError(Exception):
    """The request carried a token that must be refused; the message says why."""


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._keys = ProviderKeys(settings) if settings.auth_mode == "oidc" else None

    async def viewer(self, authorization: str | None) -> Viewer:
        if not authorization:
            return Viewer()
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("the Authorization header must be 'Bearer <token>'")
        claims = await self._claims(token.strip())
        return viewer_from_claims(claims, self._settings)

    async def _claims(self, token: str) -> dict[str, Any]:
        settings = self._settings
        try:
            if _issuer(token) == session_issuer(settings):
                return _session_claims(token, settings)
            if self._keys is not None:
                key: Any = await self._keys.signing_key(token)
                algorithms = settings.oidc_algorithms
            else:
                key = settings.jwt_signing_key.get_secret_value()
                algorithms = LOCAL_ALGORITHMS
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=settings.jwt_audience,
                issuer=settings.token_issuer,
                leeway=settings.jwt_leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError("the token is not for this API (audience)") from None
        except jwt.InvalidIssuerError:
            raise AuthError("the token was not issued by the configured issuer") from None
        except jwt.InvalidAlgorithmError:
            raise AuthError("the token's algorithm is not accepted") from None
        except jwt.InvalidSignatureError:
            raise AuthError("the token's signature does not verify") from None
        except DiscoveryError as error:
            raise AuthError(f"the identity provider's keys could not be found ({error})") from None
        except jwt.PyJWKClientError as error:
            raise AuthError(f"the token's signing key is unknown ({error})") from None
        except jwt.InvalidTokenError as error:
            raise AuthError(f"the token is invalid ({error})") from None
        return claims


def session_issuer(settings: Settings) -> str:
    """The issuer of the sessions this API gives for sign-in links: never any other token's."""
    return f"{settings.jwt_issuer}{SESSION_ISSUER_SUFFIX}"


def _issuer(token: str) -> object:
    """The token's claimed issuer, unverified: only to choose how to verify it."""
    unverified: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return unverified.get("iss")


def _session_claims(token: str, settings: Settings) -> dict[str, Any]:
    """A link's session: our key, HS256 only, our session issuer; then the link roles only."""
    claims: dict[str, Any] = jwt.decode(
        token,
        settings.jwt_signing_key.get_secret_value(),
        algorithms=LOCAL_ALGORITHMS,
        audience=settings.jwt_audience,
        issuer=session_issuer(settings),
        leeway=settings.jwt_leeway_seconds,
        options={"require": ["exp", "iss", "aud", "sub"]},
    )
    if claims.get(settings.jwt_role_claim) not in {r.value for r in LINK_ROLES}:
        raise AuthError(_LINK_ROLES_ONLY)
    return claims


def viewer_from_claims(claims: dict[str, Any], settings: Settings) -> Viewer:
    """Role and scope from the claims; a scoped role without its scope is refused."""
    try:
        role = Role(str(claims.get(settings.jwt_role_claim)))
    except ValueError:
        raise AuthError(f"the token has no valid '{settings.jwt_role_claim}' claim") from None
    if role is Role.ANONYMOUS:
        raise AuthError("an anonymous caller sends no token")
    if claims.get("iss") == session_issuer(settings) and role not in LINK_ROLES:
        # _session_claims refused it already; said again where roles become viewers.
        raise AuthError(_LINK_ROLES_ONLY)
    scope = claims.get(settings.jwt_scope_claim)
    subject = str(claims["sub"])
    if role is Role.NATIONAL_COORDINATOR:
        return Viewer(subject=subject, role=role)
    if not isinstance(scope, str) or not scope.strip():
        raise AuthError(f"role {role.value} needs a '{settings.jwt_scope_claim}' claim")
    scope = scope.strip()
    if role is Role.PROVINCIAL_COORDINATOR:
        return Viewer(subject, role, province_key=unit_key(Era.CURRENT, UnitLevel.PROVINCE, scope))
    if role is Role.COMMUNE_OFFICER:
        return Viewer(subject, role, commune_key=unit_key(Era.CURRENT, UnitLevel.COMMUNE, scope))
    if role is Role.ORGANISATION_ADMIN:
        return Viewer(subject, role, organisation_id=scope)
    return Viewer(subject, role, person_id=scope)


def issue_local_token(
    settings: Settings,
    role: Role,
    *,
    subject: str,
    scope: str | None = None,
    minutes: int = 60,
    now: dt.datetime | None = None,
) -> str:
    """An HS256 token the local mode accepts (``cds token``, tests). Refused in production:
    there the identities come from the ministry's provider."""
    if settings.environment == "production":
        raise AuthError("local tokens are not issued in production")
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + dt.timedelta(minutes=minutes),
        settings.jwt_role_claim: role.value,
    }
    if scope is not None:
        claims[settings.jwt_scope_claim] = scope
    return jwt.encode(claims, settings.jwt_signing_key.get_secret_value(), algorithm="HS256")


def issue_link_session(
    settings: Settings,
    person_id: str,
    role: Role = Role.EXPERT,
    now: dt.datetime | None = None,
) -> tuple[str, dt.datetime]:
    """The session a person gets for a redeemed sign-in link (graph/signin/links.py), as the
    role the link was asked for, and when it ends: ``CDS_EXPERT_SESSION_MINUTES`` (the same for
    team leaders). Issued in production too (unlike ``issue_local_token``): the link proved who
    asks. Nothing is kept server-side; signing out forgets it in the browser, and it ends by
    itself."""
    if role not in LINK_ROLES:
        raise AuthError(_LINK_ROLES_ONLY)
    issued = now or dt.datetime.now(dt.UTC)
    expires = issued + dt.timedelta(minutes=settings.expert_session_minutes)
    claims: dict[str, Any] = {
        "sub": person_id,
        "iss": session_issuer(settings),
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": expires,
        settings.jwt_role_claim: role.value,
        settings.jwt_scope_claim: person_id,
    }
    token = jwt.encode(claims, settings.jwt_signing_key.get_secret_value(), algorithm="HS256")
    return token, expires
