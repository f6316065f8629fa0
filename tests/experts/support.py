"""What the experts' tests share: registering an expert over HTTP, reading the mails of the
outbox, and the failure fragments of GraphQL answers."""

from __future__ import annotations

import asyncio
import re
import unicodedata
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx

from api.relay import from_global_id
from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, run, run_single
from graph.core.settings import Settings
from graph.experts.registration import NOTICE_VERSION
from tests.factories import FUTURE, unique
from tests.gql import gql
from tests.tokens import bearer

DAY = FUTURE.isoformat()
MADE_HERE: list[str] = []  # ids of profiles written directly (no audit event names them)

FAILURES = {
    "ValidationErrors": "... on ValidationErrors { errors { field code message } }",
    "NotAuthorized": "... on NotAuthorized { message }",
    "NotFoundError": "... on NotFoundError { kind key }",
    "ConflictError": "... on ConflictError { field message }",
    "RateLimitedError": "... on RateLimitedError { scope retryAfterSeconds }",
}


def failures(*names: str) -> str:
    return " ".join(["__typename", *(FAILURES[n] for n in names)])


RESULT = failures("ValidationErrors", "NotAuthorized", "NotFoundError", "ConflictError")
NOMINATE = (
    'mutation($email: String!, $name: String!, $reason: String!, $x: [String!]! = ["AI"]) '
    "{ r: nominateExpert(email: $email, name: $name, expertise: $x, reason: $reason) { "
    + failures("ValidationErrors", "NotAuthorized", "RateLimitedError")
    + " ... on NominationPayload { nominationId expiresAt auditSeq } } }"
)
REGISTER = (
    "mutation($input: RegisterExpertInput!) { r: registerExpert(input: $input) { "
    + failures("ValidationErrors", "NotFoundError", "RateLimitedError")
    + " ... on RegisterExpertSuccess { expertId } ... on AlreadyRegistered { field } } }"
)
CONFIRM = (
    "mutation($t: String!) { r: confirmEmail(token: $t) { __typename "
    "... on EmailConfirmed { auditSeq } ... on InvalidConfirmation { message } } }"
)
VERIFY = (
    "mutation($id: ID!) { r: verifyExpert(id: $id) { " + RESULT + " ... on ExpertReviewPayload "
    "{ expert { status nominations { reason expertise nominatorRole nominatorSubject } } } } }"
)
UPDATE = (
    "mutation($input: UpdateMyProfileInput!) { r: updateMyProfile(input: $input) { "
    + RESULT
    + " ... on MyProfilePayload { auditSeq me { fullName phone expert { affiliation expertise "
    "province { code } } } } } }"
)
WITHDRAW = (
    "mutation($p: ConsentPurpose) { r: withdrawConsent(purpose: $p) { "
    + RESULT
    + " ... on ConsentWithdrawn { purposes erased auditSeq } } }"
)
ME = (
    "query { me { id fullName email phone erasedAt consentedPurposes "
    "consents { kind granted withdrawn } expert { id status affiliation email } } }"
)
EXPORT = "query { exportMyData }"
EXPERT_NODE = (
    "query($id: ID!) { node(id: $id) { ... on Expert { fullName status email phone "
    "nominations { reason } } } }"
)
COVERAGE = "query($c: String) { coverage(scopeCode: $c) { totals { verifiedExperts } } }"


def registration_input(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fullName": unique("Chuyên Gia Tự Phục Vụ"),
        "email": f"ss-{uuid.uuid4().hex[:10]}@example.vn",
        "phone": None,
        "expertise": ["AI", "DATA"],
        "affiliation": "Viện Công nghệ Thử",
        "provinceCode": "01",
        "noticeVersion": NOTICE_VERSION,
        "consents": [
            {"purpose": "DIRECTORY_LISTING", "granted": True},
            {"purpose": "COORDINATOR_CONTACT", "granted": True},
            {"purpose": "NETWORK_NEWS", "granted": True},
        ],
    }
    data.update(over)
    return data


def mails_to(outbox_dir: Path, email: str) -> list[str]:
    found = []
    for path in outbox_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == email:
            body = message.get_body()
            assert body is not None
            found.append(str(body.get_content()))
    return found


SIGN_IN_TOKEN = re.compile(r"/sign-in\?token=([A-Za-z0-9_\-]+)")


async def delivered(outbox_dir: Path, email: str, count: int) -> list[str]:
    """The mails to this address once there are at least ``count``, waiting for them: the
    public forms' mail is delivered after the answer (api/mutations/registration.py,
    deliver_mail_soon)."""
    for _ in range(400):
        if len(found := mails_to(outbox_dir, email)) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} mails to {email} within 20 s")


