"""Reporting what a team did (#17): by the commune officer or coordinators whose scope covers
the team, or by the team's own leader (role TEAM_LEADER, api/policy.py)."""

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
    node_key,
    perform,
)
from api.policy import Action
from api.types.activity import ActivityReport
from api.types.enums import ActivityKind
from graph.activity import reports
from graph.activity.records import ActivityRecord
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context


@strawberry.input(description="What a team did on a day or over a period.")
class ReportActivityInput:
    team_id: strawberry.ID = strawberry.field(description="The team's global ID.")
    period_from: dt.date = strawberry.field(description="The day, or the period's first day.")
    period_to: dt.date | None = strawberry.field(
        default=None, description="The period's last day; none for a one-day activity."
    )
    kind: ActivityKind = strawberry.field(description="What kind of help.")
    people_helped: int = strawberry.field(description="People helped (0 to 100,000).")
    households_helped: int = strawberry.field(
        description="Households helped (at most peopleHelped)."
    )
    services: list[str] = strawberry.field(
        default_factory=list, description="The services concerned (at most 20)."
    )
    place: str | None = strawberry.field(default=None, description="The village or place.")
    note: str | None = strawberry.field(default=None, description="Free note.")


@strawberry.type(description="A report after it was recorded.")
class ActivityReportPayload:
    report: ActivityReport = strawberry.field(description="The report.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[ActivityRecord]) -> ActivityReportPayload:
        return ActivityReportPayload(
            report=ActivityReport.from_record(changed.value), audit_seq=changed.seq
        )


ActivityReportResult = Annotated[
    ActivityReportPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("ActivityReportResult", description="A report recorded, or why not."),
]


@strawberry.type(description="Teams' activity.")
class ActivityMutations:
    @strawberry.mutation(
        description="Report a team's activity (national coordinator, provincial coordinator of "
        "its province, commune officer of its commune, or the team's own leader)."
    )
    async def report_activity(
        self, info: strawberry.Info[Context], input: ReportActivityInput
    ) -> ActivityReportResult:
        today = info.context.today

        async def work(a: Actor, g: Guard) -> Changed[ActivityRecord]:
            cmd = reports.NewActivityReport(
                node_key(input.team_id, "CommunityTechTeam", "teamId"),
                input.period_from,
                input.period_to,
                input.kind,
                input.people_helped,
                input.households_helped,
                tuple(input.services),
                input.place,
                input.note,
            )
            return await info.context.graph.write(reports.report_activity, cmd, today, a, g)

        return await perform(info, Action.REPORT_ACTIVITY, work, ActivityReportPayload.of)
