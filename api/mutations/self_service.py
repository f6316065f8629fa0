"""Nominations by network members, and an expert's own data: me, corrections, withdrawal of
consent (erasure), export.

The self-service operations act on the person named by the viewer's EXPERT token and take no id:
there is no way to name somebody else. Each mutation is one ``Graph.write`` of one graph/ unit
of work that checks the guard, changes the graph and writes the audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from api.mutations.registration import deliver_mail
from api.mutations.results import (
    AUDIT_SEQ,
    ConflictError,
    NotAuthorized,
    NotFoundError,
    RateLimitedError,
    ValidationErrors,
    attempt,
    perform,
    rate_limited,
)
from api.policy import Action, actor, guard, may, require
from api.relay import After, Connection, First, connection, decode_cursor, to_global_id
from api.types.experts import Expert
from graph.audit import events as audit
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.core.errors import NotFound
from graph.core.ratelimit import Limited
from graph.experts import nominations, self_service
from graph.experts.registration import ConsentPurpose
from graph.experts.self_service import (
    ConsentRecord,
    MyRecord,
    ProfilePatch,
    Withdrawal,
    WithdrawConsent,
)
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context


# --- types ------------------------------------------------------------------------------------


@strawberry.type(description="A consent given at registration, or a later withdrawal.")
class ConsentEntry:
    id: str = strawberry.field(description="The record's id.")
    kind: str = strawberry.field(description="GIVEN or WITHDRAWN.")
    at: dt.datetime = strawberry.field(description="When.")
    notice_version: str | None = strawberry.field(description="The notice consented to (GIVEN).")
    granted: list[str] = strawberry.field(description="Purposes granted (GIVEN).")
    refused: list[str] = strawberry.field(description="Purposes refused (GIVEN).")
    withdrawn: list[str] = strawberry.field(description="Purposes withdrawn (WITHDRAWN).")

    @classmethod
    def from_record(cls, c: ConsentRecord) -> ConsentEntry:
        return cls(
            id=c.id,
            kind=c.kind,
            at=c.at,
            notice_version=c.notice_version,
            granted=list(c.granted),
            refused=list(c.refused),
            withdrawn=list(c.withdrawn),
        )


@strawberry.type(
    description="The signed-in expert's own data, with every personal field (no access is "
    "logged: it is their own)."
)
class Me:
    record: strawberry.Private[MyRecord]
    id: strawberry.ID = strawberry.field(description="The Person's global ID.")
    full_name: str = strawberry.field(description="Full name (NFC); 'Đã xóa' once erased.")
    email: str | None = strawberry.field(description="E-mail; null once erased.")
    phone: str | None = strawberry.field(description="Phone, +84 E.164.")
    birth_date: dt.date | None = strawberry.field(description="Date of birth, if held.")
    email_confirmed_at: dt.datetime | None = strawberry.field(
        description="When the e-mail was confirmed."
    )
    erased_at: dt.datetime | None = strawberry.field(
        description="When consent was withdrawn and the personal data erased."
    )
    consents: list[ConsentEntry] = strawberry.field(description="Consents and withdrawals.")
    consented_purposes: list[ConsentPurpose] = strawberry.field(
        description="Purposes consented to now."
    )

    @classmethod
    def from_record(cls, r: MyRecord) -> Me:
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Person", r.id)),
            full_name=r.full_name,
            email=r.email,
            phone=r.phone,
            birth_date=r.birth_date,
            email_confirmed_at=r.email_confirmed_at,
            erased_at=r.erased_at,
            consents=[ConsentEntry.from_record(c) for c in r.consents],
            consented_purposes=[ConsentPurpose(p) for p in sorted(r.granted)],
        )

    @strawberry.field(description="The expert profile, if any.")
    def expert(self, info: strawberry.Info[Context]) -> Expert | None:
        return Expert.from_record(self.record.expert, info) if self.record.expert else None


@strawberry.input(description="Corrections to one's own profile; omitted fields stay as they are.")
class UpdateMyProfileInput:
    full_name: str | None = strawberry.field(
        default=None, description="Full name; stored NFC, trimmed."
    )
    phone: str | None = strawberry.field(
        default=None, description="Vietnamese phone, stored +84 E.164; an empty string removes it."
    )
    expertise: list[str] | None = strawberry.field(
        default=None, description="Codes of areas or sub-areas (at least one; expertiseAreas)."
    )
    affiliation: str | None = strawberry.field(
        default=None, description="University, institute, enterprise or association."
    )
    province_code: str | None = strawberry.field(
        default=None,
        description="Current province the expert is in (required in Vietnam); abroad, a "
        "province they want to help, and an empty string removes it.",
    )
    country_code: str | None = strawberry.field(
        default=None, description="Country of residence, ISO 3166-1 alpha-2."
    )


@strawberry.type(description="The profile after the correction.")
class MyProfilePayload:
    me: Me = strawberry.field(description="The expert's data now.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[MyRecord]) -> MyProfilePayload:
        return MyProfilePayload(me=Me.from_record(changed.value), audit_seq=changed.seq)


@strawberry.type(description="Consent withdrawn; when `erased`, the personal data are gone.")
class ConsentWithdrawn:
    withdrawal_id: str = strawberry.field(description="The withdrawal record's id.")
    purposes: list[ConsentPurpose] = strawberry.field(description="Purposes withdrawn.")
    erased: bool = strawberry.field(
        description="The registry purpose was withdrawn: name, e-mail, phone and birth date "
        "were erased and the profile is WITHDRAWN."
    )
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[Withdrawal]) -> ConsentWithdrawn:
        w = changed.value
        return ConsentWithdrawn(
            withdrawal_id=w.id,
            purposes=[ConsentPurpose(p) for p in w.purposes],
            erased=w.erased,
            audit_seq=changed.seq,
        )


@strawberry.type(
    description="The nomination is recorded and the nominee invited by e-mail (unless already "
    "invited or in the registry: the answer is the same, so it tells nobody who is registered)."
)
class NominationPayload:
    nomination_id: str = strawberry.field(description="The nomination's id.")
    expires_at: dt.datetime = strawberry.field(
        description="A registration after this is not linked to the nomination."
    )
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)
    message: str = strawberry.field(description="What happens next.")


NominateExpertResult = Annotated[
    NominationPayload | ValidationErrors | NotAuthorized | RateLimitedError,
    strawberry.union("NominateExpertResult", description="Nominated, or why not."),
]
UpdateMyProfileResult = Annotated[
    MyProfilePayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("UpdateMyProfileResult", description="Corrected, or why not."),
]
WithdrawConsentResult = Annotated[
    ConsentWithdrawn | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("WithdrawConsentResult", description="Withdrawn, or why not."),
]


def _own_id(info: strawberry.Info[Context]) -> str:
    """The viewer's person id (perform() has already refused every role but EXPERT)."""
    person_id = info.context.viewer.person_id
    if person_id is None:
        raise NotFound("Person", "")
    return person_id


