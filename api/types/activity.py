"""What teams do: their activity reports (graph/activity)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from api.policy import sees_people
from api.relay import to_global_id
from api.types.enums import ActivityKind
from graph.activity.records import ActivityRecord

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(description="What a team did on a day or over a period, and whom it helped.")
class ActivityReport:
    record: strawberry.Private[ActivityRecord]
    id: strawberry.ID = strawberry.field(description="The report's id.")
    period_from: dt.date = strawberry.field(description="First day of the activity.")
    period_to: dt.date = strawberry.field(
        description="Last day (the same day for a one-day activity); figures count it on this day."
    )
    kind: ActivityKind = strawberry.field(description="What kind of help.")
    people_helped: int = strawberry.field(description="People helped.")
    households_helped: int = strawberry.field(description="Households helped.")
    services: list[str] = strawberry.field(description="The services concerned, as reported.")
    place: str | None = strawberry.field(description="The village or place.")
    note: str | None = strawberry.field(description="Free note.")
    synthetic: bool = strawberry.field(description="Generated demo data, not a real report.")

    @classmethod
    def from_record(cls, r: ActivityRecord) -> ActivityReport:
        return cls(
            record=r,
            id=strawberry.ID(r.id),
            period_from=r.period_from,
            period_to=r.period_to,
            kind=r.kind,
            people_helped=r.people_helped,
            households_helped=r.households_helped,
            services=list(r.services),
            place=r.place,
            note=r.note,
            synthetic=r.synthetic,
        )

    @strawberry.field(description="The team's global ID.")
    def team_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("CommunityTechTeam", self.record.team_id))

    @strawberry.field(
        description="Who reported it (their sign-in subject); for the network's coordinators."
    )
    def reported_by(self, info: strawberry.Info[Context]) -> str | None:
        return self.record.reported_by if sees_people(info.context.viewer) else None
