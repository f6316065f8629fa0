"""Vietnam's administrative units before and after the 2025 reform, read from PyPI packages.

Nothing here is typed in by hand: every unit, code, name and coordinate is read at run
time from two packages.

Sources, field by field:

* Legacy era (until 2025-06-30; 63 provinces, districts, communes): ``vietnamadminunits``,
  table ``admin_units_legacy`` through its documented ``vietnamadminunits.database.get_data``.
  One row per commune, carrying its district and province.

  - ``code``: ``provinceCode`` / ``districtCode`` / ``wardCode``.
  - ``name``: ``province`` / ``district`` / ``ward``; the type prefix is re-cased
    ("Thị Xã X" -> "Thị xã X") because the package spells it inconsistently.
  - ``unit_type``: ``districtType`` / ``wardType`` lower-cased. Provinces have no type
    column, so "Thành phố …" means "thành phố trung ương" and "Tỉnh …" means "tỉnh".
  - ``short_name``: ``name`` minus the type prefix. Numbered units ("Phường 1", "Quận 12")
    keep the prefix, as the package's own ``wardShort`` does, because a bare number
    names nothing. The package's ``districtShort`` is not used: it adds
    disambiguators such as "Kỳ Anh (Huyện)".
  - ``lat``/``lon``: ``provinceLat/Lon``, ``districtLat/Lon``, ``wardLat/Lon`` (geocoded
    centres, not official data).
  - Five island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no
    communes. They show up as a row with no ward and yield a district only.

* Current era (from 2025-07-01; 34 provinces, communes, no district level):
  ``vietnamadminunits``, table ``admin_units`` (same API).

  - ``code``/``name``/``lat``/``lon``: ``provinceCode``/``wardCode``, ``province``/``ward``,
    ``provinceLat/Lon``/``wardLat/Lon``.
  - ``area_km2``: ``wardAreaKm2`` (communes only; no package gives a province area).
  - ``unit_type``: ``wardType`` lower-cased for communes. For provinces it is
    ``vietnam_provinces.Province.division_type``.
  - Why not codes from ``vietnam-provinces``: its 2025.x data comes from the *draft*
    decision (its dev/seed-data/2025-07/source.txt), and about 128 commune codes differ
    from the official list (Công văn 1027/CTK-CSCL, 25/6/2025). For example, it has Phường
    Cửa Nam as 00073, but the official code is 00082. ``vietnamadminunits`` follows the
    official list, and its conversion data is keyed to its own unit table. So it is the
    only source that is both official and consistent with ``successions``.

* Succession (legacy -> current): the conversion data that ``vietnamadminunits.convert_address``
  uses, ``vietnamadminunits.converter.converter_2025.DICT_PROVINCE``,
  ``DICT_PROVINCE_WARD_NO_DIVIDED`` and ``DICT_PROVINCE_WARD_DIVIDED`` (loaded from its
  bundled ``data/converter_2025.json``). They are keyed by name keys, which are joined
  to codes through the ``provinceKey``/``districtKey``/``wardKey`` columns of the two tables.

  - A province or an undivided commune has one successor: ``is_default=True``, ``share=1.0``
    (the whole unit went there).
  - For a divided commune, the default successor is the package's ``isDefaultNewWard``. It
    is the one ``convert_address`` returns when there is no street to locate. The package
    gives no share of territory or population (``newWardAreaKm2`` is the successor's own
    area), so ``share`` is ``None``.
  - The five commune-less island districts map straight to special zones (đặc khu) in the
    package. Their succession is district-level, so it is not returned here.

* ``population``: neither package has any, so it is always ``None``.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal

from vietnam_provinces import Province
from vietnamadminunits.converter import converter_2025  # type: ignore[import-untyped, unused-ignore]
from vietnamadminunits.database import get_data  # type: ignore[import-untyped, unused-ignore]

Era = Literal["LEGACY", "CURRENT"]
Level = Literal["PROVINCE", "DISTRICT", "COMMUNE"]


@dataclass(frozen=True, slots=True)
class UnitRow:
    era: Era
    level: Level
    code: str
    name: str
    short_name: str
    unit_type: str
    parent_code: str | None
    lat: float | None
    lon: float | None
    population: int | None
    area_km2: float | None


@dataclass(frozen=True, slots=True)
class Succession:
    level: Level
    legacy_code: str
    current_code: str
    is_default: bool
    share: float | None


_CENTRAL_CITY_PREFIX: Final = "Thành phố"
_PROVINCE_PREFIX: Final = "Tỉnh"

_LEGACY_FIELDS: Final = [
    "provinceCode",
    "province",
    "provinceLat",
    "provinceLon",
    "provinceKey",
    "districtCode",
    "district",
    "districtType",
    "districtLat",
    "districtLon",
    "districtKey",
    "wardCode",
    "ward",
    "wardType",
    "wardLat",
    "wardLon",
    "wardKey",
]
_CURRENT_FIELDS: Final = [
    "provinceCode",
    "province",
    "provinceLat",
    "provinceLon",
    "provinceKey",
    "wardCode",
    "ward",
    "wardType",
    "wardLat",
    "wardLon",
    "wardAreaKm2",
    "wardKey",
]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string from the package, got {value!r}")
    return unicodedata.normalize("NFC", value).strip()


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    raise TypeError(f"expected a number from the package, got {value!r}")


def _named(name: str, prefix: str) -> tuple[str, str]:
    """Return (full name, short name) with the type prefix in canonical case."""
    prefix = _text(prefix)
    if not name.casefold().startswith(prefix.casefold() + " "):
        # The package does not do this today. If it starts to, keep the name unchanged
        # rather than guess where the type ends.
        return name, name
    short = name[len(prefix) + 1 :].strip()
    full = f"{prefix[:1].upper()}{prefix[1:].lower()} {short}"
    return full, (full if short.isdigit() else short)


def _province_named(name: str) -> tuple[str, str, str]:
    """Return (full name, short name, unit_type) for a province-level name."""
    if name.startswith(_CENTRAL_CITY_PREFIX + " "):
        return (*_named(name, _CENTRAL_CITY_PREFIX), "thành phố trung ương")
    if name.startswith(_PROVINCE_PREFIX + " "):
        return (*_named(name, _PROVINCE_PREFIX), "tỉnh")
    raise ValueError(f"province name without a known type prefix: {name!r}")


@cache
def _legacy_table() -> tuple[Mapping[str, Any], ...]:
    return tuple(get_data(fields=_LEGACY_FIELDS, table="admin_units_legacy"))


@cache
def _current_table() -> tuple[Mapping[str, Any], ...]:
    return tuple(get_data(fields=_CURRENT_FIELDS, table="admin_units"))


def _check_unique(rows: Iterable[UnitRow]) -> None:
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.level, row.code)
        if key in seen:
            raise ValueError(f"duplicate {row.era} {row.level} code {row.code}")
        seen.add(key)


@cache
def _legacy_units() -> tuple[UnitRow, ...]:
    provinces: dict[str, UnitRow] = {}
    districts: dict[str, UnitRow] = {}
    communes: list[UnitRow] = []
    for r in _legacy_table():
        p_code = _text(r["provinceCode"])
        if p_code not in provinces:
            name, short, unit_type = _province_named(_text(r["province"]))
            provinces[p_code] = UnitRow(
                era="LEGACY",
                level="PROVINCE",
                code=p_code,
                name=name,
                short_name=short,
                unit_type=unit_type,
                parent_code=None,
                lat=_opt_float(r["provinceLat"]),
                lon=_opt_float(r["provinceLon"]),
                population=None,
                area_km2=None,
            )
        d_code = _text(r["districtCode"])
        if d_code not in districts:
            d_type = _text(r["districtType"])
            name, short = _named(_text(r["district"]), d_type)
            districts[d_code] = UnitRow(
                era="LEGACY",
                level="DISTRICT",
                code=d_code,
                name=name,
                short_name=short,
                unit_type=d_type.lower(),
                parent_code=p_code,
                lat=_opt_float(r["districtLat"]),
                lon=_opt_float(r["districtLon"]),
                population=None,
                area_km2=None,
            )
        if r["wardCode"] is None:
            continue  # commune-less island district
        w_type = _text(r["wardType"])
        name, short = _named(_text(r["ward"]), w_type)
        communes.append(
            UnitRow(
                era="LEGACY",
                level="COMMUNE",
                code=_text(r["wardCode"]),
                name=name,
                short_name=short,
                unit_type=w_type.lower(),
                parent_code=d_code,
                lat=_opt_float(r["wardLat"]),
                lon=_opt_float(r["wardLon"]),
                population=None,
                area_km2=None,
            )
        )
    rows = (
        sorted(provinces.values(), key=lambda u: u.code)
        + sorted(districts.values(), key=lambda u: u.code)
        + sorted(communes, key=lambda u: u.code)
    )
    _check_unique(rows)
    return tuple(rows)


@cache
def _current_units() -> tuple[UnitRow, ...]:
    # vietnam-provinces is the one package with a typed province division_type.
    # Its codes agree with vietnamadminunits at province level.
    division_types = {f"{p.code:02d}": p.division_type.value for p in Province.iter_all()}
    provinces: dict[str, UnitRow] = {}
    communes: list[UnitRow] = []
    for r in _current_table():
        p_code = _text(r["provinceCode"])
        if p_code not in provinces:
            name, short, derived_type = _province_named(_text(r["province"]))
            provinces[p_code] = UnitRow(
                era="CURRENT",
                level="PROVINCE",
                code=p_code,
                name=name,
                short_name=short,
                unit_type=division_types.get(p_code, derived_type),
                parent_code=None,
                lat=_opt_float(r["provinceLat"]),
                lon=_opt_float(r["provinceLon"]),
                population=None,
                area_km2=None,
            )
        w_type = _text(r["wardType"])
        name, short = _named(_text(r["ward"]), w_type)
        communes.append(
            UnitRow(
                era="CURRENT",
                level="COMMUNE",
                code=_text(r["wardCode"]),
                name=name,
                short_name=short,
                unit_type=w_type.lower(),
                parent_code=p_code,
                lat=_opt_float(r["wardLat"]),
                lon=_opt_float(r["wardLon"]),
                population=None,
                area_km2=_opt_float(r["wardAreaKm2"]),
            )
        )
    rows = sorted(provinces.values(), key=lambda u: u.code) + sorted(communes, key=lambda u: u.code)
    _check_unique(rows)
    return tuple(rows)


def _lookup(index: Mapping[Any, str], key: object, what: str) -> str:
    try:
        return index[key]
    except KeyError:
        raise KeyError(f"vietnamadminunits conversion data names unknown {what} {key!r}") from None


@cache
def _successions() -> tuple[Succession, ...]:
    legacy_province = {_text(r["provinceKey"]): _text(r["provinceCode"]) for r in _legacy_table()}
    current_province = {_text(r["provinceKey"]): _text(r["provinceCode"]) for r in _current_table()}
    # The converter's legacy key is "<province>_<district>_<ward>". For a commune-less
    # district the ward part is empty, and those rows are not communes.
    legacy_commune = {
        f"{_text(r['provinceKey'])}_{_text(r['districtKey'])}_{_text(r['wardKey'])}": _text(
            r["wardCode"]
        )
        for r in _legacy_table()
        if r["wardCode"] is not None
    }
    communeless = {
        f"{_text(r['provinceKey'])}_{_text(r['districtKey'])}_"
        for r in _legacy_table()
        if r["wardCode"] is None
    }
    current_commune = {
        (_text(r["provinceKey"]), _text(r["wardKey"])): _text(r["wardCode"])
        for r in _current_table()
    }

    out: list[Succession] = []
    province_map: Mapping[str, list[str]] = converter_2025.DICT_PROVINCE
    for new_key, old_keys in province_map.items():
        new_code = _lookup(current_province, new_key, "current province")
        for old_key in old_keys:
            old_code = _lookup(legacy_province, old_key, "legacy province")
            out.append(Succession("PROVINCE", old_code, new_code, True, 1.0))

    undivided: Mapping[str, Mapping[str, list[str]]] = converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED
    for new_prov, wards in undivided.items():
        for new_ward, old_keys in wards.items():
            new_code = _lookup(current_commune, (new_prov, new_ward), "current commune")
            for old_key in old_keys:
                if old_key in communeless:
                    continue
                old_code = _lookup(legacy_commune, old_key, "legacy commune")
                out.append(Succession("COMMUNE", old_code, new_code, True, 1.0))

    divided: Mapping[str, Mapping[str, list[Mapping[str, Any]]]] = (
        converter_2025.DICT_PROVINCE_WARD_DIVIDED
    )
    for new_prov, splits in divided.items():
        for old_key, parts in splits.items():
            old_code = _lookup(legacy_commune, old_key, "legacy commune")
            for part in parts:
                new_code = _lookup(
                    current_commune, (new_prov, part["newWardKey"]), "current commune"
                )
                is_default = part["isDefaultNewWard"] is True
                out.append(Succession("COMMUNE", old_code, new_code, is_default, None))

    defaults: defaultdict[tuple[str, str], int] = defaultdict(int)
    for s in out:
        defaults[(s.level, s.legacy_code)] += s.is_default
    wrong = {k: n for k, n in defaults.items() if n != 1}
    if wrong:
        # A divided commune without exactly one flagged default means the package changed.
        # Failing here is safer than picking a successor silently.
        raise ValueError(f"legacy units without exactly one default successor: {wrong}")

    out.sort(key=lambda s: (s.level, s.legacy_code, not s.is_default, s.current_code))
    return tuple(out)


def legacy_units() -> list[UnitRow]:
    """Provinces, districts and communes of the legacy (63-province) era."""
    return list(_legacy_units())


def current_units() -> list[UnitRow]:
    """Provinces and communes of the current (34-province) era."""
    return list(_current_units())


def successions() -> list[Succession]:
    """Legacy -> current successor links for provinces and communes."""
    return list(_successions())
