"""From the cells of one sheet to typed rows and a list of problems, without the graph.

Each problem is (sheet, row, column, value, reason): the row number and column header are the
ones the user sees in their spreadsheet. Checks that need the graph (does the team exist, whose
phone is this) are in ``spreadsheets.service``; everything else is here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.core import text as _text
from graph.core.model import (
    NATIONAL_ORGANISATION_KINDS,
    REFORM_DAY,
    ActivityKind,
    FocalPointMode,
    HomeAffiliation,
    OrganisationKind,
    TeamLevel,
    TeamRole,
    VillageKind,
)
from spreadsheets.addresses import AddressProblem, Commune, Place, resolve, resolve_place
from spreadsheets.columns import COLUMNS, Column, ImportKind, match_headers
from spreadsheets.files import Sheet, looks_like_formula

# A big file repeats the same names, kinds, codes and dates on thousands of rows (#17: a
# 100,000-row activities sheet spent most of its checking time folding and cleaning the same
# text again): each distinct value is cleaned and folded once, within a bounded cache.
clean_name = lru_cache(maxsize=1 << 16)(_text.clean_name)
fold = lru_cache(maxsize=1 << 16)(_text.fold)
_CONTROL = re.compile(r"[\x00-\x1f]")

NAME_MAX = 200
# The first registry dates: Decision 1690 is from 2023, the pilots from 2021; anything before
# 2000 is a typing mistake (a year of 1925 for 2025), as is a date after today.
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int
    column: str
    value: str | None
    reason: str
    code: str

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class DecisionRef:
    number: str
    date: dt.date
    issuer: str | None  # an organisation's name; None: the default issuer


@dataclass(frozen=True, slots=True)
class TeamRow:
    row: int
    commune: Commune
    name: str
    level: TeamLevel
    village_name: str | None
    village_kind: VillageKind | None
    decision: DecisionRef
    since: dt.date


@dataclass(frozen=True, slots=True)
class MemberRow:
    row: int
    commune: Commune
    team_name: str
    full_name: str
    phone: str
    role: TeamRole
    home: HomeAffiliation
    since: dt.date | None


@dataclass(frozen=True, slots=True)
class FocalPointRow:
    row: int
    organisation: str
    organisation_id: str | None
    province: str | None
    full_name: str
    phone: str
    title: str | None
    mode: FocalPointMode
    decision: DecisionRef
    since: dt.date


@dataclass(frozen=True, slots=True)
class ActivityRow:
    row: int
    commune: Commune
    team_name: str
    period_from: dt.date
    period_to: dt.date | None
    kind: ActivityKind
    people_helped: int
    households_helped: int
    services: tuple[str, ...]
    place: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    row: int
    kind: OrganisationKind
    name: str
    parent: str | None  # a name or an id, of the registry or of an earlier row
    place: Place
    valid_from: dt.date | None
    valid_to: dt.date | None


AnyRow = TeamRow | MemberRow | FocalPointRow | ActivityRow | OrganisationRow


@dataclass
class Parsed:
    kind: ImportKind
    sheet: str
    rows: list[AnyRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key → header in the file
    total_rows: int = 0


class Code:
    MISSING_COLUMN = "MISSING_COLUMN"
    REQUIRED = "REQUIRED"
    FORMULA = "FORMULA_INJECTION"
    INVALID_TEXT = "INVALID_TEXT"
    INVALID_DATE = "INVALID_DATE"
    INVALID_PHONE = "INVALID_PHONE"
    NOT_IN_VOCABULARY = "NOT_IN_VOCABULARY"
    UNKNOWN_COMMUNE = "UNKNOWN_COMMUNE"
    SPLIT_COMMUNE = "SPLIT_COMMUNE"
    AMBIGUOUS = "AMBIGUOUS"
    DUPLICATE = "DUPLICATE"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_NUMBER = "INVALID_NUMBER"


def _vocabulary(pairs: dict[str, Any]) -> Callable[[str], Any]:
    table = {fold(k): v for k, v in pairs.items()}
    return lambda text: table.get(fold(text))


ROLES = _vocabulary(
    {
        "Tổ trưởng": TeamRole.HEAD,
        "Trưởng": TeamRole.HEAD,
        "HEAD": TeamRole.HEAD,
        "Tổ phó": TeamRole.DEPUTY,
        "Phó": TeamRole.DEPUTY,
        "DEPUTY": TeamRole.DEPUTY,
        "Thành viên": TeamRole.MEMBER,
        "Tổ viên": TeamRole.MEMBER,
        "MEMBER": TeamRole.MEMBER,
    }
)
HOMES = _vocabulary(
    {
        "Trưởng thôn": HomeAffiliation.VILLAGE_HEAD,
        "Trưởng bản": HomeAffiliation.VILLAGE_HEAD,
        "Tổ trưởng tổ dân phố": HomeAffiliation.VILLAGE_HEAD,
        "Đoàn Thanh niên": HomeAffiliation.YOUTH_UNION,
        "Đoàn TN": HomeAffiliation.YOUTH_UNION,
        "Công an xã": HomeAffiliation.COMMUNE_POLICE,
        "Công an": HomeAffiliation.COMMUNE_POLICE,
        "Hội đoàn thể": HomeAffiliation.MASS_ORGANISATION,
        "Hội Phụ nữ": HomeAffiliation.MASS_ORGANISATION,
        "Hội Nông dân": HomeAffiliation.MASS_ORGANISATION,
        "Hội Cựu chiến binh": HomeAffiliation.MASS_ORGANISATION,
        "Mặt trận Tổ quốc": HomeAffiliation.MASS_ORGANISATION,
        "Doanh nghiệp viễn thông": HomeAffiliation.TELECOM_IT_COMPANY,
        "Viettel": HomeAffiliation.TELECOM_IT_COMPANY,
        "VNPT": HomeAffiliation.TELECOM_IT_COMPANY,
        "MobiFone": HomeAffiliation.TELECOM_IT_COMPANY,
        "Công chức xã": HomeAffiliation.COMMUNE_OFFICIAL,
        "Cán bộ xã": HomeAffiliation.COMMUNE_OFFICIAL,
        "Người dân": HomeAffiliation.RESIDENT,
        **{h.value: h for h in HomeAffiliation},
    }
)
KINDS = _vocabulary(
    {
        "Cục Chuyển đổi số quốc gia": OrganisationKind.NATIONAL_COORDINATOR,
        "Bộ": OrganisationKind.MINISTRY,
        "Cục/Vụ": OrganisationKind.MINISTRY_DEPARTMENT,
        "Cục": OrganisationKind.MINISTRY_DEPARTMENT,
        "Vụ": OrganisationKind.MINISTRY_DEPARTMENT,
        "UBND tỉnh": OrganisationKind.PROVINCIAL_PEOPLES_COMMITTEE,
        "Sở KH&CN": OrganisationKind.PROVINCIAL_CDS_DEPARTMENT,
        "Sở TTTT": OrganisationKind.PROVINCIAL_CDS_DEPARTMENT,
        "Sở/ngành": OrganisationKind.PROVINCIAL_AGENCY,
        "Sở": OrganisationKind.PROVINCIAL_AGENCY,
        "UBND huyện": OrganisationKind.DISTRICT_PEOPLES_COMMITTEE,
        "Phòng VHTT": OrganisationKind.DISTRICT_OFFICE,
        "UBND xã": OrganisationKind.COMMUNE_PEOPLES_COMMITTEE,
        "Bộ phận": OrganisationKind.ORGANISATION_UNIT,
        "Trường đại học": OrganisationKind.UNIVERSITY,
        "Viện": OrganisationKind.INSTITUTE,
        "Doanh nghiệp": OrganisationKind.ENTERPRISE,
        "Hội": OrganisationKind.ASSOCIATION,
        **{k.value: k for k in OrganisationKind},
    }
)
MODES = _vocabulary(
    {
        "Chuyên trách": FocalPointMode.FULL_TIME,
        "FULL_TIME": FocalPointMode.FULL_TIME,
        "Kiêm nhiệm": FocalPointMode.PART_TIME,
        "PART_TIME": FocalPointMode.PART_TIME,
    }
)
ACTIVITY_KINDS = _vocabulary(
    {
        "Dịch vụ công trực tuyến": ActivityKind.PUBLIC_ONLINE_SERVICES,
        "Dịch vụ công": ActivityKind.PUBLIC_ONLINE_SERVICES,
        "VNeID": ActivityKind.VNEID,
        "Định danh điện tử": ActivityKind.VNEID,
        "Thanh toán không dùng tiền mặt": ActivityKind.CASHLESS_PAYMENT,
        "Thanh toán số": ActivityKind.CASHLESS_PAYMENT,
        "Thương mại điện tử": ActivityKind.E_COMMERCE,
        "Kỹ năng số": ActivityKind.DIGITAL_SKILLS,
        "Phổ cập kỹ năng số": ActivityKind.DIGITAL_SKILLS,
        "Khác": ActivityKind.OTHER,
        **{k.value: k for k in ActivityKind},
    }
)
_VILLAGE_KINDS = (
    ("to dan pho ", VillageKind.TO_DAN_PHO),
    ("tdp ", VillageKind.TO_DAN_PHO),
    ("thon ", VillageKind.THON),
    ("ban ", VillageKind.BAN),
)

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()]")


@lru_cache(maxsize=1 << 12)
def parse_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.split("T")[0], fmt).date()
        except ValueError:
            continue
    return None


def parse_phone(text: str) -> str | None:
    """A Vietnamese number in any usual spelling → +84 E.164. Nine digits without the leading 0
    are accepted: Excel drops it when the column is numeric."""
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.startswith("+84"):
        rest = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = digits[1:]
    else:
        rest = digits
    if len(rest) == 9 and rest.isdigit() and rest[0] in "235789":
        return "+84" + rest
    return None


class _RowReader:
    """The cells of one row by column key, recording a problem for each bad cell."""

    def __init__(self, parsed: Parsed, number: int, cells: list[str | None], at: dict[str, int]):
        self.parsed = parsed
        self.number = number
        self.cells = cells
        self.at = at
        self.ok = True

    def raw(self, key: str) -> str | None:
        position = self.at.get(key)
        return self.cells[position] if position is not None and position < len(self.cells) else None

    def fail(self, key: str, code: str, reason: str, value: str | None = None) -> None:
        self.ok = False
        self.parsed.problems.append(
            Problem(
                self.parsed.sheet,
                self.number,
                self.parsed.headers.get(key, key),
                value if value is not None else self.raw(key),
                reason,
                code,
            )
        )

    def text(self, column: Column) -> str | None:
        value = self.raw(column.key)
        if value is None:
            if column.required:
                self.fail(column.key, Code.REQUIRED, "required value missing")
            return None
        if column.text and looks_like_formula(value):
            self.fail(
                column.key, Code.FORMULA, "starts with = + - @: a spreadsheet formula, not a name"
            )
            return None
        if _CONTROL.search(value):
            self.fail(column.key, Code.INVALID_TEXT, "contains control characters")
            return None
        cleaned = clean_name(value)
        if len(cleaned) > NAME_MAX:
            self.fail(column.key, Code.INVALID_TEXT, f"longer than {NAME_MAX} characters")
            return None
        if column.text and not fold(cleaned):
            self.fail(column.key, Code.INVALID_TEXT, "has no letters or digits")
            return None
        return cleaned

    def date(self, column: Column, today: dt.date) -> dt.date | None:
        value = self.text(column)
        if value is None:
            return None
        day = parse_date(value)
        if day is None:
            self.fail(column.key, Code.INVALID_DATE, "not a date (dd/mm/yyyy)")
        elif not EARLIEST <= day <= today:
            self.fail(column.key, Code.INVALID_DATE, "outside 2000 … today")
            return None
        return day

    def phone(self, column: Column) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        phone = parse_phone(value)
        if phone is None:
            self.fail(column.key, Code.INVALID_PHONE, "not a Vietnamese phone number")
        return phone

    def count(self, column: Column) -> int | None:
        """A whole number of at least 0 (Excel may give "40.0" for a numeric cell)."""
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value.replace(" ", "").replace(",", ""))
        except ValueError:
            number = -1.0
        if number < 0 or not number.is_integer():
            self.fail(column.key, Code.INVALID_NUMBER, "not a whole number of 0 or more")
            return None
        return int(number)

    def choice(self, column: Column, table: Callable[[str], Any], default: Any) -> Any:
        value = self.text(column)
        if value is None:
            return default
        found = table(value)
        if found is None:
            self.fail(column.key, Code.NOT_IN_VOCABULARY, f"not one of: {column.note}")
        return found

    def commune(self, scope: str | None) -> Commune | None:
        try:
            commune = resolve(
                self.raw("commune_code"),
                self.raw("legacy_commune_code"),
                self.raw("commune"),
                self.raw("district"),
                self.raw("province"),
            )
        except AddressProblem as problem:
            code = (
                Code.SPLIT_COMMUNE
                if problem.reason.startswith("split")
                else Code.AMBIGUOUS
                if problem.reason.startswith("ambiguous")
                else Code.UNKNOWN_COMMUNE
            )
            self.fail(problem.column, code, problem.reason)
            return None
        if scope is not None and commune.province_code != scope:
            column = "commune_code" if self.raw("commune_code") else "province"
            self.fail(
                column,
                Code.OUT_OF_SCOPE,
                f"{commune.name} is in province {commune.province_code}, "
                f"outside your province {scope}",
            )
            return None
        return commune


def _columns(kind: ImportKind) -> dict[str, Column]:
    return {c.key: c for c in COLUMNS[kind]}


def _decision(r: _RowReader, c: dict[str, Column], today: dt.date) -> DecisionRef | None:
    number = r.text(c["decision_number"])
    date = r.date(c["decision_date"], today)
    issuer = r.text(c["decision_issuer"])
    return DecisionRef(number, date, issuer) if number and date else None


def _team(r: _RowReader, scope: str | None, today: dt.date) -> TeamRow | None:
    c = _columns(ImportKind.TEAMS)
    commune = r.commune(scope)
    name = r.text(c["team_name"])
    village = r.text(c["village"])
    kind = None
    if village is not None:
        folded = fold(village) + " "
        kind = next((k for prefix, k in _VILLAGE_KINDS if folded.startswith(prefix)), None)
        if kind is None:
            r.fail("village", Code.NOT_IN_VOCABULARY, "must start with Thôn, Bản or Tổ dân phố")
    decision = _decision(r, c, today)
    since = r.date(c["since"], today)
    if not (r.ok and commune and name and decision):
        return None
    return TeamRow(
        r.number,
        commune,
        name,
        TeamLevel.VILLAGE if village else TeamLevel.COMMUNE,
        village,
        kind,
        decision,
        since or decision.date,
    )


def _member(r: _RowReader, scope: str | None, today: dt.date) -> MemberRow | None:
    c = _columns(ImportKind.MEMBERS)
    commune = r.commune(scope)
    team = r.text(c["team_name"])
    name = r.text(c["full_name"])
    phone = r.phone(c["phone"])
    role = r.choice(c["role"], ROLES, TeamRole.MEMBER)
    home = r.choice(c["home"], HOMES, HomeAffiliation.RESIDENT)
    since = r.date(c["since"], today)
    if not (r.ok and commune and team and name and phone):
        return None
    return MemberRow(r.number, commune, team, name, phone, role, home, since)


def _focal_point(r: _RowReader, scope: str | None, today: dt.date) -> FocalPointRow | None:
    c = _columns(ImportKind.FOCAL_POINTS)
    organisation = r.text(c["organisation"])
    organisation_id = r.raw("organisation_id")
    province = r.text(c["province"])
    name = r.text(c["full_name"])
    phone = r.phone(c["phone"])
    title = r.text(c["title"])
    mode = r.choice(c["mode"], MODES, None)
    decision = _decision(r, c, today)
    since = r.date(c["since"], today)
    if not (r.ok and organisation and name and phone and mode and decision):
        return None
    return FocalPointRow(
        r.number,
        organisation,
        organisation_id,
        province,
        name,
        phone,
        title,
        mode,
        decision,
        since or decision.date,
    )


def _activity(r: _RowReader, scope: str | None, today: dt.date) -> ActivityRow | None:
    """The cells alone; the rules a report keeps (order of dates, households against people,
    the team's own dates) are the mutation's, checked with the graph in ``checks``."""
    c = _columns(ImportKind.ACTIVITIES)
    commune = r.commune(scope)
    team = r.text(c["team_name"])
    period_from = r.date(c["period_from"], today)
    period_to = r.date(c["period_to"], today)
    kind = r.choice(c["kind"], ACTIVITY_KINDS, None)
    people_helped = r.count(c["people_helped"])
    households = r.count(c["households_helped"])
    services_text = r.text(c["services"])
    services = tuple(clean_name(s) for s in (services_text or "").split(";") if clean_name(s))
    place = r.text(c["place"])
    note = r.text(c["note"])
    if not (r.ok and commune and team and period_from and kind):
        return None
    if people_helped is None or households is None:
        return None
    return ActivityRow(
        r.number,
        commune,
        team,
        period_from,
        period_to,
        kind,
        people_helped,
        households,
        services,
        place,
        note,
    )


def _organisation(r: _RowReader, scope: str | None, today: dt.date) -> OrganisationRow | None:
    """The place's code is read in the era of the organisation's dates: legacy when it ended
    before the reform (a district People's Committee), else current."""
    c = _columns(ImportKind.ORGANISATIONS)
    kind = r.choice(c["kind"], KINDS, None)
    name = r.text(c["name"])
    parent = r.text(c["parent"])
    valid_from = r.date(c["valid_from"], today)
    valid_to = r.date(c["valid_to"], today)
    if valid_from and valid_to and valid_to < valid_from:
        r.fail("valid_to", Code.INVALID_DATE, "before the start date")
    if scope is not None and kind in NATIONAL_ORGANISATION_KINDS:
        r.fail("kind", Code.OUT_OF_SCOPE, "a national body: imported by national coordinators only")
    if kind is OrganisationKind.ORGANISATION_UNIT and parent is None:
        r.fail("parent", Code.REQUIRED, "a unit (Bộ phận) needs the organisation it belongs to")
    code = r.text(c["place"])
    place = None
    if code is not None:
        place = resolve_place(code, legacy=bool(valid_to and valid_to < REFORM_DAY))
        if place is None:
            era = "before 2025-07-01" if valid_to and valid_to < REFORM_DAY else "today"
            r.fail("place", Code.UNKNOWN_COMMUNE, f"no administrative unit with this code {era}")
        elif scope is not None and place.province_code != scope:
            r.fail(
                "place",
                Code.OUT_OF_SCOPE,
                f"in province {place.province_code or 'none (central)'}, "
                f"outside your province {scope}",
            )
    if not (r.ok and kind and name and place):
        return None
    return OrganisationRow(r.number, kind, name, parent, place, valid_from, valid_to)


_READERS: dict[ImportKind, Callable[[_RowReader, str | None, dt.date], AnyRow | None]] = {
    ImportKind.TEAMS: _team,
    ImportKind.MEMBERS: _member,
    ImportKind.FOCAL_POINTS: _focal_point,
    ImportKind.ACTIVITIES: _activity,
    ImportKind.ORGANISATIONS: _organisation,
}


def is_header(kind: ImportKind) -> Callable[[list[str | None]], bool]:
    """A header row names at least two of the kind's columns."""
    return lambda cells: len(match_headers(kind, cells)) >= 2


def parse_rows(kind: ImportKind, sheet: Sheet, scope: str | None, today: dt.date) -> Parsed:
    """Typed rows and problems; a missing required column is one problem on the header row."""
    parsed = Parsed(kind, sheet.name, total_rows=len(sheet.rows))
    at = match_headers(kind, sheet.headers)
    columns = COLUMNS[kind]
    parsed.headers = {c.key: sheet.headers[at[c.key]] or c.header for c in columns if c.key in at}
    parsed.headers.update({c.key: c.header for c in columns if c.key not in at})
    missing = [c for c in columns if c.required and c.key not in at]
    for column in missing:
        parsed.problems.append(
            Problem(
                sheet.name,
                sheet.header_row,
                column.header,
                None,
                "required column missing",
                Code.MISSING_COLUMN,
            )
        )
    if missing:
        return parsed
    read = _READERS[kind]
    for number, cells in sheet.rows:
        row = read(_RowReader(parsed, number, cells, at), scope, today)
        if row is not None:
            parsed.rows.append(row)
    _duplicates(parsed)
    return parsed


def _duplicates(parsed: Parsed) -> None:
    """The same thing twice in one file: a team, a person in a team, a person's post; and one
    phone given to two different names."""
    first: dict[tuple[str, ...], int] = {}
    names: dict[str, tuple[str, int]] = {}
    keep: list[AnyRow] = []
    for row in parsed.rows:
        if isinstance(row, TeamRow):
            key: tuple[str, ...] = (row.commune.key, fold(row.name))
            column, value = "team_name", row.name
        elif isinstance(row, OrganisationRow):
            key = ("organisation", row.place.key, fold(row.name))
            column, value = "name", row.name
        elif isinstance(row, MemberRow):
            key = (row.commune.key, fold(row.team_name), row.phone)
            column, value = "phone", row.phone
        elif isinstance(row, ActivityRow):
            # The same activity twice is one counted twice; a second session the same day
            # differs in its counts, place or note. What makes the report's id
            # (spreadsheets/checks.py, ``_activity_id``): a blank last day is the first day.
            key = (
                row.commune.key,
                fold(row.team_name),
                row.period_from.isoformat(),
                str(row.period_to or row.period_from),
                row.kind.value,
                str(row.people_helped),
                str(row.households_helped),
                row.place or "",
                row.note or "",
            )
            column, value = "team_name", row.team_name
        else:
            key = (fold(row.organisation), row.organisation_id or "", row.phone)
            column, value = "phone", row.phone
        problem = None
        if key in first:
            problem = f"duplicate of row {first[key]}"
        elif isinstance(row, MemberRow | FocalPointRow):
            seen = names.setdefault(row.phone, (fold(row.full_name), row.row))
            if seen[0] != fold(row.full_name):
                problem = f"duplicate person: this phone belongs to another name in row {seen[1]}"
        if problem is None:
            first[key] = row.row
            keep.append(row)
            continue
        parsed.problems.append(
            Problem(
                parsed.sheet,
                row.row,
                parsed.headers.get(column, column),
                value,
                problem,
                Code.DUPLICATE,
            )
        )
    parsed.rows = keep
