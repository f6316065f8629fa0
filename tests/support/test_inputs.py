"""What the support mutations refuse (#15): bad input is a typed error naming the field, a caller
without the right is NotAuthorized, and in both cases nothing is written (no node, no audit
event, the change counter unmoved). And an expert's unavailable periods: stated, listed, taken
back by them alone, audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.relay import to_global_id
from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.settings import Settings
from graph.support.records import WantedArea
from tests.experts.conftest import outbox_dir, ss_settings, web
from tests.gql import gql
from tests.support.factories import make_areas, make_expert, make_request, propose
from tests.support.test_api import (
    CLOSE,
    CREATE,
    PROPOSE,
    expert_token,
    person_of,
    request_input,
)
from tests.tokens import bearer

__all__ = ["outbox_dir", "ss_settings", "web"]


async def written(graph: Graph) -> tuple[int, int, int]:
    """(requests, engagements, change counter): what any write would move."""

    async def read(tx: Tx) -> tuple[int, int, int]:
        [found] = await run(
            tx,
            "CALL () { MATCH (r:SupportRequest) RETURN count(r) AS r } "
            "CALL () { MATCH (g:Engagement) RETURN count(g) AS g } "
            "RETURN r, g",
        )
        return found["r"], found["g"], await changes.current(tx)

    return await graph.read(read)


BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("blank topic", {"topic": "   "}, "topic", "REQUIRED"),
    ("over-long topic", {"topic": "Dữ liệu " * 40}, "topic", "TOO_LONG"),
    ("control characters", {"topic": "Nền tảng\x00dữ liệu"}, "topic", "INVALID_CHARACTERS"),
    ("over-long description", {"description": "x" * 2001}, "description", "TOO_LONG"),
    (
        "control in description",
        {"description": "Kho\x00dữ liệu"},
        "description",
        "INVALID_CHARACTERS",
    ),
    ("escape in description", {"description": "\x1b[31mđỏ"}, "description", "INVALID_CHARACTERS"),
    ("no area", {"wanted": []}, "wanted", "REQUIRED"),
    (
        "weight zero",
        {"wanted": [{"code": "@", "weight": 0.0, "mustHave": True}]},
        "wanted.0.weight",
        "INVALID_VALUE",
    ),
    (
        "weight too big",
        {"wanted": [{"code": "@", "weight": 10.5, "mustHave": False}]},
        "wanted.0.weight",
        "INVALID_VALUE",
    ),
    ("period end before start", {"periodEnd": "2031-04-30"}, "periodEnd", "INVALID_DATE"),
    ("no expert wanted", {"expertsWanted": 0}, "expertsWanted", "INVALID_VALUE"),
    (
        "bad contact address",
        {"contactEmail": "so-khcn.example.vn"},
        "contactEmail",
        "INVALID_EMAIL",
    ),
    (
        "unknown area",
        {"wanted": [{"code": "KHONG.CO", "weight": 1.0, "mustHave": True}]},
        "wanted",
        "NOT_IN_VOCABULARY",
    ),
]


@pytest.mark.parametrize(
    ("over", "field", "code"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
async def test_bad_request_input_is_a_typed_error_naming_the_field_and_nothing_is_written(
    web: httpx.AsyncClient,
    graph: Graph,
    ss_settings: Settings,
    over: dict[str, Any],
    field: str,
    code: str,
) -> None:
    a = await make_areas(graph)
    if "wanted" in over:  # "@" stands for an area that exists
        over = {"wanted": [w | {"code": a.sub1} if w["code"] == "@" else w for w in over["wanted"]]}
    before = await written(graph)
    prov_01 = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
    result = (await gql(web, CREATE, {"i": request_input(a.sub1, **over)}, headers=prov_01))["r"]
    assert result == {"__typename": "ValidationErrors", "errors": [{"field": field, "code": code}]}
    assert await written(graph) == before


async def test_free_text_may_span_lines(
    web: httpx.AsyncClient, graph: Graph, ss_settings: Settings
) -> None:
    a = await make_areas(graph)
    prov_01 = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
    lines = request_input(a.sub1, description="Dòng một\nDòng hai\tcột")
    made = (await gql(web, CREATE, {"i": lines}, headers=prov_01))["r"]
    assert made["__typename"] == "SupportRequestPayload"


CANCEL = """
mutation($r: ID!, $why: String!) { r: cancelSupportRequest(requestId: $r, reason: $why) {
  __typename ... on ValidationErrors { errors { field code } } } }
"""
DECLINE = """
mutation($g: ID!, $why: String) { r: respondToProposal(engagementId: $g, accept: false,
  reason: $why) { __typename ... on ValidationErrors { errors { field code } } } }
"""
COMPLETE = """
mutation($g: ID!, $score: Int!, $text: String) {
  r: completeEngagement(engagementId: $g, score: $score, text: $text) {
  __typename ... on ValidationErrors { errors { field code } } } }
