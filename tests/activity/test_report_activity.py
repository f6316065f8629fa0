"""reportActivity: who may report for which team (a leader for their own team only), typed
field errors, and the team's reports read back through activityReports."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph
from graph.core.model import TeamRole
from graph.core.settings import Settings
from tests.activity.support import member, remove, team
from tests.factories import other_commune
from tests.gql import gql
from tests.tokens import bearer

SINCE = dt.date(2024, 1, 1)

REPORT = """
mutation($input: ReportActivityInput!) {
  reportActivity(input: $input) {
    __typename
    ... on ActivityReportPayload { auditSeq report { id periodFrom periodTo kind peopleHelped
                                                      householdsHelped services place teamId } }
    ... on NotAuthorized { message }
    ... on ValidationErrors { errors { field code } }
    ... on ConflictError { field message }
  }
}
"""


@dataclass(frozen=True)
class Teams:
    mine: str  # in commune 00004 of province 01, led by ``leader``
    other: str  # in another commune of province 01, led by ``other_leader``
    leader: str
    other_leader: str
    deputy: str  # a DEPUTY of ``mine``: not its leader
    other_commune: str


@pytest_asyncio.fixture(scope="module")
async def setup(graph: Graph) -> AsyncIterator[Teams]:
    commune = await other_commune(graph, "01", besides="00004")
    mine, other = await team(graph, "00004", SINCE), await team(graph, commune, SINCE)
    leader = await member(graph, mine, TeamRole.HEAD, SINCE)
    other_leader = await member(graph, other, TeamRole.HEAD, SINCE)
    deputy = await member(graph, mine, TeamRole.DEPUTY, SINCE)
    yield Teams(mine, other, leader, other_leader, deputy, commune)
    await remove(graph, [mine, other], [leader, other_leader, deputy])


def _input(team_id: str, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "teamId": to_global_id("CommunityTechTeam", team_id),
        "periodFrom": "2025-09-02",
        "kind": "VNEID",
        "peopleHelped": 40,
        "householdsHelped": 25,
        "services": ["Cấp tài khoản định danh mức 2"],
        "place": "Thôn Đông",
    }
    return values | over


async def _report(
    client: httpx.AsyncClient, headers: dict[str, str], team_id: str, **over: Any
) -> dict[str, Any]:
    data = await gql(client, REPORT, {"input": _input(team_id, **over)}, headers=headers)
    result: dict[str, Any] = data["reportActivity"]
    return result


class TestWhoMayReport:
    async def test_a_leader_reports_for_their_own_team(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.TEAM_LEADER, setup.leader)
        result = await _report(client, headers, setup.mine)
        assert result["__typename"] == "ActivityReportPayload", result
        assert result["report"]["householdsHelped"] == 25
        assert result["report"]["periodTo"] == "2025-09-02"  # one day: to = from
        assert result["report"]["services"] == ["Cấp tài khoản định danh mức 2"]
        assert result["auditSeq"] is not None

    async def test_a_leader_of_one_team_cannot_report_for_another(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.TEAM_LEADER, setup.leader)
        result = await _report(client, headers, setup.other)
        assert result["__typename"] == "NotAuthorized"

    async def test_a_deputy_is_not_a_leader(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.TEAM_LEADER, setup.deputy)
        assert (await _report(client, headers, setup.mine))["__typename"] == "NotAuthorized"

    async def test_a_coordinator_of_another_province_cannot(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.PROVINCIAL_COORDINATOR, "79")
        assert (await _report(client, headers, setup.mine))["__typename"] == "NotAuthorized"

    async def test_the_provinces_coordinator_can(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")
        result = await _report(client, headers, setup.other)
        assert result["__typename"] == "ActivityReportPayload"

    async def test_a_commune_officer_reports_for_their_commune_only(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.COMMUNE_OFFICER, "00004")
        assert (await _report(client, headers, setup.mine))["__typename"] == (
            "ActivityReportPayload"
        )
        assert (await _report(client, headers, setup.other))["__typename"] == "NotAuthorized"

    @pytest.mark.parametrize("role", [Role.EXPERT, Role.ORGANISATION_ADMIN, None])
    async def test_other_roles_cannot(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams, role: Role | None
    ) -> None:
        headers = bearer(settings, role, setup.leader) if role else {}
        assert (await _report(client, headers, setup.mine))["__typename"] == "NotAuthorized"


class TestInput:
    async def test_errors_name_the_fields(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        result = await _report(
            client,
            headers,
            setup.mine,
            periodTo="2025-09-01",
            peopleHelped=3,
            householdsHelped=5,
        )
        assert result["__typename"] == "ValidationErrors"
        fields = {(e["field"], e["code"]) for e in result["errors"]}
        assert fields == {("periodTo", "INVALID_DATE"), ("householdsHelped", "INVALID_VALUE")}

    async def test_a_future_day_and_a_negative_count_are_refused(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
        result = await _report(client, headers, setup.mine, periodFrom=tomorrow, peopleHelped=-1)
        assert result["__typename"] == "ValidationErrors"
        assert {e["field"] for e in result["errors"]} == {"periodTo", "peopleHelped"}

    async def test_before_the_team_existed_is_a_conflict(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        result = await _report(client, headers, setup.mine, periodFrom="2023-12-31")
        assert result == {
            "__typename": "ConflictError",
            "field": "periodFrom",
            "message": "before the team was established",
        }


_TEAM = """... on CommunityTechTeam { id activityReports(first: 2) { totalCount
      pageInfo { hasNextPage endCursor } nodes { periodTo householdsHelped reportedBy } } }"""
TEAM_REPORTS = (
    "query($a: ID!, $b: ID!) { a: node(id: $a) { "
    + _TEAM
    + " } b: node(id: $b) { "
    + _TEAM
    + " } }"
)


class TestReadingBack:
    async def test_reports_are_listed_newest_first_and_paged(
        self, client: httpx.AsyncClient, settings: Settings, setup: Teams
    ) -> None:
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        for day in ("2025-03-01", "2025-10-05", "2025-06-15"):
            result = await _report(client, headers, setup.other, periodFrom=day)
            assert result["__typename"] == "ActivityReportPayload"
        ids = {
            "a": to_global_id("CommunityTechTeam", setup.other),
            "b": to_global_id("CommunityTechTeam", setup.mine),
        }
        data = await gql(client, TEAM_REPORTS, ids, headers=headers)
        other = data["a"]["activityReports"]
        assert other["totalCount"] >= 3
        days = [r["periodTo"] for r in other["nodes"]]
        assert days == sorted(days, reverse=True)
        assert other["pageInfo"]["hasNextPage"]
        assert other["nodes"][0]["reportedBy"] == "test-national_coordinator"
        # Anonymous readers see the figures, not who reported them.
        anonymous = await gql(client, TEAM_REPORTS, ids)
        assert anonymous["a"]["activityReports"]["nodes"][0]["reportedBy"] is None
