"""Support requests, engagements and match candidates as GraphQL types (#15)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from api.policy import Action
from api.relay import Node, to_global_id
from api.types.experts import Expert
from api.types.network import AdministrativeUnit, Organisation
from graph.reports.support_figures import SupportFigures as FiguresRecord
from graph.reports.support_figures import SupportMetric
from graph.support.matching import Match
from graph.support.records import (
    EngagementRecord,
    EngagementStatus,
    RequestStatus,
    SupportRequestRecord,
    Urgency,
)
from graph.units.scopes import Kind

if TYPE_CHECKING:
    from api.context import Context

strawberry.enum(
    RequestStatus,
    description="OPEN (filed), MATCHING (experts proposed), ASSIGNED (one accepted), DONE, "
    "CANCELLED.",
)
strawberry.enum(
    EngagementStatus,
    description="PROPOSED, then ACCEPTED or DECLINED by the expert, COMPLETED with the "
    "requester's feedback; WITHDRAWN when the request ended unanswered.",
)
strawberry.enum(Urgency, description="How soon the help is needed.")
strawberry.enum(
    SupportMetric,
    description="Ranks provinces by the request side of coverage: ANSWERED_SHARE (highest "
    "first), OPEN_REQUESTS (most first), MEDIAN_HOURS_TO_FIRST_ACCEPT (fastest first).",
)


@strawberry.type(description="An area of expertise a request wants.")
class WantedArea:
    code: str = strawberry.field(description="ExpertiseArea code (expertiseAreas gives names).")
    weight: float = strawberry.field(description="Its weight in the expertise part of the score.")
    must_have: bool = strawberry.field(description="Candidates without it are left out.")


@strawberry.type(description="A request for help from the expert network (Yêu cầu hỗ trợ).")
class SupportRequest(Node):
    record: strawberry.Private[SupportRequestRecord]
    topic: str = strawberry.field(description="What the help is about (NFC).")
    description: str = strawberry.field(description="The task in more words.")
    wanted: list[WantedArea] = strawberry.field(description="Areas of expertise wanted.")
    remote_allowed: bool = strawberry.field(description="Experts abroad may be proposed.")
    period_start: dt.date = strawberry.field(description="First day help is wanted.")
    period_end: dt.date = strawberry.field(description="Last day help is wanted.")
    experts_wanted: int = strawberry.field(description="How many experts.")
    urgency: Urgency = strawberry.field(description="How soon.")
    status: RequestStatus = strawberry.field(description="Where the request stands.")
    created_at: dt.datetime = strawberry.field(description="Filed on.")
    matching_at: dt.datetime | None = strawberry.field(description="First expert proposed.")
    assigned_at: dt.datetime | None = strawberry.field(description="Became ASSIGNED.")
    first_accepted_at: dt.datetime | None = strawberry.field(
        description="When the first expert accepted."
    )
    done_at: dt.datetime | None = strawberry.field(description="Closed as DONE.")
    cancelled_at: dt.datetime | None = strawberry.field(description="Cancelled.")
    cancel_reason: str | None = strawberry.field(description="Why it was cancelled.")
    contact_email: str | None = strawberry.field(
        description="The requester's address, told of each answer."
    )
    synthetic: bool = strawberry.field(description="Demo data.")

    @classmethod
    def from_record(cls, r: SupportRequestRecord) -> SupportRequest:
        return cls(
            id=to_global_id("SupportRequest", r.id),
            record=r,
            topic=r.topic,
            description=r.description,
            wanted=[
                WantedArea(code=w.code, weight=w.weight, must_have=w.must_have) for w in r.wanted
            ],
            remote_allowed=r.remote_allowed,
            period_start=r.period_start,
            period_end=r.period_end,
            experts_wanted=r.experts_wanted,
            urgency=r.urgency,
            status=r.status,
            created_at=r.created_at,
            matching_at=r.matching_at,
            assigned_at=r.assigned_at,
            first_accepted_at=r.first_accepted_at,
            done_at=r.done_at,
            cancelled_at=r.cancelled_at,
            cancel_reason=r.cancel_reason,
            contact_email=r.contact_email,
            synthetic=r.synthetic,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context], id: str) -> SupportRequest | None:
        """The request if the viewer may see it (its requester's scope and those above), else
        None, as if it did not exist."""
        found = await info.context.loaders.support.request.load(id)
        if found is None or not await info.context.access.allows(
            Action.READ_SUPPORT_REQUESTS, Kind.SUPPORT_REQUEST, id
        ):
            return None
        return cls.from_record(found)

    @strawberry.field(description="The organisation that asks.")
    async def organisation(self, info: strawberry.Info[Context]) -> Organisation | None:
        return await Organisation.load(info, self.record.organisation_id)

    @strawberry.field(description="Where the help is wanted (a current province or commune).")
    async def unit(self, info: strawberry.Info[Context]) -> AdministrativeUnit | None:
        found = await info.context.loaders.unit.load(self.record.unit_key)
        return AdministrativeUnit.from_record(found) if found else None

    @strawberry.field(description="The experts proposed and what became of each, oldest first.")
    async def engagements(self, info: strawberry.Info[Context]) -> list[Engagement]:
        found = await info.context.loaders.support.engagements_of_request.load(self.record.id)
        return [Engagement.from_record(g) for g in found]


@strawberry.type(description="An expert proposed for a support request.")
class Engagement(Node):
    record: strawberry.Private[EngagementRecord]
    status: EngagementStatus = strawberry.field(description="Where the proposal stands.")
    proposed_at: dt.datetime = strawberry.field(description="Proposed on.")
    accepted_at: dt.datetime | None = strawberry.field(description="Accepted on.")
    declined_at: dt.datetime | None = strawberry.field(description="Declined on.")
    completed_at: dt.datetime | None = strawberry.field(description="Completed on.")
    decline_reason: str | None = strawberry.field(description="The expert's reason to decline.")
    feedback_score: int | None = strawberry.field(description="The requester's score, 1 to 5.")
    feedback_text: str | None = strawberry.field(description="The requester's feedback.")
    expert_note: str | None = strawberry.field(description="The expert's own note.")
    score: float | None = strawberry.field(description="The match score when proposed.")

    @classmethod
    def from_record(cls, r: EngagementRecord) -> Engagement:
        return cls(
            id=to_global_id("Engagement", r.id),
            record=r,
            status=r.status,
            proposed_at=r.proposed_at,
            accepted_at=r.accepted_at,
            declined_at=r.declined_at,
            completed_at=r.completed_at,
            decline_reason=r.decline_reason,
            feedback_score=r.feedback_score,
            feedback_text=r.feedback_text,
            expert_note=r.expert_note,
            score=r.score,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context], id: str) -> Engagement | None:
        """The engagement for its expert and for those who may see its request, else None."""
        found = await info.context.loaders.support.engagement.load(id)
        if found is None:
            return None
        if info.context.viewer.person_id == found.person_id or await info.context.access.allows(
            Action.READ_SUPPORT_REQUESTS, Kind.ENGAGEMENT, id
        ):
            return cls.from_record(found)
        return None

    @strawberry.field(
        description="The request: for its requester's scope and for the expert proposed."
    )
    async def request(self, info: strawberry.Info[Context]) -> SupportRequest | None:
        if info.context.viewer.person_id == self.record.person_id:
            found = await info.context.loaders.support.request.load(self.record.request_id)
            return SupportRequest.from_record(found) if found else None
        return await SupportRequest.load(info, self.record.request_id)

    @strawberry.field(description="The expert proposed.")
    async def expert(self, info: strawberry.Info[Context]) -> Expert | None:
        found = await info.context.loaders.network.expert.load(self.record.expert_id)
        return Expert.from_record(found, info) if found else None


@strawberry.type(description="The parts of a match score, each from 0 to 1 (see matchExperts).")
class ScoreParts:
    expertise: float = strawberry.field(description="Weight 0.40: areas wanted that they have.")
    proximity: float = strawberry.field(description="Weight 0.25: commune, province, distance.")
    availability: float = strawberry.field(description="Weight 0.15: free in the period.")
    load: float = strawberry.field(description="Weight 0.12: 1 / (1 + open engagements).")
    feedback: float = strawberry.field(description="Weight 0.08: past requesters' scores.")


@strawberry.type(description="A verified expert ranked for a support request.")
class Candidate:
    record: strawberry.Private[Match]
    score: float = strawberry.field(description="The weighted sum of the parts, 0 to 1.")
    parts: ScoreParts = strawberry.field(description="What the score is made of.")
    proximity: str = strawberry.field(
        description="COMMUNE, PROVINCE, DISTANCE, ABROAD or UNKNOWN (no coordinates)."
    )
    distance_km: float | None = strawberry.field(description="Great-circle distance, if known.")
    open_engagements: int = strawberry.field(description="Proposals and acceptances under way.")
    feedback_mean: float | None = strawberry.field(description="Mean past score, if any.")
    unavailable_days: int = strawberry.field(description="Days of the period they are away.")
    matched_areas: list[str] = strawberry.field(description="Wanted areas they have.")

    @classmethod
    def from_match(cls, m: Match) -> Candidate:
        p = m.parts
        return cls(
            record=m,
            score=m.score,
            parts=ScoreParts(
                expertise=p.expertise,
                proximity=p.proximity,
                availability=p.availability,
                load=p.load,
                feedback=p.feedback,
            ),
            proximity=m.proximity_kind,
            distance_km=m.distance_km,
            open_engagements=m.open_engagements,
            feedback_mean=m.feedback_mean,
            unavailable_days=m.unavailable_days,
            matched_areas=list(m.matched_areas),
        )

    @strawberry.field(description="The expert (contact fields under the personal-data rules).")
    async def expert(self, info: strawberry.Info[Context]) -> Expert | None:
        found = await info.context.loaders.network.expert.load(self.record.expert_id)
        return Expert.from_record(found, info) if found else None


@strawberry.type(description="The request side of coverage (support requests).")
class SupportFigures:
    requests: int = strawberry.field(description="Requests filed for the place.")
    open: int = strawberry.field(description="Still OPEN, MATCHING or ASSIGNED.")
    answered: int = strawberry.field(description="Requests an expert accepted.")
    answered_share: float | None = strawberry.field(description="answered / requests.")
    median_hours_to_first_accept: float | None = strawberry.field(
        description="Median hours from filing to the first acceptance."
    )

    @classmethod
    def from_record(cls, f: FiguresRecord) -> SupportFigures:
        return cls(
            requests=f.requests,
            open=f.open,
            answered=f.answered,
            answered_share=f.answered_share,
            median_hours_to_first_accept=f.median_hours_to_first_accept,
        )


@strawberry.type(description="A province's support figures and its rank by the metric asked.")
class ProvinceSupport:
    rank: int = strawberry.field(description="1 is best; equal values share a rank.")
    province: AdministrativeUnit = strawberry.field(description="The current province.")
    figures: SupportFigures = strawberry.field(description="Its figures.")


@strawberry.type(description="Support figures: national totals and every current province.")
class SupportReport:
    national: SupportFigures = strawberry.field(description="The whole country.")
    provinces: list[ProvinceSupport] = strawberry.field(description="Ranked by the metric.")
