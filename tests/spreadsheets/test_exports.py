"""Exports of coverage, gap lists and rankings: the files, read back, say what the GraphQL API
says for the same scope and date; cells a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook

from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.team_digests import refresh_team_digests
from spreadsheets.files import Table, to_csv, to_xlsx
from tests.gql import gql

# Vietnamese column → GraphQL figure, written out here (not taken from the exporter).
LABELS = {
    "Số xã": "communes",
    "Số xã có Tổ CNSCĐ": "communesWithTeam",
    "Tỷ lệ xã có Tổ CNSCĐ": "teamCoverage",
    "Số Tổ CNSCĐ": "teams",
    "Số thành viên (người)": "activeMembers",
    "Số lượt thành viên": "activeMemberships",
    "Số cơ quan, tổ chức": "organisations",
    "Số cơ quan phải cử đầu mối": "agencies",
    "Số cơ quan có đầu mối CĐS": "agenciesWithFocalPoint",
    "Tỷ lệ cơ quan có đầu mối": "focalPointCoverage",
    "Biên chế (có báo cáo)": "reportedStaff",
    "Biên chế CĐS (có báo cáo)": "reportedCdsStaff",
    "Tỷ lệ biên chế CĐS": "cdsStaffRatio",
    "Chuyên gia đã xác minh": "verifiedExperts",
    "Số người được hỗ trợ": "peopleHelped",
    "Số hộ được hỗ trợ": "householdsHelped",
    "Số Tổ CNSCĐ có hoạt động": "activeTeams",
    "Tỷ lệ Tổ CNSCĐ có hoạt động": "activeTeamShare",
    "Yêu cầu hỗ trợ đã gửi": "requests",
    "Yêu cầu hỗ trợ đang mở": "openRequests",
    "Yêu cầu đã có chuyên gia nhận": "answeredRequests",
    "Tỷ lệ yêu cầu có chuyên gia nhận": "answeredShare",
    "Trung vị số giờ đến khi có chuyên gia nhận": "medianHoursToFirstAccept",
}


async def api_coverage(
    client: httpx.AsyncClient, scope: str | None, as_of: str
) -> dict[str, dict[str, Any]]:
    """code → figures, with the totals under the scope's code."""
    figures = " ".join(LABELS.values())
    data = await gql(
        client,
        "query($scope: String, $asOf: Date) { coverage(scopeCode: $scope, asOf: $asOf) {"
        f" scope {{ code }} totals {{ {figures} }} rows {{ unit {{ code }} figures {{ {figures} }} }}"
        " } }",
        {"scope": scope, "asOf": as_of},
    )
    report = data["coverage"]
    out = {r["unit"]["code"]: r["figures"] for r in report["rows"]}
    out["total:" + report["scope"]["code"]] = report["totals"]
    return out


def xlsx_rows(content: bytes) -> tuple[list[str], list[list[Any]], Any]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in values[0]], values[1:], sheet