@strawberry.type(description="Nominations and an expert's own data.")
class SelfServiceMutations:
    @strawberry.mutation(
        description="Introduce a talented person to the expert network (the network's "
        "officials: national and provincial coordinators, commune officers, organisation "
        "admins). Nothing is created for them: they get the registry's fixed invitation by "
        "e-mail, greeting them by name (letters only; the reason is not mailed) and appear only "
        "once they register and consent themselves; the nomination and its reason are then "
        "shown to the coordinators who verify them. Rate-limited per address, per nominee "
        "e-mail and per nominator."
    )
    async def nominate_expert(
        self,
        info: strawberry.Info[Context],
        email: Annotated[str, strawberry.argument(description="The nominee's e-mail.")],
        name: Annotated[
            str,
            strawberry.argument(
                description="The nominee's name: letters, spaces, ' - and . only (it is the "
                "one thing of yours the invitation mail prints)."
            ),
        ],
        expertise: Annotated[
            list[str], strawberry.argument(description="Codes of their areas (expertiseAreas).")
        ],
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why you recommend them: kept for the verifying coordinators, "
                "never mailed."
            ),
        ],
    ) -> NominateExpertResult:
        ctx = info.context
        viewer = ctx.viewer

        async def go() -> NominationPayload | RateLimitedError:
            require(viewer, Action.NOMINATE_EXPERT)
            cmd = nominations.check_nomination(
                nominations.Nomination(
                    email,
                    name,
                    tuple(expertise),
                    reason,
                    ctx.client_address,
                    viewer.person_id,
                )
            )
            outcome = await ctx.graph.write(
                nominations.nominate_expert,
                cmd,
                actor(viewer),
                guard(viewer, Action.NOMINATE_EXPERT),
                ctx.settings,
                dt.datetime.now(dt.UTC),
            )
            if isinstance(outcome, Limited):
                return rate_limited(outcome, "nominations")
            await deliver_mail(info)
            return NominationPayload(
                nomination_id=outcome.value.id,
                expires_at=outcome.value.expires_at,
                audit_seq=outcome.seq,
                message="Thank you: the nominee is invited to register themselves.",
            )

        result = await attempt(go())
        assert not isinstance(result, NotFoundError | ConflictError)  # not raised by go()
        return result

    @strawberry.mutation(
        description="Correct your own profile (experts): name, phone, expertise, affiliation, "
        "province; checked like a registration."
    )
    async def update_my_profile(
        self, info: strawberry.Info[Context], input: UpdateMyProfileInput
    ) -> UpdateMyProfileResult:
        patch = ProfilePatch(
            input.full_name,
            input.phone,
            tuple(input.expertise) if input.expertise is not None else None,
            input.affiliation,
            input.province_code,
            input.country_code,
        )

        async def work(a: Actor, g: Guard) -> Changed[MyRecord]:
            return await info.context.graph.write(
                self_service.update_my_profile, _own_id(info), patch, a, g, info.context.settings
            )

        return await perform(info, Action.SELF_SERVICE, work, MyProfilePayload.of)

    @strawberry.mutation(
        description="Withdraw consent (experts). Withdrawing a purpose registration needs "
        "(DIRECTORY_LISTING, COORDINATOR_CONTACT) or all of them erases your name, e-mail, "
        "phone and birth date everywhere and withdraws your profile; records that others "
        "count on (memberships, history) stay, anonymised."
    )
    async def withdraw_consent(
        self,
        info: strawberry.Info[Context],
        purpose: Annotated[
            ConsentPurpose | None,
            strawberry.argument(description="One purpose; omitted: every purpose."),
        ] = None,
    ) -> WithdrawConsentResult:
        cmd = WithdrawConsent(purpose)

        async def work(a: Actor, g: Guard) -> Changed[Withdrawal]:
            return await info.context.graph.write(
                self_service.withdraw_consent, _own_id(info), cmd, a, g
            )

        return await perform(info, Action.SELF_SERVICE, work, ConsentWithdrawn.of)