"""


async def test_bad_answers_and_endings_are_typed_errors_and_write_nothing(
    web: httpx.AsyncClient, graph: Graph, ss_settings: Settings
) -> None:
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1], name="a")
    request = await make_request(graph, [WantedArea(a.sub1)])
    engagement = to_global_id("Engagement", await propose(graph, request, expert))
    request_id = to_global_id("SupportRequest", request)
    prov_01 = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
    token = expert_token(ss_settings, await person_of(graph, expert))
    cases: list[tuple[str, dict[str, Any], dict[str, str], str, str]] = [
        (CANCEL, {"r": request_id, "why": "  "}, prov_01, "reason", "REQUIRED"),
        (CANCEL, {"r": request_id, "why": "Hủy\x07"}, prov_01, "reason", "INVALID_CHARACTERS"),
        (CANCEL, {"r": request_id, "why": "x" * 2001}, prov_01, "reason", "TOO_LONG"),
        (DECLINE, {"g": engagement, "why": None}, token, "reason", "REQUIRED"),
        (DECLINE, {"g": engagement, "why": "Bận\x00"}, token, "reason", "INVALID_CHARACTERS"),
        (COMPLETE, {"g": engagement, "score": 6}, prov_01, "score", "INVALID_VALUE"),
        (COMPLETE, {"g": engagement, "score": 5, "text": "x" * 2001}, prov_01, "text", "TOO_LONG"),
    ]
    before = await written(graph)
    for query, variables, headers, field, code in cases:
        result = (await gql(web, query, variables, headers=headers))["r"]
        assert result == {
            "__typename": "ValidationErrors",
            "errors": [{"field": field, "code": code}],
        }, (field, code)
    assert await written(graph) == before


async def test_callers_without_the_right_cannot_create_propose_or_close(
    web: httpx.AsyncClient, graph: Graph, ss_settings: Settings
) -> None:
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1], name="a")
    other = await make_expert(graph, [a.sub1], name="b")
    request = await make_request(graph, [WantedArea(a.sub1)])
    await propose(graph, request, other)
    request_id = to_global_id("SupportRequest", request)
    callers = {
        "another province's coordinator": bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "79"),
        "an expert": expert_token(ss_settings, await person_of(graph, expert)),
        "anonymous": {},
    }
    before = await written(graph)
    for who, headers in callers.items():
        created = (await gql(web, CREATE, {"i": request_input(a.sub1)}, headers=headers))["r"]
        assert created["__typename"] == "NotAuthorized", who
        proposed = (
            await gql(
                web,
                PROPOSE,
                {"r": request_id, "e": to_global_id("Expert", expert)},
                headers=headers,
            )
        )["r"]
        assert proposed["__typename"] == "NotAuthorized", who
        closed = (await gql(web, CLOSE, {"r": request_id}, headers=headers))["r"]
        assert closed["__typename"] == "NotAuthorized", who
    assert await written(graph) == before


MINE = "{ myUnavailability { id start end } }"
DECLARE = """
mutation($e: ID!, $s: Date!, $t: Date!) { r: declareUnavailability(expertId: $e, start: $s, end: $t) {
  __typename ... on UnavailabilityPayload { id auditSeq }
  ... on ValidationErrors { errors { field code } } ... on NotAuthorized { message } } }
"""
REMOVE = """
mutation($id: ID!) { r: removeUnavailability(id: $id) {
  __typename ... on UnavailabilityPayload { id auditSeq }
  ... on NotAuthorized { message } ... on NotFoundError { message } } }
"""


async def audit_of(graph: Graph, seq: int) -> dict[str, Any]:
    async def read(tx: Tx) -> dict[str, Any]:
        [found] = await run(
            tx,
            "MATCH (a:AuditEvent {seq: $seq}) RETURN a.mutation AS mutation, "
            "a.targetId AS target, a.changes AS changes",
            seq=seq,
        )
        return dict(found)

    return await graph.read(read)


async def test_an_expert_states_and_takes_back_unavailable_periods_alone(
    web: httpx.AsyncClient, graph: Graph, ss_settings: Settings
) -> None:
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1], name="a")
    stranger = await make_expert(graph, [a.sub1], name="b")
    token = expert_token(ss_settings, await person_of(graph, expert))
    other = expert_token(ss_settings, await person_of(graph, stranger))
    me = to_global_id("Expert", expert)
    assert (await gql(web, MINE, headers=token))["myUnavailability"] == []

    # An end before its start: a typed error naming the field, nothing written.
    before = await written(graph)
    wrong = {"e": me, "s": "2031-07-10", "t": "2031-07-01"}
    bad = (await gql(web, DECLARE, wrong, headers=token))["r"]
    assert bad == {
        "__typename": "ValidationErrors",
        "errors": [{"field": "end", "code": "INVALID_DATE"}],
    }
    assert await written(graph) == before
    # Nor for someone else.
    period = {"e": me, "s": "2031-07-10", "t": "2031-07-20"}
    assert (await gql(web, DECLARE, period, headers=other))["r"]["__typename"] == "NotAuthorized"

    stated = (await gql(web, DECLARE, period, headers=token))["r"]
    assert stated["__typename"] == "UnavailabilityPayload"
    [listed] = (await gql(web, MINE, headers=token))["myUnavailability"]
    assert listed == {"id": stated["id"], "start": "2031-07-10", "end": "2031-07-20"}
    assert (await gql(web, MINE, headers=other))["myUnavailability"] == []

    # Another expert, a coordinator and an anonymous caller cannot take it back.
    prov_01 = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
    for headers in (other, prov_01, {}):
        refused = (await gql(web, REMOVE, {"id": stated["id"]}, headers=headers))["r"]
        assert refused["__typename"] == "NotAuthorized"
    assert len((await gql(web, MINE, headers=token))["myUnavailability"]) == 1

    removed = (await gql(web, REMOVE, {"id": stated["id"]}, headers=token))["r"]
    assert removed["__typename"] == "UnavailabilityPayload"
    assert (await gql(web, MINE, headers=token))["myUnavailability"] == []
    event = await audit_of(graph, removed["auditSeq"])
    assert (event["mutation"], event["target"]) == ("removeUnavailability", expert)
    assert "2031-07-10/2031-07-20" in event["changes"]
    gone = (await gql(web, REMOVE, {"id": stated["id"]}, headers=token))["r"]
    assert gone["__typename"] == "NotFoundError"
