"""Coverage figures: where the network reaches and where it does not yet."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.types.units import AdministrativeUnit
from graph.coverage import Coverage, CoverageMetrics


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


@strawberry.type(description="Counts for one unit (or a whole scope) on a date.")
class CoverageFigures:
    communes: int = strawberry.field(
        description="Communes (xã / phường / đặc khu) valid on the date."
    )
    communes_with_team: int = strawberry.field(
        description="Communes with at least one active community digital technology team (Tổ CNSCĐ)."
    )
    teams: int = strawberry.field(description="Active community digital technology teams.")
    active_members: int = strawberry.field(
        description="Distinct people with an active membership in an active team."
    )
    active_memberships: int = strawberry.field(
        description="Active memberships (a person in two teams counts twice)."
    )
    organisations: int = strawberry.field(
        description="Organisations valid on the date, of any kind."
    )
    agencies: int = strawberry.field(
        description="Organisations that must name a CĐS focal point (cán bộ đầu mối) under "
        "Decision 1690/QĐ-TTg: ministry departments, provincial departments, People's Committees."
    )
    agencies_with_focal_point: int = strawberry.field(
        description="Agencies with at least one active focal point."
    )
    reported_staff: int = strawberry.field(
        description="Total staff of the organisations that report both headcounts."
    )
    reported_cds_staff: int = strawberry.field(
        description="CĐS staff of the organisations that report both headcounts."
    )
    verified_experts: int = strawberry.field(description="Verified experts located here.")
    team_coverage: float | None = strawberry.field(
        description="communesWithTeam / communes; null when there are no communes."
    )
    focal_point_coverage: float | None = strawberry.field(
        description="agenciesWithFocalPoint / agencies (the 1690 target is 1.0)."
    )
    cds_staff_ratio: float | None = strawberry.field(
        description="reportedCdsStaff / reportedStaff (2022 national baseline 0.0219; >0.10 in "
        "developed countries)."
    )

    @classmethod
    def from_metrics(cls, m: CoverageMetrics) -> CoverageFigures:
        return cls(
            communes=m.communes,
            communes_with_team=m.communes_with_team,
            teams=m.teams,
            active_members=m.people,
            active_memberships=m.memberships,
            organisations=m.organisations,
            agencies=m.agencies,
            agencies_with_focal_point=m.agencies_with_focal_point,
            reported_staff=m.reported_staff,
            reported_cds_staff=m.reported_cds_staff,
            verified_experts=m.experts,
            team_coverage=_ratio(m.communes_with_team, m.communes),
            focal_point_coverage=_ratio(m.agencies_with_focal_point, m.agencies),
            cds_staff_ratio=_ratio(m.reported_cds_staff, m.reported_staff),
        )


@strawberry.type(description="Coverage figures of one child unit of the scope.")
class CoverageRow:
    unit: AdministrativeUnit = strawberry.field(description="The child unit.")
    figures: CoverageFigures = strawberry.field(description="Its counts and ratios.")


@strawberry.type(
    description="Coverage of a scope on a date: one row per child unit and the scope's totals. "
    "With inCurrentUnits on a date before 2025-07-01, legacy figures are re-expressed in today's "
    "units through the succession: provinces merged whole, so province rows are exact; a split "
    "commune is counted whole in its default successor, never divided."
)
class CoverageReport:
    scope: AdministrativeUnit = strawberry.field(
        description="The unit whose children are the rows."
    )
    as_of: dt.date = strawberry.field(description="The date the figures are for.")
    in_current_units: bool = strawberry.field(description="Rows are today's units.")
    rows: list[CoverageRow] = strawberry.field(description="One row per child unit, by code.")
    totals: CoverageFigures = strawberry.field(
        description="The whole scope, counted directly (distinct people are not a sum of rows)."
    )

    @classmethod
    def from_coverage(cls, scope: AdministrativeUnit, c: Coverage) -> CoverageReport:
        return cls(
            scope=scope,
            as_of=c.as_of,
            in_current_units=c.in_current_units,
            rows=[
                CoverageRow(
                    unit=AdministrativeUnit.from_record(r.unit),
                    figures=CoverageFigures.from_metrics(r.metrics),
                )
                for r in c.rows
            ],
            totals=CoverageFigures.from_metrics(c.totals),
        )
