"""Training courses and who completed them: the shares of members trained move by exactly the
people the test trains, on the days the course had ended; who may record it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.model import TeamRole
from graph.core.settings import Settings
from tests.activity.support import member, remove, team
from tests.gql import gql
from tests.tokens import bearer

SINCE = dt.date(2024, 1, 1)

FIGURES = """
query($d: Date) { trainingFigures(scopeCode: "01", asOf: $d) {
  members membersTrained membersTrainedShare focalPoints focalPointsTrained } }
"""
CREATE = """
mutation($i: CreateTrainingCourseInput!) { createTrainingCourse(input: $i) {
  __typename ... on TrainingCoursePayload { course { id title ends } auditSeq }
  ... on ValidationErrors { errors { field code } } ... on NotAuthorized { message } } }
"""
RECORD = """
mutation($c: ID!, $p: ID!, $done: Boolean!) { recordTraining(courseId: $c, personId: $p,
  completed: $done) { __typename ... on NotAuthorized { message } } }
"""
COURSE = {
    "title": "Bồi dưỡng kỹ năng số cho Tổ CNSCĐ",
    "provider": "Sở Khoa học và Công nghệ Hà Nội",
    "starts": "2025-02-24",
    "ends": "2025-03-01",
    "mode": "BLENDED",
    "hours": 16,
}


async def _figures(client: httpx.AsyncClient, day: str) -> dict[str, Any]:
    figures: dict[str, Any] = (await gql(client, FIGURES, {"d": day}))["trainingFigures"]
    return figures


@pytest_asyncio.fixture(scope="module")
async def people(graph: Graph, client: httpx.AsyncClient) -> AsyncIterator[dict[str, Any]]:
    before = {d: await _figures(client, d) for d in ("2025-02-28", "2025-06-01")}
    team_id = await team(graph, "00004", SINCE)
    head = await member(graph, team_id, TeamRole.HEAD, SINCE)
    other = await member(graph, team_id, TeamRole.MEMBER, SINCE)
    yield {"head": head, "other": other, "before": before}
    await remove(graph, [team_id], [head, other])
    await graph.write(_drop_courses)


async def _drop_courses(tx: Tx) -> None:
    await run(tx, "MATCH (c:TrainingCourse {title: $t}) DETACH DELETE c", t=COURSE["title"])


async def test_training_moves_the_share_of_members_trained(
    client: httpx.AsyncClient, settings: Settings, people: dict[str, Any]
) -> None:
    province = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")
    created = (await gql(client, CREATE, {"i": COURSE}, headers=province))["createTrainingCourse"]
    assert created["__typename"] == "TrainingCoursePayload"
    course = created["course"]["id"]

    # A coordinator of another province may not record people of this one.
    elsewhere = bearer(settings, Role.PROVINCIAL_COORDINATOR, "79")
    head = to_global_id("Person", people["head"])
    other = to_global_id("Person", people["other"])
    refused = await gql(client, RECORD, {"c": course, "p": head, "done": True}, headers=elsewhere)
    assert refused["recordTraining"]["__typename"] == "NotAuthorized"

    for person, done in ((head, True), (other, False)):
        result = await gql(
            client, RECORD, {"c": course, "p": person, "done": done}, headers=province
        )
        assert result["recordTraining"]["__typename"] == "TrainingCoursePayload"

    after = await _figures(client, "2025-06-01")
    before = people["before"]["2025-06-01"]
    assert after["members"] - before["members"] == 2
    assert after["membersTrained"] - before["membersTrained"] == 1  # the other did not complete
    # Before the course ended, no one was trained by it.
    early = await _figures(client, "2025-02-28")
    assert early["membersTrained"] == people["before"]["2025-02-28"]["membersTrained"]


async def test_course_input_is_checked_and_commune_officers_cannot_create(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    national = bearer(settings, Role.NATIONAL_COORDINATOR)
    bad = COURSE | {"ends": "2025-02-01", "hours": 0}
    result = (await gql(client, CREATE, {"i": bad}, headers=national))["createTrainingCourse"]
    assert {e["field"] for e in result["errors"]} == {"ends", "hours"}
    officer = bearer(settings, Role.COMMUNE_OFFICER, "00004")
    refused = (await gql(client, CREATE, {"i": COURSE}, headers=officer))["createTrainingCourse"]
    assert refused["__typename"] == "NotAuthorized"
