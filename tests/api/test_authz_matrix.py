"""Every coordinator mutation × every role × in scope / out of scope, over HTTP.

The expected table is written here independently of api/policy.py: if the policy drifts, this
test says where. Allowed calls must succeed; refused ones must answer NotAuthorized and change
nothing (the audit feed does not move).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from api.relay import to_global_id
from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.org_digests import org_places, refresh_org_digests
from graph.core.settings import Settings
from tests import factories
from tests.factories import FUTURE, Place
from tests.gql import gql
from tests.tokens import bearer

Build = Callable[[Graph, Place], Awaitable[tuple[str, dict[str, Any]]]]

NAT, PROV, COMM, ORG, EXP, ANON = (
    "NATIONAL_COORDINATOR",
    "PROVINCIAL_COORDINATOR",
    "COMMUNE_OFFICER",
    "ORGANISATION_ADMIN",
    "EXPERT",
    "ANONYMOUS",
)
TEAM_ROLES = {NAT, PROV, COMM}
FOCAL_ROLES = {NAT, PROV, ORG}

RESULT = "__typename ... on NotAuthorized { message } ... on ValidationErrors { errors { field message } } ... on ConflictError { message } ... on NotFoundError { message }"
DAY = FUTURE.isoformat()


async def create_team(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    return (
        "mutation($c: String!, $d: Date!) { r: createTeam(input: {communeCode: $c, "
        'name: "Tổ CNSCĐ thử", level: COMMUNE, since: $d, decisionNumber: "9/QĐ-UBND", '
        "decisionDate: $d}) { " + RESULT + " } }",
        {"c": place.commune, "d": DAY},
    )


async def close_team(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    team = await factories.make_team(graph, place.commune)
    return (
        "mutation($t: ID!, $d: Date!) { r: closeTeam(teamId: $t, until: $d) { " + RESULT + " } }",
        {"t": to_global_id("CommunityTechTeam", team), "d": DAY},
    )


async def add_team_member(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    team = await factories.make_team(graph, place.commune)
    return (
        "mutation($t: ID!, $d: Date!) { r: addTeamMember(input: {teamId: $t, "
        'person: {new: {fullName: "Lò Văn Thử"}}, role: MEMBER, since: $d, '
        "homeAffiliation: YOUTH_UNION}) { " + RESULT + " } }",
        {"t": to_global_id("CommunityTechTeam", team), "d": DAY},
    )


async def end_team_membership(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    team = await factories.make_team(graph, place.commune)
    person = await factories.make_member(graph, team)
    return (
        "mutation($t: ID!, $p: ID!, $d: Date!) { r: endTeamMembership(teamId: $t, "
        "personId: $p, until: $d) { " + RESULT + " } }",
        {
            "t": to_global_id("CommunityTechTeam", team),
            "p": to_global_id("Person", person),
            "d": DAY,
        },
    )


async def assign_focal_point(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    return (
        "mutation($o: ID!, $d: Date!) { r: assignFocalPoint(input: {organisationId: $o, "
        'person: {new: {fullName: "Nguyễn Thị Đầu Mối"}}, mode: PART_TIME, since: $d, '
        'decisionNumber: "3/QĐ", decisionDate: $d}) { ' + RESULT + " } }",
        {"o": to_global_id("Organisation", place.commune_org), "d": DAY},
    )


async def end_focal_point(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    post = await factories.make_focal_point(graph, place.commune_org)
    return (
        "mutation($a: String!, $d: Date!) { r: endFocalPoint(assignmentId: $a, until: $d) { "
        + RESULT
        + " } }",
        {"a": post, "d": DAY},
    )


async def create_organisation(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    return (
        "mutation($u: String!, $d: Date!) { r: createOrganisation(input: {name: "
        '"Hợp tác xã Số Thử", kind: ENTERPRISE, unitCode: $u, validFrom: $d}) { ' + RESULT + " } }",
        {"u": place.commune, "d": DAY},
    )


STAFF = itertools.count(40)


async def update_organisation(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    return (
        "mutation($o: ID!, $n: Int!) { r: updateOrganisation(input: {id: $o, totalStaff: $n, "
        "cdsStaff: 2}) { " + RESULT + " } }",
        {"o": to_global_id("Organisation", place.commune_org), "n": next(STAFF)},
    )


async def verify_expert(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    expert, _ = await factories.make_pending_expert(graph, place.province)
    return (
        "mutation($e: ID!) { r: verifyExpert(id: $e) { " + RESULT + " } }",
        {"e": to_global_id("Expert", expert)},
    )


async def reject_expert(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    expert, _ = await factories.make_pending_expert(graph, place.province)
    return (
        'mutation($e: ID!) { r: rejectExpert(id: $e, reason: "Không đủ hồ sơ") { '
        + RESULT
        + " } }",
        {"e": to_global_id("Expert", expert)},
    )


_THRESHOLDS = itertools.count(1)


async def set_target(graph: Graph, place: Place) -> tuple[str, dict[str, Any]]:
    """A province's own target; a new threshold each call, so every allowed call changes it."""
    return (
        "mutation($p: String!, $x: Float!) { r: setTarget(input: {indicator: COMMUNES_WITH_TEAM, "
        'threshold: $x, deadline: "2030-12-31", sourceDecision: "9/QĐ-UBND thử", '
        "provinceCode: $p}) { " + RESULT + " } }",
        {"p": place.province, "x": 0.5 + next(_THRESHOLDS) / 10_000},
    )


