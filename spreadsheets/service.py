"""Dry-run and apply: the two things the CLI and the REST endpoints do with an uploaded file.

``dry_run`` reads the file, checks every row (``rows``) and what only the graph can tell (the
team a member joins exists, the organisation named is one and only one, a phone is not another
person's), writes nothing, and returns the report plus the rows ready to write. ``apply`` runs
the same dry run, refuses the file if it has any problem, then writes it in chunks as one import
batch (``graph/imports/batches.py`` explains how a failed batch is undone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graph.core.db import Graph, Tx
from graph.core.model import DecisionKind, Era, UnitLevel, unit_key
from graph.core.text import fold
from graph.imports import apply as chunks
from graph.imports import batches as imports
from graph.imports.apply import (
    AnyImport,
    DecisionImport,
    FocalPointImport,
    MemberImport,
    TeamImport,
)
from graph.imports.batches import BatchInput, BatchRecord
from graph.network.organisations import organisations_by_id_or_name
from graph.network.people import people_by_phone
from graph.network.teams import teams_by_name
from graph.units import admin_units
from graph.units.scopes import Kind, placements
from spreadsheets.addresses import name_key
from spreadsheets.columns import ImportKind
from spreadsheets.files import FileError, Table, read_sheet, to_xlsx
from spreadsheets.rows import (
    Code,
    DecisionRef,
    FocalPointRow,
    MemberRow,
    Parsed,
    Problem,
    TeamRow,
    is_header,
    parse_rows,
)

# Rows per write transaction: big enough that a 100,000-row file is ~20 round trips of work,
# small enough that one transaction's changes stay a few megabytes in Neo4j's heap.
CHUNK_ROWS = 5_000

Progress = Callable[[int, int], None]  # (rows written, rows in the file)


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    file_name: str
    encoding: str | None = None  # CSV only; None: UTF-8 (with or without BOM), else CP1258

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Report:
    kind: ImportKind
    file_name: str
    file_hash: str
    sheet: str
    rows: int
    problems: list[Problem]
    plan: list[AnyImport] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "fileName": self.file_name,
            "fileHash": self.file_hash,
            "sheet": self.sheet,
            "rows": self.rows,
            "validRows": len(self.plan),
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
        }


class ImportRefused(Exception):
    """apply was given a file with problems: nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"{len(report.problems)} problem(s) in {report.file_name}: nothing written"
        )
        self.report = report


# ---------------------------------------------------------------------------------------------
# What only the graph knows


def _org_key(name: str) -> str:
    """Organisations are written "Ủy ban nhân dân …" in the registry and "UBND …" in sheets."""
    folded = fold(name)
    return "uy ban nhan dan " + folded[5:] if folded.startswith("ubnd ") else folded


@dataclass(frozen=True, slots=True)
class _Org:
    id: str
    province: str | None  # current province code
    active: bool


OUTSIDE_PROVINCE = (
    "this phone belongs to a person outside your province (no active role in it): only a "
    "coordinator whose scope covers them, or the national coordinator, can add them"
)


class _Checks:
    """The graph look-ups of one file, made once for all its rows."""

    def __init__(self, parsed: Parsed, scope: str | None) -> None:
        self.parsed = parsed
        self.scope = scope
        self.by_id: dict[str, _Org] = {}
        self.by_key: dict[str, list[_Org]] = {}

    def fail(self, row: int, column: str, value: str | None, reason: str, code: str) -> None:
        header = self.parsed.headers.get(column, column)
        self.parsed.problems.append(Problem(self.parsed.sheet, row, header, value, reason, code))

    async def load_organisations(self, tx: Tx, ids: list[str], names: list[str]) -> None:
        keys = [_org_key(n) for n in names]
        for found in await organisations_by_id_or_name(tx, ids, keys, dt.date.today()):
            org = _Org(found.id, found.province_code, found.active)
            self.by_id[org.id] = org
            self.by_key.setdefault(found.search_key, []).append(org)

    def organisation(
        self, row: int, column: str, name: str, province: str | None, *, active: bool
    ) -> _Org | None:
        found = [o for o in self.by_key.get(_org_key(name), []) if o.active or not active]
        if len(found) > 1 and province:
            found = [o for o in found if o.province == province]
        if not found:
            self.fail(row, column, name, "unknown organisation", Code.NOT_FOUND)
            return None
        if len(found) > 1:
            ids = ", ".join(sorted(o.id for o in found))
            self.fail(
                row, column, name, f"ambiguous: several organisations ({ids})", Code.AMBIGUOUS
            )
            return None
        return found[0]

    async def phones(self, tx: Tx, rows: Sequence[MemberRow | FocalPointRow]) -> None:
        """A phone already in the registry must belong to the same name: the file cannot rename
        a person, nor join two people into one."""
        owners = await people_by_phone(tx, {r.phone for r in rows})
        registered = {phone: {p.search_key for p in found} for phone, found in owners.items()}
        outside = await self._outside_scope(tx, [found[0].id for found in owners.values()])
        for row in rows:
            keys = registered.get(row.phone)
            if keys is not None and fold(row.full_name) not in keys:
                self.fail(
                    row.row,
                    "phone",
                    row.phone,
                    "duplicate person: this phone is registered to a person with another name",
                    Code.CONFLICT,
                )
            elif keys is not None and owners[row.phone][0].id in outside:
                # The rule of addTeamMember and assignFocalPoint (graph/network/people.py): a
                # file may not place someone from elsewhere in the importer's province.
                self.fail(row.row, "phone", row.phone, OUTSIDE_PROVINCE, Code.OUT_OF_SCOPE)

    async def _outside_scope(self, tx: Tx, person_ids: list[str]) -> set[str]:
        """The people (matched by phone) that the importer's province does not cover: none for
        a national import."""
        if self.scope is None or not person_ids:
            return set()
        province = unit_key(Era.CURRENT, UnitLevel.PROVINCE, self.scope)
        placed = await placements(tx, Kind.PERSON, person_ids)
        return {i for i in person_ids if i not in placed or province not in placed[i].provinces}


