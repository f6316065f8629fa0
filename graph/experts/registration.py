"""Expert self-registration from the open internet, with consent; the confirmation mail it
sends is made in graph/experts/confirmation.py.

``register_expert`` is one write transaction: it counts the attempt against the per-address
and per-e-mail limits, refuses a second registration of the same e-mail or phone, and creates
the person, the PENDING profile, the consent record (notice version, purposes granted and
refused, time), the confirmation mail in the outbox and the audit event. Limits and the
"already registered" answer are returned as values, not raised, so the attempt counters commit
even then.

"The same e-mail" is the same look-alike skeleton (graph/core/confusables.py): "аlice@x.vn"
with a Cyrillic "а" is alice@x.vn's address. The caller is the public, so a duplicate must not
tell them that someone is registered: the API answers as for a registration ("check your
mail"), nothing is created, and the owner of the address (or of the phone, when they have an
address) is mailed that someone tried to register with it (``Duplicate``). The per-e-mail limit
counts by skeleton, so look-alikes cannot be used to flood that owner.

Two registrations racing with the same e-mail meet on the ``Person.email`` and
``Person.emailSkeleton`` uniqueness constraints (the same phone: on a ``ContactClaim`` node):
one commits, the other gets ``AlreadyRegistered``, never a second profile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from neo4j.exceptions import ConstraintError

from graph.audit.events import Actor, Change, record
from graph.core import expertise as areas
from graph.core import outbox, ratelimit
from graph.core.confusables import email_skeleton
from graph.core.db import Tx, run, run_single
from graph.core.errors import DomainError
from graph.core.outbox import Mail
from graph.core.ratelimit import Limited
from graph.core.settings import Settings
from graph.core.text import fold, fulltext_query
from graph.core.validation import Checker, Code
from graph.experts import confirmation
from graph.experts.residence import LINK_RESIDENCE, check_residence, residence_params, resolve
from graph.units.scopes import Kind

# 2026-02: the notice names the country of residence (experts abroad, #13).
NOTICE_VERSION = "2026-02"


class ConsentPurpose(StrEnum):
    DIRECTORY_LISTING = (
        "DIRECTORY_LISTING"  # name, areas, affiliation, province public once verified
    )
    COORDINATOR_CONTACT = "COORDINATOR_CONTACT"  # coordinators of the province may contact
    NETWORK_NEWS = "NETWORK_NEWS"  # news of the network by e-mail


REQUIRED_PURPOSES = frozenset(
    {ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.COORDINATOR_CONTACT}
)


class NoticeLanguage(StrEnum):
    VI = "VI"
    EN = "EN"


# One notice, one version, in both languages: the consent is to the version, whichever language
# it was read in. Vietnamese is the notice's authoritative language.
NOTICE_TEXT = {
    NoticeLanguage.VI: (
        "Cục Chuyển đổi số quốc gia lưu họ tên, thư điện tử, số điện thoại (nếu có), lĩnh vực "
        "chuyên môn, đơn vị công tác, quốc gia nơi bạn sống và tỉnh, thành phố của bạn để vận hành Mạng lưới chuyên gia "
        "CĐS (Luật 91/2025/QH15, Nghị định 356/2025/NĐ-CP). Họ tên, lĩnh vực, đơn vị công tác và "
        "tỉnh, quốc gia được công bố trong danh bạ chuyên gia sau khi điều phối viên xác minh; thư "
        "điện tử và số điện thoại chỉ điều phối viên của tỉnh bạn và điều phối viên quốc gia được "
        "xem (chuyên gia sống ở nước ngoài: chỉ điều phối viên quốc gia), và "
        "mọi lần xem đều được ghi lại. Dữ liệu được lưu trong thời gian bạn tham gia mạng lưới; "
        "bạn có quyền xem, sửa, tải về, xoá dữ liệu và rút lại sự đồng ý bất cứ lúc nào "
        "(withdrawConsent)."
    ),
    NoticeLanguage.EN: (
        "The National Digital Transformation Agency keeps your name, e-mail, optional phone, "
        "areas of expertise, affiliation, country of residence and province to run the CĐS expert "
        "network (Law 91/2025/QH15, Decree 356/2025/NĐ-CP). Name, areas, affiliation, province "
        "and country are published in the expert directory once a coordinator verifies you; "
        "e-mail and phone are seen only by the coordinators of your province and the national "
        "coordinator (experts living abroad: the national coordinator only), and every "
        "such access is logged. Data are kept while you are in the network; you may read, "
        "correct, export or erase them and withdraw consent at any time (withdrawConsent)."
    ),
}
PURPOSE_TEXT = {
    NoticeLanguage.VI: {
        ConsentPurpose.DIRECTORY_LISTING: "Đưa tôi vào danh bạ chuyên gia công khai sau khi "
        "được xác minh.",
        ConsentPurpose.COORDINATOR_CONTACT: "Cho phép điều phối viên liên hệ với tôi khi có đề "
        "nghị hỗ trợ.",
        ConsentPurpose.NETWORK_NEWS: "Gửi tin tức của mạng lưới qua thư điện tử.",
    },
    NoticeLanguage.EN: {
        ConsentPurpose.DIRECTORY_LISTING: "List me in the public expert directory once verified.",
        ConsentPurpose.COORDINATOR_CONTACT: "Let coordinators contact me about requests for "
        "support.",
        ConsentPurpose.NETWORK_NEWS: "Send me news of the network by e-mail.",
    },
}

REGISTRATION_ATTEMPT = "REGISTRATION_ATTEMPT"
"""The mail to a registered person whose e-mail or phone someone tried to register with."""


class AlreadyRegistered(DomainError):
    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: already registered")
        self.field = field


@dataclass(frozen=True, slots=True)
class Registration:
    full_name: str
    email: str
    phone: str | None
    expertise: tuple[str, ...]  # area codes (graph/core/expertise.py)
    affiliation: str
    province_code: str | None  # required in Vietnam; abroad, a province they want to help
    notice_version: str
    consents: tuple[tuple[ConsentPurpose, bool], ...]
    client_address: str
    country_code: str = "VN"  # ISO 3166-1 alpha-2 of residence
    person_id: str = field(default_factory=lambda: f"person-{uuid.uuid4().hex}")
    expert_id: str = field(default_factory=lambda: f"expert-{uuid.uuid4().hex}")
    consent_id: str = field(default_factory=lambda: f"consent-{uuid.uuid4().hex}")


@dataclass(frozen=True, slots=True)
class Registered:
    expert_id: str
    person_id: str
    seq: int
    similar: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Already registered: nothing was created; the owner was notified when they have an
    address. Never shown to the caller as such."""

    field: str


