"""Load the real administrative units (seed/admin_units.py) and the organisational skeleton.

One transaction per batch of rows with UNWIND; everything is MERGEd on natural keys, so seeding
twice leaves the same graph.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.core import changes
from graph.core.db import Graph, Tx
from graph.core.digests import rebuild_rollups
from graph.core.model import (
    CENTRAL_UNIT_KEY,
    MINISTRY_MERGER_DAY,
    REFORM_DAY,
    REFORM_LAST_LEGACY_DAY,
    Era,
    OrganisationKind,
    UnitLevel,
    unit_key,
)
from graph.core.org_digests import ORG_DIGESTS
from graph.core.text import fold
from graph.network.organisations import OrganisationInput, upsert_organisations
from graph.units import admin_units
from graph.units.units import (
    UnitInput,
    link_parents,
    mark_units_loaded,
    upsert_successions,
    upsert_units,
)

T = TypeVar("T")
_ONE_DAY = dt.timedelta(days=1)
BATCH = 10_000
NATIONAL_COORDINATOR_ID = "cuc-cds-quoc-gia"


def batches(rows: Sequence[T], size: int = BATCH) -> Iterable[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def write_batched(
    graph: Graph,
    work: Callable[[Tx, list[dict[str, Any]]], Awaitable[int]],
    rows: Sequence[dict[str, Any]],
    size: int = BATCH,
) -> int:
    """One write transaction per batch: a failed batch rolls back alone and is retried whole."""
    total = 0
    for chunk in batches(rows, size):
        total += await graph.write(work, list(chunk))
    return total


def _era_bounds(era: Era) -> tuple[Any, Any]:
    if era is Era.LEGACY:
        return None, REFORM_LAST_LEGACY_DAY
    if era is Era.CURRENT:
        return REFORM_DAY, None
    return None, None


def _to_input(row: admin_units.UnitRow) -> UnitInput:
    era, level = Era(row.era), UnitLevel(row.level)
    if row.parent_code is not None:
        parent_level = (
            UnitLevel.DISTRICT
            if level is UnitLevel.COMMUNE and era is Era.LEGACY
            else (UnitLevel.PROVINCE)
        )
        parent_key: str | None = unit_key(era, parent_level, row.parent_code)
    else:
        parent_key = CENTRAL_UNIT_KEY
    valid_from, valid_to = _era_bounds(era)
    return UnitInput(
        key=unit_key(era, level, row.code),
        era=era,
        level=level,
        code=row.code,
        name=row.name,
        short_name=row.short_name,
        unit_type=row.unit_type,
        search_key=fold(row.name),
        parent_key=parent_key,
        valid_from=valid_from,
        valid_to=valid_to,
        lat=row.lat,
        lon=row.lon,
        population=row.population,
        area_km2=row.area_km2,
    )


def central_unit() -> UnitInput:
    name = "Việt Nam"
    return UnitInput(
        key=CENTRAL_UNIT_KEY,
        era=Era.NATIONAL,
        level=UnitLevel.CENTRAL,
        code="VN",
        name=name,
        short_name=name,
        unit_type="trung ương",
        search_key=fold(name),
        parent_key=None,
        valid_from=None,
        valid_to=None,
    )


def unit_inputs() -> list[UnitInput]:
    rows = [*admin_units.legacy_units(), *admin_units.current_units()]
    return [central_unit(), *(_to_input(r) for r in rows)]


def succession_rows() -> list[dict[str, Any]]:
    return [
        {
            "legacyKey": unit_key(Era.LEGACY, UnitLevel(s.level), s.legacy_code),
            "currentKey": unit_key(Era.CURRENT, UnitLevel(s.level), s.current_code),
            "isDefault": s.is_default,
            "share": s.share,
        }
        for s in admin_units.successions()
    ]


def skeleton_organisations() -> list[OrganisationInput]:
    """The national coordinator, the ministries in charge, the provincial department in charge
    of CĐS in each province (Sở TTTT before the merger, Sở KH&CN after the reform), a People's
    Committee in each current commune and, until the reform, in each legacy district and commune.
    Real institutions, named by rule from real units."""
    central = CENTRAL_UNIT_KEY
    orgs = [
        OrganisationInput(
            "bo-tttt",
            OrganisationKind.MINISTRY,
            "Bộ Thông tin và Truyền thông",
            central,
            valid_to=MINISTRY_MERGER_DAY - _ONE_DAY,
            successor_id="bo-khcn",
        ),
        OrganisationInput(
            "bo-khcn", OrganisationKind.MINISTRY, "Bộ Khoa học và Công nghệ", central
        ),
        OrganisationInput(
            NATIONAL_COORDINATOR_ID,
            OrganisationKind.NATIONAL_COORDINATOR,
            "Cục Chuyển đổi số quốc gia",
            central,
            parent_id="bo-khcn",
        ),
    ]
    default_successor = {
        s.legacy_code: s.current_code
        for s in admin_units.successions()
        if s.level == "PROVINCE" and s.is_default
    }
    for p in admin_units.legacy_units():
        if p.level != "PROVINCE":
            continue
        orgs.append(
            OrganisationInput(
                f"so-tttt-{p.code}",
                OrganisationKind.PROVINCIAL_CDS_DEPARTMENT,
                f"Sở Thông tin và Truyền thông {p.short_name}",
                unit_key(Era.LEGACY, UnitLevel.PROVINCE, p.code),
                valid_to=MINISTRY_MERGER_DAY - _ONE_DAY,
                successor_id=f"so-khcn-{default_successor[p.code]}"
                if p.code in default_successor
                else None,
            )
        )
    for u in admin_units.current_units():
        key = unit_key(Era.CURRENT, UnitLevel(u.level), u.code)
        if u.level == "PROVINCE":
            orgs.append(
                OrganisationInput(
                    f"so-khcn-{u.code}",
                    OrganisationKind.PROVINCIAL_CDS_DEPARTMENT,
                    f"Sở Khoa học và Công nghệ {u.short_name}",
                    key,
                    valid_from=REFORM_DAY,
                )
            )
        else:
            orgs.append(
                OrganisationInput(
                    f"ubnd-xa-{u.code}",
                    OrganisationKind.COMMUNE_PEOPLES_COMMITTEE,
                    f"Ủy ban nhân dân {u.name}",
                    key,
                    valid_from=REFORM_DAY,
                )
            )
    orgs.extend(legacy_committees())
    # Successors are linked by MERGE after every row of a batch is in, so the Sở KH&CN and
    # today's commune committees must be written first: order current before legacy.
    return sorted(orgs, key=lambda o: o.successor_id is not None)


def legacy_committee_id(level: UnitLevel, code: str) -> str:
    """Legacy codes were reused by the reform, so a legacy commune's committee needs an id of its
    own: ``ubnd-xa-cu-00004`` (Trúc Bạch, until 2025-06-30) beside ``ubnd-xa-00004`` (Ba Đình)."""
    return f"ubnd-huyen-{code}" if level is UnitLevel.DISTRICT else f"ubnd-xa-cu-{code}"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def legacy_committees() -> list[OrganisationInput]:
    """The People's Committees of the 696 legacy districts and ~10,035 legacy communes, valid
    until 2025-06-30: Decision 1690's focal-point target on a date before the reform is measured
    against them. Named with their district and province (several provinces had a Huyện Châu
    Thành, many districts a Xã Tân Lập). A commune's committee is succeeded by the committee of
    the commune that took it over by default."""
    legacy = {(u.level, u.code): u for u in admin_units.legacy_units()}
    default_successor = {
        s.legacy_code: s.current_code
        for s in admin_units.successions()
        if s.level == "COMMUNE" and s.is_default
    }
    out: list[OrganisationInput] = []
    for u in legacy.values():
        if u.level not in ("DISTRICT", "COMMUNE"):
            continue
        level = UnitLevel(u.level)
        parents = [
            legacy[("DISTRICT" if level is UnitLevel.COMMUNE else "PROVINCE", u.parent_code or "")]
        ]
        if level is UnitLevel.COMMUNE:
            parents.append(legacy[("PROVINCE", parents[0].parent_code or "")])
        where = ", ".join(_lower_first(p.name) for p in parents)
        successor = default_successor.get(u.code) if level is UnitLevel.COMMUNE else None
        out.append(
            OrganisationInput(
                legacy_committee_id(level, u.code),
                OrganisationKind.DISTRICT_PEOPLES_COMMITTEE
                if level is UnitLevel.DISTRICT
                else OrganisationKind.COMMUNE_PEOPLES_COMMITTEE,
                f"Ủy ban nhân dân {u.name}, {where}",
                unit_key(Era.LEGACY, level, u.code),
                valid_to=REFORM_LAST_LEGACY_DAY,
                successor_id=None if successor is None else f"ubnd-xa-{successor}",
            )
        )
    return out


@dataclass(frozen=True)
class SeedReport:
    units: int
    part_of: int
    successions: int
    organisations: int
    seconds: float


async def seed_units(graph: Graph) -> SeedReport:
    began = time.perf_counter()
    units = [u.as_param() for u in unit_inputs()]
    n_units = await write_batched(graph, upsert_units, units)
    n_part_of = await write_batched(graph, link_parents, units)
    n_succ = await write_batched(graph, upsert_successions, succession_rows())
    orgs = [o.as_param() for o in skeleton_organisations()]
    n_orgs = await write_batched(graph, upsert_organisations, orgs)
    await ORG_DIGESTS.rebuild_all(graph)  # the bulk writer leaves the places' digests to us
    await rebuild_rollups(graph)  # and the provinces' rollups, which writers only keep
    await graph.write(changes.bump)  # caches keyed by the counter must see the new data
    await graph.write(mark_units_loaded, n_units)  # last: only a complete load is marked
    return SeedReport(n_units, n_part_of, n_succ, n_orgs, time.perf_counter() - began)