async def new_sign_in_token(outbox_dir: Path, email: str, seen: set[str] | None = None) -> str:
    """The token of a sign-in mail to this address not in ``seen`` (which it joins), waiting
    for it: sign-in mail is delivered after the answer (api/mutations/sign_in.py)."""
    seen = set() if seen is None else seen
    for _ in range(400):
        tokens = {
            m.group(1) for mail in mails_to(outbox_dir, email) for m in SIGN_IN_TOKEN.finditer(mail)
        }
        if fresh := tokens - seen:
            [token] = fresh
            seen.add(token)
            return token
        await asyncio.sleep(0.05)
    raise AssertionError(f"no new sign-in mail to {email} within 20 s")


@dataclass(frozen=True)
class Registered:
    expert_id: str  # global
    person_id: str  # key
    email: str
    name: str
    headers: dict[str, str]  # the expert's own token


async def register_expert(
    web: httpx.AsyncClient,
    graph: Graph,
    settings: Settings,
    outbox_dir: Path,
    *,
    verify: bool = True,
    **over: Any,
) -> Registered:
    data = registration_input(**over)
    result = (await gql(web, REGISTER, {"input": data}))["r"]
    assert result["__typename"] == "RegisterExpertSuccess", result
    email = data["email"].lower()
    token = next(
        line.split("token=")[1]
        for mail in mails_to(outbox_dir, email)
        for line in mail.splitlines()
        if "token=" in line
    )
    assert (await gql(web, CONFIRM, {"t": token}))["r"]["__typename"] == "EmailConfirmed"
    if verify:
        national = bearer(settings, Role.NATIONAL_COORDINATOR)
        verified = (await gql(web, VERIFY, {"id": result["expertId"]}, headers=national))["r"]
        assert verified["__typename"] == "ExpertReviewPayload", verified
    person_id = await graph.read(_person_of, from_global_id(result["expertId"])[1])
    return Registered(
        result["expertId"],
        person_id,
        email,
        unicodedata.normalize("NFC", data["fullName"]),
        bearer(settings, Role.EXPERT, person_id, subject=f"expert-{person_id}"),
    )


async def _person_of(tx: Tx, expert_key: str) -> str:
    # The person's id is what the ministry's provider would put in an EXPERT token's scope.
    found = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(:ExpertProfile {id: $id}) RETURN p.id AS id",
        id=expert_key,
    )
    assert found is not None
    return str(found["id"])


async def verified_experts(web: httpx.AsyncClient, scope: str | None) -> int:
    data = await gql(web, COVERAGE, {"c": scope})
    return int(data["coverage"]["totals"]["verifiedExperts"])


async def last_seq(tx: Tx) -> int:
    return await changes.current(tx)


async def accesses(tx: Tx, person_id: str) -> int:
    records = await run(
        tx, "MATCH (a:PersonalDataAccess {personId: $id}) RETURN count(a) AS n", id=person_id
    )
    return int(records[0]["n"])


async def anything_says(tx: Tx, text: str) -> bool:
    """Whether any property of a nomination, outbox message or audit event holds the text."""
    records = await run(
        tx,
        """
        MATCH (n) WHERE n:Nomination OR n:OutboxMessage OR n:AuditEvent
        WITH n WHERE any(k IN keys(n) WHERE
          (n[k] IS :: STRING AND n[k] CONTAINS $text)
          OR (n[k] IS :: LIST<STRING> AND any(x IN n[k] WHERE x CONTAINS $text)))
        RETURN count(n) > 0 AS found
        """,
        text=text,
    )
    return bool(records[0]["found"])


async def fingerprint(tx: Tx) -> dict[str, int]:
    """Counts of what mutations create, and of everything else (from the count store)."""
    found = await run_single(
        tx,
        """
        RETURN COUNT { (:AdministrativeUnit) } AS AdministrativeUnit,
               COUNT { (:Organisation) } AS Organisation,
               COUNT { (:CommunityTechTeam) } AS CommunityTechTeam,
               COUNT { (:Decision) } AS Decision,
               COUNT { (:Person) } AS Person,
               COUNT { (:ExpertProfile) } AS ExpertProfile,
               COUNT { (:FocalPointAssignment) } AS FocalPointAssignment,
               COUNT { (:Consent) } AS Consent,
               COUNT { (:Nomination) } AS Nomination,
               COUNT { ()-[:MEMBER_OF]->() } AS MEMBER_OF,
               COUNT { ()-[:PART_OF]->() } AS PART_OF,
               COUNT { ()-[:LOCATED_IN]->() } AS LOCATED_IN
        """,
    )
    assert found is not None
    return dict(found.data())
