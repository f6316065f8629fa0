"""REST endpoints for spreadsheets: import templates, dry-run and apply of a province's list
(multipart upload), import batches and what they changed, and exports of coverage reports, gap
lists and rankings as CSV/.xlsx.

Imports are for coordinators: a national coordinator imports anywhere; a provincial coordinator
only into their province, where a row outside it is a problem of the file (``import_scope``).
Exports show what GraphQL ``coverage``, ``coverageGaps`` and ``provinceRanking`` show anyone.

An upload is read only once its sender may import: the token and the role are checked first,
then a declared Content-Length over ``CDS_IMPORT_MAX_BYTES`` is refused (413) unread, and the
multipart body is parsed as it streams in, stopping as soon as it passes the limit. The file's
rows are read and checked in a worker thread (``service.dry_run``), and the JSON or .xlsx answer
is built there too, so the other requests of the process are not held up by a big list.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from api.policy import Action, may_at_all
from api.viewer import Role, Viewer
from graph.core.db import Graph
from graph.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    GraphUnavailable,
    InvalidInput,
    NotFound,
)
from graph.core.settings import Settings
from graph.imports import batches
from graph.reports.gaps import GapKind
from graph.reports.ranking import RankingMetric
from spreadsheets import exports, service
from spreadsheets.columns import ImportKind
from spreadsheets.files import ENCODINGS, Limits
from spreadsheets.templates import template_csv, template_xlsx

router = APIRouter(tags=["imports and exports"])

XLSX = exports.MEDIA_TYPES[exports.ExportFormat.XLSX]
CSV = exports.MEDIA_TYPES[exports.ExportFormat.CSV]


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _viewer(request: Request) -> Viewer:
    """The caller, from the bearer token, verified as for GraphQL (api/auth.py)."""
    viewer: Viewer = await request.app.state.verifier.viewer(request.headers.get("authorization"))
    return viewer


# What importing a kind of list amounts to, in api/policy.py's terms.
IMPORT_ACTIONS = {
    ImportKind.TEAMS: Action.CREATE_TEAM,
    ImportKind.MEMBERS: Action.ADD_TEAM_MEMBER,
    ImportKind.FOCAL_POINTS: Action.ASSIGN_FOCAL_POINT,
    ImportKind.ACTIVITIES: Action.REPORT_ACTIVITY,
    ImportKind.ORGANISATIONS: Action.CREATE_ORGANISATION,
}


def import_scope(viewer: Viewer, kind: ImportKind | None = None) -> str | None:
    """The current province code a viewer may import into; None: anywhere (national).

    The role must be allowed the kind's action by the policy; on top of it, a list is a
    province's, so only national and provincial coordinators import, and a provincial one only
    into their province: each row is then checked against it (``spreadsheets``), there being no
    single node to hand to ``policy.covers``.
    """
    if kind is not None and not may_at_all(viewer, IMPORT_ACTIONS[kind]):
        raise Forbidden(f"import {kind.value}")
    if viewer.role is Role.NATIONAL_COORDINATOR:
        return None
    if viewer.role is Role.PROVINCIAL_COORDINATOR and viewer.province_key:
        return viewer.province_key.rsplit(":", 1)[-1]
    raise Forbidden("import lists (national or provincial coordinators only)")


GraphDep = Annotated[Graph, Depends(_graph)]
ViewerDep = Annotated[Viewer, Depends(_viewer)]


def _error(error: DomainError) -> JSONResponse:
    if isinstance(error, GraphUnavailable):
        raise error  # the app's handler: 503 with Retry-After, as on every route
    status = {Forbidden: 403, NotFound: 404, Conflict: 409, InvalidInput: 422}.get(type(error), 400)
    return JSONResponse({"error": str(error)}, status_code=status)


class _Refused(Exception):
    """An upload refused before or while its body is read; the answer says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.reason}, status_code=self.status)


class _TooLarge(MultiPartException):
    """The streamed body passed the limit. A MultiPartException, so that starlette's parser
    closes the part it was spooling to a temporary file before passing it on."""


def _too_large(limit: int) -> str:
    return (
        f"the upload is larger than {limit:,} bytes ({limit / 2**20:g} MB), the most this "
        "server accepts (CDS_IMPORT_MAX_BYTES): split the list"
    )