def _checked(reg: Registration) -> Registration:
    check = Checker()
    name = check.name("fullName", reg.full_name)
    email = check.email("email", reg.email)
    phone = check.phone("phone", reg.phone)
    expertise = check.non_empty("expertise", areas.normalise(reg.expertise))
    affiliation = check.name("affiliation", reg.affiliation)
    country, province = check_residence(check, reg.country_code, reg.province_code)
    check.require(
        reg.notice_version == NOTICE_VERSION,
        "noticeVersion",
        Code.OUTDATED_NOTICE,
        f"consent must be given to the current notice ({NOTICE_VERSION})",
    )
    answered = dict(reg.consents)
    check.require(
        len(answered) == len(reg.consents),
        "consents",
        Code.INVALID_VALUE,
        "answer each purpose once",
    )
    for purpose in sorted(REQUIRED_PURPOSES):
        check.require(
            answered.get(purpose) is True,
            f"consents.{purpose.value}",
            Code.CONSENT_REQUIRED,
            "needed to register (it is never assumed: tick it yourself)",
        )
    check.done()
    return Registration(
        name or "",
        email or "",
        phone,
        expertise,
        affiliation or "",
        province,
        reg.notice_version,
        reg.consents,
        reg.client_address,
        country,
        reg.person_id,
        reg.expert_id,
        reg.consent_id,
    )


def check_registration(reg: Registration) -> Registration:
    """Validate and normalise before any transaction (raises ValidationFailed)."""
    return _checked(reg)