def csv_rows(content: bytes) -> tuple[list[str], list[list[Any]]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the accents
    values = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return values[0], values[1:]


def number(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def as_figures(headers: list[str], rows: list[list[Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for row in rows:
        code = str(row[0])
        key = f"total:{code}" if str(row[1]).startswith("Tổng") else code
        out[key] = {LABELS[h]: number(v) for h, v in zip(headers, row, strict=True) if h in LABELS}
    return out


def same(exported: dict[str, dict[str, Any]], api: dict[str, dict[str, Any]]) -> None:
    assert exported.keys() == api.keys()
    for code, figures in api.items():
        for name, value in figures.items():
            assert exported[code][name] == number(value), (code, name)


class TestCoverage:
    @pytest.mark.parametrize(
        ("scope", "as_of"), [(None, dt.date.today().isoformat()), ("01", "2025-09-01")]
    )
    async def test_xlsx_matches_the_api(
        self, client: httpx.AsyncClient, scope: str | None, as_of: str
    ) -> None:
        params = {"asOf": as_of} | ({"scope": scope} if scope else {})
        response = await client.get("/exports/coverage.xlsx", params=params)
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        headers, rows, sheet = xlsx_rows(response.content)
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["B"].width > 10
        same(as_figures(headers, rows), await api_coverage(client, scope, as_of))

    async def test_csv_on_a_legacy_date_matches_the_api(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/exports/coverage.csv", params={"asOf": "2024-06-01"})
        headers, rows = csv_rows(response.content)
        exported = as_figures(headers, rows)
        assert len(exported) == 63 + 1  # legacy provinces and the national total
        same(exported, await api_coverage(client, None, "2024-06-01"))

    async def test_unknown_scope_is_a_clear_error(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/exports/coverage.csv", params={"scope": "9"})
        assert response.status_code == 422
        assert "scopeCode" in response.json()["error"]


class TestGapsAndRanking:
    async def test_gap_list_has_every_gap(self, client: httpx.AsyncClient) -> None:
        data = await gql(
            client,
            '{ coverageGaps(kind: COMMUNE_WITHOUT_TEAM, scopeCode: "01") { totalCount } }',
        )
        response = await client.get("/exports/gaps.csv", params={"scope": "01"})
        headers, rows = csv_rows(response.content)
        assert headers[:3] == ["Loại", "Mã đơn vị", "Đơn vị hành chính"]
        assert len(rows) == data["coverageGaps"]["totalCount"]

    async def test_ranking_matches_the_api(self, client: httpx.AsyncClient) -> None:
        data = await gql(
            client,
            "{ provinceRanking(metric: FOCAL_POINT_COVERAGE) { rank value numerator denominator"
            " province { code } } }",
        )
        response = await client.get(
            "/exports/ranking.xlsx", params={"metric": "FOCAL_POINT_COVERAGE"}
        )
        _, rows, _ = xlsx_rows(response.content)
        assert [
            {
                "rank": r[0],
                "value": r[3],
                "numerator": r[4],
                "denominator": r[5],
                "province": {"code": r[1]},
            }
            for r in rows
        ] == data["provinceRanking"]


@pytest_asyncio.fixture
async def formula_team(graph: Graph) -> AsyncIterator[str]:
    """A team whose name is a formula (entered before imports checked names): it has no members,
    so the TEAM_BELOW_MIN_SIZE gap list shows it."""
    name = '=HYPERLINK("http://evil.example","bấm")'

    async def add(tx: Tx) -> None:
        await run(
            tx,
            "MATCH (c:AdministrativeUnit {key: 'CURRENT:COMMUNE:00004'}) "
            "CREATE (:CommunityTechTeam {id: 'test-formula-team', name: $name, level: 'COMMUNE', "
            "since: date('2025-08-01')})-[:OPERATES_IN]->(c)",
            name=name,
        )
        await refresh_team_digests(tx, teams=["test-formula-team"])  # as every team writer does
        await changes.bump(tx)

    async def remove(tx: Tx) -> None:
        await run(tx, "MATCH (t:CommunityTechTeam {id: 'test-formula-team'}) DETACH DELETE t")
        await refresh_team_digests(tx, places=["CURRENT:COMMUNE:00004"])
        await changes.bump(tx)

    await graph.write(add)
    try:
        yield name
    finally:
        await graph.write(remove)


class TestFormulaInjection:
    async def test_exported_names_are_text_not_formulas(
        self, client: httpx.AsyncClient, formula_team: str
    ) -> None:
        params = {"scope": "01", "gap": "TEAM_BELOW_MIN_SIZE"}
        _, rows = csv_rows((await client.get("/exports/gaps.csv", params=params)).content)
        assert ["'" + formula_team] == [r[4] for r in rows if formula_team in r[4]]
        response = await client.get("/exports/gaps.xlsx", params=params)
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        cells = [c for row in sheet.iter_rows() for c in row if formula_team in str(c.value)]
        assert [(c.data_type, c.value) for c in cells] == [("s", "'" + formula_team)]

    def test_every_dangerous_prefix_is_neutralised(self) -> None:
        values = ["=1+2", "+84 912", "-3", "@SUM(A1)", "\tx", "ok", 5, -1.5]
        table = Table("t", ["a"], [[v] for v in values])
        _, rows = csv_rows(to_csv(table))
        assert [r[0] for r in rows] == [
            "'=1+2", "'+84 912", "'-3", "'@SUM(A1)", "'\tx", "ok", "5", "-1.5"
        ]  # fmt: skip
        sheet = load_workbook(io.BytesIO(to_xlsx([table]))).worksheets[0]
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type != "f" for c in cells)
        assert [c.value for c in cells][-2:] == [5, -1.5]  # numbers stay numbers


class TestExportTokens:
    """Exports are public, but a token that does not verify is refused, as GraphQL refuses it."""

    @pytest.mark.parametrize(
        "authorization", ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer " + "x.y.z"]
    )
    async def test_invalid_token_is_401(
        self, client: httpx.AsyncClient, authorization: str
    ) -> None:
        response = await client.get(
            "/exports/ranking.csv", headers={"Authorization": authorization}
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "invalid_token" in response.headers["www-authenticate"]

    async def test_no_token_is_anonymous(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/exports/ranking.csv")).status_code == 200
