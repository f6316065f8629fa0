"""Administrative units: the legacy and current hierarchies and the succession between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.cypher import native, valid_on
from graph.core.db import Tx, run, run_single
from graph.core.model import Era, UnitLevel
from graph.core.paging import Page, paged


@dataclass(frozen=True, slots=True)
class UnitInput:
    """One unit as the seeders write it."""

    key: str
    era: Era
    level: UnitLevel
    code: str
    name: str
    short_name: str
    unit_type: str
    search_key: str
    parent_key: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    area_km2: float | None = None

    def as_param(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "era": self.era.value,
            "level": self.level.value,
            "code": self.code,
            "name": self.name,
            "shortName": self.short_name,
            "type": self.unit_type,
            "searchKey": self.search_key,
            "parentKey": self.parent_key,
            "validFrom": self.valid_from,
            "validTo": self.valid_to,
            "lat": self.lat,
            "lon": self.lon,
            "population": self.population,
            "areaKm2": self.area_km2,
        }


async def upsert_units(tx: Tx, units: list[dict[str, Any]]) -> int:
    """MERGE units by key and (re)set every property, so seeding twice gives the same graph."""
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        MERGE (u:AdministrativeUnit {key: row.key})
        SET u.era = row.era, u.level = row.level, u.code = row.code, u.name = row.name,
            u.shortName = row.shortName, u.type = row.type, u.searchKey = row.searchKey,
            u.validFrom = row.validFrom, u.validTo = row.validTo, u.lat = row.lat,
            u.lon = row.lon, u.population = row.population, u.areaKm2 = row.areaKm2
        RETURN count(*) AS n
        """,
        rows=units,
    )
    return int(records[0]["n"])


async def link_parents(tx: Tx, units: list[dict[str, Any]]) -> int:
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        WITH row WHERE row.parentKey IS NOT NULL
        MATCH (u:AdministrativeUnit {key: row.key})
        MATCH (p:AdministrativeUnit {key: row.parentKey})
        MERGE (u)-[:PART_OF]->(p)
        RETURN count(*) AS n
        """,
        rows=units,
    )
    return int(records[0]["n"])


async def upsert_successions(tx: Tx, rows: list[dict[str, Any]]) -> int:
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        MATCH (a:AdministrativeUnit {key: row.legacyKey})
        MATCH (b:AdministrativeUnit {key: row.currentKey})
        MERGE (a)-[s:SUCCEEDED_BY]->(b)
        SET s.isDefault = row.isDefault, s.share = row.share
        RETURN count(*) AS n
        """,
        rows=rows,
    )
    return int(records[0]["n"])


# ---------------------------------------------------------------------------------------------
# Reads


@dataclass(frozen=True, slots=True)
class UnitRecord:
    key: str
    era: Era
    level: UnitLevel
    code: str
    name: str
    short_name: str
    unit_type: str
    lat: float | None
    lon: float | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    area_km2: float | None
    population: int | None


UNIT_FIELDS: LiteralString = (
    ".key, .era, .level, .code, .name, .shortName, .type, .lat, .lon, .validFrom, .validTo, "
    ".areaKm2, .population"
)


def unit_from_map(m: dict[str, Any]) -> UnitRecord:
    return UnitRecord(
        key=m["key"],
        era=Era(m["era"]),
        level=UnitLevel(m["level"]),
        code=m["code"],
        name=m["name"],
        short_name=m["shortName"],
        unit_type=m["type"],
        lat=m.get("lat"),
        lon=m.get("lon"),
        valid_from=native(m.get("validFrom")),
        valid_to=native(m.get("validTo")),
        area_km2=m.get("areaKm2"),
        population=m.get("population"),
    )


def level_of_code(code: str) -> UnitLevel | None:
    """Official codes: 2 digits for a province, 3 for a district, 5 for a commune."""
    return {2: UnitLevel.PROVINCE, 3: UnitLevel.DISTRICT, 5: UnitLevel.COMMUNE}.get(len(code))


async def unit_valid_on(tx: Tx, code: str, as_of: dt.date) -> UnitRecord | None:
    """The unit with this official code valid on the date: codes were reused by the reform, so
    the date decides which place is meant."""
    record = await run_single(
        tx,
        "MATCH (u:AdministrativeUnit {code: $code}) "
        "WHERE " + valid_on("u") + " "
        "RETURN u {" + UNIT_FIELDS + "} AS u LIMIT 1",
        code=code,
        d=as_of,
    )
    return unit_from_map(record["u"]) if record else None


