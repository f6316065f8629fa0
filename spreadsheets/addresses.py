"""Which current commune a row means, from a code or from names in the legacy or current form.

Rules, in order (every answer names the current commune and keeps the legacy one it came from):

1. ``Mã xã`` (a current code) wins; with ``Mã xã cũ`` too, the current commune must be one of
   the legacy commune's successors (that is how a user settles a split commune).
2. ``Mã xã cũ`` alone: the legacy commune's successor when it has one; a split commune is an
   error listing its successors (default first), never a silent pick of the default.
3. Names with a district: the legacy form ("Xã A, Huyện B, Tỉnh C"), then as rule 2.
4. Names without a district: the current form ("Phường A, Thành phố C"); when the province or
   commune exists only in the legacy era, the legacy form without a district, which must name
   exactly one commune of that legacy province.

Names are compared folded (``graph.core.text.fold``), with the unit type ("Xã", "P.", "Huyện", "TP")
optional; when that exact comparison finds nothing, ``vietnamadminunits.parse_address`` (the
package's tolerant parser: abbreviations, missing accents) is asked, and its answer is kept only
if the commune it found has the name the row gave. Legacy → current uses the same conversion data
as ``vietnamadminunits.convert_address`` (read through ``graph.units.admin_units.successions``), without
the package's street geocoding (a network call) for split communes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from vietnamadminunits import parse_address

from graph.core.model import Era, UnitLevel, unit_key
from graph.core.text import fold
from graph.units import admin_units

_UNIT_TYPES = re.compile(
    r"^(?:thanh pho|tinh|tp|quan|huyen|thi xa|tx|xa|phuong|thi tran|tt|dac khu|p|q|h)\s+"
)


def name_key(name: str) -> str:
    """Folded name without its unit type: "Phường Ba Đình" → "ba dinh"; numbered units keep a
    bare number ("Phường 1" → "1")."""
    folded = fold(name)
    stripped = _UNIT_TYPES.sub("", folded)
    return stripped or folded


@dataclass(frozen=True, slots=True)
class Commune:
    key: str  # current commune key
    code: str
    name: str
    province_code: str  # current province
    legacy_key: str | None = None  # the legacy commune the row named, if it did


class AddressProblem(Exception):
    """Why an address cannot be resolved; ``column`` names the cell to blame."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Units:
    current: dict[str, admin_units.UnitRow]  # commune code → row
    legacy: dict[str, admin_units.UnitRow]  # commune code → row
    legacy_districts: dict[str, admin_units.UnitRow]
    current_provinces: dict[str, str]  # folded short name → code
    legacy_provinces: dict[str, str]
    current_by_name: dict[tuple[str, str], list[str]]  # (province, commune short) → codes
    legacy_by_name: dict[tuple[str, str, str], list[str]]  # (province, district, commune)
    legacy_by_province: dict[tuple[str, str], list[str]]  # (province, commune) → codes
    successors: dict[str, list[tuple[str, bool]]]  # legacy commune → [(current, default)]


@cache
def _units() -> _Units:
    current = {u.code: u for u in admin_units.current_units() if u.level == "COMMUNE"}
    legacy_rows = admin_units.legacy_units()
    legacy = {u.code: u for u in legacy_rows if u.level == "COMMUNE"}
    districts = {u.code: u for u in legacy_rows if u.level == "DISTRICT"}
    current_by_name: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for u in current.values():
        current_by_name[(u.parent_code or "", name_key(u.name))].append(u.code)
    legacy_by_name: defaultdict[tuple[str, str, str], list[str]] = defaultdict(list)
    legacy_by_province: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for u in legacy.values():
        district = districts[u.parent_code or ""]
        province = district.parent_code or ""
        legacy_by_name[(province, district.code, name_key(u.name))].append(u.code)
        legacy_by_province[(province, name_key(u.name))].append(u.code)
    successors: defaultdict[str, list[tuple[str, bool]]] = defaultdict(list)
    for s in admin_units.successions():
        if s.level == "COMMUNE":
            successors[s.legacy_code].append((s.current_code, s.is_default))
    return _Units(
        current=current,
        legacy=legacy,
        legacy_districts=districts,
        current_provinces={
            name_key(u.name): u.code for u in admin_units.current_units() if u.level == "PROVINCE"
        },
        legacy_provinces={name_key(u.name): u.code for u in legacy_rows if u.level == "PROVINCE"},
        current_by_name=dict(current_by_name),
        legacy_by_name=dict(legacy_by_name),
        legacy_by_province=dict(legacy_by_province),
        successors=dict(successors),
    )


def _current(code: str, legacy_key: str | None = None) -> Commune:
    u = _units().current[code]
    return Commune(
        unit_key(Era.CURRENT, UnitLevel.COMMUNE, code),
        code,
        u.name,
        u.parent_code or "",
        legacy_key,
    )


def _code(value: str) -> str:
    return value.strip().zfill(5) if value.strip().isdigit() else value.strip()


def _from_legacy(code: str, column: str, chosen: str | None) -> Commune:
    units = _units()
    legacy_key = unit_key(Era.LEGACY, UnitLevel.COMMUNE, code)
    parts = sorted(units.successors.get(code, []), key=lambda p: (not p[1], p[0]))
    if not parts:
        raise AddressProblem(column, f"legacy commune {code} has no successor in the 2025 data")
    if chosen is not None:
        if chosen not in {c for c, _ in parts}:
            raise AddressProblem(
                "commune_code",
                f"commune {chosen} is not a successor of legacy commune {code} "
                f"({', '.join(c for c, _ in parts)})",
            )
        return _current(chosen, legacy_key)
    if len(parts) > 1:
        options = ", ".join(
            f"{c} {units.current[c].name}{' (default)' if d else ''}" for c, d in parts
        )
        raise AddressProblem(
            column,
            f"split commune: legacy {units.legacy[code].name} was divided between {options}; "
            "write the current commune's code in 'Mã xã'",
        )
    return _current(parts[0][0], legacy_key)