async def register_expert(
    tx: Tx, reg: Registration, settings: Settings, now: dt.datetime
) -> Registered | Limited | Duplicate:
    secret = settings.email_token_key.get_secret_value()
    skeleton = email_skeleton(reg.email)
    over = await ratelimit.per_address_and_email(
        tx, "register", reg.client_address, skeleton, settings.rate_limit_per_email, settings, now
    )
    if over is not None:
        return over
    await areas.check_codes(tx, reg.expertise)
    residence = await resolve(tx, reg.country_code, reg.province_code)
    # Index seeks: Person.emailSkeleton and Person.email are unique, Person.phone indexed.
    taken = await run_single(
        tx,
        """
        OPTIONAL MATCH (s:Person {emailSkeleton: $skeleton})
        OPTIONAL MATCH (e:Person {email: $email})
        OPTIONAL MATCH (p:Person {phone: $phone})
        WITH coalesce(s, e) AS byEmail, p AS byPhone LIMIT 1
        RETURN byEmail IS NOT NULL AS email, byPhone IS NOT NULL AS phone,
               coalesce(byEmail.email, byPhone.email) AS owner
        """,
        skeleton=skeleton,
        email=reg.email,
        phone=reg.phone,
    )
    if taken is not None and (taken["email"] or taken["phone"]):
        if taken["owner"] is not None:
            await outbox.enqueue(tx, REGISTRATION_ATTEMPT, taken["owner"], {})
        return Duplicate("email" if taken["email"] else "phone")
    similar = await _similar_names(tx, reg.full_name, residence.place_key)
    granted = [p.value for p, yes in reg.consents if yes]
    refused = [p.value for p, yes in reg.consents if not yes]
    try:
        await run(
            tx,
            """
            CREATE (p:Person {id: $pid, fullName: $name, searchKey: $nameKey, email: $email,
                              emailSkeleton: $skeleton, phone: $phone, synthetic: false})
            CREATE (p)-[:HAS_PROFILE]->(e:ExpertProfile {
                id: $eid, status: 'PENDING', expertise: $expertise, affiliation: $affiliation,
                searchKey: $profileKey, submittedAt: datetime.transaction(),
                source: 'SELF_REGISTRATION', possibleDuplicateOf: $similar, synthetic: false})
            CREATE (p)-[:GAVE]->(:Consent {id: $cid, noticeVersion: $notice, granted: $granted,
                                           refused: $refused, givenAt: datetime.transaction()})
            """
            + LINK_RESIDENCE
            + """
            // Open nominations of this address lead to the profile; the hash is not needed
            // any more (graph/experts/nominations.py).
            OPTIONAL MATCH (n:Nomination {nomineeEmailHash: $emailHash, status: 'OPEN'})
            WHERE n.expiresAt > datetime.transaction()
            FOREACH (_ IN CASE WHEN n IS NULL THEN [] ELSE [1] END |
                     MERGE (n)-[:LED_TO]->(e)
                     SET n.status = 'REGISTERED', n.nomineeEmailHash = null)
            """,
            **residence_params(residence),
            pid=reg.person_id,
            name=reg.full_name,
            nameKey=fold(reg.full_name),
            email=reg.email,
            skeleton=skeleton,
            phone=reg.phone,
            eid=reg.expert_id,
            expertise=list(reg.expertise),
            affiliation=reg.affiliation,
            profileKey=fold(f"{reg.full_name} {reg.affiliation}"),
            similar=list(similar),
            cid=reg.consent_id,
            notice=reg.notice_version,
            granted=granted,
            refused=refused,
            emailHash=ratelimit.keyed_hash(secret, reg.email),
        )
        if reg.phone:
            await run(
                tx,
                "CREATE (:ContactClaim {key: $key, personId: $pid})",
                key=f"phone:{ratelimit.keyed_hash(secret, reg.phone)}",
                pid=reg.person_id,
            )
    except ConstraintError:
        # A concurrent registration committed the same e-mail or phone first.
        raise AlreadyRegistered("email") from None
    await confirmation.issue(tx, reg.person_id, reg.email, settings)
    changes = [
        Change("status", None, "PENDING"),
        Change("expertise", None, list(reg.expertise)),
        Change("country", None, residence.country),
        Change("province", None, residence.province_key),
        Change("consentGranted", None, granted),
        Change("possibleDuplicateOf", None, list(similar)),
        Change("email", None, reg.email),
    ]
    seq = await record(
        tx,
        Actor(None, "ANONYMOUS"),
        "registerExpert",
        (Kind.EXPERT, reg.expert_id),
        changes,
        [(Kind.PERSON, reg.person_id)],
    )
    return Registered(reg.expert_id, reg.person_id, seq, similar)


async def _similar_names(tx: Tx, name: str, province_key: str) -> tuple[str, ...]:
    """Profiles in the same province whose folded name is the same: flagged for the
    coordinator, not refused (two people may share a name)."""
    lucene = fulltext_query(name)
    if lucene is None:
        return ()
    records = await run(
        tx,
        """
        CALL db.index.fulltext.queryNodes('expert_search', $lucene) YIELD node AS e
        MATCH (p:Person)-[:HAS_PROFILE]->(e)-[:LOCATED_IN]->(:AdministrativeUnit {key: $province})
        WHERE p.searchKey = $key
        RETURN e.id AS id ORDER BY id LIMIT 10
        """,
        lucene=lucene,
        province=province_key,
        key=fold(name),
    )
    return tuple(r["id"] for r in records)


def render_attempt(params: dict[str, Any], settings: Settings) -> Mail:
    """The owner's notice that someone tried to register with their address or phone. Fixed
    text: nothing of what the caller typed, so the notice cannot carry their words."""
    return Mail(
        to=params["to"],
        subject="Có người đăng ký bằng địa chỉ của bạn / Someone tried to register with your "
        "address — mạng lưới chuyên gia CĐS",
        body=(
            "Ai đó vừa đăng ký vào mạng lưới chuyên gia CĐS bằng thư điện tử hoặc số điện "
            "thoại đã gắn với bạn (hoặc một địa chỉ trông giống hệt). Không có gì được tạo "
            "hay thay đổi.\n"
            "Someone just tried to register with the CĐS expert network using the e-mail "
            "address or phone number that is already yours (or an address that looks the "
            "same). Nothing was created or changed.\n\n"
            "If it was you: you are already in the registry; sign in to see or correct your "
            "data. If it was not: you need not do anything.\n"
        ),
    )
