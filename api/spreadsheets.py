"""REST endpoints for spreadsheets: import templates, dry-run and apply of a province's list
(multipart upload), import batches and what they changed, and exports of coverage reports, gap
lists and rankings as CSV/.xlsx.

Imports are for coordinators: a national coordinator imports anywhere; a provincial coordinator
only into their province, where a row outside it is a problem of the file (``import_scope``).
Exports show what GraphQL ``coverage``, ``coverageGaps`` and ``provinceRanking`` show anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.policy import Action, may_at_all
from api.viewer import Role, Viewer
from graph.core.db import Graph
from graph.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from graph.core.settings import Settings
from graph.imports import batches
from graph.reports.gaps import GapKind
from graph.reports.ranking import RankingMetric
from spreadsheets import exports, service
from spreadsheets.columns import ImportKind
from spreadsheets.files import ENCODINGS
from spreadsheets.templates import template_csv, template_xlsx

router = APIRouter(tags=["imports and exports"])

MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # a 100,000-row list is ~10 MB as CSV, less as .xlsx
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
    status = {Forbidden: 403, NotFound: 404, Conflict: 409, InvalidInput: 422}.get(type(error), 400)
    return JSONResponse({"error": str(error)}, status_code=status)


async def _upload(file: UploadFile, encoding: str | None) -> service.Upload:
    if encoding is not None and encoding not in ENCODINGS:
        raise HTTPException(422, f"encoding must be one of {', '.join(ENCODINGS)}")
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"files up to {MAX_UPLOAD_BYTES // 2**20} MB")
    return service.Upload(data, file.filename or "upload", encoding)


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


UploadField = Annotated[UploadFile, File(description=".xlsx or .csv")]
EncodingField = Annotated[
    str | None, Form(description="CSV only: utf-8, utf-8-sig or cp1258 (default: detected)")
]


@router.post(
    "/imports/{kind}/dry-run",
    summary="Check a file, write nothing: every problem as (sheet, row, column, value, reason)",
)
async def dry_run(
    kind: ImportKind,
    graph: GraphDep,
    viewer: ViewerDep,
    file: UploadField,
    encoding: EncodingField = None,
    fmt: Annotated[
        exports.ExportFormat | None,
        Query(alias="format", description="xlsx: the file back with its problems marked"),
    ] = None,
) -> Response:
    try:
        scope = import_scope(viewer, kind)
    except DomainError as error:
        return _error(error)
    upload = await _upload(file, encoding)
    report = await service.dry_run(graph, upload, kind, scope=scope)
    if fmt is exports.ExportFormat.XLSX:
        name = f"{report.file_name.rsplit('.', 1)[0]}-kiem-tra.xlsx"
        return _attachment(service.report_xlsx(upload, report), name, XLSX)
    return JSONResponse(report.as_json())


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
)
async def apply(
    kind: ImportKind,
    graph: GraphDep,
    viewer: ViewerDep,
    file: UploadField,
    encoding: EncodingField = None,
) -> Response:
    try:
        scope = import_scope(viewer, kind)
        upload = await _upload(file, encoding)
        batch = await service.apply(graph, upload, kind, scope=scope, imported_by=viewer.subject)
    except service.ImportRefused as refused:
        return JSONResponse(refused.report.as_json(), status_code=422)
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
