"""AdministrativeUnit and its succession across the 2025 reform."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.relay import (
    ActiveOn,
    After,
    Connection,
    First,
    Node,
    connection,
    decode_cursor,
    to_global_id,
)
from api.types.enums import Era, UnitLevel
from graph.units import SuccessionRecord, UnitRecord

if TYPE_CHECKING:
    from api.context import Context
    from api.types.network import CommunityTechTeam, Organisation

# network.py builds on this module, so its types are referenced lazily here.
LazyTeam = Annotated["CommunityTechTeam", strawberry.lazy("api.types.network")]
LazyOrganisation = Annotated["Organisation", strawberry.lazy("api.types.network")]


@strawberry.type(
    description="An administrative unit (đơn vị hành chính) valid for a period: the central "
    "level, a province (tỉnh), a district (huyện, legacy only) or a commune (xã / phường / đặc "
    "khu). Official codes were reused by the 2025 reform, so a code alone is ambiguous: the "
    "unit is the code within its era."
)
class AdministrativeUnit(Node):
    record: strawberry.Private[UnitRecord]
    code: str = strawberry.field(
        description="Official code (provinces 2 digits, districts 3, communes 5)."
    )
    name: str = strawberry.field(description="Full name with its type, e.g. 'Phường Ba Đình'.")
    short_name: str = strawberry.field(description="Name without the type, e.g. 'Ba Đình'.")
    type: str = strawberry.field(
        description="Vietnamese type: tỉnh, thành phố trung ương, quận, huyện, thị xã, thành "
        "phố, phường, xã, thị trấn, đặc khu."
    )
    level: UnitLevel = strawberry.field(description="Administrative level.")
    era: Era = strawberry.field(
        description="LEGACY (until 2025-06-30) or CURRENT (from 2025-07-01)."
    )
    valid_from: dt.date | None = strawberry.field(
        description="First day valid; null if earlier than the data."
    )
    valid_to: dt.date | None = strawberry.field(description="Last day valid; null while valid.")
    lat: float | None = strawberry.field(description="Latitude of the unit's centre, where known.")
    lon: float | None = strawberry.field(description="Longitude of the unit's centre, where known.")
    area_km2: float | None = strawberry.field(description="Area in km², where the source gives it.")

    @classmethod
    def from_record(cls, r: UnitRecord) -> AdministrativeUnit:
        return cls(
            id=to_global_id("AdministrativeUnit", r.key),
            record=r,
            code=r.code,
            name=r.name,
            short_name=r.short_name,
            type=r.unit_type,
            level=r.level,
            era=r.era,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            lat=r.lat,
            lon=r.lon,
            area_km2=r.area_km2,
        )

    @strawberry.field(description="The unit this one is part of (null for the central level).")
    async def parent(self, info: strawberry.Info[Context]) -> AdministrativeUnit | None:
        parent = await info.context.loaders.parent.load(self.record.key)
        return AdministrativeUnit.from_record(parent) if parent else None

    @strawberry.field(description="Units directly below this one, ordered by code.")
    async def children(
        self,
        info: strawberry.Info[Context],
        first: First = None,
        after: After = None,
    ) -> Connection[AdministrativeUnit]:
        size = info.context.page_size(first)
        page = await info.context.loaders.children.load(
            self.record.key, (size, decode_cursor(after))
        )
        return connection(
            [(u.code, AdministrativeUnit.from_record(u)) for u in page.items],
            page.total,
            page.has_next,
        )

    @strawberry.field(description="Community tech teams active on the date operating here.")
    async def teams(
        self,
        info: strawberry.Info[Context],
        first: First = None,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[LazyTeam]:
        from api.types.network import unit_teams

        return await unit_teams(self, info, first, after, active_on)

    @strawberry.field(description="Organisations valid on the date located in this unit.")
    async def organisations(
        self,
        info: strawberry.Info[Context],
        first: First = None,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[LazyOrganisation]:
        from api.types.network import unit_organisations

        return await unit_organisations(self, info, first, after, active_on)

    @strawberry.field(
        description="For a legacy unit: the current unit(s) that took over its territory on "
        "2025-07-01 (a split commune has several, one marked default)."
    )
    async def successors(self, info: strawberry.Info[Context]) -> list[Succession]:
        found = await info.context.loaders.successors.load(self.record.key)
        return [Succession.from_record(s) for s in found]

    @strawberry.field(
        description="For a current unit: the legacy units whose territory it took over."
    )
    async def predecessors(self, info: strawberry.Info[Context]) -> list[Succession]:
        found = await info.context.loaders.predecessors.load(self.record.key)
        return [Succession.from_record(s) for s in found]


@strawberry.type(description="One link of the 2025 succession between a legacy and a current unit.")
class Succession:
    unit: AdministrativeUnit = strawberry.field(description="The unit at the other end.")
    is_default: bool = strawberry.field(
        description="For a split commune, the successor that takes the whole commune when it "
        "cannot be apportioned (the source package's default ward)."
    )
    share: float | None = strawberry.field(
        description="Fraction of the legacy unit that went here: 1.0 when undivided, null for "
        "the pieces of a split unit (the source gives no fraction)."
    )

    @classmethod
    def from_record(cls, s: SuccessionRecord) -> Succession:
        return cls(
            unit=AdministrativeUnit.from_record(s.unit), is_default=s.is_default, share=s.share
        )
