"""An expert's own data: read it, correct it, withdraw consent (erasure), export everything.

The viewer is the person named by their token (role EXPERT); every unit of work calls the guard
on that person's placement, so no other person can be reached from here.

Editing a verified profile (``update_my_profile``): the profile stays VERIFIED and listed with
the new values (an expert fixing a typo or a new affiliation does not vanish from the directory
for days), but when a public field changes (name, areas, affiliation, province: what the
coordinator vouched for; not the phone, which is never public) it is flagged
``changedSinceVerificationAt`` (the first such edit) with the fields changed
(``changedSinceVerification``, accumulated over later edits), and so re-enters the review queue
of the coordinators of its province, now the new one if it moved (graph/experts/review.py).
Their decision clears the flag: verifying accepts the changes, rejecting ends the listing.

Erasure (``withdraw_consent`` of a purpose registration needs, or of all) anonymises instead of
deleting, so that counts and history stay consistent: the Person, their profile, memberships,
posts and audit events stay, but the name becomes ``ERASED_NAME``, e-mail, phone and birth date
are removed, search keys emptied (no search finds them), the profile becomes WITHDRAWN (so it
leaves the verified counts on the next read, like any change), phone claims, pending mail and
the reasons of nominations about them are dropped. Audit events never held personal values
(graph/audit/events.py), so they need no rewriting. A ``ConsentWithdrawal`` record and an audit event
are written by the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, LiteralString

from neo4j.exceptions import ConstraintError

from graph.audit.events import Actor, Change, diff, record
from graph.core import expertise as areas
from graph.core import ratelimit
from graph.core.commands import Changed, new_id
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.expert_digests import expert_places, refresh_expert_digests
from graph.core.expert_province import PROVINCE_OF
from graph.core.model import ExpertStatus
from graph.core.settings import Settings
from graph.core.text import fold
from graph.core.validation import Checker
from graph.experts.records import EXPERT_FIELDS, ExpertRecord
from graph.experts.registration import REQUIRED_PURPOSES, ConsentPurpose
from graph.experts.residence import LINK_RESIDENCE, check_residence, residence_params, resolve
from graph.network.records import PERSON_FIELDS
from graph.units.scopes import Guard, Kind, placement

PUBLIC_FIELDS = frozenset({"fullName", "expertise", "affiliation", "province", "country"})
"""The fields the directory publishes once a coordinator verified them (the audit's names)."""

ERASED_NAME = "Đã xóa"
"""What an erased person is called ('deleted'): lists that show them keep their place."""


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    id: str
    kind: str  # GIVEN or WITHDRAWN
    at: dt.datetime
    notice_version: str | None
    granted: tuple[str, ...]
    refused: tuple[str, ...]
    withdrawn: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MyRecord:
    """Everything the person sees on their own page."""

    id: str
    full_name: str
    email: str | None
    phone: str | None
    birth_date: dt.date | None
    email_confirmed_at: dt.datetime | None
    erased_at: dt.datetime | None
    expert: ExpertRecord | None
    consents: tuple[ConsentRecord, ...]

    @property
    def granted(self) -> frozenset[str]:
        """Purposes currently consented to: granted, minus what was withdrawn since."""
        current: set[str] = set()
        for c in sorted(self.consents, key=lambda c: c.at):
            current |= set(c.granted)
            current -= set(c.withdrawn)
        return frozenset(current)


_CONSENTS: LiteralString = """
OPTIONAL MATCH (p)-[:GAVE]->(c:Consent)
WITH p, collect(c {.id, kind: 'GIVEN', at: c.givenAt, .noticeVersion, .granted, .refused,
                   withdrawn: []}) AS given
OPTIONAL MATCH (p)-[:WITHDREW]->(w:ConsentWithdrawal)
WITH p, given, collect(w {.id, kind: 'WITHDRAWN', at: w.at, noticeVersion: null, granted: [],
                          refused: [], .withdrawn}) AS withdrawn
WITH p, given + withdrawn AS consents
"""


def _consent(m: dict[str, Any]) -> ConsentRecord:
    return ConsentRecord(
        m["id"],
        m["kind"],
        native(m["at"]),
        m.get("noticeVersion"),
        tuple(m.get("granted") or ()),
        tuple(m.get("refused") or ()),
        tuple(m.get("withdrawn") or ()),
    )


async def me(tx: Tx, person_id: str) -> MyRecord | None:
    found = await run_single(
        tx,
        "MATCH (p:Person {id: $id})"
        + _CONSENTS
        + """
        OPTIONAL MATCH (p)-[:HAS_PROFILE]->(e:ExpertProfile)"""
        + PROVINCE_OF
        + """
        OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
        RETURN p {"""
        + PERSON_FIELDS
        + """, .birthDate, .emailConfirmedAt, .erasedAt} AS p, e {"""
        + EXPERT_FIELDS
        + """} AS e, province.key AS provinceKey, o.id AS orgId, consents
        LIMIT 1
        """,
        id=person_id,
    )
    if found is None:
        return None
    p = found["p"]
    expert = (
        ExpertRecord.from_maps(found["e"], p, found["provinceKey"], found["orgId"])
        if found["e"] is not None
        else None
    )
    consents = sorted((_consent(c) for c in found["consents"]), key=lambda c: c.at)
    return MyRecord(
        p["id"],
        p["fullName"],
        p.get("email"),
        p.get("phone"),
        native(p.get("birthDate")),
        native(p.get("emailConfirmedAt")),
        native(p.get("erasedAt")),
        expert,
        tuple(consents),
    )


async def _mine(tx: Tx, person_id: str, guard: Guard) -> MyRecord:
    guard(await placement(tx, Kind.PERSON, person_id))
    found = await me(tx, person_id)
    if found is None:
        raise NotFound("Person", person_id)
    return found


@dataclass(frozen=True, slots=True)
class ProfilePatch:
    """Fields left None stay as they are."""

    full_name: str | None = None
    phone: str | None = None
    expertise: tuple[str, ...] | None = None  # area codes
    affiliation: str | None = None
    # Abroad, an empty string removes the province they named to help.
    province_code: str | None = None
    country_code: str | None = None


async def update_my_profile(
    tx: Tx, person_id: str, patch: ProfilePatch, actor: Actor, guard: Guard, settings: Settings
) -> Changed[MyRecord]:
    """Correct one's own profile, checked like a registration; an empty phone removes it."""
    check = Checker()
    # A field given must be valid (an empty one is REQUIRED); a field omitted stays.
    name = check.name("fullName", patch.full_name, required=patch.full_name is not None)
    phone = check.phone("phone", patch.phone)
    expertise = (
        check.non_empty("expertise", areas.normalise(patch.expertise))
        if patch.expertise is not None
        else None
    )
    affiliation = check.name(
        "affiliation", patch.affiliation, required=patch.affiliation is not None
    )
    check.done()
    before = await _mine(tx, person_id, guard)
    if before.expert is None:
        raise NotFound("Expert profile of", person_id)
    if before.expert.status is ExpertStatus.WITHDRAWN:
        raise Conflict("id", "consent was withdrawn: the profile is erased")
    if expertise is not None:
        await areas.check_codes(tx, expertise)
    # The residence as it will be: what the patch names, else what the profile has.
    country = patch.country_code or before.expert.country
    key = before.expert.province_key
    province = before_province_code = key.rsplit(":", 1)[-1] if key else None
    if patch.province_code is not None:
        province = patch.province_code
    check = Checker()
    country, province = check_residence(check, country, province)
    check.done()
    residence = await resolve(tx, country, province)
    moved = (country, province) != (before.expert.country, before_province_code)
    new_phone = before.phone if patch.phone is None else phone
    # The same areas in another order (a form lists them its own way) are no change.
    if expertise is not None and set(expertise) == set(before.expert.expertise):
        expertise = before.expert.expertise
    after: dict[str, Any] = {
        "fullName": name or before.full_name,
        "phone": new_phone,
        "expertise": list(expertise or before.expert.expertise),
        "affiliation": affiliation or before.expert.affiliation,
        "province": residence.province_key,
        "country": residence.country,
    }
    changes = diff(
        {
            "fullName": before.full_name,
            "phone": before.phone,
            "expertise": list(before.expert.expertise),
            "affiliation": before.expert.affiliation,
            "province": before.expert.province_key,
            "country": before.expert.country,
        },
        after,
    )
    if not changes:
        return Changed(before, None)
    # Edits of what a coordinator vouched for send a verified profile back for review.
    public = sorted({c.field for c in changes} & PUBLIC_FIELDS)
    flagged = before.expert.changed_since_verification
    if public and before.expert.status is ExpertStatus.VERIFIED:
        fields = sorted(set(flagged) | set(public))
        if fields != list(flagged):
            changes.append(Change("changedSinceVerification", list(flagged) or None, fields))
    else:
        fields = list(flagged)
    if new_phone != before.phone and new_phone is not None:
        taken = await run_single(
            tx,
            "MATCH (o:Person {phone: $phone}) WHERE o.id <> $id RETURN o.id AS id LIMIT 1",
            phone=new_phone,
            id=person_id,
        )
        if taken is not None:
            raise Conflict("phone", "this phone is already registered")
    left = await expert_places(tx, [before.expert.id]) if moved else set()
    try:
        await run(
            tx,
            """
            MATCH (p:Person {id: $id})-[:HAS_PROFILE]->(e:ExpertProfile {id: $eid})
            SET p.fullName = $name, p.searchKey = $nameKey, p.phone = $phone,
                e.expertise = $expertise, e.affiliation = $affiliation, e.searchKey = $profileKey,
                e.changedSinceVerification = CASE WHEN size($changed) > 0 THEN $changed END,
                e.changedSinceVerificationAt = CASE WHEN size($changed) > 0
                    THEN coalesce(e.changedSinceVerificationAt, datetime.transaction()) END
            WITH e WHERE $moved
            """
            + LINK_RESIDENCE
            + "RETURN count(e) AS n",
            id=person_id,
            eid=before.expert.id,
            name=after["fullName"],
            nameKey=fold(after["fullName"]),
            phone=new_phone,
            expertise=after["expertise"],
            affiliation=after["affiliation"],
            profileKey=fold(f"{after['fullName']} {after['affiliation']}"),
            moved=moved,
            **residence_params(residence),
            changed=fields,
        )
        if new_phone != before.phone:
            secret = settings.email_token_key.get_secret_value()
            await run(
                tx,
                "MATCH (c:ContactClaim {personId: $id}) WHERE c.key STARTS WITH 'phone:' DELETE c",
                id=person_id,
            )
            if new_phone is not None:
                await run(
                    tx,
                    "CREATE (:ContactClaim {key: $key, personId: $id})",
                    key=f"phone:{ratelimit.keyed_hash(secret, new_phone)}",
                    id=person_id,
                )
    except ConstraintError:
        raise Conflict("phone", "this phone is already registered") from None
    if moved:
        await refresh_expert_digests(tx, profiles=[before.expert.id], places=left)
    seq = await record(
        tx,
        actor,
        "updateMyProfile",
        (Kind.EXPERT, before.expert.id),
        changes,
        [(Kind.PERSON, person_id)],
    )
    return Changed(await _mine(tx, person_id, guard), seq)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    id: str
    purposes: tuple[str, ...]
    erased: bool


@dataclass(frozen=True, slots=True)
class WithdrawConsent:
    purpose: ConsentPurpose | None  # None: every purpose
    id: str = field(default_factory=lambda: new_id("withdrawal"))


def erases(purpose: ConsentPurpose | None) -> bool:
    """Withdrawing a purpose the registry needs (or all) ends the registration: erasure."""
    return purpose is None or purpose in REQUIRED_PURPOSES


async def withdraw_consent(
    tx: Tx, person_id: str, cmd: WithdrawConsent, actor: Actor, guard: Guard
) -> Changed[Withdrawal]:
    mine = await _mine(tx, person_id, guard)
    if mine.erased_at is not None:
        raise Conflict("purpose", "consent was already withdrawn and the data erased")
    erase = erases(cmd.purpose)
    granted = mine.granted
    if erase:
        purposes = sorted(granted | ({cmd.purpose.value} if cmd.purpose else set()))
    else:
        assert cmd.purpose is not None
        if cmd.purpose.value not in granted:
            raise Conflict("purpose", "this purpose is not consented to")
        purposes = [cmd.purpose.value]
    await run(
        tx,
        "MATCH (p:Person {id: $id}) "
        "CREATE (p)-[:WITHDREW]->(:ConsentWithdrawal {id: $wid, withdrawn: $purposes, "
        "erased: $erase, at: datetime.transaction()})",
        id=person_id,
        wid=cmd.id,
        purposes=purposes,
        erase=erase,
    )
    changes = [Change("consentGranted", sorted(granted), sorted(granted - set(purposes)))]
    also: list[tuple[Kind, str]] = []
    if erase:
        await _erase(tx, mine)
        changes += _erasure_changes(mine)
        if mine.expert is not None:
            also.append((Kind.EXPERT, mine.expert.id))
    seq = await record(tx, actor, "withdrawConsent", (Kind.PERSON, person_id), changes, also)
    return Changed(Withdrawal(cmd.id, tuple(purposes), erase), seq)


def _erasure_changes(mine: MyRecord) -> Iterable[Change]:
    yield Change("fullName", mine.full_name, ERASED_NAME)  # redacted by the audit
    for name, value in (
        ("email", mine.email),
        ("phone", mine.phone),
        ("birthDate", mine.birth_date),
    ):
        if value is not None:
            yield Change(name, value, None)
    if mine.expert is not None:
        yield Change("status", mine.expert.status.value, ExpertStatus.WITHDRAWN.value)


async def _erase(tx: Tx, mine: MyRecord) -> None:
    await run(
        tx,
        """
        MATCH (p:Person {id: $id})
        SET p.fullName = $erased, p.searchKey = '', p.erasedAt = datetime.transaction()
        REMOVE p.email, p.emailSkeleton, p.phone, p.birthDate, p.emailConfirmedAt
        WITH p
        OPTIONAL MATCH (p)-[:HAS_PROFILE]->(e:ExpertProfile)
        SET e.status = 'WITHDRAWN', e.searchKey = '', e.affiliation = '',
            e.possibleDuplicateOf = [], e.withdrawnAt = datetime.transaction()
        REMOVE e.changedSinceVerification, e.changedSinceVerificationAt
        WITH DISTINCT p
        OPTIONAL MATCH (p)-[:HAS_SIGN_IN_LINK]->(l:SignInLink)
        DETACH DELETE l
        WITH DISTINCT p
        OPTIONAL MATCH (n:Nomination)-[:LED_TO]->(:ExpertProfile)<-[:HAS_PROFILE]-(p)
        SET n.reason = null, n.nomineeEmailHash = null
        WITH DISTINCT p
        OPTIONAL MATCH (c:ContactClaim {personId: p.id})
        DETACH DELETE c
        """,
        id=mine.id,
        erased=ERASED_NAME,
    )
    # Mail not sent yet is cancelled; sent mail already forgot the address (graph/core/outbox.py).
    await run(
        tx,
        """
        MATCH (m:OutboxMessage) WHERE m.status IN ['PENDING', 'SENDING']
          AND (m.to = $email OR m.params CONTAINS $quoted)
        SET m.status = 'CANCELLED', m.to = null, m.params = null
        """,
        email=mine.email or "",
        quoted=json.dumps(mine.id),
    )
    # Every profile of the person is withdrawn: no longer counted where placed.
    await refresh_expert_digests(tx, people=[mine.id])


async def export_my_data(tx: Tx, person_id: str) -> dict[str, Any] | None:
    """Everything held about the person, as plain JSON values."""
    found = await run_single(
        tx,
        """
        MATCH (p:Person {id: $id})
        OPTIONAL MATCH (p)-[:HAS_PROFILE]->(e:ExpertProfile)
        OPTIONAL MATCH (e)-[:LOCATED_IN]->(u:AdministrativeUnit)
        OPTIONAL MATCH (e)-[:SUPPORTS]->(h:AdministrativeUnit)
        OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
        WITH p, collect(e {.*, province: u {.key, .code, .name},
                           supportsProvince: h {.key, .code, .name},
                           organisation: o {.id, .name}}) AS profiles
        CALL (p) {
          OPTIONAL MATCH (p)-[:GAVE]->(c:Consent)
          RETURN collect(c {.*}) AS consents
        }
        CALL (p) {
          OPTIONAL MATCH (p)-[:WITHDREW]->(w:ConsentWithdrawal)
          RETURN collect(w {.*}) AS withdrawals
        }
        CALL (p) {
          OPTIONAL MATCH (p)-[m:MEMBER_OF]->(t:CommunityTechTeam)
          RETURN collect(CASE WHEN t IS NULL THEN null ELSE
                 {team: t {.id, .name}, role: m.role, since: m.since, until: m.until,
                  homeAffiliation: m.homeAffiliation} END) AS memberships
        }
        CALL (p) {
          OPTIONAL MATCH (p)-[:HOLDS]->(a:FocalPointAssignment)-[:AT]->(org:Organisation)
          RETURN collect(a {.*, organisation: org {.id, .name}}) AS focalPoints
        }
        CALL (p) {
          OPTIONAL MATCH (n:Nomination)-[:LED_TO]->(:ExpertProfile)<-[:HAS_PROFILE]-(p)
          RETURN collect(n {.id, .expertise, .reason, .nominatedAt, .expiresAt, .nominatorRole,
                            .status}) AS nominationsReceived
        }
        CALL (p) {
          OPTIONAL MATCH (p)-[:NOMINATED]->(n:Nomination)
          RETURN collect(n {.id, .expertise, .reason, .nominatedAt, .expiresAt,
                            .status}) AS nominationsMade
        }
        CALL (p) {
          // Events about the person, their profile, their posts, the nominations of them.
          OPTIONAL MATCH (p)-[:HAS_PROFILE|HOLDS]->(y)
          OPTIONAL MATCH (n:Nomination)-[:LED_TO]->(:ExpertProfile)<-[:HAS_PROFILE]-(p)
          WITH p, collect(DISTINCT y) + collect(DISTINCT n) + [p] AS about
          UNWIND about AS x
          MATCH (a:AuditEvent)-[:CONCERNS]->(x)
          WITH DISTINCT a ORDER BY a.seq
          RETURN collect(a {.seq, .at, .role, .mutation, .targetType, .targetId,
                            .changes}) AS auditEvents
        }
        CALL (p) {
          // Who read their data, as the reads log shows it (graph/audit/events.py): the
          // reader's role and scope, not the reader's own identifier.
          OPTIONAL MATCH (r:PersonalDataAccess {personId: p.id})
          WITH r ORDER BY r.at
          RETURN collect(r {.at, .role, .scope, .fields, .requestId}) AS accessLog
        }
        CALL (p) {
          OPTIONAL MATCH (m:OutboxMessage) WHERE m.params CONTAINS $quoted
          RETURN collect(m {.id, .kind, .status, .createdAt, .sentAt}) AS mail
        }
        CALL (p) {
          // When sign-in links were asked for and used; never the token's hash.
          OPTIONAL MATCH (p)-[:HAS_SIGN_IN_LINK]->(l:SignInLink)
          WITH l ORDER BY l.createdAt
          RETURN collect(l {.createdAt, .expiresAt, .usedAt, .replacedAt}) AS signInLinks
        }
        RETURN p {.*} AS person, profiles, consents, withdrawals, memberships, focalPoints,
               nominationsReceived, nominationsMade, auditEvents, accessLog, mail, signInLinks
        """,
        id=person_id,
        quoted=json.dumps(person_id),
    )
    if found is None:
        return None
    data: dict[str, Any] = {k: _plain(v) for k, v in found.data().items()}
    for event in data["auditEvents"]:
        event["changes"] = json.loads(event["changes"] or "[]")
    data["exportedAt"] = dt.datetime.now(dt.UTC).isoformat()
    return data


def _plain(value: Any) -> Any:
    """Neo4j values to JSON ones: temporals as ISO strings, maps and lists walked."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    value = native(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value
