"""Dry-run and apply: the two things the CLI and the REST endpoints do with an uploaded file.

``dry_run`` reads the file, checks every row (``rows``) and what only the graph can tell (the
team a member joins exists, the organisation named is one and only one, a phone is not another
person's), writes nothing, and returns the report plus the rows ready to write. ``apply`` runs
the same dry run, refuses the file if it has any problem, then writes it in chunks as one import
batch (``graph/imports.py`` explains how a failed batch is undone).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ParamSpec, TypeVar

from graph import imports
from graph.db import Graph, Tx, run
from graph.imports import (
    AnyImport,
    BatchInput,
    BatchRecord,
    DecisionImport,
    FocalPointImport,
    MemberImport,
    TeamImport,
)
from graph.model import DecisionKind
from graph.records import native
from graph.text import fold
from seed import admin_units
from seed.imports.addresses import name_key
from seed.imports.columns import ImportKind
from seed.imports.files import DEFAULT_LIMITS, FileError, Limits, Table, read_sheet, to_xlsx
from seed.imports.rows import (
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
# Off the event loop


class _CollectorPause:
    """The cyclic garbage collector paused while a big file is read and checked.

    The steps that walk every row run in a worker thread, but the collector runs in whichever
    thread allocates, holding the GIL: as a 100,000-row file builds up its ~10⁶ objects, each
    generation-2 pass rescans them all, and bench/upload_latency.py saw the event loop (every
    other request of the process) stall up to 0.7 s in them. So while any step runs the
    collector is off (reference counting still frees everything that is not a cycle); when the
    last one ends, what is alive is frozen (gc.freeze: ignored by later passes) and the
    collector is on again; ``thaw`` hands it back to the collector once no file is being read.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = True

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    gc.freeze()
                    if self._was_enabled:
                        gc.enable()

    def thaw(self) -> None:
        with self._lock:
            if self._running == 0:
                gc.unfreeze()


_COLLECTOR = _CollectorPause()


_P = ParamSpec("_P")
_T = TypeVar("_T")


