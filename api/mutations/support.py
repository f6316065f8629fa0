"""Support requests (#15): the coordinators' list, a request's ranked candidates, and the
commands from filing a request to closing it; the expert's own proposals and answers.

Queries decide visibility in api/policy.py (``support_request_scope`` for lists, the request's
placement for one request); mutations go through ``perform`` like the network's, so each is one
transaction with its guard, audit event and mail.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.mutations.registration import deliver_mail
from api.mutations.results import (
    AUDIT_SEQ,
    ConflictError,
    NotAuthorized,
    NotFoundError,
    ValidationErrors,
    node_key,
    perform,
)
from api.policy import Action, may, require, support_request_scope
from api.relay import Connection, connection, decode_cursor
from api.types.network import AdministrativeUnit
from api.types.support import (
    Candidate,
    Engagement,
    ProvinceSupport,
    SupportFigures,
    SupportReport,
    SupportRequest,
)
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.core.errors import Forbidden, NotFound
from graph.reports.ranking import RankingMetric, rank_provinces
from graph.reports.support_figures import SupportMetric
from graph.support import engagements, requests
from graph.support.records import (
    EngagementRecord,
    RequestStatus,
    SupportRequestRecord,
    Urgency,
    WantedArea,
)
from graph.units.scopes import Guard, Kind

if TYPE_CHECKING:
    from api.context import Context

MATCH_MAX = 100


# --- inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="An area of expertise wanted.")
class WantedAreaInput:
    code: str = strawberry.field(description="ExpertiseArea code.")
    weight: float = strawberry.field(default=1.0, description="Above 0, at most 10.")
    must_have: bool = strawberry.field(default=False, description="Leave out experts without it.")


@strawberry.input(description="A new request for help from the expert network.")
class CreateSupportRequestInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="The asking organisation's global ID."
    )
    unit_code: str = strawberry.field(
        description="Where: official code of a current province or commune."
    )
    topic: str = strawberry.field(description="What the help is about.")
    description: str | None = strawberry.field(default=None, description="The task.")
    wanted: list[WantedAreaInput] = strawberry.field(description="Areas of expertise wanted.")
    remote_allowed: bool = strawberry.field(
        default=False, description="Experts abroad (remote work) may be proposed."
    )
    period_start: dt.date = strawberry.field(description="First day.")
    period_end: dt.date = strawberry.field(description="Last day.")
    experts_wanted: int = strawberry.field(default=1, description="How many experts, 1 to 50.")
    urgency: Urgency = strawberry.field(default=Urgency.NORMAL, description="How soon.")
    contact_email: str | None = strawberry.field(
        default=None, description="The requester's address, told of each expert's answer."
    )


@strawberry.input(description="Which support requests to list.")
class SupportRequestFilter:
    statuses: list[RequestStatus] | None = strawberry.field(default=None, description="Any of.")
    province_code: str | None = strawberry.field(
        default=None, description="Current province where help is wanted."
    )
    urgencies: list[Urgency] | None = strawberry.field(default=None, description="Any of.")


@strawberry.type(description="The request as it now stands.")
class SupportRequestPayload:
    request: SupportRequest = strawberry.field(description="The request.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @classmethod
    def of(cls, changed: Changed[SupportRequestRecord]) -> SupportRequestPayload:
        return cls(request=SupportRequest.from_record(changed.value), audit_seq=changed.seq)


@strawberry.type(description="The engagement as it now stands.")
class EngagementPayload:
    engagement: Engagement = strawberry.field(description="The engagement.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @classmethod
    def of(cls, changed: Changed[EngagementRecord]) -> EngagementPayload:
        return cls(engagement=Engagement.from_record(changed.value), audit_seq=changed.seq)


@strawberry.type(description="A period the expert said they cannot help in.")
class UnavailabilityPayload:
    id: str = strawberry.field(description="The period's id.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)


@strawberry.type(description="A period an expert stated they cannot help in (both days included).")
class UnavailablePeriod:
    id: strawberry.ID = strawberry.field(description="The period's id, for removeUnavailability.")
    start: dt.date = strawberry.field(description="First day.")
    end: dt.date = strawberry.field(description="Last day.")


SupportRequestResult = Annotated[
    SupportRequestPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("SupportRequestResult", description="A request changed, or why not."),
]
EngagementResult = Annotated[
    EngagementPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("EngagementResult", description="An engagement changed, or why not."),
]
UnavailabilityResult = Annotated[
    UnavailabilityPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union(
        "UnavailabilityResult", description="An unavailable period stated, or why not."
    ),
]

RequestId = Annotated[
    strawberry.ID, strawberry.argument(description="The SupportRequest's global ID.")
]
EngagementId = Annotated[
    strawberry.ID, strawberry.argument(description="The Engagement's global ID.")
]


# --- queries ---------------------------------------------------------------------------------


@strawberry.type
class SupportQueries:
    @strawberry.field(
        description="Support requests the viewer may see (their organisation's, commune's or "
        "province's; national: all), newest first."
    )
    async def support_requests(
        self,
        info: strawberry.Info[Context],
        filter: SupportRequestFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SupportRequest]:
        ctx = info.context
        scope = support_request_scope(ctx.viewer)
        f = filter or SupportRequestFilter()
        province_key = None
        if f.province_code:
            unit = await ctx.graph.read(requests.current_province_key, f.province_code.strip())
            province_key = unit or "-"  # an unknown province matches nothing
        page = await ctx.graph.read(
            requests.list_support_requests,
            requests.RequestFilter(
                scope.province,
                scope.commune,
                scope.organisation,
                tuple(f.statuses or ()),
                province_key,
                tuple(f.urgencies or ()),
            ),
            ctx.page_size(first),
            decode_cursor(after),
        )
        return connection(
            [(k, SupportRequest.from_record(r)) for k, r in page.items], page.total, page.has_next
        )

    @strawberry.field(description="One support request; null if the viewer may not see it.")
    async def support_request(
        self, info: strawberry.Info[Context], id: RequestId
    ) -> SupportRequest | None:
        return await SupportRequest.load(info, node_key(id, "SupportRequest", "id"))

    @strawberry.field(
        description="The verified experts best placed for a request, best first, each with the "
        "parts of its score (graph/support/matching.py documents the score); for those who may "
        "see the request."
    )
    async def match_experts(
        self,
        info: strawberry.Info[Context],
        request_id: RequestId,
        first: Annotated[int, strawberry.argument(description="At most 100.")] = 20,
    ) -> list[Candidate]:
        ctx = info.context
        key = node_key(request_id, "SupportRequest", "requestId")
        require(ctx.viewer, Action.MATCH_EXPERTS)
        if not 0 < first <= MATCH_MAX:
            raise Forbidden(Action.MATCH_EXPERTS.value, f"first: from 1 to {MATCH_MAX}")
        if await ctx.loaders.support.request.load(key) is None:
            raise NotFound("SupportRequest", key)
        if not await ctx.access.allows(Action.MATCH_EXPERTS, Kind.SUPPORT_REQUEST, key):
            raise Forbidden(Action.MATCH_EXPERTS.value)
        found = await ctx.matches(key, first)
        return [Candidate.from_match(m) for m in found]

    @strawberry.field(
        description="The proposals made to you (experts), newest first; empty for others."
    )
    async def my_engagements(self, info: strawberry.Info[Context]) -> list[Engagement]:
        ctx = info.context
        if not may(ctx.viewer, Action.RESPOND_TO_PROPOSAL) or ctx.viewer.person_id is None:
            return []
        expert_id = await ctx.graph.read(engagements.expert_of_person, ctx.viewer.person_id)
        if expert_id is None:
            return []
        found = await ctx.loaders.support.engagements_of_expert.load(expert_id)
        return [Engagement.from_record(g) for g in found]

    @strawberry.field(
        description="The periods you said you cannot help in (experts), by start; empty for others."
    )
    async def my_unavailability(self, info: strawberry.Info[Context]) -> list[UnavailablePeriod]:
        ctx = info.context
        if not may(ctx.viewer, Action.SELF_SERVICE) or ctx.viewer.person_id is None:
            return []
        expert_id = await ctx.graph.read(engagements.expert_of_person, ctx.viewer.person_id)
        if expert_id is None:
            return []
        found = await ctx.graph.read(engagements.unavailability_of, expert_id)
        return [UnavailablePeriod(id=strawberry.ID(u.id), start=u.start, end=u.end) for u in found]

    @strawberry.field(
        description="An expert's history of engagements, newest first: for the expert and for "
        "those who may read the expert's personal data; empty for others."
    )
    async def engagements_of_expert(
        self,
        info: strawberry.Info[Context],
        expert_id: Annotated[strawberry.ID, strawberry.argument(description="The Expert.")],
    ) -> list[Engagement]:
        ctx = info.context
        key = node_key(expert_id, "Expert", "expertId")
        expert = await ctx.loaders.network.expert.load(key)
        if expert is None or not await ctx.access.may_see(expert.person.id):
            return []
        found = await ctx.loaders.support.engagements_of_expert.load(key)
        return [Engagement.from_record(g) for g in found]

    @strawberry.field(
        description="The request side of coverage: per current province, requests filed, still "
        "open, the share answered and the median hours to the first accepted expert; ranked."
    )
    async def support_figures(
        self,
        info: strawberry.Info[Context],
        rank_by: SupportMetric = SupportMetric.ANSWERED_SHARE,
    ) -> SupportReport:
        # A view of today's national coverage (the same figures, the same cached answer): its
        # rows are the current provinces.
        ctx = info.context
        scope = await ctx.scope(None, ctx.today, in_current_units=False)
        report = await ctx.coverage(scope.key, ctx.today, mapped=False)
        figures = {row.unit.key: row.metrics.support for row in report.rows}
        return SupportReport(
            national=SupportFigures.from_record(report.totals.support),
            provinces=[
                ProvinceSupport(
                    rank=r.rank,
                    province=AdministrativeUnit.from_record(r.province),
                    figures=SupportFigures.from_record(figures[r.province.key]),
                )
                for r in rank_provinces(report, RankingMetric(rank_by.value))
            ],
        )


# --- mutations -------------------------------------------------------------------------------


@strawberry.type
class SupportMutations:
    @strawberry.mutation(
        description="File a support request for an organisation (its admin, commune officer, "
        "provincial coordinator, or national coordinator)."
    )
    async def create_support_request(
        self, info: strawberry.Info[Context], input: CreateSupportRequestInput
    ) -> SupportRequestResult:
        async def work(a: Actor, g: Guard) -> Changed[SupportRequestRecord]:
            cmd = requests.NewSupportRequest(
                node_key(input.organisation_id, "Organisation", "organisationId"),
                input.unit_code,
                input.topic,
                input.description,
                tuple(WantedArea(w.code.strip(), w.weight, w.must_have) for w in input.wanted),
                input.remote_allowed,
                input.period_start,
                input.period_end,
                input.experts_wanted,
                input.urgency,
                input.contact_email,
            )
            return await info.context.graph.write(requests.create_support_request, cmd, a, g)

        return await perform(info, Action.CREATE_SUPPORT_REQUEST, work, SupportRequestPayload.of)

    @strawberry.mutation(description="Propose a candidate for a request; the expert is mailed.")
    async def propose_expert(
        self,
        info: strawberry.Info[Context],
        request_id: RequestId,
        expert_id: Annotated[strawberry.ID, strawberry.argument(description="The Expert.")],
        score: Annotated[
            float | None, strawberry.argument(description="The match score seen.")
        ] = None,
    ) -> EngagementResult:
        async def work(a: Actor, g: Guard) -> Changed[EngagementRecord]:
            cmd = engagements.Proposal(
                node_key(request_id, "SupportRequest", "requestId"),
                node_key(expert_id, "Expert", "expertId"),
                score,
            )
            return await info.context.graph.write(engagements.propose_expert, cmd, a, g)

        result = await perform(info, Action.MATCH_EXPERTS, work, EngagementPayload.of)
        await deliver_mail(info)
        return result

    @strawberry.mutation(
        description="Accept or decline a proposal made to you (with a reason to decline); the "
        "requester is mailed."
    )
    async def respond_to_proposal(
        self,
        info: strawberry.Info[Context],
        engagement_id: EngagementId,
        accept: bool,
        reason: Annotated[str | None, strawberry.argument(description="Why not.")] = None,
        note: Annotated[str | None, strawberry.argument(description="Your own note.")] = None,
    ) -> EngagementResult:
        async def work(a: Actor, g: Guard) -> Changed[EngagementRecord]:
            key = node_key(engagement_id, "Engagement", "engagementId")
            return await info.context.graph.write(
                engagements.respond_to_proposal, key, accept, reason, note, a, g
            )

        result = await perform(info, Action.RESPOND_TO_PROPOSAL, work, EngagementPayload.of)
        await deliver_mail(info)
        return result

    @strawberry.mutation(description="Complete an accepted engagement with your feedback.")
    async def complete_engagement(
        self,
        info: strawberry.Info[Context],
        engagement_id: EngagementId,
        score: Annotated[int, strawberry.argument(description="1 to 5.")],
        text: Annotated[str | None, strawberry.argument(description="Feedback.")] = None,
    ) -> EngagementResult:
        async def work(a: Actor, g: Guard) -> Changed[EngagementRecord]:
            key = node_key(engagement_id, "Engagement", "engagementId")
            return await info.context.graph.write(
                engagements.complete_engagement, key, score, text, a, g
            )

        return await perform(info, Action.CLOSE_SUPPORT_REQUEST, work, EngagementPayload.of)

    @strawberry.mutation(description="Close an ASSIGNED request as DONE.")
    async def close_support_request(
        self, info: strawberry.Info[Context], request_id: RequestId
    ) -> SupportRequestResult:
        async def work(a: Actor, g: Guard) -> Changed[SupportRequestRecord]:
            key = node_key(request_id, "SupportRequest", "requestId")
            return await info.context.graph.write(requests.close_support_request, key, a, g)

        return await perform(info, Action.CLOSE_SUPPORT_REQUEST, work, SupportRequestPayload.of)

    @strawberry.mutation(description="Cancel a request that is not DONE, with a reason.")
    async def cancel_support_request(
        self,
        info: strawberry.Info[Context],
        request_id: RequestId,
        reason: Annotated[str, strawberry.argument(description="Why.")],
    ) -> SupportRequestResult:
        async def work(a: Actor, g: Guard) -> Changed[SupportRequestRecord]:
            key = node_key(request_id, "SupportRequest", "requestId")
            return await info.context.graph.write(
                requests.cancel_support_request, key, reason, a, g
            )

        return await perform(info, Action.CLOSE_SUPPORT_REQUEST, work, SupportRequestPayload.of)

    @strawberry.mutation(
        description="Say you cannot help between two dates (experts): matching ranks you lower "
        "for requests in that period."
    )
    async def declare_unavailability(
        self,
        info: strawberry.Info[Context],
        expert_id: Annotated[strawberry.ID, strawberry.argument(description="Your Expert ID.")],
        start: dt.date,
        end: dt.date,
    ) -> UnavailabilityResult:
        async def work(a: Actor, g: Guard) -> Changed[str]:
            cmd = engagements.NewUnavailability(
                node_key(expert_id, "Expert", "expertId"), start, end
            )
            return await info.context.graph.write(engagements.declare_unavailability, cmd, a, g)

        return await perform(
            info,
            Action.SELF_SERVICE,
            work,
            lambda c: UnavailabilityPayload(id=c.value, audit_seq=c.seq),
        )

    @strawberry.mutation(
        description="Take back a period you said you cannot help in (experts): matching counts "
        "you available in it again."
    )
    async def remove_unavailability(
        self,
        info: strawberry.Info[Context],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The period's id (myUnavailability).")
        ],
    ) -> UnavailabilityResult:
        async def work(a: Actor, g: Guard) -> Changed[str]:
            return await info.context.graph.write(
                engagements.remove_unavailability, str(id).strip(), a, g
            )

        return await perform(
            info,
            Action.SELF_SERVICE,
            work,
            lambda c: UnavailabilityPayload(id=c.value, audit_seq=c.seq),
        )