@strawberry.type(
    description="One read of your personal data by someone else (a coordinator whose scope "
    "covers you): when, in which role and for which place or organisation, and which fields. "
    "Who they are is their own personal data and is not shown."
)
class PersonalDataRead:
    at: dt.datetime = strawberry.field(description="When.")
    role: str = strawberry.field(description="The reader's role (NATIONAL_COORDINATOR, …).")
    scope: str | None = strawberry.field(
        description="The province, commune or organisation the reader's role is bound to, by "
        "name; null for a national coordinator (the whole country)."
    )
    fields: list[str] = strawberry.field(description="The fields read (email, phone).")

    @classmethod
    def from_record(cls, r: audit.ReadRecord) -> PersonalDataRead:
        return cls(at=r.at, role=r.role, scope=r.scope_name, fields=list(r.fields))


@strawberry.type(description="The signed-in expert's own data.")
class SelfServiceQueries:
    @strawberry.field(
        description="Your own person and profile with every personal field (experts); null "
        "for other viewers."
    )
    async def me(self, info: strawberry.Info[Context]) -> Me | None:
        viewer = info.context.viewer
        if not may(viewer, Action.SELF_SERVICE) or viewer.person_id is None:
            return None
        found = await info.context.graph.read(self_service.me, viewer.person_id)
        return Me.from_record(found) if found else None

    @strawberry.field(
        description="Everything the registry holds about you (experts), as JSON: person, "
        "profile, consents and withdrawals, memberships, focal-point posts, nominations, audit "
        "events about you and the log of who read your personal data; null for other viewers."
    )
    async def export_my_data(self, info: strawberry.Info[Context]) -> JSON | None:
        viewer = info.context.viewer
        if not may(viewer, Action.SELF_SERVICE) or viewer.person_id is None:
            return None
        data = await info.context.graph.read(self_service.export_my_data, viewer.person_id)
        return JSON(data) if data is not None else None

    @strawberry.field(
        description="Who read your personal data (experts): every read by someone else, newest "
        "first, paged; null for other viewers."
    )
    async def my_data_reads(
        self, info: strawberry.Info[Context], first: First = None, after: After = None
    ) -> Connection[PersonalDataRead] | None:
        ctx = info.context
        viewer = ctx.viewer
        if not may(viewer, Action.SELF_SERVICE) or viewer.person_id is None:
            return None
        page = await ctx.graph.read(
            audit.reads_of, viewer.person_id, ctx.page_size(first), decode_cursor(after)
        )
        return connection(
            [(key, PersonalDataRead.from_record(r)) for key, r in page.items],
            page.total,
            page.has_next,
        )
