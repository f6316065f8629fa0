"""Administrative units: the legacy and current hierarchies and the succession between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.db import Tx, run
from graph.model import Era, UnitLevel


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


@dataclass(frozen=True, slots=True)
class SuccessionInput:
    legacy_key: str
    current_key: str
    is_default: bool
    share: float | None


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
