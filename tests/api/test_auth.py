"""Bearer tokens (both modes), viewer scopes, and who sees personal fields (and that it is logged)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from api.app import create_app
from api.auth import issue_link_session, issue_local_token, session_issuer, viewer_from_claims
from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from tests.gql import gql
from tests.tokens import bearer

QUERY = "{ changes(first: 1) { seq } }"


async def _status(client: httpx.AsyncClient, token: str) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    return response.status_code, body


def _claims(settings: Settings, **over: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": "someone",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
        "cds_role": "NATIONAL_COORDINATOR",
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


class TestLocalTokens:
    async def test_a_valid_token_is_accepted(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        token = issue_local_token(settings, Role.NATIONAL_COORDINATOR, subject="n")
        status, body = await _status(client, token)
        assert status == 200, body

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"exp": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "expired"),
            ({"aud": "someone-else"}, "audience"),
            ({"iss": "https://evil.example"}, "issuer"),
            ({"cds_role": "KING"}, "cds_role"),
            ({"cds_role": "PROVINCIAL_COORDINATOR"}, "cds_scope"),
            ({"sub": None}, "sub"),
        ],
    )
    async def test_bad_claims_are_401(
        self, client: httpx.AsyncClient, settings: Settings, change: dict[str, Any], reason: str
    ) -> None:
        key = settings.jwt_signing_key.get_secret_value()
        token = jwt.encode(_claims(settings, **change), key, algorithm="HS256")
        status, body = await _status(client, token)
        assert status == 401
        assert reason in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    async def test_bad_signature_is_401(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        token = jwt.encode(_claims(settings), "x" * 48, algorithm="HS256")
        status, body = await _status(client, token)
        assert status == 401
        assert "signature" in body["errors"][0]["message"]

    async def test_alg_none_is_401(self, client: httpx.AsyncClient, settings: Settings) -> None:
        token = jwt.encode(_claims(settings), "", algorithm="none")
        status, body = await _status(client, token)
        assert status == 401
        assert "algorithm" in body["errors"][0]["message"]

    async def test_garbage_and_wrong_scheme_are_401(self, client: httpx.AsyncClient) -> None:
        for header in ("Bearer not.a.token", "Basic dXNlcjpwYXNz", "Bearer "):
            response = await client.post(
                "/graphql", json={"query": QUERY}, headers={"Authorization": header}
            )
            assert response.status_code == 401, header

    def test_scopes_become_viewer_keys(self, settings: Settings) -> None:
        def viewer(role: str, scope: str) -> Any:
            return viewer_from_claims({"sub": "s", "cds_role": role, "cds_scope": scope}, settings)

        assert viewer("PROVINCIAL_COORDINATOR", "01").province_key == "CURRENT:PROVINCE:01"
        assert viewer("COMMUNE_OFFICER", "00004").commune_key == "CURRENT:COMMUNE:00004"
        assert viewer("ORGANISATION_ADMIN", "org-1").organisation_id == "org-1"
        assert viewer("EXPERT", "person-1").person_id == "person-1"

    def test_no_local_tokens_in_production(self, settings: Settings) -> None:
        prod = settings.model_copy(update={"environment": "production"})
        with pytest.raises(Exception, match="production"):
            issue_local_token(prod, Role.NATIONAL_COORDINATOR, subject="x")


class _Jwks(BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[str, rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]]:
    """An OpenID provider's JWKS endpoint on loopback, with one RSA and one EC key."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    keys = []
    for kid, public, algo in (
        ("rsa-1", RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True), "RS256"),
        ("ec-1", ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True), "ES256"),
    ):
        keys.append({**public, "kid": kid, "alg": algo, "use": "sig"})
    handler = type("Handler", (_Jwks,), {"body": json.dumps({"keys": keys}).encode()})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks", rsa_key, ec_key
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def oidc_settings(settings: Settings, provider: tuple[str, Any, Any]) -> Settings:
    return settings.model_copy(
        update={
            "auth_mode": "oidc",
            "oidc_jwks_url": provider[0],
            "jwt_issuer": "https://sso.example.gov.vn/realms/cds",
        }
    )


@pytest_asyncio.fixture(scope="module")
async def oidc_client(graph: Graph, oidc_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(oidc_settings, graph))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