# mutation → (builder, success typename, roles allowed when in scope)
MUTATIONS: dict[str, tuple[Build, str, set[str]]] = {
    "createTeam": (create_team, "TeamPayload", TEAM_ROLES),
    "closeTeam": (close_team, "TeamPayload", TEAM_ROLES),
    "addTeamMember": (add_team_member, "MembershipPayload", TEAM_ROLES),
    "endTeamMembership": (end_team_membership, "MembershipPayload", TEAM_ROLES),
    "assignFocalPoint": (assign_focal_point, "FocalPointPayload", FOCAL_ROLES),
    "endFocalPoint": (end_focal_point, "FocalPointPayload", FOCAL_ROLES),
    "createOrganisation": (create_organisation, "OrganisationPayload", {NAT, PROV}),
    "updateOrganisation": (update_organisation, "OrganisationPayload", FOCAL_ROLES),
    "verifyExpert": (verify_expert, "ExpertReviewPayload", {NAT, PROV}),
    "rejectExpert": (reject_expert, "ExpertReviewPayload", {NAT, PROV}),
    "setTarget": (set_target, "TargetPayload", {NAT, PROV}),
}
ROLES = [NAT, PROV, COMM, ORG, EXP, ANON]


def _scope(role: str, place: Place, in_scope: bool) -> str | None:
    if role == PROV:
        return place.province if in_scope else place.other_province
    if role == COMM:
        return place.commune if in_scope else place.other_commune
    if role == ORG:
        return place.commune_org if in_scope else place.other_org
    if role == EXP:
        return "person-someone"
    return None


async def _last_seq(tx: Tx) -> int:
    records = await run(tx, "MATCH (a:AuditEvent) RETURN max(a.seq) AS seq")
    return int(records[0]["seq"] or 0)


@pytest.fixture(scope="module")
async def place(graph: Graph) -> AsyncIterator[Place]:
    found = Place(other_commune=await factories.other_commune(graph, "79"))
    yield found

    async def restore(tx: Tx) -> None:  # the staff figures other tests rank provinces by
        await run(
            tx,
            "MATCH (:Organisation {id: $id})-[:REPORTED]->(h:HeadcountReport {source: 'coordinator'}) "
            "DETACH DELETE h",
            id=found.commune_org,
        )
        await refresh_org_digests(tx, orgs=[found.commune_org])
        await run(tx, "MATCH (t:Target) WHERE t.id STARTS WITH 'target-' DETACH DELETE t")
        await changes.bump(tx)

    await graph.write(restore)


