"""Experts living abroad (#13: country of residence, placed and reviewed nationally) and the
expertise taxonomy as data (areas with sub-areas, codes validated, old values migrated)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from api.relay import from_global_id
from api.viewer import Role
from graph.core import expertise
from graph.core.db import Graph, Tx, run
from graph.core.expert_province import heal_expert_provinces
from graph.core.settings import Settings
from tests.experts.support import (
    EXPERT_NODE,
    MADE_HERE,
    REGISTER,
    RESULT,
    register_expert,
    registration_input,
)
from tests.gql import gql
from tests.tokens import bearer

DIRECTORY = """
query($f: ExpertFilter) { experts(filter: $f, first: 100) {
  totalCount nodes { id fullName expertise abroad country { code nameVi nameEn } province { code } }
} }
"""
PENDING = """
query($p: String) { pendingExperts(provinceCode: $p, first: 100) {
  nodes { id abroad email country { code } }
} }
"""
AREAS = "{ expertiseAreas { code nameVi nameEn parentCode subareas { code nameVi parentCode } } }"


async def _register(web: httpx.AsyncClient, **over: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(web, REGISTER, {"input": registration_input(**over)}))["r"]
    return result


class TestRegistrationAbroad:
    async def test_abroad_without_province_is_reviewed_nationally_only(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        who = await register_expert(
            web,
            graph,
            ss_settings,
            outbox_dir,
            verify=False,
            countryCode="de",
            provinceCode=None,
            fullName="Trần Thị Berlin",
        )
        national = bearer(ss_settings, Role.NATIONAL_COORDINATOR)
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        queue = (await gql(web, PENDING, {"p": "VN"}, headers=national))["pendingExperts"]
        mine = [n for n in queue["nodes"] if n["id"] == who.expert_id]
        assert mine == [
            {"id": who.expert_id, "abroad": True, "email": who.email, "country": {"code": "DE"}}
        ]
        # No provincial coordinator reviews them or reads their data.
        theirs = (await gql(web, PENDING, {"p": None}, headers=hanoi))["pendingExperts"]
        assert who.expert_id not in [n["id"] for n in theirs["nodes"]]
        node = await gql(
            web, "query($id: ID!) { node(id: $id) { id } }", {"id": who.expert_id}, headers=hanoi
        )
        assert node["node"] is None

    async def test_abroad_may_name_a_province_to_help_without_being_placed_there(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        who = await register_expert(
            web, graph, ss_settings, outbox_dir, countryCode="JP", provinceCode="48"
        )
        danang = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "48")
        listed = await gql(web, DIRECTORY, {"f": {"provinceCode": "48", "abroad": True}})
        found = [n for n in listed["experts"]["nodes"] if n["id"] == who.expert_id]
        assert found[0]["country"] == {"code": "JP", "nameVi": "Nhật Bản", "nameEn": "Japan"}
        assert found[0]["province"] == {"code": "48"}
        # Named, not placed: the province's coordinator does not see their contact fields.
        node = await gql(
            web,
            "query($id: ID!) { node(id: $id) { ... on Expert { email } } }",
            {"id": who.expert_id},
            headers=danang,
        )
        assert node["node"] == {"email": None}

    async def test_vietnam_without_province_is_refused_with_the_field(
        self, web: httpx.AsyncClient
    ) -> None:
        for over in ({"provinceCode": None}, {"countryCode": "VN", "provinceCode": " "}):
            result = await _register(web, **over)
            assert result["__typename"] == "ValidationErrors", result
            assert [(e["field"], e["code"]) for e in result["errors"]] == [
                ("provinceCode", "REQUIRED")
            ]

    async def test_unknown_country_is_refused_with_the_field(self, web: httpx.AsyncClient) -> None:
        result = await _register(web, countryCode="XX", provinceCode=None)
        assert result["__typename"] == "ValidationErrors", result
        assert [(e["field"], e["code"]) for e in result["errors"]] == [
            ("countryCode", "NOT_IN_VOCABULARY")
        ]

    async def test_unknown_expertise_code_is_refused_naming_it(
        self, web: httpx.AsyncClient
    ) -> None:
        result = await _register(web, expertise=["DATA", "UNDERWATER_BASKETRY"])
        assert result["__typename"] == "ValidationErrors", result
        [error] = result["errors"]
        assert (error["field"], error["code"]) == ("expertise", "NOT_IN_VOCABULARY")
        assert "UNDERWATER_BASKETRY" in error["message"]


MOVE = (
    "mutation($input: UpdateMyProfileInput!) { r: updateMyProfile(input: $input) { "
    + RESULT
    + " ... on MyProfilePayload { me { expert { abroad country { code } province { code } "
    "expertise changedSinceVerification } } } } }"
)


class TestSelfService:
    async def test_moving_abroad_leaves_the_province_and_goes_back_for_review(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        me = await register_expert(web, graph, ss_settings, outbox_dir)
        hanoi = bearer(ss_settings, Role.PROVINCIAL_COORDINATOR, "01")
        assert (await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=hanoi))["node"][
            "email"
        ] == me.email
        moved = await gql(
            web,
            MOVE,
            {"input": {"countryCode": "FR", "provinceCode": "", "expertise": ["OPEN_DATA"]}},
            headers=me.headers,
        )
        assert moved["r"]["me"]["expert"] == {
            "abroad": True,
            "country": {"code": "FR"},
            "province": None,
            "expertise": ["OPEN_DATA"],
            "changedSinceVerification": ["country", "expertise", "province"],
        }
        # Hà Nội's coordinators no longer read their contact fields.
        node = (await gql(web, EXPERT_NODE, {"id": me.expert_id}, headers=hanoi))["node"]
        assert node["email"] is None
        # Back home without a province: refused with the field, nothing changed.
        back = await gql(web, MOVE, {"input": {"countryCode": "VN"}}, headers=me.headers)
        assert back["r"]["__typename"] == "ValidationErrors"
        assert [(e["field"], e["code"]) for e in back["r"]["errors"]] == [
            ("provinceCode", "REQUIRED")
        ]
        unknown = await gql(web, MOVE, {"input": {"expertise": ["NOPE"]}}, headers=me.headers)
        assert [(e["field"], e["code"]) for e in unknown["r"]["errors"]] == [
            ("expertise", "NOT_IN_VOCABULARY")
        ]


class TestDirectory:
    async def test_filter_by_country(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        korea = await register_expert(
            web, graph, ss_settings, outbox_dir, countryCode="KR", provinceCode=None
        )
        by_code = await gql(web, DIRECTORY, {"f": {"countryCodes": ["kr"]}})
        nodes = by_code["experts"]["nodes"]
        assert korea.expert_id in [n["id"] for n in nodes]
        assert {n["country"]["code"] for n in nodes} == {"KR"}
        abroad = (await gql(web, DIRECTORY, {"f": {"abroad": True}}))["experts"]["nodes"]
        assert korea.expert_id in [n["id"] for n in abroad]
        assert all(n["abroad"] for n in abroad)
        home = await gql(web, DIRECTORY, {"f": {"abroad": False, "provinceCode": "01"}})
        assert home["experts"]["totalCount"] > 0
        assert all(n["country"]["code"] == "VN" for n in home["experts"]["nodes"])

    async def test_province_filter_follows_a_move(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        name = f"Chuyên Gia Chuyển Tỉnh {uuid.uuid4().hex[:6]}"
        me = await register_expert(
            web, graph, ss_settings, outbox_dir, fullName=name, provinceCode="01"
        )

        async def listed_in(province: str) -> list[str]:
            f = {"text": name, "provinceCode": province}
            found = await gql(web, DIRECTORY, {"f": f})
            return [n["id"] for n in found["experts"]["nodes"]]

        assert (await listed_in("01"), await listed_in("48")) == ([me.expert_id], [])
        moved = await gql(web, MOVE, {"input": {"provinceCode": "48"}}, headers=me.headers)
        assert moved["r"]["me"]["expert"]["province"] == {"code": "48"}
        # Still verified (flagged for review): listed under the new province only.
        assert (await listed_in("01"), await listed_in("48")) == ([], [me.expert_id])
        abroad = {"countryCode": "JP", "provinceCode": "01"}
        await gql(web, MOVE, {"input": abroad}, headers=me.headers)
        # Abroad, naming Hà Nội to help: found by its filter, placed nowhere in Vietnam.
        assert (await listed_in("01"), await listed_in("48")) == ([me.expert_id], [])

    async def test_area_filter_includes_its_subareas(
        self, web: httpx.AsyncClient, graph: Graph, ss_settings: Settings, outbox_dir: Path
    ) -> None:
        name = f"Chuyên Gia Tài Chính {uuid.uuid4().hex[:6]}"
        fin = await register_expert(
            web, graph, ss_settings, outbox_dir, expertise=["FINTECH"], fullName=name
        )

        async def ids(f: dict[str, Any]) -> list[str]:
            found = await gql(web, DIRECTORY, {"f": {"text": name, **f}})
            return [n["id"] for n in found["experts"]["nodes"]]

        assert await ids({"expertiseAny": ["FINANCE"]}) == [fin.expert_id]
        assert await ids({"expertiseAll": ["FINANCE", "FINTECH"]}) == [fin.expert_id]
        assert await ids({"expertiseAny": ["HEALTH"]}) == []
        # Not the other way round: a sub-area does not stand for its whole area.
        assert await ids({"expertiseAny": ["DIGITAL_BANKING"]}) == []

    async def test_expertise_areas_are_a_tree_in_both_languages(
        self, web: httpx.AsyncClient
    ) -> None:
        areas = (await gql(web, AREAS))["expertiseAreas"]
        by_code = {a["code"]: a for a in areas}
        assert {"POSTS", "TELECOMMUNICATIONS", "ICT_INDUSTRY", "MEDIA", "CYBERSECURITY", "AI"} <= (
            set(by_code)
        )
        assert by_code["CYBERSECURITY"]["nameVi"] == "An toàn thông tin và an ninh mạng"
        assert all(a["parentCode"] is None for a in areas)
        economy = [s["code"] for s in by_code["DIGITAL_ECONOMY"]["subareas"]]
        assert "E_COMMERCE" in economy
        assert {s["parentCode"] for s in by_code["FINANCE"]["subareas"]} == {"FINANCE"}


async def test_operators_add_areas_by_editing_the_data_file(
    graph: Graph, web: httpx.AsyncClient, tmp_path: Path
) -> None:
    data = json.loads(expertise.DATA_FILE.read_text(encoding="utf-8"))
    data["areas"].append(
        {
            "code": "TEST_SPACE",
            "nameVi": "Công nghệ vũ trụ",
            "nameEn": "Space technology",
            "subareas": [{"code": "TEST_SATELLITES", "nameVi": "Vệ tinh", "nameEn": "Satellites"}],
        }
    )
    edited = tmp_path / "areas.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    try:
        await expertise.load_taxonomy(graph, edited)
        areas = {a["code"]: a for a in (await gql(web, AREAS))["expertiseAreas"]}
        assert areas["TEST_SPACE"]["subareas"][0]["nameVi"] == "Vệ tinh"
    finally:
        await graph.write(_remove_test_areas)


async def _remove_test_areas(tx: Tx) -> None:
    await run(tx, "MATCH (a:ExpertiseArea) WHERE a.code STARTS WITH 'TEST_' DETACH DELETE a")


async def _old_profile(tx: Tx, person_id: str, expert_id: str) -> None:
    await run(
        tx,
        "CREATE (:Person {id: $pid, fullName: 'Hồ Sơ Cũ', synthetic: false})-[:HAS_PROFILE]->"
        "(:ExpertProfile {id: $eid, status: 'PENDING', synthetic: false,"
        " expertise: ['INFRASTRUCTURE', 'E_COMMERCE', 'FINTECH', 'DIGITAL_GOVERNMENT']})",
        pid=person_id,
        eid=expert_id,
    )


async def _expertise(tx: Tx, expert_id: str) -> list[str]:
    records = await run(
        tx, "MATCH (e:ExpertProfile {id: $id}) RETURN e.expertise AS x", id=expert_id
    )
    return list(records[0]["x"])


async def test_migration_heal_rewrites_old_values_to_codes(graph: Graph) -> None:
    expert_id = f"expert-old-{uuid.uuid4().hex}"
    MADE_HERE.append(expert_id)
    await graph.write(_old_profile, f"person-old-{uuid.uuid4().hex}", expert_id)
    await expertise.heal_expertise(graph)
    assert await graph.read(_expertise, expert_id) == [
        "DIGITAL_INFRASTRUCTURE",
        "E_COMMERCE",
        "FINTECH",
        "DIGITAL_GOVERNMENT",
    ]
    areas = {a.code: a for a in await graph.read(expertise.areas)}
    assert areas["DIGITAL_INFRASTRUCTURE"].parent_code == "TELECOMMUNICATIONS"
    assert areas["E_COMMERCE"].parent_code == "DIGITAL_ECONOMY"
    assert areas["FINTECH"].parent_code == "FINANCE"
    assert areas["DIGITAL_GOVERNMENT"].parent_code is None
    # Idempotent: a second run changes nothing.
    await expertise.heal_expertise(graph)
    assert (await graph.read(_expertise, expert_id))[0] == "DIGITAL_INFRASTRUCTURE"


async def _forget_provinces(tx: Tx, ids: list[str]) -> None:
    await run(
        tx, "UNWIND $ids AS id MATCH (e:ExpertProfile {id: id}) REMOVE e.provinceKey", ids=ids
    )


async def _provinces(tx: Tx, ids: list[str]) -> list[str | None]:
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (e:ExpertProfile {id: id}) RETURN e.provinceKey AS key",
        ids=ids,
    )
    return [r["key"] for r in records]


async def test_migration_heal_keeps_each_profiles_province(
    graph: Graph, web: httpx.AsyncClient, ss_settings: Settings, outbox_dir: Path
) -> None:
    """Migration 27: profiles from before it get the province the directory filters by."""
    home = await register_expert(web, graph, ss_settings, outbox_dir, provinceCode="79")
    helping = await register_expert(
        web, graph, ss_settings, outbox_dir, countryCode="DE", provinceCode="48"
    )
    away = await register_expert(
        web, graph, ss_settings, outbox_dir, countryCode="US", provinceCode=None
    )
    ids = [from_global_id(r.expert_id)[1] for r in (home, helping, away)]
    expected = ["CURRENT:PROVINCE:79", "CURRENT:PROVINCE:48", None]
    assert await graph.read(_provinces, ids) == expected
    await graph.write(_forget_provinces, ids)
    await heal_expert_provinces(graph)
    assert await graph.read(_provinces, ids) == expected