class TestOidcTokens:
    ISS = "https://sso.example.gov.vn/realms/cds"

    def _token(self, settings: Settings, key: Any, kid: str, alg: str, **over: Any) -> str:
        claims = _claims(settings, **{"iss": self.ISS, **over})
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})

    async def test_rs256_and_es256_from_the_jwks_are_accepted(
        self, oidc_client: httpx.AsyncClient, settings: Settings, provider: tuple[str, Any, Any]
    ) -> None:
        _, rsa_key, ec_key = provider
        for key, kid, alg in ((rsa_key, "rsa-1", "RS256"), (ec_key, "ec-1", "ES256")):
            status, body = await _status(oidc_client, self._token(settings, key, kid, alg))
            assert status == 200, body

    async def test_oidc_rejects_what_it_must(
        self, oidc_client: httpx.AsyncClient, settings: Settings, provider: tuple[str, Any, Any]
    ) -> None:
        _, rsa_key, _ = provider
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cases = {
            "expired": self._token(
                settings, rsa_key, "rsa-1", "RS256", exp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
            ),
            "signature": self._token(settings, other, "rsa-1", "RS256"),
            "audience": self._token(settings, rsa_key, "rsa-1", "RS256", aud="another-app"),
            "issuer": self._token(settings, rsa_key, "rsa-1", "RS256", iss="https://evil"),
            "unknown": self._token(settings, other, "rsa-9", "RS256"),
            # The local HS256 key is not accepted in OIDC mode (no algorithm confusion).
            "algorithm": jwt.encode(
                _claims(settings, iss=self.ISS),
                settings.jwt_signing_key.get_secret_value(),
                algorithm="HS256",
                headers={"kid": "rsa-1"},
            ),
        }
        for reason, token in cases.items():
            status, body = await _status(oidc_client, token)
            assert status == 401, reason
            message = body["errors"][0]["message"]
            assert reason in message or (reason == "unknown" and "key" in message), message


class TestLinkSessions:
    """The sessions the API itself gives for a sign-in link (graph/signin/links.py): accepted in
    both modes, and for roles EXPERT and TEAM_LEADER only."""

    def _session(self, s: Settings, role: str, key: str | None = None, **over: Any) -> str:
        claims = _claims(s, iss=session_issuer(s), cds_role=role, cds_scope="person-x", **over)
        return jwt.encode(claims, key or s.jwt_signing_key.get_secret_value(), algorithm="HS256")

    async def test_accepted_in_both_modes(
        self,
        client: httpx.AsyncClient,
        oidc_client: httpx.AsyncClient,
        settings: Settings,
        oidc_settings: Settings,
    ) -> None:
        for web, s in ((client, settings), (oidc_client, oidc_settings)):
            token, expires = issue_link_session(s, "person-x")
            status, body = await _status(web, token)
            assert status == 200, body
            claims = jwt.decode(token, options={"verify_signature": False})
            assert claims["iss"] == f"{s.jwt_issuer}/link-session"
            assert expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=60)
            me = await gql(web, "{ me { id } }", headers={"Authorization": f"Bearer {token}"})
            assert me == {"me": None}  # an EXPERT viewer: no such person, so nothing
            # A team leader's link gives a TEAM_LEADER session, accepted the same way.
            leader, _ = issue_link_session(s, "person-x", Role.TEAM_LEADER)
            teams = await gql(
                web, "{ myTeams { id } }", headers={"Authorization": f"Bearer {leader}"}
            )
            assert teams == {"myTeams": []}  # leads nothing

    async def test_any_other_role_in_a_session_is_refused_in_both_modes(
        self,
        client: httpx.AsyncClient,
        oidc_client: httpx.AsyncClient,
        settings: Settings,
        oidc_settings: Settings,
    ) -> None:
        for web, s in ((client, settings), (oidc_client, oidc_settings)):
            for role in ("NATIONAL_COORDINATOR", "PROVINCIAL_COORDINATOR", "ORGANISATION_ADMIN"):
                status, body = await _status(web, self._session(s, role))
                assert status == 401, (s.auth_mode, role)
                assert "EXPERT or TEAM_LEADER only" in body["errors"][0]["message"]

    async def test_a_session_verifies_only_with_the_projects_key(
        self,
        client: httpx.AsyncClient,
        oidc_client: httpx.AsyncClient,
        settings: Settings,
        oidc_settings: Settings,
        provider: tuple[str, Any, Any],
    ) -> None:
        for web, s in ((client, settings), (oidc_client, oidc_settings)):
            cases = {
                "signature": self._session(s, "EXPERT", key="another-key-0123456789abcdef0123"),
                "expired": self._session(s, "EXPERT", exp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
                "audience": self._session(s, "EXPERT", aud="another-app"),
                # The provider's own key cannot mint sessions: HS256 only for that issuer.
                "algorithm": jwt.encode(
                    _claims(s, iss=session_issuer(s), cds_role="EXPERT", cds_scope="person-x"),
                    provider[1],
                    algorithm="RS256",
                    headers={"kid": "rsa-1"},
                ),
            }
            for reason, token in cases.items():
                status, body = await _status(web, token)
                assert status == 401, (s.auth_mode, reason)
                assert reason in body["errors"][0]["message"], body

    def test_production_refuses_the_development_key_in_oidc_mode_too(self) -> None:
        with pytest.raises(ValueError, match="CDS_JWT_SIGNING_KEY"):
            Settings(
                environment="production",
                auth_mode="oidc",
                oidc_jwks_url="https://sso.example.gov.vn/jwks",
                neo4j_password="a-real-password",
                email_token_key="a-real-email-token-key-0123456789",
            )


async def _expert_with_contact(tx: Tx) -> dict[str, Any]:
    records = await run(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {status: 'VERIFIED'})"
        "-[:LOCATED_IN]->(u:AdministrativeUnit) WHERE p.email IS NOT NULL "
        "RETURN p.id AS person, p.email AS email, e.id AS expert, u.code AS province "
        "ORDER BY e.id LIMIT 1",
    )
    return dict(records[0])