def _one(codes: list[str], column: str, what: str) -> str:
    if not codes:
        raise AddressProblem(column, f"unknown commune: no {what}")
    if len(codes) > 1:
        raise AddressProblem(
            column, f"ambiguous commune: {what} matches {', '.join(sorted(codes))}; give its code"
        )
    return codes[0]


def _province(name: str, table: dict[str, str], mode: str) -> str | None:
    found = table.get(name_key(name))
    if found is None:
        parsed = parse_address(name, mode=mode, keep_street=False, level=1)
        code = parsed.province_code
        found = code if code in table.values() else None
    return found


def _parsed_commune(address: str, mode: str, short: str) -> str | None:
    """The package's tolerant parser, trusted only when it found the commune the row named."""
    unit = parse_address(address, mode=mode, keep_street=False)
    if unit.ward_code and unit.ward and name_key(unit.ward) == short:
        return str(unit.ward_code)
    return None


@lru_cache(maxsize=16_384)  # a members list repeats a few hundred addresses many times
def resolve(
    code: str | None,
    legacy_code: str | None,
    commune: str | None,
    district: str | None,
    province: str | None,
) -> Commune:
    units = _units()
    chosen = _code(code) if code else None
    if chosen is not None and chosen not in units.current:
        raise AddressProblem("commune_code", f"unknown current commune code {chosen}")
    if legacy_code:
        old = _code(legacy_code)
        if old not in units.legacy:
            raise AddressProblem("legacy_commune_code", f"unknown legacy commune code {old}")
        return _from_legacy(old, "legacy_commune_code", chosen)
    if chosen is not None:
        return _current(chosen)
    if not commune or not province:
        raise AddressProblem("commune", "give the commune code, or the commune and province names")
    short = name_key(commune)
    if district:
        p = _province(province, units.legacy_provinces, "LEGACY")
        if p is None:
            raise AddressProblem("province", "unknown province (pre-2025 form)")
        districts = [
            d.code
            for d in units.legacy_districts.values()
            if d.parent_code == p and name_key(d.name) == name_key(district)
        ]
        if len(districts) != 1:
            raise AddressProblem("district", f"unknown district in province {p}")
        codes = units.legacy_by_name.get((p, districts[0], short), [])
        if not codes and (
            found := _parsed_commune(f"{commune}, {district}, {province}", "LEGACY", short)
        ):
            codes = [found]
        return _from_legacy(_one(codes, "commune", f"{commune} in that district"), "commune", None)
    p = _province(province, units.current_provinces, "FROM_2025")
    if p is not None:
        codes = units.current_by_name.get((p, short), [])
        if not codes and (found := _parsed_commune(f"{commune}, {province}", "FROM_2025", short)):
            codes = [found]
        if codes:
            return _current(_one(codes, "commune", f"{commune} in that province"))
    # Not a current commune: a pre-2025 sheet that left out the district.
    legacy_p = _province(province, units.legacy_provinces, "LEGACY")
    if legacy_p is None:
        raise AddressProblem("province", "unknown province")
    codes = units.legacy_by_province.get((legacy_p, short), [])
    return _from_legacy(
        _one(codes, "commune", f"{commune} in that province (current or pre-2025)"),
        "commune",
        None,
    )


@dataclass(frozen=True, slots=True)
class Place:
    """Where an organisation is: a unit of the era its dates fall in, and the current province
    it is (or became) part of, for the importer's scope (None: the central level)."""

    key: str
    province_code: str | None


@cache
def _places() -> dict[tuple[Era, str], Place]:
    """(era, code) → place. Codes are unique within an era by their length (province 2 digits,
    legacy district 3, commune 5); the reform reused them across eras."""
    legacy_province = {
        s.legacy_code: s.current_code
        for s in admin_units.successions()
        if s.level == "PROVINCE" and s.is_default
    }
    legacy = {(u.level, u.code): u for u in admin_units.legacy_units()}
    out: dict[tuple[Era, str], Place] = {}
    for u in admin_units.current_units():
        province = u.code if u.level == "PROVINCE" else u.parent_code
        out[(Era.CURRENT, u.code)] = Place(
            unit_key(Era.CURRENT, UnitLevel(u.level), u.code), province
        )
    for (level, code), u in legacy.items():
        up = u
        while up.level != "PROVINCE":
            up = legacy[("DISTRICT" if up.level == "COMMUNE" else "PROVINCE", up.parent_code or "")]
        out[(Era.LEGACY, code)] = Place(
            unit_key(Era.LEGACY, UnitLevel(level), code), legacy_province.get(up.code)
        )
    return out


def resolve_place(code: str, legacy: bool) -> Place | None:
    """A unit code in the current era, or the legacy one when ``legacy``; "VN" is the central
    level in both. None: no such unit."""
    code = code.strip()
    if code.upper() == "VN":
        return Place(unit_key(Era.NATIONAL, UnitLevel.CENTRAL, "VN"), None)
    if code.isdigit() and len(code) == 1:  # Excel drops the 0 of a numeric "01"
        code = "0" + code
    return _places().get((Era.LEGACY if legacy else Era.CURRENT, code))