@pytest.mark.parametrize("in_scope", [True, False], ids=["in-scope", "out-of-scope"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mutation", list(MUTATIONS))
async def test_matrix(
    client: httpx.AsyncClient,
    graph: Graph,
    settings: Settings,
    place: Place,
    mutation: str,
    role: str,
    in_scope: bool,
) -> None:
    build, success, roles = MUTATIONS[mutation]
    query, variables = await build(graph, place)
    headers = {} if role == ANON else bearer(settings, Role(role), _scope(role, place, in_scope))
    allowed = role in roles and (in_scope or role == NAT)
    before = await graph.read(_last_seq)
    data = await gql(client, query, variables, headers=headers)
    assert data["r"]["__typename"] == (success if allowed else "NotAuthorized"), data
    after = await graph.read(_last_seq)
    assert (after > before) == allowed


class TestCreateOrganisationOutsideTheProvince:
    """A provincial coordinator creates the bodies of their province, nothing national and
    nothing under another province's body; what is refused names the field and writes nothing."""

    CREATE = (
        "mutation($i: CreateOrganisationInput!) { r: createOrganisation(input: $i) { "
        + RESULT
        + " ... on OrganisationPayload { organisation { id } } } }"
    )

    @pytest.fixture
    async def created(self, graph: Graph) -> AsyncIterator[str]:
        name = factories.unique("Tổ chức Phạm Vi")
        yield name

        async def remove(tx: Tx) -> None:
            found = await run(tx, "MATCH (o:Organisation {name: $n}) RETURN o.id AS id", n=name)
            places = await org_places(tx, [r["id"] for r in found])
            await run(tx, "MATCH (o:Organisation {name: $n}) DETACH DELETE o", n=name)
            await refresh_org_digests(tx, places=places)

        await graph.write(remove)

    async def _create(
        self, client: httpx.AsyncClient, settings: Settings, role: str, **fields: Any
    ) -> dict[str, Any]:
        scope = Place.province if role == PROV else None
        data = await gql(
            client, self.CREATE, {"i": fields}, headers=bearer(settings, Role(role), scope)
        )
        result: dict[str, Any] = data["r"]
        return result

    async def _count(self, graph: Graph, name: str) -> int:
        async def count(tx: Tx) -> int:
            rows = await run(tx, "MATCH (o:Organisation {name: $n}) RETURN count(o) AS n", n=name)
            return int(rows[0]["n"])

        return await graph.read(count)

    @pytest.mark.parametrize("kind", ["NATIONAL_COORDINATOR", "MINISTRY", "MINISTRY_DEPARTMENT"])
    async def test_national_kind_is_refused(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph, created: str, kind: str
    ) -> None:
        result = await self._create(
            client, settings, PROV, name=created, kind=kind, unitCode=Place.province
        )
        assert result["__typename"] == "NotAuthorized", result
        assert f"kind: {kind}" in result["message"], result
        assert await self._count(graph, created) == 0

    async def test_parent_in_another_province_is_refused(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph, created: str
    ) -> None:
        parent = to_global_id("Organisation", Place.other_org)
        result = await self._create(
            client,
            settings,
            PROV,
            name=created,
            kind="ENTERPRISE",
            unitCode=Place.commune,
            parentId=parent,
        )
        assert result["__typename"] == "NotAuthorized", result
        assert "parentId" in result["message"], result
        assert await self._count(graph, created) == 0

    async def test_parent_in_the_province_is_allowed(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph, created: str
    ) -> None:
        parent = to_global_id("Organisation", Place.commune_org)
        result = await self._create(
            client,
            settings,
            PROV,
            name=created,
            kind="ENTERPRISE",
            unitCode=Place.commune,
            parentId=parent,
        )
        assert result["__typename"] == "OrganisationPayload", result
        assert await self._count(graph, created) == 1

    async def test_national_coordinator_creates_a_ministry_anywhere(
        self, client: httpx.AsyncClient, settings: Settings, graph: Graph, created: str
    ) -> None:
        parent = to_global_id("Organisation", Place.other_org)
        result = await self._create(
            client,
            settings,
            NAT,
            name=created,
            kind="MINISTRY",
            unitCode=Place.province,
            parentId=parent,
        )
        assert result["__typename"] == "OrganisationPayload", result
        assert await self._count(graph, created) == 1
