"""Administrative units with their succession across the 2025 reform, and the network that lives
in them: organisations, people, focal points, teams and the decisions behind them. One module,
because a unit lists its teams and organisations and each of those names its unit."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from api.loaders import GroupedLoader
from api.policy import sees_people
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
from api.types.activity import ActivityReport
from api.types.enums import (
    DecisionKind,
    Era,
    FocalPointMode,
    HomeAffiliation,
    OrganisationKind,
    TeamLevel,
    TeamRole,
    UnitLevel,
    VillageKind,
)
from graph.core.paging import Page
from graph.network.headcounts import HeadcountRecord
from graph.network.records import (
    DecisionRecord,
    FocalPointRecord,
    MembershipRecord,
    OrganisationRecord,
    PersonRecord,
    TeamRecord,
)
from graph.units.units import SuccessionRecord, UnitRecord

if TYPE_CHECKING:
    from api.context import Context
# network.py builds on this module, so its types are referenced lazily here.


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
    ) -> Connection[CommunityTechTeam]:

        return await unit_teams(self, info, first, after, active_on)

    @strawberry.field(description="Organisations valid on the date located in this unit.")
    async def organisations(
        self,
        info: strawberry.Info[Context],
        first: First = None,
        after: After = None,
        active_on: ActiveOn = None,
    ) -> Connection[Organisation]:

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


@strawberry.type(
    description="A person in the network. Personal fields are null unless the viewer may see "
    "them (the person, or a coordinator whose scope covers them)."
)
class Person(Node):
    record: strawberry.Private[PersonRecord]
    full_name: str = strawberry.field(description="Full name (NFC).")

    @classmethod
    def visible(cls, r: PersonRecord, info: strawberry.Info[Context]) -> Person | None:
        """Team members and focal points are personal data: hidden from viewers who may not
        see people; contact fields hidden even more narrowly (api/policy.py)."""
        if not sees_people(info.context.viewer):
            return None
        return cls(id=to_global_id("Person", r.id), record=r, full_name=r.full_name)

    @classmethod
    async def load(cls, info: strawberry.Info[Context], person_id: str) -> Person | None:
        """The person by id through the request's loader, as the viewer may see them."""
        found = await info.context.loaders.network.person.load(person_id)
        if found is None:
            return None
        # Known only as an expert not yet verified: for that expert's verifiers (api/policy.py
        # UnverifiedExperts), whatever id the caller learnt (the change feed names people).
        if found.unverified_expert_only and not await info.context.access.sees_unverified_person(
            found.id
        ):
            return None
        return cls.visible(found, info)

    @strawberry.field(description="Personal: e-mail; null unless the viewer may see it.")
    async def email(self, info: strawberry.Info[Context]) -> str | None:
        return await info.context.access.field(self.record.id, "email", self.record.email)

    @strawberry.field(description="Personal: phone, +84 E.164; null unless the viewer may see it.")
    async def phone(self, info: strawberry.Info[Context]) -> str | None:
        return await info.context.access.field(self.record.id, "phone", self.record.phone)


@strawberry.type(
    description="A decision (quyết định) that established a team, a focal point or a network."
)
class Decision:
    number: str = strawberry.field(description="Official number, e.g. '123/QĐ-UBND'.")
    date: dt.date = strawberry.field(description="Date signed.")
    kind: DecisionKind = strawberry.field(description="What it established.")
    issuer: Organisation | None = strawberry.field(description="The organisation that issued it.")
    issuer_ceased: bool = strawberry.field(
        description="The issuer no longer exists (e.g. a district People's Committee after "
        "2025-06-30): what it established needs re-confirmation by the successor."
    )

    @classmethod
    def from_records(cls, d: DecisionRecord, issuer: OrganisationRecord | None) -> Decision:
        return cls(
            number=d.number,
            date=d.date,
            kind=d.kind,
            issuer=Organisation.from_record(issuer) if issuer else None,
            issuer_ceased=bool(issuer and issuer.valid_to and issuer.valid_to < dt.date.today()),
        )


@strawberry.type(description="A person named CĐS focal point (cán bộ đầu mối) of an organisation.")
class FocalPoint:
    mode: FocalPointMode = strawberry.field(description="Full-time or part-time.")
    since: dt.date = strawberry.field(description="First day of the assignment.")
    until: dt.date | None = strawberry.field(description="Last day; null while active.")
    person: Person | None = strawberry.field(
        description="Who; null if the viewer may not see people."
    )