async def _reads_of(tx: Tx, person_id: str) -> list[dict[str, Any]]:
    records = await run(
        tx,
        "MATCH (a:PersonalDataAccess {personId: $id}) "
        "RETURN a.subject AS subject, a.role AS role, a.fields AS fields",
        id=person_id,
    )
    return [dict(r) for r in records]


class TestPersonalFields:
    QUERY = "query($id: ID!) { node(id: $id) { ... on Expert { fullName email phone } } }"

    async def test_only_covering_coordinators_and_the_person_see_contacts(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        found = await graph.read(_expert_with_contact)
        other_province = "01" if found["province"] != "01" else "79"
        variables = {"id": to_global_id("Expert", found["expert"])}
        seen = {}
        for name, headers in {
            "anonymous": {},
            "national": bearer(settings, Role.NATIONAL_COORDINATOR, subject="nat-reader"),
            "province": bearer(settings, Role.PROVINCIAL_COORDINATOR, found["province"]),
            "other-province": bearer(settings, Role.PROVINCIAL_COORDINATOR, other_province),
            "self": bearer(settings, Role.EXPERT, found["person"]),
            "other-expert": bearer(settings, Role.EXPERT, "person-nobody"),
        }.items():
            data = await gql(client, self.QUERY, variables, headers=headers)
            seen[name] = data["node"]["email"]
        assert seen == {
            "anonymous": None,
            "national": found["email"],
            "province": found["email"],
            "other-province": None,
            "self": found["email"],
            "other-expert": None,
        }
        reads = await graph.read(_reads_of, found["person"])
        by = {(r["subject"], r["role"]) for r in reads}
        assert ("nat-reader", "NATIONAL_COORDINATOR") in by
        assert ("test-provincial_coordinator", "PROVINCIAL_COORDINATOR") in by
        # The person reading their own data is not logged; nor are refused reads.
        assert not any(r["role"] == "EXPERT" for r in reads)
        assert all("email" in r["fields"] for r in reads)

    async def test_one_batched_log_write_per_request(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        headers = bearer(settings, Role.NATIONAL_COORDINATOR, subject="batch-reader")
        data = await gql(
            client, "{ experts(first: 20) { nodes { email phone } } }", headers=headers
        )
        assert any(n["email"] for n in data["experts"]["nodes"])

        async def count(tx: Tx) -> list[Any]:
            r = await run(
                tx,
                "MATCH (a:PersonalDataAccess {subject: 'batch-reader'}) "
                "RETURN count(a) AS n, count(DISTINCT a.requestId) AS requests",
            )
            return [r[0]["n"], r[0]["requests"]]

        n, requests = await graph.read(count)
        assert requests == 1
        assert n == len([x for x in data["experts"]["nodes"] if x["email"] or x["phone"]])


def test_cds_token_issues_a_token_the_api_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    from api.cli import main
    from graph.core.settings import get_settings

    assert main(["token", "--role", "PROVINCIAL_COORDINATOR", "--scope", "01"]) == 0
    token = capsys.readouterr().out.strip()
    settings = get_settings()
    claims = jwt.decode(
        token,
        settings.jwt_signing_key.get_secret_value(),
        algorithms=["HS256"],
        audience=settings.jwt_audience,
    )
    assert viewer_from_claims(claims, settings).province_key == "CURRENT:PROVINCE:01"
    assert main(["token", "--role", "COMMUNE_OFFICER"]) == 1  # a scoped role needs its scope
    assert "cds_scope" in capsys.readouterr().err
