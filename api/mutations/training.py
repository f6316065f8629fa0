"""Recording training (#17): courses and who completed them, by national and provincial
coordinators (a provincial one for the people placed in their province)."""

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
from api.types.enums import TrainingMode
from api.types.training import TrainingCourse
from graph.activity import training
from graph.activity.training import CourseRecord
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context


@strawberry.input(description="A training course.")
class CreateTrainingCourseInput:
    title: str = strawberry.field(description="Title.")
    provider: str = strawberry.field(description="Who gives it.")
    starts: dt.date = strawberry.field(description="First day.")
    ends: dt.date = strawberry.field(description="Last day.")
    mode: TrainingMode = strawberry.field(description="In person, online or blended.")
    hours: float = strawberry.field(description="Length in hours.")


@strawberry.type(description="A course after the change.")
class TrainingCoursePayload:
    course: TrainingCourse = strawberry.field(description="The course.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[CourseRecord]) -> TrainingCoursePayload:
        return TrainingCoursePayload(
            course=TrainingCourse.from_record(changed.value), audit_seq=changed.seq
        )


TrainingResult = Annotated[
    TrainingCoursePayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("TrainingResult", description="A training change made, or why not."),
]


@strawberry.type(description="Training of the network's members.")
class TrainingMutations:
    @strawberry.mutation(description="Create a training course (national, provincial coordinator).")
    async def create_training_course(
        self, info: strawberry.Info[Context], input: CreateTrainingCourseInput
    ) -> TrainingResult:
        cmd = training.NewCourse(
            input.title, input.provider, input.starts, input.ends, input.mode, input.hours
        )
        return await perform(
            info,
            Action.MANAGE_TRAINING,
            lambda a, g: info.context.graph.write(training.create_course, cmd, a, g),
            TrainingCoursePayload.of,
        )

    @strawberry.mutation(
        description="Record that a person (member, focal point, expert) attended a course, and "
        "whether they completed it; again for the same person and course updates it."
    )
    async def record_training(
        self,
        info: strawberry.Info[Context],
        course_id: Annotated[strawberry.ID, strawberry.argument(description="The course's id.")],
        person_id: Annotated[
            strawberry.ID, strawberry.argument(description="The person's global ID.")
        ],
        completed: Annotated[bool, strawberry.argument(description="Completed the course.")],
    ) -> TrainingResult:
        async def work(a: Actor, g: Guard) -> Changed[CourseRecord]:
            person = node_key(person_id, "Person", "personId")
            return await info.context.graph.write(
                training.record_attendance, str(course_id), person, completed, a, g
            )

        return await perform(info, Action.MANAGE_TRAINING, work, TrainingCoursePayload.of)
