"""What only the graph knows about a file's rows: the organisations, teams and people they name,
looked up once per file in one read transaction; the per-row matching runs off the event loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from graph.activity.reports import NewActivityReport, check_report
from graph.core.db import Graph, Tx
from graph.core.model import DecisionKind, Era, UnitLevel, unit_key
from graph.core.text import fold
from graph.core.validation import Checker
from graph.imports.apply import (
    ActivityImport,
    AnyImport,
    DecisionImport,
    FocalPointImport,
    MemberImport,
    OrganisationImport,
    TeamImport,
)
from graph.imports.batches import new_id
from graph.network.organisations import (
    OrganisationMatch,
    organisations_at,
    organisations_by_id_or_name,
)
from graph.network.people import people_by_phone
from graph.network.teams import NamedTeam, teams_by_name
from graph.units import admin_units
from graph.units.scopes import Kind, placements
from spreadsheets.addresses import Commune, name_key
from spreadsheets.offloop import off_loop
from spreadsheets.rows import (
    ActivityRow,
    Code,
    DecisionRef,
    FocalPointRow,
    MemberRow,
    OrganisationRow,
    Parsed,
    Problem,
    TeamRow,
)


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


@dataclass(frozen=True, slots=True)
class _Phones:
    """The people already registered with a file's phones."""

    names: dict[str, set[str]]  # phone → the folded names of the people with it
    # Phones whose person the importer's province does not cover: the rule of addTeamMember and
    # assignFocalPoint (graph/network/people.py), so a file may not place someone from
    # elsewhere in the importer's province either.
    outside: frozenset[str]


async def _registered_phones(tx: Tx, phones: list[str], scope: str | None) -> _Phones:
    owners = await people_by_phone(tx, phones)
    names = {phone: {p.search_key for p in found} for phone, found in owners.items()}
    if scope is None or not owners:
        return _Phones(names, frozenset())
    province = unit_key(Era.CURRENT, UnitLevel.PROVINCE, scope)
    first = {phone: found[0].id for phone, found in owners.items()}  # whom an import links
    placed = await placements(tx, Kind.PERSON, first.values())
    outside = frozenset(
        phone
        for phone, person in first.items()
        if person not in placed or province not in placed[person].provinces
    )
    return _Phones(names, outside)


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

    def add_organisations(self, found: list[OrganisationMatch]) -> None:
        for match in found:
            org = _Org(match.id, match.province_code, match.active)
            self.by_id[org.id] = org
            self.by_key.setdefault(match.search_key, []).append(org)

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

    def team(
        self,
        teams: dict[tuple[str, str], list[NamedTeam]],
        row: int,
        commune: Commune,
        name: str,
        hint: str = "",
    ) -> NamedTeam | None:
        """The one team of that name in the commune; else the row fails (``hint``: what to do
        when there is none)."""
        found = teams.get((commune.key, self.fold(name)), [])
        if len(found) == 1:
            return found[0]
        reason = (
            f"no team of that name in {commune.name}{hint}"
            if not found
            else f"several teams of that name in {commune.name}"
        )
        self.fail(row, "team_name", name, reason, Code.NOT_FOUND)
        return None

    def phones(self, rows: Sequence[MemberRow | FocalPointRow], registered: _Phones) -> None:
        """A phone already in the registry must belong to a person in the importer's scope, and
        to the same name: the file cannot rename a person, nor join two people into one.

        Outside the scope, the answer is OUT_OF_SCOPE whatever name the row gives, and no
        problem ever names the other person: else a dry-run would tell a coordinator whether a
        guessed name is that of someone they do not cover (no problem, or CONFLICT). That the
        phone is someone's they do learn: a coordinator is not the public, and needs it to
        know why the row cannot be applied (and not to register the person twice)."""
        for row in rows:
            keys = registered.names.get(row.phone)
            if row.phone in registered.outside:
                self.fail(row.row, "phone", row.phone, OUTSIDE_PROVINCE, Code.OUT_OF_SCOPE)
            elif keys is not None and self.fold(row.full_name) not in keys:
                self.fail(
                    row.row,
                    "phone",
                    row.phone,
                    "duplicate person: this phone is registered to a person with another name",
                    Code.CONFLICT,
                )


def _decision(
    d: DecisionRef, issuer: _Org | None, default_issuer: str, kind: DecisionKind
) -> DecisionImport:
    return DecisionImport(d.number, d.date, issuer.id if issuer else default_issuer, kind)


