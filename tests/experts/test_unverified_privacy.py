"""Names of experts not yet verified are for the coordinators who verify them (#hardening 1).

The privacy notice publishes a name only once a coordinator verified it. Until then a PENDING or
REJECTED profile is seen by the national coordinator, the provincial coordinator of the
expert's province and the expert; every other role gets it filtered out (lists, their counts,
search) or null (``node``), as if it did not exist."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from tests.experts.support import register_expert
from tests.gql import gql
from tests.tokens import bearer

LIST = (
    "query($s: [ExpertStatus!], $t: String) { experts(filter: {statuses: $s, text: $t}) "
    "{ totalCount edges { node { id fullName status } } } }"
)
NODE = "query($id: ID!) { node(id: $id) { ... on Expert { fullName } ... on Person { fullName } } }"
SEARCH = "query($t: String!) { search(text: $t) { kind name } }"
REJECT = 'mutation($id: ID!) { r: rejectExpert(id: $id, reason: "not an expert") { __typename } }'


def roles(settings: Settings) -> dict[str, dict[str, str]]:
    return {
        "national": bearer(settings, Role.NATIONAL_COORDINATOR),
        "province 01": bearer(settings, Role.PROVINCIAL_COORDINATOR, "01"),
        "province 79": bearer(settings, Role.PROVINCIAL_COORDINATOR, "79"),
        "commune": bearer(settings, Role.COMMUNE_OFFICER, "00004"),
        "organisation": bearer(settings, Role.ORGANISATION_ADMIN, "so-khcn-01"),
    }


VERIFIERS = {"national", "province 01"}


async def listed(
    web: httpx.AsyncClient, headers: dict[str, str], status: str, tag: str
) -> dict[str, Any]:
    body = await web.post(
        "/graphql", json={"query": LIST, "variables": {"s": [status], "t": tag}}, headers=headers
    )
    result: dict[str, Any] = body.json()
    return result


class TestUnverifiedExpertNames:
    async def test_pending_and_rejected_only_for_their_verifiers(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        pending = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, fullName=f"Chờ Duyệt {tag}"
        )
        rejected = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, fullName=f"Bị Từ Chối {tag}"
        )
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        answer = await gql(web, REJECT, {"id": rejected.expert_id}, headers=national)
        assert answer["r"]["__typename"] == "ExpertReviewPayload", answer

        for who, headers in roles(ss_settings).items():
            for status, expert in (("PENDING", pending), ("REJECTED", rejected)):
                body = await listed(web, headers, status, tag)
                node = (await gql(web, NODE, {"id": expert.expert_id}, headers=headers))["node"]
                hits = (await gql(web, SEARCH, {"t": expert.name}, headers=headers))["search"]
                names = [h["name"] for h in hits]
                if who in VERIFIERS:
                    page = body["data"]["experts"]
                    assert page["totalCount"] == 1, (who, body)
                    assert page["edges"][0]["node"]["fullName"] == expert.name
                    assert node == {"fullName": expert.name}, who
                    assert expert.name in names, (who, hits)
                    continue
                # The attacker's request gets nothing that names them, and a count that agrees.
                if who == "province 79":
                    assert body["data"]["experts"] == {"totalCount": 0, "edges": []}, body
                else:
                    [error] = body["errors"]
                    assert error["extensions"]["code"] == "INVALID_INPUT", error
                    assert error["extensions"]["field"] == "filter.statuses", error
                assert node is None, (who, node)
                assert expert.name not in names, (who, hits)
                assert expert.name not in str(body), (who, body)

    async def test_person_id_from_the_change_feed_does_not_name_them(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        pending = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=False, fullName=f"Người Mới {tag}"
        )
        person = to_global_id("Person", pending.person_id)
        for who, headers in roles(ss_settings).items():
            found = (await gql(web, NODE, {"id": person}, headers=headers))["node"]
            assert found == ({"fullName": pending.name} if who in VERIFIERS else None), who
        # The expert themselves still reads their own name.
        mine = (await gql(web, NODE, {"id": pending.expert_id}, headers=pending.headers))["node"]
        assert mine == {"fullName": pending.name}

    async def test_once_verified_the_name_is_public(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        tag = uuid.uuid4().hex[:8]
        expert = await register_expert(
            web, graph, ss_settings, outbox_dir, verify=True, fullName=f"Đã Duyệt {tag}"
        )
        for headers in [{}, *roles(ss_settings).values()]:
            body = await listed(web, headers, "VERIFIED", tag)
            assert body["data"]["experts"]["totalCount"] == 1, body
            found = (await gql(web, NODE, {"id": expert.expert_id}, headers=headers))["node"]
            assert found == {"fullName": expert.name}
