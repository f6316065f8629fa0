"""Experts: their profiles in the directory, the directory's filters, and the nominations that
brought them in."""

from __future__ import annotations

import asyncio
import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from api.policy import Action, may
from api.relay import Node, to_global_id
from api.types.enums import ExpertStatus, OrganisationKind
from api.types.expertise import Country
from api.types.network import AdministrativeUnit, Organisation
from graph.experts.directory import ExpertOrder as ExpertOrderEnum
from graph.experts.nominations import NominationRecord
from graph.experts.records import ExpertRecord
from graph.units.scopes import Kind

if TYPE_CHECKING:
    from api.context import Context


ExpertOrder = ExpertOrderEnum
strawberry.enum(ExpertOrderEnum, description="Order of the expert directory.")


@strawberry.enum(description="Whether the expert's e-mail address is proven, for the reviewer.")
class EmailState(StrEnum):
    CONFIRMED = "CONFIRMED"  # the expert opened the link or typed the code
    UNCONFIRMED = "UNCONFIRMED"  # self-registered and not yet confirmed: cannot be verified
    NOT_REQUIRED = "NOT_REQUIRED"  # loaded by an import or the demo, not self-registered


@strawberry.type(
    description="An expert of the expert network (mạng lưới chuyên gia). Name, affiliation, "
    "areas and province are public once verified; until then the profile is shown only to the "
    "coordinators who verify it (national, or of the expert's province) and to the expert; "
    "contact fields are personal."
)
class Expert(Node):
    record: strawberry.Private[ExpertRecord]
    full_name: str = strawberry.field(description="Full name (NFC).")
    status: ExpertStatus = strawberry.field(description="Verification status.")
    expertise: list[str] = strawberry.field(
        description="Codes of the areas and sub-areas of expertise (expertiseAreas gives their "
        "names). Before #13 these were the values of an enum Expertise."
    )
    affiliation: str = strawberry.field(
        description="University, institute, enterprise or association."
    )
    country: Country = strawberry.field(description="The country the expert lives in.")
    abroad: bool = strawberry.field(description="Lives outside Vietnam.")
    verified_at: dt.datetime | None = strawberry.field(
        description="When a coordinator verified the profile."
    )
    submitted_at: dt.datetime | None = strawberry.field(
        description="When the profile was submitted (the review queue's order)."
    )

    @classmethod
    def from_record(cls, r: ExpertRecord, info: strawberry.Info[Context]) -> Expert:
        return cls(
            id=to_global_id("Expert", r.id),
            record=r,
            full_name=r.person.full_name,
            status=r.status,
            expertise=list(r.expertise),
            affiliation=r.affiliation,
            country=Country.of(r.country),
            abroad=r.abroad,
            verified_at=r.verified_at,
            submitted_at=r.submitted_at,
        )

    @strawberry.field(description="Personal: null unless the viewer may see it.")
    async def email(self, info: strawberry.Info[Context]) -> str | None:
        person = self.record.person
        return await info.context.access.field(person.id, "email", person.email)

    @strawberry.field(description="Personal: null unless the viewer may see it.")
    async def phone(self, info: strawberry.Info[Context]) -> str | None:
        person = self.record.person
        return await info.context.access.field(person.id, "phone", person.phone)

    @strawberry.field(
        description="Whether the e-mail address is confirmed (a self-registered expert is "
        "verified only once it is): for the coordinators who verify the expert; null for "
        "everyone else."
    )
    async def email_state(self, info: strawberry.Info[Context]) -> EmailState | None:
        if not await info.context.access.allows(Action.REVIEW_EXPERTS, Kind.EXPERT, self.record.id):
            return None
        if self.record.email_confirmed_at is not None:
            return EmailState.CONFIRMED
        if self.record.source == "SELF_REGISTRATION":
            return EmailState.UNCONFIRMED
        return EmailState.NOT_REQUIRED

    @strawberry.field(
        description="Why the profile was rejected: for the coordinators who verify the expert; "
        "null for everyone else and for profiles not rejected."
    )
    async def rejection_reason(self, info: strawberry.Info[Context]) -> str | None:
        if self.record.rejection_reason is None or not await info.context.access.allows(
            Action.REVIEW_EXPERTS, Kind.EXPERT, self.record.id
        ):
            return None
        return self.record.rejection_reason

    @strawberry.field(
        description="A verified profile whose expert edited its public fields since (name, "
        "areas, affiliation, province): when it first changed. It stays listed and is back in "
        "the review queue until a coordinator accepts or rejects the changes. For the "
        "coordinators who verify the expert and the expert; null for everyone else and for "
        "profiles not changed since verification."
    )
    async def changed_since_verification_at(
        self, info: strawberry.Info[Context]
    ) -> dt.datetime | None:
        if not await _reviewer_or_self(self.record, info):
            return None
        return self.record.changed_since_verification_at

    @strawberry.field(
        description="The fields changed since verification (fullName, expertise, affiliation, "
        "province); null when `changedSinceVerificationAt` is."
    )
    async def changed_since_verification(self, info: strawberry.Info[Context]) -> list[str] | None:
        if self.record.changed_since_verification_at is None or not await _reviewer_or_self(
            self.record, info
        ):
            return None
        return list(self.record.changed_since_verification)

    @strawberry.field(
        description="The province the expert is located in; for an expert living abroad, the "
        "province they named to help, if any (it does not place them: they are reviewed by the "
        "national coordinator)."
    )
    async def province(self, info: strawberry.Info[Context]) -> AdministrativeUnit | None:
        if self.record.province_key is None:
            return None
        found = await info.context.loaders.unit.load(self.record.province_key)
        return AdministrativeUnit.from_record(found) if found else None

    @strawberry.field(description="The organisation the affiliation matched, if any.")
    async def organisation(self, info: strawberry.Info[Context]) -> Organisation | None:
        if self.record.organisation_id is None:
            return None
        return await Organisation.load(info, self.record.organisation_id)

    @strawberry.field(
        description="The nominations that led to this registration, oldest first: for the "
        "coordinators who verify the expert (national, or of the expert's province); null "
        "for everyone else."
    )
    async def nominations(self, info: strawberry.Info[Context]) -> list[Nomination] | None:
        if not await info.context.access.allows(
            Action.READ_NOMINATIONS, Kind.EXPERT, self.record.id
        ):
            return None
        found = await info.context.loaders.network.nominations.load(self.record.id)
        return [Nomination.from_record(n, info) for n in found]

    @strawberry.field(
        description="Profiles in the same province that had the same name (ignoring case and "
        "diacritics) when this expert registered: flagged for the verifying coordinator, who "
        "decides whether it is the same person; null for everyone else."
    )
    async def possible_duplicates(self, info: strawberry.Info[Context]) -> list[Expert] | None:
        if not await info.context.access.allows(
            Action.READ_NOMINATIONS, Kind.EXPERT, self.record.id
        ):
            return None
        found = await info.context.loaders.network.expert.load_many(
            list(self.record.possible_duplicate_of)
        )
        # A flagged profile may have moved to another province since: the viewer verifies this
        # one, not necessarily that one. Gathered, so the placements are one batched query.
        experts = [e for e in found if e is not None]
        shown = await asyncio.gather(*(_shown(e, info) for e in experts))
        return [Expert.from_record(e, info) for e, ok in zip(experts, shown, strict=True) if ok]