@strawberry.type(
    description="Staff figures an organisation reported as of a date (báo cáo biên chế). The "
    "figures on a date D are those of the latest report with asOf <= D."
)
class HeadcountReport:
    as_of: dt.date = strawberry.field(description="The date the figures are true on.")
    total_staff: int | None = strawberry.field(description="Total staff.")
    cds_staff: int | None = strawberry.field(description="CĐS staff.")
    source: str = strawberry.field(
        description="Where it came from: 'coordinator' (a mutation), 'seed', 'migrated' (the "
        "undated figure of before #16), 'synthetic' (demo data)."
    )

    @classmethod
    def from_record(cls, h: HeadcountRecord) -> HeadcountReport:
        return cls(as_of=h.as_of, total_staff=h.total, cds_staff=h.cds, source=h.source)


@strawberry.type(
    description="An organisation (đơn vị) of the network: the national coordinator, a "
    "ministry, a provincial department, a People's Committee (UBND), a university, institute, "
    "enterprise or association. An organisation that ceased keeps its history."
)
class Organisation(Node):
    record: strawberry.Private[OrganisationRecord]
    name: str = strawberry.field(description="Official name.")
    kind: OrganisationKind = strawberry.field(description="Kind of organisation.")
    valid_from: dt.date | None = strawberry.field(description="First day it existed, if known.")
    valid_to: dt.date | None = strawberry.field(
        description="Last day it existed; null while it exists."
    )

    @classmethod
    def from_record(cls, r: OrganisationRecord) -> Organisation:
        return cls(
            id=to_global_id("Organisation", r.id),
            record=r,
            name=r.name,
            kind=r.kind,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context], org_id: str) -> Organisation | None:
        """The organisation by id through the request's loader."""
        found = await info.context.loaders.network.organisation.load(org_id)
        return cls.from_record(found) if found else None

    @strawberry.field(description="The administrative unit it is located in.")
    async def unit(self, info: strawberry.Info[Context]) -> AdministrativeUnit | None:
        found = await info.context.loaders.network.organisation_unit.load(self.record.id)
        return AdministrativeUnit.from_record(found) if found else None

    @strawberry.field(
        description="Total staff in the latest headcount report dated on or before `asOf`."
    )
    async def total_staff(
        self, info: strawberry.Info[Context], as_of: ActiveOn = None
    ) -> int | None:
        found = await info.context.loaders.network.headcount_on.load(
            self.record.id, info.context.day(as_of)
        )
        return found.total if found else None

    @strawberry.field(
        description="CĐS staff in the latest headcount report dated on or before `asOf`."
    )
    async def cds_staff(self, info: strawberry.Info[Context], as_of: ActiveOn = None) -> int | None:
        found = await info.context.loaders.network.headcount_on.load(
            self.record.id, info.context.day(as_of)
        )
        return found.cds if found else None

    @strawberry.field(description="Its dated headcount reports, oldest first.")
    async def headcounts(self, info: strawberry.Info[Context]) -> list[HeadcountReport]:
        found = await info.context.loaders.network.headcounts.load(self.record.id)
        return [HeadcountReport.from_record(h) for h in found]

    @strawberry.field(description="Its focal points active on the date.")
    async def focal_points(
        self, info: strawberry.Info[Context], active_on: ActiveOn = None
    ) -> list[FocalPoint]:
        found = await info.context.loaders.network.focal_points.load(
            self.record.id, info.context.day(active_on)
        )
        return [_focal_point(f, info) for f in found]


def _focal_point(f: FocalPointRecord, info: strawberry.Info[Context]) -> FocalPoint:
    return FocalPoint(
        mode=f.mode, since=f.since, until=f.until, person=Person.visible(f.person, info)
    )


@strawberry.type(description="A person's membership of a community digital technology team.")
class TeamMembership:
    role: TeamRole = strawberry.field(description="Head, deputy or member.")
    since: dt.date = strawberry.field(description="First day.")
    until: dt.date | None = strawberry.field(description="Last day; null while active.")
    home_affiliation: HomeAffiliation | None = strawberry.field(
        description="Where the member comes from."
    )
    person: Person | None = strawberry.field(
        description="Who; null if the viewer may not see people."
    )

    @classmethod
    def from_record(cls, m: MembershipRecord, info: strawberry.Info[Context]) -> TeamMembership:
        return cls(
            role=m.role,
            since=m.since,
            until=m.until,
            home_affiliation=m.home_affiliation,
            person=Person.visible(m.person, info),
        )


