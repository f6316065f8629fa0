"""The organisations spreadsheet (#16): kind, name, parent, place and dates; checked, applied
all or nothing, re-applied without change, undone."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from api.viewer import Role
from graph.core.db import Graph, Tx, run
from graph.core.org_digests import stale_org_digests
from graph.core.settings import Settings
from spreadsheets import service
from spreadsheets.columns import ImportKind
from tests.spreadsheets.files import csv_file, undo_all_imports, xlsx
from tests.spreadsheets.test_imports import problems, upload
from tests.tokens import bearer

HEADERS = ["Loại", "Tên cơ quan/đơn vị", "Cơ quan cấp trên", "Mã đơn vị hành chính", "Từ ngày",
           "Đến ngày"]  # fmt: skip
ROWS: list[list[Any]] = [
    ["Sở/ngành", "Sở Thử nghiệm Nhập liệu Hà Nội", None, "01", "01/01/2024", None],
    # A unit (bộ phận) of the organisation on the row above, named as written there.
    ["Bộ phận", "Phòng Chuyển đổi số thử nhập liệu", "Sở Thử nghiệm Nhập liệu Hà Nội", 1,
     "01/03/2024", None],
    # A legacy district's office: the place is read in the legacy era (it ended before the
    # reform), the parent is the district's People's Committee by its registry id.
    ["Phòng VHTT", "Phòng Văn hóa và Thông tin thử Ba Đình", "ubnd-huyen-001", "001",
     "01/01/2020", "30/06/2025"],
]  # fmt: skip


@pytest_asyncio.fixture(autouse=True)
async def remove_imports(graph: Graph) -> AsyncIterator[None]:
    yield
    await undo_all_imports(graph)


async def imported(graph: Graph) -> dict[str, dict[str, Any]]:
    async def read(tx: Tx) -> dict[str, dict[str, Any]]:
        records = await run(
            tx,
            "MATCH (o:Organisation)-[:LOCATED_IN]->(u) WHERE o.id STARTS WITH 'imp-' "
            "OPTIONAL MATCH (o)-[:PART_OF]->(p) "
            "RETURN o {.id, .kind, .validFrom, .validTo, unit: u.key, parent: p.id, "
            "parentName: p.name} AS o, o.name AS name",
        )
        return {r["name"]: dict(r["o"]) for r in records}

    return await graph.read(read)


async def test_round_trip(client: httpx.AsyncClient, settings: Settings, graph: Graph) -> None:
    token = bearer(settings, Role.NATIONAL_COORDINATOR)
    data = xlsx(HEADERS, ROWS)
    dry = await upload(client, "dry-run", ImportKind.ORGANISATIONS, "cq.xlsx", data, token)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["ok"], dry.json()["validRows"]) == (True, 3)
    assert await imported(graph) == {}  # a dry run writes nothing

    applied = await upload(client, "apply", ImportKind.ORGANISATIONS, "cq.xlsx", data, token)
    assert applied.status_code == 201, applied.text
    assert applied.json()["changed"] == 3
    found = await imported(graph)
    office = found["Sở Thử nghiệm Nhập liệu Hà Nội"]
    assert (office["kind"], office["unit"], office["parent"]) == (
        "PROVINCIAL_AGENCY",
        "CURRENT:PROVINCE:01",
        None,
    )
    assert office["validFrom"].to_native() == dt.date(2024, 1, 1)
    unit = found["Phòng Chuyển đổi số thử nhập liệu"]
    assert (unit["kind"], unit["parent"]) == ("ORGANISATION_UNIT", office["id"])
    district = found["Phòng Văn hóa và Thông tin thử Ba Đình"]
    assert (district["unit"], district["parent"]) == ("LEGACY:DISTRICT:001", "ubnd-huyen-001")
    assert district["validTo"].to_native() == dt.date(2025, 6, 30)

    again = await upload(client, "apply", ImportKind.ORGANISATIONS, "cq.xlsx", data, token)
    assert again.json()["changed"] == 0

    # A corrected list (CSV this time): the office's start date moves; only it changes, and
    # undoing that batch restores it.
    edited = [list(r) for r in ROWS]
    edited[0][4] = "15/02/2024"
    fixed = service.Upload(csv_file(HEADERS, edited), "cq.csv")
    batch = await service.apply(graph, fixed, ImportKind.ORGANISATIONS, scope=None, imported_by="t")
    assert batch.changed == 1
    after = await imported(graph)
    assert after["Sở Thử nghiệm Nhập liệu Hà Nội"]["validFrom"].to_native() == dt.date(2024, 2, 15)
    assert await graph.read(stale_org_digests) == []  # coverage reads them
    await service.rollback(graph, batch.id)
    assert await imported(graph) == found
    await service.rollback(graph, applied.json()["id"])
    assert await imported(graph) == {}
    assert await graph.read(stale_org_digests) == []


async def test_problems_name_row_and_column_and_nothing_is_written(
    client: httpx.AsyncClient, settings: Settings, graph: Graph
) -> None:
    rows = [
        *ROWS,
        ["Bộ phận", "Phòng không cấp trên", None, "01", None, None],
        ["Sở/ngành", "Sở không nơi", None, "99999", None, None],
        ["Quán cà phê", "Quán thử", None, "01", None, None],
        ["Sở/ngành", "Sở ngày ngược", None, "01", "01/05/2024", "01/01/2024"],
        ["Bộ phận", "Phòng cha lạ", "Cơ quan không có thật", "01", None, None],
    ]
    token = bearer(settings, Role.NATIONAL_COORDINATOR)
    response = await upload(
        client, "apply", ImportKind.ORGANISATIONS, "cq.xlsx", xlsx(HEADERS, rows), token
    )
    assert response.status_code == 422
    assert problems(response.json()) == {
        (5, "Cơ quan cấp trên", "REQUIRED"),
        (6, "Mã đơn vị hành chính", "UNKNOWN_COMMUNE"),
        (7, "Loại", "NOT_IN_VOCABULARY"),
        (8, "Đến ngày", "INVALID_DATE"),
        (9, "Cơ quan cấp trên", "NOT_FOUND"),
    }
    assert await imported(graph) == {}


async def test_a_province_imports_only_its_own(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    elsewhere = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="79")
    refused = await upload(
        client, "dry-run", ImportKind.ORGANISATIONS, "cq.xlsx", xlsx(HEADERS, ROWS), elsewhere
    )
    assert {p["code"] for p in refused.json()["problems"]} == {"OUT_OF_SCOPE"}
    hanoi = bearer(settings, Role.PROVINCIAL_COORDINATOR, scope="01")
    ministry = [["Bộ", "Bộ Thử nghiệm", None, "01", None, None]]
    national_body = await upload(
        client, "dry-run", ImportKind.ORGANISATIONS, "cq.xlsx", xlsx(HEADERS, ministry), hanoi
    )
    assert problems(national_body.json()) == {(2, "Loại", "OUT_OF_SCOPE")}
    officer = bearer(settings, Role.COMMUNE_OFFICER, scope="00004")
    forbidden = await upload(
        client, "dry-run", ImportKind.ORGANISATIONS, "cq.xlsx", xlsx(HEADERS, ROWS), officer
    )
    assert forbidden.status_code == 403
