"""Training of the network's members (#17): courses, and who attended and completed them.

``(:Person)-[:ATTENDED {completed}]->(:TrainingCourse)``: a course has a title, a provider, its
dates, a mode and its hours; a participant is any person of the registry (team member, focal
point, expert). Recording a participant again updates their completion (one ATTENDED per
person and course). ``trained`` gives the shares the issue asks for: of the people with a
running team membership, and of those holding a running focal-point post, in a scope on a day,
how many completed a course that ended by then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from graph.audit.events import Actor, Change, record
from graph.core.commands import Changed, new_id
from graph.core.cypher import active_on
from graph.core.db import Tx, run, run_single
from graph.core.errors import NotFound
from graph.core.model import TrainingMode
from graph.core.validation import Checker, Code
from graph.units.scopes import EVERYWHERE, Guard, Kind, placement


@dataclass(frozen=True, slots=True)
class CourseRecord:
    id: str
    title: str
    provider: str
    starts: dt.date
    ends: dt.date
    mode: TrainingMode
    hours: float


@dataclass(frozen=True, slots=True)
class NewCourse:
    title: str
    provider: str
    starts: dt.date
    ends: dt.date
    mode: TrainingMode
    hours: float
    id: str = field(default_factory=lambda: new_id("course"))


async def _course(tx: Tx, course_id: str) -> CourseRecord:
    found = await run_single(
        tx,
        "MATCH (c:TrainingCourse {id: $id}) "
        "RETURN c {.id, .title, .provider, .starts, .ends, .mode, .hours} AS c",
        id=course_id,
    )
    if found is None:
        raise NotFound("TrainingCourse", course_id)
    c = found["c"]
    return CourseRecord(
        c["id"],
        c["title"],
        c["provider"],
        c["starts"].to_native(),
        c["ends"].to_native(),
        TrainingMode(c["mode"]),
        float(c["hours"]),
    )


async def create_course(
    tx: Tx, cmd: NewCourse, actor: Actor, guard: Guard
) -> Changed[CourseRecord]:
    """A course is not placed anywhere: the role decides (``guard`` by role alone)."""
    check = Checker()
    title = check.name("title", cmd.title)
    provider = check.name("provider", cmd.provider)
    check.require(cmd.ends >= cmd.starts, "ends", Code.INVALID_DATE, "before starts")
    check.require(0 < cmd.hours <= 2000, "hours", Code.INVALID_VALUE, "between 0 and 2000")
    check.done()
    guard(EVERYWHERE)
    await run(
        tx,
        "CREATE (:TrainingCourse {id: $id, title: $title, provider: $provider, starts: $starts, "
        "ends: $ends, mode: $mode, hours: $hours})",
        id=cmd.id,
        title=title,
        provider=provider,
        starts=cmd.starts,
        ends=cmd.ends,
        mode=cmd.mode.value,
        hours=float(cmd.hours),
    )
    changes = [
        Change("course", None, cmd.id),
        Change("title", None, title),
        Change("starts", None, cmd.starts),
        Change("ends", None, cmd.ends),
    ]
    seq = await record(tx, actor, "createTrainingCourse", (Kind.TRAINING_COURSE, cmd.id), changes)
    return Changed(await _course(tx, cmd.id), seq)


async def record_attendance(
    tx: Tx, course_id: str, person_id: str, completed: bool, actor: Actor, guard: Guard
) -> Changed[CourseRecord]:
    """The person attended the course (completed or not); the guard decides on the person's
    placement, as for any write about someone."""
    guard(await placement(tx, Kind.PERSON, person_id))
    course = await _course(tx, course_id)
    before = await run_single(
        tx,
        "MATCH (:Person {id: $pid})-[a:ATTENDED]->(:TrainingCourse {id: $cid}) "
        "RETURN a.completed AS completed",
        pid=person_id,
        cid=course_id,
    )
    await run(
        tx,
        "MATCH (p:Person {id: $pid}), (c:TrainingCourse {id: $cid}) "
        "MERGE (p)-[a:ATTENDED]->(c) SET a.completed = $completed",
        pid=person_id,
        cid=course_id,
        completed=completed,
    )
    changes = [
        Change("course", course_id, course_id),
        Change("completed", before["completed"] if before else None, completed),
    ]
    seq = await record(
        tx,
        actor,
        "recordTraining",
        (Kind.PERSON, person_id),
        changes,
        [(Kind.TRAINING_COURSE, course_id)],
    )
    return Changed(course, seq)


@dataclass(frozen=True, slots=True)
class Trained:
    members: int  # distinct people with a running membership in a running team
    members_trained: int  # of them, those who completed a course ended by the day
    focal_points: int  # distinct people holding a running focal-point post
    focal_points_trained: int


_COMPLETED = (
    "EXISTS { MATCH (p)-[:ATTENDED {completed: true}]->(c:TrainingCourse) WHERE c.ends <= $d }"
)


async def trained(tx: Tx, scope_key: str, day: dt.date) -> Trained:
    """Under a current unit (the nation, a province, a commune) on a day."""
    found = await run_single(
        tx,
        """
        MATCH (scope:AdministrativeUnit {key: $scope})
        CALL (scope) {
          MATCH (u:AdministrativeUnit)-[:PART_OF*0..3]->(scope)
          MATCH (p:Person)-[m:MEMBER_OF]->(t:CommunityTechTeam)-[:OPERATES_IN]->(u)
          WHERE """
        + active_on("m")
        + " AND "
        + active_on("t")
        + """
          WITH DISTINCT p
          RETURN count(p) AS members, count(CASE WHEN """
        + _COMPLETED
        + """ THEN 1 END) AS membersTrained
        }
        CALL (scope) {
          MATCH (u:AdministrativeUnit)-[:PART_OF*0..3]->(scope)
          MATCH (p:Person)-[:HOLDS]->(a:FocalPointAssignment)-[:AT]->(:Organisation)
                -[:LOCATED_IN]->(u)
          WHERE """
        + active_on("a")
        + """
          WITH DISTINCT p
          RETURN count(p) AS focal, count(CASE WHEN """
        + _COMPLETED
        + """ THEN 1 END) AS focalTrained
        }
        RETURN members, membersTrained, focal, focalTrained
        """,
        scope=scope_key,
        d=day,
    )
    if found is None:
        raise NotFound("AdministrativeUnit", scope_key)
    return Trained(
        int(found["members"]),
        int(found["membersTrained"]),
        int(found["focal"]),
        int(found["focalTrained"]),
    )