async def units_by_keys(tx: Tx, keys: list[str]) -> dict[str, UnitRecord]:
    records = await run(
        tx,
        "UNWIND $keys AS key MATCH (u:AdministrativeUnit {key: key}) "
        "RETURN u {" + UNIT_FIELDS + "} AS u",
        keys=keys,
    )
    return {r["u"]["key"]: unit_from_map(r["u"]) for r in records}


async def parents_of(tx: Tx, keys: list[str]) -> dict[str, UnitRecord]:
    records = await run(
        tx,
        "UNWIND $keys AS key MATCH (:AdministrativeUnit {key: key})-[:PART_OF]->(p) "
        "RETURN key, p {" + UNIT_FIELDS + "} AS u",
        keys=keys,
    )
    return {r["key"]: unit_from_map(r["u"]) for r in records}


async def children_pages(tx: Tx, keys: list[str], first: int, after: str | None) -> dict[str, Page]:
    """Children of many units at once, ordered by code, each sliced after the cursor (a code)."""
    query: LiteralString = (
        """
        UNWIND $keys AS key
        MATCH (parent:AdministrativeUnit {key: key})
        OPTIONAL MATCH (c:AdministrativeUnit)-[:PART_OF]->(parent)
        WITH key, c ORDER BY c.code
        WITH key, collect(c {sortKey: c.code, """
        + UNIT_FIELDS
        + "}) AS items"
    )
    return await paged(tx, query, unit_from_map, keys, first, after)


@dataclass(frozen=True, slots=True)
class SuccessionRecord:
    unit: UnitRecord
    is_default: bool
    share: float | None


async def successions_of(
    tx: Tx, keys: list[str], *, forward: bool
) -> dict[str, list[SuccessionRecord]]:
    """Successors (forward) or predecessors of many units, one query."""
    query: LiteralString = (
        "UNWIND $keys AS key MATCH (:AdministrativeUnit {key: key})-[s:SUCCEEDED_BY]->(o) "
        if forward
        else "UNWIND $keys AS key MATCH (:AdministrativeUnit {key: key})<-[s:SUCCEEDED_BY]-(o) "
    )
    records = await run(
        tx,
        query
        + "RETURN key, o {"
        + UNIT_FIELDS
        + "} AS u, s.isDefault AS isDefault, s.share AS share "
        "ORDER BY key, s.isDefault DESC, o.code",
        keys=keys,
    )
    out: dict[str, list[SuccessionRecord]] = {k: [] for k in keys}
    for r in records:
        out[r["key"]].append(SuccessionRecord(unit_from_map(r["u"]), r["isDefault"], r["share"]))
    return out


async def resolve_scope(
    tx: Tx, code: str | None, as_of: dt.date, *, in_current_units: bool
) -> UnitRecord:
    """The unit whose children are the rows of a coverage report, gap list or ranking.

    No code: the central level. A province, or for legacy dates a district. With
    ``in_current_units`` the code names a current unit whatever the date.
    """
    from graph.core.errors import InvalidInput, NotFound
    from graph.core.model import CENTRAL_UNIT_KEY, REFORM_DAY

    if code is None:
        found = await units_by_keys(tx, [CENTRAL_UNIT_KEY])
        return found[CENTRAL_UNIT_KEY]
    code = code.strip()
    if level_of_code(code) not in (UnitLevel.PROVINCE, UnitLevel.DISTRICT):
        raise InvalidInput(
            "scopeCode", "must be a province code (2 digits) or, before 2025-07-01, a district (3)"
        )
    day = max(as_of, REFORM_DAY) if in_current_units else as_of
    unit = await unit_valid_on(tx, code, day)
    if unit is None:
        raise NotFound("AdministrativeUnit", f"{code} on {day.isoformat()}")
    return unit


# The marker a complete load of the real units leaves (seed/units.py): a first start of the API
# on an empty store loads them once; a later start sees the marker and does nothing.
UNITS_LOADED = "units"


async def units_loaded(tx: Tx) -> bool:
    found = await run_single(
        tx, "MATCH (s:DataLoad {name: $name}) RETURN s.name AS n", name=UNITS_LOADED
    )
    return found is not None


async def mark_units_loaded(tx: Tx, units: int) -> None:
    await run(
        tx,
        "MERGE (s:DataLoad {name: $name}) SET s.units = $units, s.loadedAt = datetime.transaction()",
        name=UNITS_LOADED,
        units=units,
    )
