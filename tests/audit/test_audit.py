"""Audit events: written with each change, in commit order, redacted; the feed and node trails."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from tests import factories
from tests.factories import FUTURE
from tests.gql import gql
from tests.tokens import bearer

FEED = "query($s: Int!) { changes(since: $s, first: 500) { seq mutation targetType targetId actorSubject actorRole changes { field before after } } }"
TRAIL = "query($id: ID!) { auditTrail(id: $id) { seq mutation actorSubject changes { field before after } } }"


async def _add_member(
    client: httpx.AsyncClient, headers: dict[str, str], team: str, name: str, email: str
) -> dict[str, Any]:
    data = await gql(
        client,
        "mutation($t: ID!, $n: String!, $e: String, $d: Date!) { addTeamMember(input: {"
        "teamId: $t, person: {new: {fullName: $n, email: $e}}, role: MEMBER, since: $d, "
        "homeAffiliation: RESIDENT}) { __typename ... on MembershipPayload { auditSeq personId } } }",
        {"t": team, "n": name, "e": email, "d": FUTURE.isoformat()},
        headers=headers,
    )
    result: dict[str, Any] = data["addTeamMember"]
    return result


async def test_trail_and_feed_redact_personal_values(
    client: httpx.AsyncClient, graph: Graph, settings: Settings
) -> None:
    team = to_global_id("CommunityTechTeam", await factories.make_team(graph))
    officer = bearer(settings, Role.COMMUNE_OFFICER, "00004", subject="officer-ba-dinh")
    added = await _add_member(client, officer, team, "Trần Thị Riêng Tư", "rieng.tu@example.vn")
    assert added["__typename"] == "MembershipPayload"

    national = bearer(settings, Role.NATIONAL_COORDINATOR, subject="nat")
    trail = (await gql(client, TRAIL, {"id": team}, headers=national))["auditTrail"]
    assert [e["mutation"] for e in trail] == ["createTeam", "addTeamMember"]
    assert trail[1]["actorSubject"] == "officer-ba-dinh"
    # The person's own trail holds the same event; its values never hold the e-mail or name.
    person_trail = (await gql(client, TRAIL, {"id": added["personId"]}, headers=national))[
        "auditTrail"
    ]
    assert [e["seq"] for e in person_trail] == [added["auditSeq"]]
    feed = (await gql(client, FEED, {"s": added["auditSeq"] - 1}, headers=national))["changes"]
    assert "rieng.tu" not in str(feed)
    assert "Riêng Tư" not in str(feed)

    # Anonymous followers of the feed see that something changed, not who or to what.
    public = (await gql(client, FEED, {"s": added["auditSeq"] - 1}))["changes"]
    assert public[0]["seq"] == added["auditSeq"]
    assert public[0]["actorSubject"] is None
    assert all(c["after"] is None for c in public[0]["changes"])


async def test_trail_is_for_covering_coordinators_only(
    client: httpx.AsyncClient, graph: Graph, settings: Settings
) -> None:
    team = to_global_id("CommunityTechTeam", await factories.make_team(graph))
    body = await gql(
        client,
        TRAIL,
        {"id": team},
        headers=bearer(settings, Role.PROVINCIAL_COORDINATOR, "79"),
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(client, TRAIL, {"id": team}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    own = await gql(
        client, TRAIL, {"id": team}, headers=bearer(settings, Role.PROVINCIAL_COORDINATOR, "01")
    )
    assert [e["mutation"] for e in own["auditTrail"]] == ["createTeam"]


async def test_concurrent_changes_get_distinct_increasing_numbers(
    client: httpx.AsyncClient, graph: Graph, settings: Settings
) -> None:
    team = to_global_id("CommunityTechTeam", await factories.make_team(graph))
    officer = bearer(settings, Role.COMMUNE_OFFICER, "00004")
    results = await asyncio.gather(
        *(
            _add_member(client, officer, team, f"Người Số {i}", f"so{i}@example.vn")
            for i in range(8)
        )
    )
    seqs = sorted(r["auditSeq"] for r in results)
    assert len(set(seqs)) == 8
    feed = (await gql(client, FEED, {"s": seqs[0] - 1}))["changes"]
    fed = [e["seq"] for e in feed]
    assert fed == sorted(fed)
    assert set(seqs) <= set(fed)
