"""Uploads from outside: refused before their body is read when the sender may not import or
the body is too large, bounded while they are read (rows, cells, an .xlsx's unpacked size),
answered with a problem report for files the csv module or openpyxl would choke on, and read
off the event loop so that the API's other requests go on."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from api.app import create_app
from api.viewer import Role
from graph.core.db import Graph
from graph.core.settings import Settings
from tests.spreadsheets.files import csv_file, xlsx
from tests.tokens import bearer

MEMBER_HEADERS = ["Mã xã", "Tên tổ", "Họ và tên", "Số điện thoại", "Vai trò"]
MEMBER = ["00004", "Tổ CNSCĐ không có", "Nguyễn Văn An", "0970000001", "Thành viên"]
BOUNDARY = "cds-test-boundary"
MB = 2**20


def national(settings: Settings) -> dict[str, str]:
    return bearer(settings, Role.NATIONAL_COORDINATOR)


def members(count: int) -> list[list[Any]]:
    return [[*MEMBER[:2], f"Nguyễn Văn An {i}", f"097{i:07d}", MEMBER[4]] for i in range(count)]


async def dry_run(
    client: httpx.AsyncClient, name: str, data: bytes, headers: dict[str, str], **form: str
) -> httpx.Response:
    return await client.post(
        "/imports/members/dry-run", files={"file": (name, data)}, data=form, headers=headers
    )


class Body:
    """A multipart body that counts how much of it the server pulled."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"'
            "\r\n\r\n"
        ).encode()
        for _ in range(self.megabytes):
            self.sent += MB
            yield b"x" * MB