async def _receive(request: Request, settings: Settings) -> service.Upload:
    """The multipart form's ``file`` and ``encoding``, read now, after the caller's role was
    checked (the endpoints take no form parameters, which FastAPI would read before any
    dependency), and never more than ``import_max_bytes`` of it."""
    limit = settings.import_max_bytes
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _Refused(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise _Refused(413, _too_large(limit))
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _Refused(415, "send the file as multipart/form-data, in a field named 'file'")

    async def body() -> AsyncGenerator[bytes, None]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:  # a chunked body, or a Content-Length that lied
                raise _TooLarge(_too_large(limit))
            yield chunk

    parser = MultiPartParser(request.headers, body(), max_files=1, max_fields=2)
    try:
        form = await parser.parse()
    except _TooLarge as error:
        raise _Refused(413, error.message) from None
    except MultiPartException as error:
        raise _Refused(400, f"not a readable multipart form: {error.message}") from None
    except ClientDisconnect:
        raise _Refused(400, "the upload was interrupted") from None
    try:
        file, encoding = form.get("file"), form.get("encoding") or None
        if not isinstance(file, UploadFile):
            raise _Refused(422, "the form has no file: send it in a field named 'file'")
        if encoding is not None and encoding not in ENCODINGS:
            raise _Refused(422, f"encoding must be one of {', '.join(ENCODINGS)}")
        data = await file.read()
        return service.Upload(data, file.filename or "upload", encoding)
    finally:
        await form.close()


def _limits(settings: Settings) -> Limits:
    return Limits.for_rows(settings.import_max_rows)


async def _json(content: Callable[[], Any], status: int = 200) -> Response:
    """JSON built and encoded in a worker thread: a report can list 100,000 problems."""
    return await asyncio.to_thread(lambda: JSONResponse(content(), status_code=status))


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/imports/templates/{kind}.{fmt}", summary="A blank import template")
async def template(kind: ImportKind, fmt: exports.ExportFormat) -> Response:
    if fmt is exports.ExportFormat.CSV:
        return _attachment(template_csv(kind), f"{kind.value}.csv", CSV)
    return _attachment(template_xlsx(kind), f"{kind.value}.xlsx", XLSX)


# The form is read by hand (_receive), so it is described to OpenAPI here.
UPLOAD_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": ".xlsx or .csv, up to CDS_IMPORT_MAX_BYTES",
                        },
                        "encoding": {
                            "type": "string",
                            "enum": list(ENCODINGS),
                            "description": "CSV only (default: detected)",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/imports/{kind}/dry-run",
    summary="Check a file, write nothing: every problem as (sheet, row, column, value, reason)",
    openapi_extra=UPLOAD_FORM,
)
async def dry_run(
    kind: ImportKind,
    request: Request,
    graph: GraphDep,
    viewer: ViewerDep,
    fmt: Annotated[
        exports.ExportFormat | None,
        Query(alias="format", description="xlsx: the file back with its problems marked"),
    ] = None,
) -> Response:
    settings = _settings(request)
    try:
        scope = import_scope(viewer, kind)
        upload = await _receive(request, settings)
    except DomainError as error:
        return _error(error)
    except _Refused as refused:
        return refused.response()
    limits = _limits(settings)
    report = await service.dry_run(graph, upload, kind, scope=scope, limits=limits)
    if fmt is exports.ExportFormat.XLSX:
        name = f"{report.file_name.rsplit('.', 1)[0]}-kiem-tra.xlsx"
        marked = await asyncio.to_thread(service.report_xlsx, upload, report, limits)
        return _attachment(marked, name, XLSX)
    return await _json(report.as_json)


def _batch(b: batches.BatchRecord) -> dict[str, Any]:
    return {
        "id": b.id,
        "fileName": b.file_name,
        "fileHash": b.file_hash,
        "kind": b.kind,
        "rows": b.rows,
        "changed": b.changed,
        "importedBy": b.imported_by,
        "scope": b.scope,
        "at": b.at.isoformat(),
        "status": b.status.value,
    }


@router.post(
    "/imports/{kind}/apply",
    summary="Import a file with no problems as one batch; a file with any problem writes nothing",
    status_code=201,
    openapi_extra=UPLOAD_FORM,
)
async def apply(kind: ImportKind, request: Request, graph: GraphDep, viewer: ViewerDep) -> Response:
    settings = _settings(request)
    try:
        scope = import_scope(viewer, kind)
        upload = await _receive(request, settings)
        batch = await service.apply(
            graph,
            upload,
            kind,
            scope=scope,
            imported_by=viewer.subject,
            limits=_limits(settings),
        )
    except _Refused as refused:
        return refused.response()
    except service.ImportRefused as refused:
        return await _json(refused.report.as_json, 422)
    except DomainError as error:
        return _error(error)
    return JSONResponse(_batch(batch), status_code=201)


@router.get("/imports/batches", summary="Import batches, newest first")
async def list_batches(
    graph: GraphDep,
    viewer: ViewerDep,
    first: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    try:
        scope = import_scope(viewer)
    except DomainError as error:
        return _error(error)
    found = await graph.read(batches.list_batches, scope, first)
    return JSONResponse([_batch(b) for b in found])


@router.get(
    "/imports/batches/{batch_id}/changes",
    summary="What a batch created or updated, each with its row in the file",
)
async def batch_changes(batch_id: str, graph: GraphDep, viewer: ViewerDep) -> Response:
    try:
        scope = import_scope(viewer)
    except DomainError as error:
        return _error(error)
    visible = {b.id for b in await graph.read(batches.list_batches, scope, 10_000)}
    if batch_id not in visible:
        return _error(NotFound("ImportBatch", batch_id))
    found = await graph.read(batches.batch_changes, batch_id)
    return JSONResponse(
        [
            {
                "entity": c.entity.value,
                "id": c.id,
                "row": c.row,
                "action": c.action,
                "teamId": c.team_id,
            }
            for c in found
        ]
    )


@router.get(
    "/exports/{report}.{fmt}",
    summary="Coverage report, gap list or province ranking as CSV or .xlsx, for a scope and date",
)
async def export(
    report: exports.ExportKind,
    fmt: exports.ExportFormat,
    request: Request,
    graph: GraphDep,
    # Exports are public, but a token that does not verify is a 401 as everywhere (not anonymous).
    _viewer: ViewerDep,
    scope: Annotated[str | None, Query(description="province or (before 2025) district")] = None,
    as_of: Annotated[dt.date | None, Query(alias="asOf")] = None,
    gap: GapKind = GapKind.COMMUNE_WITHOUT_TEAM,
    metric: RankingMetric = RankingMetric.TEAM_COVERAGE,
) -> Response:
    settings = _settings(request)
    wanted = exports.ExportRequest(
        kind=report,
        format=fmt,
        scope_code=scope,
        as_of=as_of or dt.date.today(),
        gap_kind=gap,
        metric=metric,
        team_min_size=settings.team_min_size,
        team_min_size_by_province=tuple(sorted(settings.team_min_size_by_province.items())),
    )
    try:
        file = await exports.export(graph, wanted)
    except DomainError as error:
        return _error(error)
    return _attachment(file.data, file.file_name, file.media_type)
