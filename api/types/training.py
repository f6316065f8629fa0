"""Training of the network's members (graph/activity/training.py): courses and trained shares."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.types.enums import TrainingMode
from graph.activity import training
from graph.activity.training import CourseRecord, Trained

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(description="A training course for the network's members.")
class TrainingCourse:
    id: strawberry.ID = strawberry.field(description="The course's id.")
    title: str = strawberry.field(description="Title.")
    provider: str = strawberry.field(description="Who gives it.")
    starts: dt.date = strawberry.field(description="First day.")
    ends: dt.date = strawberry.field(description="Last day.")
    mode: TrainingMode = strawberry.field(description="In person, online or blended.")
    hours: float = strawberry.field(description="Length in hours.")

    @classmethod
    def from_record(cls, c: CourseRecord) -> TrainingCourse:
        return cls(
            id=strawberry.ID(c.id),
            title=c.title,
            provider=c.provider,
            starts=c.starts,
            ends=c.ends,
            mode=c.mode,
            hours=c.hours,
        )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


@strawberry.type(description="How many of the network's members and focal points are trained.")
class TrainingFigures:
    members: int = strawberry.field(description="People with a running membership of a team.")
    members_trained: int = strawberry.field(
        description="Of them, those who completed a course that ended by the date."
    )
    members_trained_share: float | None = strawberry.field(description="membersTrained / members.")
    focal_points: int = strawberry.field(description="People holding a running focal-point post.")
    focal_points_trained: int = strawberry.field(
        description="Of them, those who completed a course that ended by the date."
    )
    focal_points_trained_share: float | None = strawberry.field(
        description="focalPointsTrained / focalPoints."
    )

    @classmethod
    def from_record(cls, r: Trained) -> TrainingFigures:
        return cls(
            members=r.members,
            members_trained=r.members_trained,
            members_trained_share=_share(r.members_trained, r.members),
            focal_points=r.focal_points,
            focal_points_trained=r.focal_points_trained,
            focal_points_trained_share=_share(r.focal_points_trained, r.focal_points),
        )


@strawberry.type(description="Training figures.")
class TrainingQueries:
    @strawberry.field(
        description="Shares of members and focal points trained, under a current province "
        "(national when omitted), on a date; public counts."
    )
    async def training_figures(
        self,
        info: strawberry.Info[Context],
        scope_code: Annotated[
            str | None, strawberry.argument(description="Province code; none: national.")
        ] = None,
        as_of: Annotated[dt.date | None, strawberry.argument(description="Default: today.")] = None,
    ) -> TrainingFigures:
        ctx = info.context
        day = ctx.day(as_of)
        scope = await ctx.scope(scope_code, day, in_current_units=True)
        return TrainingFigures.from_record(await ctx.graph.read(training.trained, scope.key, day))