def streamed(megabytes: int, headers: dict[str, str], *, declared: bool) -> dict[str, str]:
    out = {**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if declared:
        out["Content-Length"] = str(megabytes * MB + 200)
    return out


@pytest_asyncio.fixture(scope="module")
async def small_client(graph: Graph, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An API whose limits are small enough to pass in a test."""
    small = settings.model_copy(update={"import_max_bytes": 2 * MB, "import_max_rows": 50})
    transport = httpx.ASGITransport(app=create_app(small, graph))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


class TestRefusedUnread:
    async def test_an_anonymous_70_mb_upload_is_refused_before_its_body_is_read(
        self, client: httpx.AsyncClient
    ) -> None:
        body = Body(70)
        response = await client.post(
            "/imports/members/dry-run", content=body, headers=streamed(70, {}, declared=True)
        )
        assert response.status_code == 403
        assert response.json()["error"] == "not allowed to import members here"
        assert body.sent == 0

    async def test_a_bad_token_is_refused_before_the_body_is_read(
        self, client: httpx.AsyncClient
    ) -> None:
        body = Body(70)
        headers = streamed(70, {"Authorization": "Bearer not-a-token"}, declared=True)
        response = await client.post("/imports/members/apply", content=body, headers=headers)
        assert response.status_code == 401
        assert body.sent == 0

    async def test_a_role_that_may_not_import_is_refused_before_the_body_is_read(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        body = Body(70)
        expert = bearer(settings, Role.EXPERT, scope="expert-1")
        response = await client.post(
            "/imports/members/dry-run", content=body, headers=streamed(70, expert, declared=True)
        )
        assert response.status_code == 403
        assert body.sent == 0

    async def test_a_declared_length_over_the_limit_is_413_naming_it(
        self, small_client: httpx.AsyncClient, settings: Settings
    ) -> None:
        body = Body(70)
        headers = streamed(70, national(settings), declared=True)
        response = await small_client.post(
            "/imports/members/dry-run", content=body, headers=headers
        )
        assert response.status_code == 413
        assert "2,097,152 bytes (2 MB)" in response.json()["error"]
        assert "CDS_IMPORT_MAX_BYTES" in response.json()["error"]
        assert body.sent == 0

    async def test_a_streamed_body_is_read_only_up_to_the_limit(
        self, small_client: httpx.AsyncClient, settings: Settings
    ) -> None:
        body = Body(70)  # chunked: no Content-Length to refuse it by
        headers = streamed(70, national(settings), declared=False)
        response = await small_client.post(
            "/imports/members/dry-run", content=body, headers=headers
        )
        assert response.status_code == 413
        assert "CDS_IMPORT_MAX_BYTES" in response.json()["error"]
        assert body.sent <= 3 * MB

    async def test_a_form_without_a_file_or_not_multipart(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        no_file = await client.post(
            "/imports/members/dry-run", data={"encoding": "utf-8"}, headers=national(settings)
        )
        assert no_file.status_code in (415, 422)
        not_a_form = await client.post(
            "/imports/members/dry-run", json={"file": "x"}, headers=national(settings)
        )
        assert not_a_form.status_code == 415
        assert "multipart/form-data" in not_a_form.json()["error"]
        bad_encoding = await dry_run(client, "tv.csv", b"x", national(settings), encoding="latin-1")
        assert bad_encoding.status_code == 422
        assert "cp1258" in bad_encoding.json()["error"]


def only_problem(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["ok"]
    assert len(body["problems"]) == 1, body["problems"]
    problem: dict[str, Any] = body["problems"][0]
    return problem


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(workbook: bytes, size: int) -> bytes:
    """The workbook (openpyxl writes its text inline) given a shared-strings part of ``size``
    bytes of repeated text, as Excel would store it: a few hundred kilobytes in the zip that
    openpyxl would unpack whole into memory."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif part.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdSst" Type="{SST_REL}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            target.writestr(part.filename, data)
        target.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
            b'uniqueCount="1"><si><t>' + b"A" * size + b"</t></si></sst>",
        )
    return out.getvalue()


def replace_in_sheet(workbook: bytes, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename.startswith("xl/worksheets/"):
                data = data.replace(old, new)
            target.writestr(part.filename, data)
    return out.getvalue()


def with_dimension(workbook: bytes, ref: str) -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml")
    start = sheet.index(b"<dimension ")
    end = sheet.index(b"/>", start) + 2
    return replace_in_sheet(workbook, sheet[start:end], f'<dimension ref="{ref}"/>'.encode())


class TestProblemReports:
    async def test_shared_strings_that_unpack_too_far_are_a_problem_not_a_stall(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        bomb = with_shared_strings(xlsx(MEMBER_HEADERS, [MEMBER]), 40 * MB)
        assert len(bomb) < MB
        problem = only_problem(await dry_run(client, "tv.xlsx", bomb, national(settings)))
        assert problem["code"] == "FILE_TOO_LARGE"
        assert "shared strings" in problem["reason"]
        assert "32 MB" in problem["reason"]

    async def test_a_sheet_declaring_the_whole_grid_reads_only_its_cells(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        # openpyxl would pad every row to 16,384 columns and add rows up to 1,048,576.
        grid = with_dimension(xlsx(MEMBER_HEADERS, [MEMBER]), "A1:XFD1048576")
        response = await dry_run(client, "tv.xlsx", grid, national(settings))
        body = response.json()
        assert body["rows"] == 1
        assert [p["code"] for p in body["problems"]] == ["NOT_FOUND"]

    async def test_more_rows_than_the_limit(
        self, small_client: httpx.AsyncClient, settings: Settings
    ) -> None:
        data = csv_file(MEMBER_HEADERS, members(60))
        problem = only_problem(await dry_run(small_client, "tv.csv", data, national(settings)))
        assert problem["code"] == "FILE_TOO_LARGE"
        assert problem["row"] == 51
        assert "more than 50 rows" in problem["reason"]

    async def test_utf16_is_named(self, client: httpx.AsyncClient, settings: Settings) -> None:
        data = csv_file(MEMBER_HEADERS, [MEMBER], "utf-16")
        for form in ({}, {"encoding": "utf-8"}):
            response = await dry_run(client, "tv.csv", data, national(settings), **form)
            problem = only_problem(response)
            assert problem["code"] == "UNSUPPORTED_ENCODING"
            assert "UTF-16" in problem["reason"]
            assert "save it as CSV UTF-8" in problem["reason"]
        without_mark = csv_file(MEMBER_HEADERS, [MEMBER], "utf-16-le")
        problem = only_problem(await dry_run(client, "tv.csv", without_mark, national(settings)))
        assert "UTF-16" in problem["reason"]

    async def test_a_200000_character_cell_names_its_row_and_column(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        rows = [MEMBER, [*MEMBER[:2], "B" * 200_000, *MEMBER[3:]]]
        problem = only_problem(
            await dry_run(client, "tv.csv", csv_file(MEMBER_HEADERS, rows), national(settings))
        )
        assert problem["code"] == "CELL_TOO_LONG"
        assert (problem["row"], problem["column"]) == (3, "Họ và tên")
        assert problem["value"].startswith("BBBB")

    async def test_a_cell_longer_than_excel_allows_in_an_xlsx(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        rows = [MEMBER, [*MEMBER[:3], "LONG-CELL", MEMBER[4]]]
        # openpyxl cuts what it writes to 32,767 characters: lengthen the cell in the XML.
        workbook = replace_in_sheet(xlsx(MEMBER_HEADERS, rows), b"LONG-CELL", b"0" * 40_000)
        problem = only_problem(await dry_run(client, "tv.xlsx", workbook, national(settings)))
        assert problem["code"] == "CELL_TOO_LONG"
        assert (problem["row"], problem["column"]) == (3, "Số điện thoại")
        assert "32,767" in problem["reason"]


class TestOffTheEventLoop:
    async def test_healthz_answers_while_a_big_dry_run_is_being_checked(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        data = csv_file(MEMBER_HEADERS, members(40_000))
        upload = asyncio.create_task(dry_run(client, "tv.csv", data, national(settings)))
        await asyncio.sleep(0.5)  # the body is in memory: by now the rows are being read
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert not upload.done(), "the dry run ended before /healthz could answer"
        report = (await upload).json()
        assert report["rows"] == 40_000