@strawberry.type(
    description="A community digital technology team (Tổ Công nghệ số cộng đồng, Tổ CNSCĐ): "
    "local people who help residents use digital services, for a commune or one village."
)
class CommunityTechTeam(Node):
    record: strawberry.Private[TeamRecord]
    name: str = strawberry.field(description="Team name.")
    level: TeamLevel = strawberry.field(description="Commune-wide or one village.")
    village_name: str | None = strawberry.field(
        description="The village (thôn / bản / tổ dân phố), if any."
    )
    village_kind: VillageKind | None = strawberry.field(description="Kind of village.")
    since: dt.date = strawberry.field(description="Established on.")
    until: dt.date | None = strawberry.field(description="Closed on; null while active.")

    @classmethod
    def from_record(cls, r: TeamRecord) -> CommunityTechTeam:
        return cls(
            id=to_global_id("CommunityTechTeam", r.id),
            record=r,
            name=r.name,
            level=r.level,
            village_name=r.village_name,
            village_kind=r.village_kind,
            since=r.since,
            until=r.until,
        )

    @strawberry.field(
        description="The commune(s) it operates in: a team that lived through the 2025 reform "
        "has its legacy commune and its current one."
    )
    async def communes(self, info: strawberry.Info[Context]) -> list[AdministrativeUnit]:
        found = await info.context.loaders.network.team_places.load(self.record.id)
        return [AdministrativeUnit.from_record(u) for u in found]

    @strawberry.field(description="Memberships active on the date, head first.")
    async def members(
        self, info: strawberry.Info[Context], active_on: ActiveOn = None
    ) -> list[TeamMembership]:
        found = await info.context.loaders.network.members.load(
            self.record.id, info.context.day(active_on)
        )
        return [TeamMembership.from_record(m, info) for m in found]

    @strawberry.field(description="The decision that established the team.")
    async def established_by(self, info: strawberry.Info[Context]) -> Decision | None:
        found = await info.context.loaders.network.decision.load(self.record.id)
        return Decision.from_records(*found) if found else None

    @strawberry.field(description="The team's activity reports, newest first (#17).")
    async def activity_reports(
        self, info: strawberry.Info[Context], first: int | None = None, after: str | None = None
    ) -> Connection[ActivityReport]:
        ctx = info.context
        page = await ctx.loaders.network.activity_reports.load(
            self.record.id, (ctx.page_size(first), decode_cursor(after))
        )
        return connection(
            [(key, ActivityReport.from_record(r)) for key, r in page.items],
            page.total,
            page.has_next,
        )


async def _dated_page(
    loader: GroupedLoader[tuple[int, str | None, dt.date], Page],
    unit: AdministrativeUnit,
    info: strawberry.Info[Context],
    first: int | None,
    after: str | None,
    active_on: dt.date | None,
) -> Page:
    """One page of what hangs off a unit on a date, through the request's grouped loader."""
    ctx = info.context
    args = (ctx.page_size(first), decode_cursor(after), ctx.day(active_on))
    return await loader.load(unit.record.key, args)


async def unit_teams(
    unit: AdministrativeUnit,
    info: strawberry.Info[Context],
    first: int | None,
    after: str | None,
    active_on: dt.date | None,
) -> Connection[CommunityTechTeam]:
    loader = info.context.loaders.network.teams_in_unit
    page = await _dated_page(loader, unit, info, first, after, active_on)
    return connection(
        [(t.id, CommunityTechTeam.from_record(t)) for t in page.items], page.total, page.has_next
    )


async def unit_organisations(
    unit: AdministrativeUnit,
    info: strawberry.Info[Context],
    first: int | None,
    after: str | None,
    active_on: dt.date | None,
) -> Connection[Organisation]:
    loader = info.context.loaders.network.organisations_in_unit
    page = await _dated_page(loader, unit, info, first, after, active_on)
    return connection(
        [(o.id, Organisation.from_record(o)) for o in page.items], page.total, page.has_next
    )
