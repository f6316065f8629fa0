"""Reports on where the network reaches: coverage figures, gaps, province rankings and search
hits."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.types.network import AdministrativeUnit, CommunityTechTeam, Decision, Organisation
from graph.reports import gaps as gap_queries
from graph.reports import ranking as ranking_queries
from graph.reports import search as search_queries
from graph.reports import series as series_queries
from graph.reports import targets as target_queries
from graph.reports.coverage import Coverage, CoverageMetrics
from graph.reports.gaps import GapRecord
from graph.reports.ranking import Rank
from graph.reports.targets import TargetRecord

GapKind = gap_queries.GapKind
strawberry.enum(
    gap_queries.GapKind,
    description="What is missing: a commune with no active team; an agency with no active "
    "focal point; a province with no verified expert in an area; an active team smaller than "
    "the minimum size; a team or focal point established by an organisation that has since "
    "ceased (e.g. a district People's Committee), which needs re-confirmation.",
)
RankingMetric = ranking_queries.RankingMetric
strawberry.enum(
    ranking_queries.RankingMetric,
    description="TEAM_COVERAGE: communes with an active team / communes. FOCAL_POINT_COVERAGE: "
    "agencies with an active focal point / agencies. EXPERTS_PER_100_COMMUNES: verified experts "
    "per 100 communes (the unit data has no population, so not per 100k residents). "
    "CDS_STAFF_RATIO: CĐS staff / staff of organisations reporting both (2022 baseline 2.19%). "
    "HOUSEHOLDS_HELPED_PER_1000_RESIDENTS, HOUSEHOLDS_HELPED_PER_COMMUNE: households the teams "
    "helped within the activity window. The request side (support requests): ANSWERED_SHARE, "
    "answered / filed, highest first; OPEN_REQUESTS, requests still open, MOST first (where "
    "help is waited for; 0, never null, without requests); MEDIAN_HOURS_TO_FIRST_ACCEPT, "
    "fastest first (numerator: the answered requests). Null values rank last.",
)
SearchKind = search_queries.HitKind
strawberry.enum(search_queries.HitKind, description="What a search hit is.")


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
    people_helped: int = strawberry.field(
        description="People the teams helped, from the activity reports ending within the last "
        "N days up to the date (N: CDS_ACTIVE_TEAM_DAYS, 90)."
    )
    households_helped: int = strawberry.field(
        description="Households the teams helped, same reports as peopleHelped."
    )
    active_teams: int = strawberry.field(
        description="Running teams with an activity report ending within the last N days (a "
        "report exactly N days old counts)."
    )
    active_team_share: float | None = strawberry.field(
        description="activeTeams / teams; null when there are no teams."
    )
    requests: int = strawberry.field(
        description="Support requests (yêu cầu hỗ trợ) filed for places here by the date."
    )
    open_requests: int = strawberry.field(
        description="Of those, the ones neither done nor cancelled on the date (today: OPEN, "
        "MATCHING or ASSIGNED)."
    )
    answered_requests: int = strawberry.field(
        description="Of those, the ones an expert had accepted by the date."
    )
    answered_share: float | None = strawberry.field(
        description="answeredRequests / requests; null when there are no requests."
    )
    median_hours_to_first_accept: float | None = strawberry.field(
        description="Median hours from filing to the first accepted expert, over the answered "
        "requests; null when none was answered."
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
            people_helped=m.people_helped,
            households_helped=m.households_helped,
            active_teams=m.active_teams,
            active_team_share=_ratio(m.active_teams, m.teams),
            requests=m.requests,
            open_requests=m.open_requests,
            answered_requests=m.answered_requests,
            answered_share=m.support.answered_share,
            median_hours_to_first_accept=m.median_hours_to_first_accept,
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


@strawberry.type(description="One place or record where the network does not reach yet.")
class CoverageGap:
    kind: GapKind = strawberry.field(description="What is missing.")
    unit: AdministrativeUnit = strawberry.field(description="Where.")
    organisation: Organisation | None = strawberry.field(
        description="The organisation concerned, if any."
    )
    team: CommunityTechTeam | None = strawberry.field(description="The team concerned, if any.")
    decision: Decision | None = strawberry.field(
        description="The decision needing re-confirmation, if any."
    )
    active_members: int | None = strawberry.field(
        description="For TEAM_BELOW_MIN_SIZE: active members."
    )
    minimum_size: int | None = strawberry.field(
        description="For TEAM_BELOW_MIN_SIZE: the minimum in force."
    )
    last_activity: dt.date | None = strawberry.field(
        description="For TEAM_WITHOUT_RECENT_ACTIVITY: the last day of its latest report, "
        "null when it never reported."
    )

    @classmethod
    def from_record(cls, g: GapRecord) -> CoverageGap:
        return cls(
            kind=g.kind,
            unit=AdministrativeUnit.from_record(g.unit),
            organisation=Organisation.from_record(g.organisation) if g.organisation else None,
            team=CommunityTechTeam.from_record(g.team) if g.team else None,
            decision=Decision.from_records(g.decision, g.issuer) if g.decision else None,
            active_members=g.active_members,
            minimum_size=g.minimum_size,
            last_activity=g.last_activity,
        )


@strawberry.type(description="A province's place in a ranking, with the counts behind its value.")
class ProvinceRank:
    rank: int = strawberry.field(description="1 is best; equal values share a rank.")
    province: AdministrativeUnit = strawberry.field(description="The province.")
    value: float | None = strawberry.field(
        description="The metric; null when there is nothing to measure."
    )
    numerator: int = strawberry.field(description="The count above the line.")
    denominator: int = strawberry.field(description="The count below the line.")

    @classmethod
    def from_record(cls, r: Rank) -> ProvinceRank:
        return cls(
            rank=r.rank,
            province=AdministrativeUnit.from_record(r.province),
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
        )


@strawberry.type(description="One search hit.")
class SearchHit:
    kind: SearchKind = strawberry.field(description="What was found.")
    id: strawberry.ID = strawberry.field(description="Global ID, for `node(id:)`.")
    name: str = strawberry.field(description="Display name.")
    score: float = strawberry.field(description="Relevance; higher is better.")


Indicator = target_queries.Indicator
strawberry.enum(
    target_queries.Indicator,
    description="AGENCIES_WITH_FOCAL_POINT: agencies with an active focal point / agencies. "
    "COMMUNES_WITH_TEAM: communes with an active team / communes. CDS_STAFF_RATIO: CĐS staff / "
    "staff of organisations reporting both (each organisation's latest report on the date).",
)
SeriesStep = series_queries.Step
strawberry.enum(series_queries.Step, name="SeriesStep", description="Calendar period of a series.")


@strawberry.type(
    description="A target (chỉ tiêu): an indicator to reach by a deadline, from a decision. "
    "A province's own target (scopeCode set) wins over the national one for that province."
)
class Target:
    id: strawberry.ID = strawberry.field(description="Stable id of the target.")
    indicator: Indicator = strawberry.field(description="What is measured.")
    threshold: float = strawberry.field(
        description="The value to reach (a ratio: 1.0 is 100%); met when value >= threshold."
    )
    deadline: dt.date = strawberry.field(description="The day it must be met by.")
    source_decision: str = strawberry.field(description="The decision that sets it.")
    scope_code: str | None = strawberry.field(
        description="The province it is for; null for a national target."
    )

    @classmethod
    def from_record(cls, t: TargetRecord) -> Target:
        return cls(
            id=strawberry.ID(t.id),
            indicator=t.indicator,
            threshold=t.threshold,
            deadline=t.deadline,
            source_decision=t.source_decision,
            scope_code=t.scope_code,
        )


@strawberry.type(description="The scope's coverage totals at one period end.")
class CoveragePoint:
    as_of: dt.date = strawberry.field(description="The period end.")
    scope: AdministrativeUnit = strawberry.field(
        description="The scope's unit in the era valid on that date."
    )
    totals: CoverageFigures = strawberry.field(
        description="Equal to coverage(scopeCode, asOf: periodEnd).totals."
    )


@strawberry.type(description="A target followed along a series.")
class TargetProgress:
    target: Target = strawberry.field(description="The effective target for the scope.")
    values: list[float | None] = strawberry.field(
        description="The indicator at each period end (null with nothing to measure)."
    )
    on_track: bool | None = strawberry.field(
        description="Met at the last period end (value >= threshold); or else, before the "
        "deadline, the straight line through the last two values reaches the threshold by the "
        "deadline. False when unmet at or after the deadline; null with fewer than two values."
    )


@strawberry.type(description="Coverage totals at each period end, and progress towards targets.")
class CoverageSeries:
    step: SeriesStep = strawberry.field(description="The period.")
    points: list[CoveragePoint] = strawberry.field(description="One per period end, in order.")
    targets: list[TargetProgress] = strawberry.field(
        description="Each effective target of the scope."
    )