def _decision(
    d: DecisionRef, issuer: _Org | None, default_issuer: str, kind: DecisionKind
) -> DecisionImport:
    return DecisionImport(d.number, d.date, issuer.id if issuer else default_issuer, kind)


async def _check_teams(tx: Tx, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, TeamRow)]
    committees = sorted({f"ubnd-xa-{r.commune.code}" for r in rows})
    issuers = sorted({r.decision.issuer for r in rows if r.decision.issuer})
    await checks.load_organisations(tx, committees, issuers)
    out: list[AnyImport] = []
    for r in rows:
        issuer = None
        if r.decision.issuer:
            issuer = checks.organisation(
                r.row, "decision_issuer", r.decision.issuer, r.commune.province_code, active=False
            )
            if issuer is None:
                continue
        elif f"ubnd-xa-{r.commune.code}" not in checks.by_id:
            checks.fail(
                r.row,
                "decision_issuer",
                None,
                f"no People's Committee of {r.commune.name} in the registry: name the issuer",
                Code.NOT_FOUND,
            )
            continue
        out.append(
            TeamImport(
                r.row,
                r.commune.key,
                r.commune.legacy_key,
                r.name,
                r.level,
                r.village_name,
                r.village_kind,
                r.since,
                _decision(
                    r.decision,
                    issuer,
                    f"ubnd-xa-{r.commune.code}",
                    DecisionKind.TEAM_ESTABLISHMENT,
                ),
            )
        )
    return out


async def _check_members(tx: Tx, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, MemberRow)]
    teams = await teams_by_name(tx, {(r.commune.key, fold(r.team_name)) for r in rows})
    await checks.phones(tx, rows)
    out: list[AnyImport] = []
    for r in rows:
        found = teams.get((r.commune.key, fold(r.team_name)), [])
        if len(found) != 1:
            reason = (
                f"no team of that name in {r.commune.name}: import the team first"
                if not found
                else f"several teams of that name in {r.commune.name}"
            )
            checks.fail(r.row, "team_name", r.team_name, reason, Code.NOT_FOUND)
            continue
        team = found[0]
        out.append(
            MemberImport(
                r.row,
                team.id,
                team.since,
                r.full_name,
                r.phone,
                r.role,
                r.home,
                r.since,
            )
        )
    return out


async def _check_focal_points(tx: Tx, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, FocalPointRow)]
    ids = sorted({r.organisation_id for r in rows if r.organisation_id})
    names = sorted({r.organisation for r in rows} | {r.decision.issuer or "" for r in rows})
    await checks.load_organisations(tx, ids, names)
    provinces = _province_codes()
    await checks.phones(tx, rows)
    out: list[AnyImport] = []
    for r in rows:
        province = provinces.get(fold(r.province)) if r.province else None
        if r.organisation_id:
            org = checks.by_id.get(r.organisation_id)
            if org is None:
                checks.fail(
                    r.row,
                    "organisation_id",
                    r.organisation_id,
                    "unknown organisation",
                    Code.NOT_FOUND,
                )
                continue
        else:
            org = checks.organisation(r.row, "organisation", r.organisation, province, active=True)
            if org is None:
                continue
        if scope is not None and org.province != scope:
            checks.fail(
                r.row,
                "organisation",
                r.organisation,
                f"the organisation is in province {org.province or 'none (central)'}, "
                f"outside your province {scope}",
                Code.OUT_OF_SCOPE,
            )
            continue
        issuer = None
        if r.decision.issuer:
            issuer = checks.organisation(
                r.row, "decision_issuer", r.decision.issuer, org.province, active=False
            )
            if issuer is None:
                continue
        decision = _decision(r.decision, issuer, org.id, DecisionKind.FOCAL_POINT_ASSIGNMENT)
        out.append(
            FocalPointImport(
                r.row, org.id, r.full_name, r.phone, r.title, r.mode, r.since, decision
            )
        )
    return out


