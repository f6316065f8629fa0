"""Coordinators' review of expert profiles: the queue of pending experts in their scope, and
verifying or rejecting them, one or many at a time.

Same shape as the network's mutations (api/mutations/network.py): an early role check, one write
of one graph/ unit of work with the viewer's guard and audit actor. A bulk decision is that,
once per profile: each profile is its own transaction with its own audit event and mail, so one
profile that cannot be decided (not confirmed, out of scope, decided meanwhile) never undoes the
others, and each gets its own typed result.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.mutations.registration import deliver_mail
from api.mutations.results import (
    AUDIT_SEQ,
    ConflictError,
    Failure,
    FieldError,
    NotAuthorized,
    NotFoundError,
    ValidationErrors,
    node_key,
    perform,
)
from api.policy import Action, may_at_all, review_scope
from api.relay import Connection, connection, decode_cursor
from api.types.experts import Expert
from api.types.network import AdministrativeUnit
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.core.errors import Forbidden, InvalidInput
from graph.core.model import REFORM_DAY, ExpertStatus, UnitLevel
from graph.experts import review
from graph.experts.records import ExpertRecord
from graph.units import units
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context

BULK_MAX = 100
"""Profiles one bulk decision may name: a screenful of the queue, several times over."""


@strawberry.type(description="An expert profile after review.")
class ExpertReviewPayload:
    record: strawberry.Private[Changed[ExpertRecord]]
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[ExpertRecord]) -> ExpertReviewPayload:
        return ExpertReviewPayload(record=changed, audit_seq=changed.seq)

    @strawberry.field(description="The profile.")
    def expert(self, info: strawberry.Info[Context]) -> Expert:
        return Expert.from_record(self.record.value, info)


ExpertReviewResult = Annotated[
    ExpertReviewPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("ExpertReviewResult", description="An expert reviewed, or why not."),
]


@strawberry.type(description="One profile of a bulk decision and what became of it.")
class BulkReviewItem:
    id: strawberry.ID = strawberry.field(description="The expert's global ID, as sent.")
    result: ExpertReviewResult = strawberry.field(description="Reviewed, or why not.")


@strawberry.type(
    description="A bulk decision: every profile was tried on its own (its own transaction, "
    "audit event and mail to the expert)."
)
class BulkReviewPayload:
    items: list[BulkReviewItem] = strawberry.field(description="One per distinct ID, in order.")
    reviewed: int = strawberry.field(description="How many profiles the decision changed.")


BulkReviewResult = Annotated[
    BulkReviewPayload | ValidationErrors | NotAuthorized,
    strawberry.union("BulkReviewResult", description="Profiles reviewed, or why none was."),
]


@strawberry.type(description="Pending experts in one province.")
class PendingProvinceCount:
    record: strawberry.Private[review.PendingCount]
    pending: int = strawberry.field(description="Profiles waiting for review there.")
    oldest_submitted_at: dt.datetime | None = strawberry.field(
        description="When the longest-waiting of them was submitted."
    )

    @strawberry.field(
        description="The (current) province; the central unit (code VN) for experts living "
        "abroad, who are reviewed nationally."
    )
    async def province(self, info: strawberry.Info[Context]) -> AdministrativeUnit | None:
        found = await info.context.loaders.unit.load(self.record.province_key)
        return AdministrativeUnit.from_record(found) if found else None


@strawberry.type(description="Coordinators' review of expert profiles.")
class ReviewMutations:
    @strawberry.mutation(
        description="Verify a pending expert: they become public and are told so by e-mail."
    )
    async def verify_expert(
        self,
        info: strawberry.Info[Context],
        id: Annotated[strawberry.ID, strawberry.argument(description="The expert's global ID.")],
    ) -> ExpertReviewResult:
        result = await _review(info, id, ExpertStatus.VERIFIED, None, Action.VERIFY_EXPERT)
        await deliver_mail(info)
        return result

    @strawberry.mutation(
        description="Reject a pending expert, with the reason; the expert gets it by e-mail."
    )
    async def reject_expert(
        self,
        info: strawberry.Info[Context],
        id: Annotated[strawberry.ID, strawberry.argument(description="The expert's global ID.")],
        reason: Annotated[str, strawberry.argument(description="Why (kept for the record).")],
    ) -> ExpertReviewResult:
        result = await _review(info, id, ExpertStatus.REJECTED, reason, Action.REJECT_EXPERT)
        await deliver_mail(info)
        return result

    @strawberry.mutation(
        description=f"Verify several pending experts (at most {BULK_MAX}); each is decided on "
        "its own, with its own result."
    )
    async def verify_experts(
        self,
        info: strawberry.Info[Context],
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The experts' global IDs.")
        ],
    ) -> BulkReviewResult:
        return await _bulk(info, ids, ExpertStatus.VERIFIED, None, Action.VERIFY_EXPERT)

    @strawberry.mutation(
        description=f"Reject several pending experts (at most {BULK_MAX}) for one reason; each "
        "is decided on its own, with its own result."
    )
    async def reject_experts(
        self,
        info: strawberry.Info[Context],
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The experts' global IDs.")
        ],
        reason: Annotated[str, strawberry.argument(description="Why (kept for the record).")],
    ) -> BulkReviewResult:
        return await _bulk(info, ids, ExpertStatus.REJECTED, reason, Action.REJECT_EXPERT)


async def _review(
    info: strawberry.Info[Context],
    id: str,
    verdict: ExpertStatus,
    reason: str | None,
    action: Action,
) -> ExpertReviewPayload | Failure:
    async def work(a: Actor, g: Guard) -> Changed[ExpertRecord]:
        key = node_key(id, "Expert", "id")
        return await info.context.graph.write(review.review_expert, key, verdict, reason, a, g)

    return await perform(info, action, work, ExpertReviewPayload.of)


async def _bulk(
    info: strawberry.Info[Context],
    ids: list[strawberry.ID],
    verdict: ExpertStatus,
    reason: str | None,
    action: Action,
) -> BulkReviewPayload | ValidationErrors | NotAuthorized:
    if not may_at_all(info.context.viewer, action):
        return NotAuthorized(message=str(Forbidden(action.value)))
    distinct = list(dict.fromkeys(ids))  # a profile named twice is decided once
    if not distinct or len(distinct) > BULK_MAX:
        return ValidationErrors(
            errors=[
                FieldError(
                    field="ids",
                    code="INVALID_VALUE",
                    message=f"name between 1 and {BULK_MAX} experts",
                )
            ]
        )
    items = []
    for id in distinct:
        result = await _review(info, id, verdict, reason, action)
        items.append(BulkReviewItem(id=id, result=result))
    await deliver_mail(info)
    reviewed = sum(isinstance(item.result, ExpertReviewPayload) for item in items)
    return BulkReviewPayload(items=items, reviewed=reviewed)


async def _province_key(info: strawberry.Info[Context], code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    ctx = info.context
    found = await ctx.graph.read(units.unit_valid_on, code.strip(), max(ctx.today, REFORM_DAY))
    # The central unit (code VN) is the queue of experts living abroad, placed nationally.
    if found is None or found.level not in (UnitLevel.PROVINCE, UnitLevel.CENTRAL):
        raise InvalidInput("provinceCode", "not a current province code (or VN: experts abroad)")
    return found.key


ProvinceCode = Annotated[
    str | None,
    strawberry.argument(
        description="A current province, or VN for the experts living abroad (the national "
        "coordinator's); none: every province the viewer covers (a provincial coordinator: "
        "their own)."
    ),
]


@strawberry.type(description="The review queue.")
class ReviewQueries:
    @strawberry.field(
        description="Experts waiting for review (PENDING) in the viewer's scope, the "
        "longest-waiting first: for national and provincial coordinators. Each carries "
        "`emailState`, `possibleDuplicates` and `nominations` for the decision."
    )
    async def pending_experts(
        self,
        info: strawberry.Info[Context],
        province_code: ProvinceCode = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Expert]:
        ctx = info.context
        scope = review_scope(ctx.viewer, await _province_key(info, province_code))
        page = await ctx.graph.read(
            review.pending, scope, ctx.page_size(first), decode_cursor(after)
        )
        return connection(
            [(key, Expert.from_record(r, info)) for key, r in page.items], page.total, page.has_next
        )

    @strawberry.field(
        description="How many experts wait for review in each province of the viewer's scope "
        "(national coordinator: every province that has any; provincial: their own), most first."
    )
    async def pending_counts_by_province(
        self, info: strawberry.Info[Context]
    ) -> list[PendingProvinceCount]:
        scope = review_scope(info.context.viewer, None)
        found = await info.context.graph.read(review.pending_counts, scope)
        return [
            PendingProvinceCount(record=c, pending=c.pending, oldest_submitted_at=c.oldest)
            for c in found
        ]