async def _reviewer_or_self(e: ExpertRecord, info: strawberry.Info[Context]) -> bool:
    """The expert, or a coordinator who verifies them: who sees the review's state."""
    return await info.context.access.sees_unverified_expert(e.id, e.person.id)


async def _shown(e: ExpertRecord, info: strawberry.Info[Context]) -> bool:
    """A verified profile is public; one not verified only to its verifiers and the expert."""
    return e.status is ExpertStatus.VERIFIED or await info.context.access.sees_unverified_expert(
        e.id, e.person.id
    )


@strawberry.input(description="Filters of the expert directory; all given filters must hold.")
class ExpertFilter:
    expertise_any: list[str] | None = strawberry.field(
        default=None,
        description="At least one of these area codes (an area includes its sub-areas).",
    )
    expertise_all: list[str] | None = strawberry.field(
        default=None, description="All of these area codes (each: the area or a sub-area of it)."
    )
    province_code: str | None = strawberry.field(
        default=None,
        description="Current province code: experts there, and experts abroad who named it.",
    )
    country_codes: list[str] | None = strawberry.field(
        default=None, description="Countries of residence (ISO 3166-1 alpha-2)."
    )
    abroad: bool | None = strawberry.field(
        default=None, description="true: experts living outside Vietnam; false: in Vietnam."
    )
    organisation_kinds: list[OrganisationKind] | None = strawberry.field(
        default=None, description="Kind of the affiliated organisation."
    )
    statuses: list[ExpertStatus] | None = strawberry.field(
        default=None, description="Statuses (default VERIFIED; others for coordinators only)."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Words of the name or affiliation, any case, with or without diacritics.",
    )


@strawberry.type(
    description="A member of the network introduced this expert (nominateExpert); the expert "
    "registered and consented themselves, with the nominated address."
)
class Nomination:
    nominated_at: dt.datetime = strawberry.field(description="When the nomination was made.")
    expires_at: dt.datetime = strawberry.field(
        description="Until when a registration is linked to it."
    )
    expertise: list[str] = strawberry.field(description="Area codes the nominator named.")
    reason: str | None = strawberry.field(
        description="Why the nominator recommends them; null once the expert withdrew consent."
    )
    nominator_role: str = strawberry.field(description="The role the nominator acted in.")
    nominator_subject: str | None = strawberry.field(
        description="Who nominated (token subject): national coordinators only."
    )

    @classmethod
    def from_record(cls, r: NominationRecord, info: strawberry.Info[Context]) -> Nomination:
        return cls(
            nominated_at=r.nominated_at,
            expires_at=r.expires_at,
            expertise=list(r.expertise),
            reason=r.reason,
            nominator_role=r.nominator_role,
            nominator_subject=r.nominator_subject
            if may(info.context.viewer, Action.READ_AUDIT_ACTORS)
            else None,
        )
