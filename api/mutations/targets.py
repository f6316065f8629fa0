"""Setting Decision 1690's targets (and the provinces' own) through GraphQL: ``setTarget``.

The national coordinator sets national targets; a provincial coordinator their province's
override. The role is checked by the policy (api/policy.py, Action.SET_TARGET) and the scope by
the guard on the target's unit (the central level or the province) in the write itself."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.mutations.results import (
    AUDIT_SEQ,
    ConflictError,
    NotAuthorized,
    NotFoundError,
    ValidationErrors,
    perform,
)
from api.policy import Action
from api.types.reports import Indicator, Target
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.reports import targets
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context


@strawberry.input(description="A target for an indicator, national or a province's own.")
class SetTargetInput:
    indicator: Indicator = strawberry.field(description="What is measured.")
    threshold: float = strawberry.field(
        description="The ratio to reach, above 0 and at most 1 (1.0 is 100%)."
    )
    deadline: dt.date = strawberry.field(description="The day it must be met by.")
    source_decision: str = strawberry.field(
        description="The decision that sets it, e.g. '1690/QĐ-TTg' or the province's own."
    )
    province_code: str | None = strawberry.field(
        default=None,
        description="A current province code: that province's own target, which wins over the "
        "national one there. Omitted: the national target (national coordinator only).",
    )


@strawberry.type(description="A target after the change.")
class TargetPayload:
    target: Target = strawberry.field(description="The target now in force for its scope.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[targets.TargetRecord]) -> TargetPayload:
        return TargetPayload(target=Target.from_record(changed.value), audit_seq=changed.seq)


TargetResult = Annotated[
    TargetPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("TargetResult", description="A target set, or why not."),
]


@strawberry.type
class TargetMutations:
    @strawberry.mutation(
        description="Set the national target for an indicator, or a province's own (one per "
        "scope and indicator: an existing one is changed in place). Audited."
    )
    async def set_target(
        self, info: strawberry.Info[Context], input: SetTargetInput
    ) -> TargetResult:
        cmd = targets.SetTarget(
            input.indicator,
            input.threshold,
            input.deadline,
            input.source_decision,
            input.province_code,
        )

        async def work(a: Actor, g: Guard) -> Changed[targets.TargetRecord]:
            return await info.context.graph.write(targets.set_target, cmd, a, g)

        return await perform(info, Action.SET_TARGET, work, TargetPayload.of)