async def check_teams(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, TeamRow)]

    def lookups() -> tuple[list[str], list[str]]:
        committees = sorted({f"ubnd-xa-{r.commune.code}" for r in rows})
        issuers = {r.decision.issuer for r in rows if r.decision.issuer}
        return committees, sorted({_org_key(n) for n in issuers})

    committees, issuer_keys = await off_loop(lookups)
    checks.add_organisations(
        await graph.read(organisations_by_id_or_name, committees, issuer_keys, dt.date.today())
    )
    return await off_loop(_match_teams, checks, rows)


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
    tx: Tx, keys: list[tuple[str, str]], phones: list[str], scope: str | None
) -> tuple[dict[tuple[str, str], list[NamedTeam]], _Phones]:
    return await teams_by_name(tx, keys), await _registered_phones(tx, phones, scope)


async def check_members(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, MemberRow)]

    def lookups() -> tuple[list[tuple[str, str]], list[str]]:
        keys = sorted({(r.commune.key, checks.fold(r.team_name)) for r in rows})
        return keys, sorted({r.phone for r in rows})

    keys, phones = await off_loop(lookups)
    teams, registered = await graph.read(_member_lookups, keys, phones, scope)
    return await off_loop(_match_members, checks, rows, teams, registered)


def _match_members(
    checks: _Checks,
    rows: list[MemberRow],
    teams: dict[tuple[str, str], list[NamedTeam]],
    registered: _Phones,
) -> list[AnyImport]:
    checks.phones(rows, registered)
    out: list[AnyImport] = []
    for r in rows:
        team = checks.team(teams, r.row, r.commune, r.team_name, ": import the team first")
        if team is None:
            continue
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


async def _focal_point_lookups(
    tx: Tx, ids: list[str], keys: list[str], phones: list[str], scope: str | None
) -> tuple[list[OrganisationMatch], _Phones]:
    organisations = await organisations_by_id_or_name(tx, ids, keys, dt.date.today())
    return organisations, await _registered_phones(tx, phones, scope)


async def check_focal_points(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, FocalPointRow)]

    def lookups() -> tuple[list[str], list[str], list[str]]:
        ids = sorted({r.organisation_id for r in rows if r.organisation_id})
        names = {r.organisation for r in rows} | {r.decision.issuer or "" for r in rows}
        return ids, sorted({_org_key(n) for n in names}), sorted({r.phone for r in rows})

    ids, keys, phones = await off_loop(lookups)
    organisations, registered = await graph.read(_focal_point_lookups, ids, keys, phones, scope)
    checks.add_organisations(organisations)
    return await off_loop(_match_focal_points, checks, rows, registered)


def _match_focal_points(
    checks: _Checks, rows: list[FocalPointRow], registered: _Phones
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


# The mutation's field names, as the file's columns.
_REPORT_COLUMNS = {
    "periodTo": "period_to",
    "peopleHelped": "people_helped",
    "householdsHelped": "households_helped",
    "place": "place",
    "note": "note",
}


async def check_activities(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    """Each row's team exists (by commune and name), and the row keeps the rules of
    ``reportActivity`` (graph/activity/reports.py's ``check_report``) and the team's dates."""
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, ActivityRow)]
    keys = await off_loop(lambda: sorted({(r.commune.key, checks.fold(r.team_name)) for r in rows}))
    teams = await graph.read(teams_by_name, keys)
    return await off_loop(_match_activities, checks, rows, teams, dt.date.today())


