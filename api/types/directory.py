"""Experts, coverage gaps, province rankings and search hits."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from api.policy import Action
from api.relay import Node, to_global_id
from api.types.enums import Expertise, ExpertStatus, OrganisationKind
from api.types.network import CommunityTechTeam, Decision, Organisation
from api.types.nominations import Nomination
from api.types.units import AdministrativeUnit
from graph import gaps as gap_queries
from graph import ranking as ranking_queries
from graph import search as search_queries
from graph.directory import ExpertOrder as ExpertOrderEnum
from graph.gaps import GapRecord
from graph.ranking import Rank
from graph.records import ExpertRecord
from graph.scopes import Kind

if TYPE_CHECKING:
    from api.context import Context

GapKind = gap_queries.GapKind
strawberry.enum(
    gap_queries.GapKind,
    description="What is missing: a commune with no active team; an agency with no active "
    "focal point; a province with no verified expert in an area; an active team smaller than "
    "the minimum size; a team or focal point established by an organisation that has since "
    "ceased (e.g. a district People's Committee), which needs re-confirmation.",
)
RankingMetric = ranking_queries.RankingMetric
strawberry.enum(
    ranking_queries.RankingMetric,
    description="TEAM_COVERAGE: communes with an active team / communes. FOCAL_POINT_COVERAGE: "
    "agencies with an active focal point / agencies. EXPERTS_PER_100_COMMUNES: verified experts "
    "per 100 communes (the unit data has no population, so not per 100k residents). "
    "CDS_STAFF_RATIO: CĐS staff / staff of organisations reporting both (2022 baseline 2.19%).",
)
ExpertOrder = ExpertOrderEnum
strawberry.enum(ExpertOrderEnum, description="Order of the expert directory.")
SearchKind = search_queries.HitKind
strawberry.enum(search_queries.HitKind, description="What a search hit is.")


@strawberry.type(
    description="An expert of the expert network (mạng lưới chuyên gia). Name, affiliation, "
    "areas and province are public once verified; contact fields are personal."
)
class Expert(Node):
    record: strawberry.Private[ExpertRecord]
    full_name: str = strawberry.field(description="Full name (NFC).")
    status: ExpertStatus = strawberry.field(description="Verification status.")
    expertise: list[Expertise] = strawberry.field(description="Areas of expertise.")
    affiliation: str = strawberry.field(
        description="University, institute, enterprise or association."
    )
    verified_at: dt.datetime | None = strawberry.field(
        description="When a coordinator verified the profile."
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
            verified_at=r.verified_at,
        )

    @strawberry.field(description="Personal: null unless the viewer may see it.")
    async def email(self, info: strawberry.Info[Context]) -> str | None:
        person = self.record.person
        return await info.context.access.field(person.id, "email", person.email)

    @strawberry.field(description="Personal: null unless the viewer may see it.")
    async def phone(self, info: strawberry.Info[Context]) -> str | None:
        person = self.record.person
        return await info.context.access.field(person.id, "phone", person.phone)

    @strawberry.field(description="The province the expert is located in.")
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
        return [Expert.from_record(e, info) for e in found if e is not None]


@strawberry.input(description="Filters of the expert directory; all given filters must hold.")
class ExpertFilter:
    expertise_any: list[Expertise] | None = strawberry.field(
        default=None, description="At least one of these areas."
    )
    expertise_all: list[Expertise] | None = strawberry.field(
        default=None, description="All of these areas."
    )
    province_code: str | None = strawberry.field(default=None, description="Current province code.")
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


@strawberry.type(description="One place or record where the network does not reach yet.")
class CoverageGap:
    kind: GapKind = strawberry.field(description="What is missing.")
    unit: AdministrativeUnit = strawberry.field(description="Where.")
    organisation: Organisation | None = strawberry.field(
        description="The organisation concerned, if any."
    )
    team: CommunityTechTeam | None = strawberry.field(description="The team concerned, if any.")
    decision: Decision | None = strawberry.field(
        description="The decision needing re-confirmation, if any."
    )
    active_members: int | None = strawberry.field(
        description="For TEAM_BELOW_MIN_SIZE: active members."
    )
    minimum_size: int | None = strawberry.field(
        description="For TEAM_BELOW_MIN_SIZE: the minimum in force."
    )

    @classmethod
    def from_record(cls, g: GapRecord) -> CoverageGap:
        return cls(
            kind=g.kind,
            unit=AdministrativeUnit.from_record(g.unit),
            organisation=Organisation.from_record(g.organisation) if g.organisation else None,
            team=CommunityTechTeam.from_record(g.team) if g.team else None,
            decision=Decision.from_records(g.decision, g.issuer) if g.decision else None,
            active_members=g.active_members,
            minimum_size=g.minimum_size,
        )


@strawberry.type(description="A province's place in a ranking, with the counts behind its value.")
class ProvinceRank:
    rank: int = strawberry.field(description="1 is best; equal values share a rank.")
    province: AdministrativeUnit = strawberry.field(description="The province.")
    value: float | None = strawberry.field(
        description="The metric; null when there is nothing to measure."
    )
    numerator: int = strawberry.field(description="The count above the line.")
    denominator: int = strawberry.field(description="The count below the line.")

    @classmethod
    def from_record(cls, r: Rank) -> ProvinceRank:
        return cls(
            rank=r.rank,
            province=AdministrativeUnit.from_record(r.province),
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
        )


@strawberry.type(description="One search hit.")
class SearchHit:
    kind: SearchKind = strawberry.field(description="What was found.")
    id: strawberry.ID = strawberry.field(description="Global ID, for `node(id:)`.")
    name: str = strawberry.field(description="Display name.")
    score: float = strawberry.field(description="Relevance; higher is better.")
