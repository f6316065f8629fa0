"""Coordinators' review of expert profiles: verify or reject a pending expert.

Same shape as the network's mutations (api/mutations/network.py): an early role check, one write
of one graph/ unit of work with the viewer's guard and audit actor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.mutations.results import (
    AUDIT_SEQ,
    ConflictError,
    Failure,
    NotAuthorized,
    NotFoundError,
    ValidationErrors,
    node_key,
    perform,
)
from api.policy import Action
from api.types.experts import Expert
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.core.model import ExpertStatus
from graph.experts import review
from graph.experts.records import ExpertRecord
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context


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


@strawberry.type(description="Coordinators' review of expert profiles.")
class ReviewMutations:
    @strawberry.mutation(description="Verify a pending expert: they become public.")
    async def verify_expert(
        self,
        info: strawberry.Info[Context],
        id: Annotated[strawberry.ID, strawberry.argument(description="The expert's global ID.")],
    ) -> ExpertReviewResult:
        return await _review(info, id, ExpertStatus.VERIFIED, None, Action.VERIFY_EXPERT)

    @strawberry.mutation(description="Reject a pending expert, with the reason.")
    async def reject_expert(
        self,
        info: strawberry.Info[Context],
        id: Annotated[strawberry.ID, strawberry.argument(description="The expert's global ID.")],
        reason: Annotated[str, strawberry.argument(description="Why (kept for the record).")],
    ) -> ExpertReviewResult:
        return await _review(info, id, ExpertStatus.REJECTED, reason, Action.REJECT_EXPERT)


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
