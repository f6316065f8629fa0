"""Contact data stays in scope (#12.1), written as the attacker's requests.

The rule (README, operators' section): a scoped coordinator links an existing person only when
their scope already covers that person's active roles; a person is placed only by roles not
ended before today; a spreadsheet matching a person by phone follows the same rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, Tx, run_single
from graph.core.model import FocalPointMode, HomeAffiliation, TeamLevel, TeamRole
from graph.core.settings import Settings
from graph.network import focal_points, people, teams
from spreadsheets.columns import ImportKind
from tests import factories
from tests.factories import FUTURE, SYSTEM, anyone, unique
from tests.gql import gql
from tests.spreadsheets.files import csv_file
from tests.spreadsheets.test_imports import MEMBER_HEADERS, problems, upload
from tests.tokens import bearer

DAY = FUTURE.isoformat()
CONTACT = "query($id: ID!) { node(id: $id) { ... on Person { fullName email phone } } }"
RESULT = "__typename ... on NotAuthorized { message } ... on {payload} { person { email phone } }"
ADD_MEMBER = (
    "mutation($t: ID!, $p: ID!, $d: Date!) { r: addTeamMember(input: {teamId: $t, "
    "person: {id: $p}, role: MEMBER, since: $d, homeAffiliation: YOUTH_UNION}) { "
    + RESULT.replace("{payload}", "MembershipPayload")
    + " } }"
)
ASSIGN = (
    "mutation($o: ID!, $p: ID!, $d: Date!) { r: assignFocalPoint(input: {organisationId: $o, "
    'person: {id: $p}, mode: PART_TIME, since: $d, decisionNumber: "5/QĐ", decisionDate: $d}) '
    "{ " + RESULT.replace("{payload}", "FocalPointPayload") + " } }"
)


async def person_in(graph: Graph, commune: str, phone: str) -> tuple[str, str]:
    """A person with contact fields, an active member of a new team in ``commune``:
    (team id, person id)."""
    team = await factories.make_team(graph, commune)
    cmd = teams.NewMembership(
        team,
        people.PersonRef(
            new=people.NewPerson(
                unique("Người ngoài"), f"{phone[1:]}@example.vn".replace("+", ""), phone
            )
        ),
        TeamRole.MEMBER,
        FUTURE,
        HomeAffiliation.RESIDENT,
    )
    changed = await graph.write(teams.add_team_member, cmd, SYSTEM, anyone)
    return team, changed.value.person_id


def member_vars(team: str, person: str) -> dict[str, Any]:
    return {
        "t": to_global_id("CommunityTechTeam", team),
        "p": to_global_id("Person", person),
        "d": DAY,
    }


async def contact(client: httpx.AsyncClient, person: str, headers: dict[str, str]) -> Any:
    found = await gql(client, CONTACT, {"id": to_global_id("Person", person)}, headers=headers)
    return found["node"]


class TestLinkingSomeoneFromElsewhere:
    async def test_a_provincial_coordinator_cannot_pull_in_a_person_of_another_province(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        commune_79 = await factories.other_commune(graph, "79")
        _, outsider = await person_in(graph, commune_79, "+84971000101")
        own_team = await factories.make_team(graph, "00004")
        prov_01 = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")

        answer = await gql(client, ADD_MEMBER, member_vars(own_team, outsider), headers=prov_01)

        assert answer["r"]["__typename"] == "NotAuthorized"
        assert "outside your scope" in answer["r"]["message"]
        found = await contact(client, outsider, prov_01)
        assert found["email"] is None
        assert found["phone"] is None
        trail = await client.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { auditTrail(id: $id) { seq } }",
                "variables": {"id": to_global_id("Person", outsider)},
            },
            headers=prov_01,
        )
        assert trail.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    async def test_the_coordinator_of_the_persons_province_still_can(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        commune_79 = await factories.other_commune(graph, "79")
        _, person = await person_in(graph, commune_79, "+84971000102")
        other_team_79 = await factories.make_team(graph, commune_79)
        prov_79 = bearer(settings, Role.PROVINCIAL_COORDINATOR, "79")

        answer = await gql(client, ADD_MEMBER, member_vars(other_team_79, person), headers=prov_79)

        assert answer["r"]["__typename"] == "MembershipPayload"
        assert answer["r"]["person"]["phone"] == "+84971000102"

    async def test_a_commune_officer_cannot_pull_in_a_person_of_another_commune(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        other = await factories.other_commune(graph, "01", besides="00004")
        _, outsider = await person_in(graph, other, "+84971000103")
        own_team = await factories.make_team(graph, "00004")
        officer = bearer(settings, Role.COMMUNE_OFFICER, "00004")

        answer = await gql(client, ADD_MEMBER, member_vars(own_team, outsider), headers=officer)

        assert answer["r"]["__typename"] == "NotAuthorized"
        assert (await contact(client, outsider, officer))["phone"] is None

    async def test_an_organisation_admin_cannot_name_a_person_of_elsewhere_focal_point(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        commune_79 = await factories.other_commune(graph, "79")
        _, outsider = await person_in(graph, commune_79, "+84971000104")
        admin = bearer(settings, Role.ORGANISATION_ADMIN, "so-khcn-01")
        variables = {
            "o": to_global_id("Organisation", "so-khcn-01"),
            "p": to_global_id("Person", outsider),
            "d": DAY,
        }

        answer = await gql(client, ASSIGN, variables, headers=admin)

        assert answer["r"]["__typename"] == "NotAuthorized"
        assert "outside your scope" in answer["r"]["message"]
        assert (await contact(client, outsider, admin))["email"] is None


class TestEndedLinks:
    async def test_an_ended_membership_closes_the_contact_fields_again(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        """A person of 79 served in a team of 01 for a month in 2025 (put there by the national
        coordinator): while it lasted 01 saw their phone; once it ended, no longer."""
        commune_79 = await factories.other_commune(graph, "79")
        _, person = await person_in(graph, commune_79, "+84971000105")
        team_01 = await factories.make_team(graph, "00004")
        joined = teams.NewMembership(
            team_01,
            people.PersonRef(id=person),
            TeamRole.MEMBER,
            dt.date(2025, 8, 1),
            HomeAffiliation.RESIDENT,
        )
        await graph.write(teams.add_team_member, joined, SYSTEM, anyone)
        prov_01 = bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")
        assert (await contact(client, person, prov_01))["phone"] == "+84971000105"

        await graph.write(
            teams.end_team_membership, team_01, person, dt.date(2025, 9, 1), SYSTEM, anyone
        )

        found = await contact(client, person, prov_01)
        assert found["phone"] is None
        assert found["email"] is None
        prov_79 = bearer(settings, Role.PROVINCIAL_COORDINATOR, "79")
        assert (await contact(client, person, prov_79))["phone"] == "+84971000105"

    async def test_an_ended_post_closes_them_too(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings
    ) -> None:
        commune_79 = await factories.other_commune(graph, "79")
        _, person = await person_in(graph, commune_79, "+84971000106")
        post = focal_points.NewFocalPoint(
            "so-khcn-01",
            people.PersonRef(id=person),
            FocalPointMode.PART_TIME,
            dt.date(2025, 8, 1),
            "6/QĐ",
            dt.date(2025, 8, 1),
        )
        named = await graph.write(focal_points.assign_focal_point, post, SYSTEM, anyone)
        admin = bearer(settings, Role.ORGANISATION_ADMIN, "so-khcn-01")
        assert (await contact(client, person, admin))["phone"] == "+84971000106"

        await graph.write(
            focal_points.end_focal_point, named.value.id, dt.date(2025, 9, 1), SYSTEM, anyone
        )

        assert (await contact(client, person, admin))["phone"] is None


class TestMembersSpreadsheet:
    @pytest.mark.parametrize(
        ("role", "scope", "expected"),
        [
            (Role.PROVINCIAL_COORDINATOR, "01", {(2, "Số điện thoại", "OUT_OF_SCOPE")}),
            (Role.NATIONAL_COORDINATOR, None, set()),
        ],
    )
    async def test_a_phone_of_a_person_of_another_province_is_refused(
        self,
        client: httpx.AsyncClient,
        graph: Graph,
        settings: Settings,
        role: Role,
        scope: str | None,
        expected: set[tuple[int, str, str]],
    ) -> None:
        commune_79 = await factories.other_commune(graph, "79")
        phone = "+8497100011" + ("1" if scope else "2")
        await person_in(graph, commune_79, phone)
        name = unique("Tổ thử nhập")
        cmd = teams.NewTeam("00004", name, TeamLevel.COMMUNE, FUTURE, "3/QĐ-UBND", FUTURE)
        await graph.write(teams.create_team, cmd, SYSTEM, anyone)
        # Same name as the registered person (the file does not try to rename them).
        owner = await graph.read(_name_of_phone, phone)
        rows = [["00004", None, None, None, name, owner, phone, None, None]]

        response = await upload(
            client,
            "dry-run",
            ImportKind.MEMBERS,
            "tv.csv",
            csv_file(MEMBER_HEADERS, rows),
            bearer(settings, role, scope),
        )

        assert problems(response.json()) == expected


async def _name_of_phone(tx: Tx, phone: str) -> str:
    found = await run_single(
        tx, "MATCH (p:Person {phone: $phone}) RETURN p.fullName AS n", phone=phone
    )
    assert found is not None
    return str(found["n"])