@cache
def _province_codes() -> dict[str, str]:
    """Current province names, folded, with and without their type → code."""
    out: dict[str, str] = {}
    for u in admin_units.current_units():
        if u.level == "PROVINCE":
            out[fold(u.name)] = out[name_key(u.name)] = u.code
    return out


_CHECKS = {
    ImportKind.TEAMS: _check_teams,
    ImportKind.MEMBERS: _check_members,
    ImportKind.FOCAL_POINTS: _check_focal_points,
}


async def dry_run(
    graph: Graph,
    upload: Upload,
    kind: ImportKind,
    *,
    scope: str | None,
    today: dt.date | None = None,
) -> Report:
    """Every problem of the file, and the rows ready to write when there is none. ``scope``: the
    current province code the importer is bound to (None: national)."""
    name = upload.file_name.rsplit("/", 1)[-1]
    try:
        sheet = read_sheet(upload.data, name, is_header(kind), encoding=upload.encoding)
    except FileError as error:
        problem = Problem(name, 0, "", None, str(error), "UNREADABLE_FILE")
        return Report(kind, name, upload.sha256, name, 0, [problem])
    parsed = parse_rows(kind, sheet, scope, today or dt.date.today())
    del sheet  # the cells of a big file are not needed any more
    plan: list[AnyImport] = []
    if parsed.rows:
        plan = await graph.read(_CHECKS[kind], parsed, scope)
    problems = sorted(parsed.problems, key=lambda p: (p.row, p.column))
    if not parsed.total_rows:
        problems.append(
            Problem(parsed.sheet, 0, "", None, "the file has no data rows", "EMPTY_FILE")
        )
    return Report(
        kind,
        name,
        upload.sha256,
        parsed.sheet,
        parsed.total_rows,
        problems,
        [] if problems else plan,
    )


async def rollback(graph: Graph, batch_id: str, chunk_rows: int = CHUNK_ROWS) -> BatchRecord:
    """Undo a batch's changes (compensation), chunk by chunk, and mark it ROLLED_BACK."""
    for entity in imports.UNDO_ORDER:
        while await graph.write(imports.undo_chunk, batch_id, entity, chunk_rows):
            pass
    return await graph.write(imports.mark_rolled_back, batch_id)


async def apply(
    graph: Graph,
    upload: Upload,
    kind: ImportKind,
    *,
    scope: str | None,
    imported_by: str | None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    report: Report | None = None,
) -> BatchRecord:
    """Write a file with no problems as one batch, or raise ImportRefused having written
    nothing. ``report``: a dry run of this same upload already made (the CLI shows it first)."""
    if report is None or report.file_hash != upload.sha256:
        report = await dry_run(graph, upload, kind, scope=scope)
    if not report.ok:
        raise ImportRefused(report)
    batch = BatchInput(
        uuid.uuid4().hex,
        report.file_hash,
        report.file_name,
        kind.value,
        report.rows,
        imported_by,
        scope,
    )
    await graph.write(imports.begin, batch)
    done = 0
    try:
        for start in range(0, len(report.plan), chunk_rows):
            chunk = report.plan[start : start + chunk_rows]
            await graph.write(chunks.apply_chunk, batch.id, chunk)
            done += len(chunk)
            if progress:
                progress(done, len(report.plan))
        return await graph.write(imports.finish, batch.id)
    except BaseException:
        # Whatever stopped us (Neo4j gone, Ctrl-C), what was written must go.
        await rollback(graph, batch.id, chunk_rows)
        raise


def report_xlsx(upload: Upload, report: Report) -> bytes:
    """The uploaded sheet again, every problem cell filled and commented, a "Loi" column with
    the row's reasons, and a sheet listing the problems (sheet, row, column, value, reason)."""
    listing = Table(
        "Loi",
        ["Trang tính", "Dòng", "Cột", "Giá trị", "Lý do", "Mã lỗi"],
        [[p.sheet, p.row, p.column, p.value, p.reason, p.code] for p in report.problems],
        widths=[16, 8, 20, 30, 70, 20],
    )
    try:
        sheet = read_sheet(
            upload.data, report.file_name, is_header(report.kind), encoding=upload.encoding
        )
    except FileError:
        return to_xlsx([listing])
    position = {h: i for i, h in enumerate(sheet.headers) if h}
    by_row: dict[int, list[Problem]] = {}
    for p in report.problems:
        by_row.setdefault(p.row, []).append(p)
    width = len(sheet.headers)
    rows: list[list[Any]] = []
    marks: dict[tuple[int, int], str] = {}
    for index, (number, cells) in enumerate(sheet.rows):
        found = by_row.get(number, [])
        rows.append([*cells, *[None] * (width - len(cells)), "; ".join(p.reason for p in found)])
        for p in found:
            column = position.get(p.column, width)
            marks[(index, column)] = f"{p.column}: {p.reason}"
    marked = Table(sheet.name, [*(h or "" for h in sheet.headers), "Lỗi"], rows, marks)
    return to_xlsx([marked, listing])