def _match_activities(
    checks: _Checks,
    rows: list[ActivityRow],
    teams: dict[tuple[str, str], list[NamedTeam]],
    today: dt.date,
) -> list[AnyImport]:
    out: list[AnyImport] = []
    for r in rows:
        team = checks.team(teams, r.row, r.commune, r.team_name)
        if team is None:
            continue
        check = Checker()
        report = check_report(
            check,
            NewActivityReport(
                team.id,
                r.period_from,
                r.period_to,
                r.kind,
                r.people_helped,
                r.households_helped,
                r.services,
                r.place,
                r.note,
                id=_activity_id(team.id, r),
            ),
            today,
        )
        for e in check.errors:
            column = _REPORT_COLUMNS.get(e.field.split(".")[0], "services")
            checks.fail(r.row, column, None, e.reason, Code.CONFLICT)
        if report.period_from < team.since:
            checks.fail(
                r.row, "period_from", None, "before the team was established", Code.CONFLICT
            )
        elif team.until is not None and report.period_to > team.until:
            checks.fail(r.row, "period_to", None, "after the team was closed", Code.CONFLICT)
        elif not check.errors:
            out.append(ActivityImport(r.row, report))
    # By team (rows of one team in file order): the apply writes in chunks, and each chunk
    # appends to the digest of every team it has reports of (graph/core/activity_digests.py).
    # A sheet lists its rows by date, so in file order every chunk touched every team (a
    # 100,000-row national sheet: a write of ~20 team nodes per row); by team, each team's
    # digest is written once or twice per file.
    out.sort(key=lambda i: i.report.team_id if isinstance(i, ActivityImport) else "")
    return out


def _activity_id(team_id: str, r: ActivityRow) -> str:
    """From the row's content: importing the same file again meets the reports it made."""
    return new_id(
        "activity",
        team_id,
        r.period_from.isoformat(),
        str(r.period_to or r.period_from),
        r.kind.value,
        str(r.people_helped),
        str(r.households_helped),
        r.place or "",
        r.note or "",
    )


async def _organisation_lookups(
    tx: Tx, places: list[tuple[str, str]], parent_ids: list[str], parent_keys: list[str]
) -> tuple[dict[tuple[str, str], list[str]], list[OrganisationMatch]]:
    existing = await organisations_at(tx, places)
    parents = await organisations_by_id_or_name(tx, parent_ids, parent_keys, dt.date.today())
    return existing, parents


async def check_organisations(graph: Graph, parsed: Parsed, scope: str | None) -> list[AnyImport]:
    checks = _Checks(parsed, scope)
    rows = [r for r in parsed.rows if isinstance(r, OrganisationRow)]

    def lookups() -> tuple[list[tuple[str, str]], list[str], list[str]]:
        places = sorted({(r.place.key, checks.fold(r.name)) for r in rows})
        parents = {r.parent for r in rows if r.parent}
        return places, sorted(parents), sorted({_org_key(p) for p in parents})

    places, parent_ids, parent_keys = await off_loop(lookups)
    existing, parents = await graph.read(_organisation_lookups, places, parent_ids, parent_keys)
    checks.add_organisations(parents)
    return await off_loop(_match_organisations, checks, rows, existing)


def _match_organisations(
    checks: _Checks, rows: list[OrganisationRow], existing: dict[tuple[str, str], list[str]]
) -> list[AnyImport]:
    """Each row updates the registry's organisation of that name at that place, or creates
    one. A parent is an earlier row of the file (by name) or a registry organisation (by id or
    name), inside the importer's province."""
    out: list[AnyImport] = []
    earlier: dict[str, str] = {}  # folded name (UBND spelled out) → id, rows above this one
    for r in rows:
        key = (r.place.key, checks.fold(r.name))
        ids = existing.get(key, [])
        if len(ids) > 1:
            reason = f"ambiguous: several organisations of that name there ({', '.join(ids)})"
            checks.fail(r.row, "name", r.name, reason, Code.AMBIGUOUS)
            continue
        org_id = ids[0] if ids else new_id("organisation", *key)
        parent_id = None
        if r.parent:
            parent_id = earlier.get(_org_key(r.parent))
            if parent_id is None:
                found = checks.by_id.get(r.parent) or checks.organisation(
                    r.row, "parent", r.parent, r.place.province_code, active=False
                )
                if found is None:
                    continue
                if checks.scope is not None and found.province != checks.scope:
                    checks.fail(
                        r.row,
                        "parent",
                        r.parent,
                        f"the organisation is in province {found.province or 'none (central)'}, "
                        f"outside your province {checks.scope}",
                        Code.OUT_OF_SCOPE,
                    )
                    continue
                parent_id = found.id
            if parent_id == org_id:
                checks.fail(
                    r.row,
                    "parent",
                    r.parent,
                    "an organisation is not its own parent",
                    Code.CONFLICT,
                )
                continue
        earlier.setdefault(_org_key(r.name), org_id)
        out.append(
            OrganisationImport(
                r.row,
                org_id,
                r.kind,
                r.name,
                r.place.key,
                parent_id,
                r.valid_from,
                r.valid_to,
            )
        )
    return out