async def _off_loop(step: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``step`` in a worker thread, the collector paused."""

    def run() -> _T:
        with _COLLECTOR.paused():
            return step(*args, **kwargs)

    return await asyncio.to_thread(run)


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


async def _organisations(tx: Tx, ids: list[str], keys: list[str], today: dt.date) -> list[Any]:
    """Organisations by id or by folded name, with the current province each is in (legacy
    units are followed across the reform)."""
    return await run(
        tx,
        """
        MATCH (o:Organisation) WHERE o.id IN $ids OR o.searchKey IN $keys
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(:AdministrativeUnit)-[:PART_OF*0..3]->
              (:AdministrativeUnit {level: 'PROVINCE'})-[:SUCCEEDED_BY*0..1]->
              (p:AdministrativeUnit {level: 'PROVINCE', era: 'CURRENT'})
        RETURN o.id AS id, o.searchKey AS key, min(p.code) AS province,
               (o.validTo IS NULL OR o.validTo >= $today) AS active
        """,
        ids=ids,
        keys=keys,
        today=today,
    )


class _Checks:
    """The graph look-ups of one file, made once for all its rows. Only the look-ups run in the
    transaction, on the event loop; what comes before and after them walks every row, so it runs
    in a worker thread (``_off_loop``), where a 100,000-row file takes seconds."""

    def __init__(self, parsed: Parsed, scope: str | None) -> None:
        self.parsed = parsed
        self.scope = scope
        self.by_id: dict[str, _Org] = {}
        self.by_key: dict[str, list[_Org]] = {}
        self._folded: dict[str, str] = {}

    def fold(self, text: str) -> str:
        """``fold``, once per distinct text: a list repeats its team names on every row."""
        folded = self._folded.get(text)
        if folded is None:
            folded = self._folded[text] = fold(text)
        return folded

    def fail(self, row: int, column: str, value: str | None, reason: str, code: str) -> None:
        header = self.parsed.headers.get(column, column)
        self.parsed.problems.append(Problem(self.parsed.sheet, row, header, value, reason, code))

    def add_organisations(self, records: list[Any]) -> None:
        for r in records:
            org = _Org(r["id"], r["province"], bool(r["active"]))
            self.by_id[org.id] = org
            self.by_key.setdefault(r["key"], []).append(org)

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

    def phones(self, rows: Sequence[MemberRow | FocalPointRow], records: list[Any]) -> None:
        """A phone already in the registry must belong to the same name: the file cannot rename
        a person, nor join two people into one. ``records``: ``_registered_phones``."""
        registered = {r["phone"]: set(r["keys"]) for r in records}
        for row in rows:
            keys = registered.get(row.phone)
            if keys is not None and self.fold(row.full_name) not in keys:
                self.fail(
                    row.row,
                    "phone",
                    row.phone,
                    "duplicate person: this phone is registered to a person with another name",
                    Code.CONFLICT,
                )


async def _registered_phones(tx: Tx, phones: list[str]) -> list[Any]:
    return await run(
        tx,
        "UNWIND $phones AS phone MATCH (p:Person {phone: phone}) "
        "RETURN phone, collect(p.searchKey) AS keys",
        phones=phones,
    )


def _decision(
    d: DecisionRef, issuer: _Org | None, default_issuer: str, kind: DecisionKind
) -> DecisionImport:
    return DecisionImport(d.number, d.date, issuer.id if issuer else default_issuer, kind)


async def _check_teams(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, TeamRow)]

    def lookups() -> tuple[list[str], list[str]]:
        committees = sorted({f"ubnd-xa-{r.commune.code}" for r in rows})
        issuers = {r.decision.issuer for r in rows if r.decision.issuer}
        return committees, sorted({_org_key(n) for n in issuers})

    committees, issuer_keys = await _off_loop(lookups)
    checks.add_organisations(
        await graph.read(_organisations, committees, issuer_keys, dt.date.today())
    )
    return await _off_loop(_match_teams, checks, rows)


def _match_teams(checks: _Checks, rows: list[TeamRow]) -> list[AnyImport]:
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


async def _member_lookups(
    tx: Tx, keys: list[tuple[str, str]], phones: list[str]
) -> tuple[list[Any], list[Any]]:
    teams = await run(
        tx,
        "UNWIND $keys AS k MATCH (:AdministrativeUnit {key: k[0]})<-[:OPERATES_IN]-"
        "(t:CommunityTechTeam) WHERE t.searchKey = k[1] "
        "RETURN k, collect(t {.id, .since, .until}) AS teams",
        keys=keys,
    )
    return teams, await _registered_phones(tx, phones)


async def _check_members(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, MemberRow)]

    def lookups() -> tuple[list[tuple[str, str]], list[str]]:
        keys = sorted({(r.commune.key, checks.fold(r.team_name)) for r in rows})
        return keys, sorted({r.phone for r in rows})

    keys, phones = await _off_loop(lookups)
    teams, registered = await graph.read(_member_lookups, keys, phones)
    return await _off_loop(_match_members, checks, rows, teams, registered)


def _match_members(
    checks: _Checks, rows: list[MemberRow], records: list[Any], registered: list[Any]
) -> list[AnyImport]:
    teams = {(r["k"][0], r["k"][1]): r["teams"] for r in records}
    checks.phones(rows, registered)
    out: list[AnyImport] = []
    for r in rows:
        found = teams.get((r.commune.key, checks.fold(r.team_name)), [])
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
                team["id"],
                native(team["since"]),
                r.full_name,
                r.phone,
                r.role,
                r.home,
                r.since,
            )
        )
    return out


async def _focal_point_lookups(
    tx: Tx, ids: list[str], keys: list[str], phones: list[str]
) -> tuple[list[Any], list[Any]]:
    organisations = await _organisations(tx, ids, keys, dt.date.today())
    return organisations, await _registered_phones(tx, phones)


async def _check_focal_points(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, FocalPointRow)]

    def lookups() -> tuple[list[str], list[str], list[str]]:
        ids = sorted({r.organisation_id for r in rows if r.organisation_id})
        names = {r.organisation for r in rows} | {r.decision.issuer or "" for r in rows}
        return ids, sorted({_org_key(n) for n in names}), sorted({r.phone for r in rows})

    ids, keys, phones = await _off_loop(lookups)
    organisations, registered = await graph.read(_focal_point_lookups, ids, keys, phones)
    checks.add_organisations(organisations)
    return await _off_loop(_match_focal_points, checks, rows, registered)


def _match_focal_points(
    checks: _Checks, rows: list[FocalPointRow], registered: list[Any]
) -> list[AnyImport]:
    scope = checks.scope
    provinces = _province_codes()
    checks.phones(rows, registered)
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


def _read_and_parse(
    upload: Upload, name: str, kind: ImportKind, scope: str | None, today: dt.date, limits: Limits
) -> Parsed:
    sheet = read_sheet(upload.data, name, is_header(kind), encoding=upload.encoding, limits=limits)
    return parse_rows(kind, sheet, scope, today)


def _report(
    kind: ImportKind, name: str, upload: Upload, parsed: Parsed, plan: list[AnyImport]
) -> Report:
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


async def dry_run(
    graph: Graph,
    upload: Upload,
    kind: ImportKind,
    *,
    scope: str | None,
    today: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Every problem of the file, and the rows ready to write when there is none. ``scope``: the
    current province code the importer is bound to (None: national).

    Reading and checking rows is seconds of CPU for a big file, so it runs in a worker thread
    and the event loop (the API's other requests) only runs the graph look-ups. A thread, not a
    process: bench/upload_latency.py measures what this leaves for the other requests."""
    name = upload.file_name.rsplit("/", 1)[-1]
    try:
        try:
            parsed = await _off_loop(
                _read_and_parse, upload, name, kind, scope, today or dt.date.today(), limits
            )
        except FileError as error:
            problem = Problem(name, error.row, error.column, error.value, error.reason, error.code)
            digest = await asyncio.to_thread(lambda: upload.sha256)
            return Report(kind, name, digest, name, 0, [problem])
        plan: list[AnyImport] = []
        if parsed.rows:
            plan = await _CHECKS[kind](graph, parsed, scope)
        return await _off_loop(_report, kind, name, upload, parsed, plan)
    finally:
        _COLLECTOR.thaw()


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
    limits: Limits = DEFAULT_LIMITS,
) -> BatchRecord:
    """Write a file with no problems as one batch, or raise ImportRefused having written
    nothing. ``report``: a dry run of this same upload already made (the CLI shows it first)."""
    if report is None or report.file_hash != await asyncio.to_thread(lambda: upload.sha256):
        report = await dry_run(graph, upload, kind, scope=scope, limits=limits)
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
            await graph.write(imports.apply_chunk, batch.id, chunk)
            done += len(chunk)
            if progress:
                progress(done, len(report.plan))
        return await graph.write(imports.finish, batch.id)
    except BaseException:
        # Whatever stopped us (Neo4j gone, Ctrl-C), what was written must go.
        await rollback(graph, batch.id, chunk_rows)
        raise


def report_xlsx(upload: Upload, report: Report, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The uploaded sheet again, every problem cell filled and commented, a "Loi" column with
    the row's reasons, and a sheet listing the problems (sheet, row, column, value, reason).
    Seconds of CPU for a big file: the API calls it in a worker thread."""
    listing = Table(
        "Loi",
        ["Trang tính", "Dòng", "Cột", "Giá trị", "Lý do", "Mã lỗi"],
        [[p.sheet, p.row, p.column, p.value, p.reason, p.code] for p in report.problems],
        widths=[16, 8, 20, 30, 70, 20],
    )
    try:
        sheet = read_sheet(
            upload.data,
            report.file_name,
            is_header(report.kind),
            encoding=upload.encoding,
            limits=limits,
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
