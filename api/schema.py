"""The GraphQL schema: the root Query and the schema-wide limits and error handling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from api.context import Context
from api.errors import MaskUnexpectedErrors
from api.inputs import CheckStringArguments
from api.live import SubscriptionsOnlyOverWebSocket
from api.mutations import Mutation
from api.mutations.registration import RegistrationQueries
from api.mutations.review import ReviewQueries
from api.mutations.self_service import SelfServiceQueries
from api.mutations.support import SupportQueries
from api.observability import ObserveOperations
from api.policy import LogPersonalReads, sees_people, unverified_experts
from api.relay import Connection, Node, connection, decode_cursor, from_global_id, to_global_id
from api.types.audit import AuditQueries
from api.types.editions import Edition
from api.types.expertise import ExpertiseQueries
from api.types.experts import Expert, ExpertFilter, ExpertOrder
from api.types.leaders import LeaderQueries
from api.types.live import LiveSubscriptions
from api.types.network import AdministrativeUnit, CommunityTechTeam, Organisation, Person
from api.types.reports import (
    CoverageFigures,
    CoverageGap,
    CoveragePoint,
    CoverageReport,
    CoverageSeries,
    GapKind,
    ProvinceRank,
    RankingMetric,
    SearchHit,
    SeriesStep,
    Target,
    TargetProgress,
)
from api.types.support import Engagement, SupportRequest
from api.types.training import TrainingQueries
from graph.core.errors import InvalidInput, NotFound
from graph.core.expertise import normalise
from graph.core.model import REFORM_DAY, Era, ExpertStatus, UnitLevel
from graph.core.settings import Settings, get_settings
from graph.experts.directory import ExpertFilter as GraphExpertFilter
from graph.experts.directory import ExpertOrder as ExpertOrderEnum
from graph.experts.directory import list_experts
from graph.reports import coverage as coverage_queries
from graph.reports import editions
from graph.reports import gaps as gap_queries
from graph.reports import search as search_queries
from graph.reports import series as series_queries
from graph.reports import targets as target_queries
from graph.reports.gaps import GapArgs
from graph.reports.ranking import rank_provinces
from graph.units import units
from graph.units.units import UnitRecord

AsOf = Annotated[
    dt.date | None,
    strawberry.argument(description="The date the answer is for (default: today)."),
]


@strawberry.type(description="Read access to the CĐS (digital transformation) network registry.")
class Query(
    AuditQueries,
    ExpertiseQueries,
    LeaderQueries,
    RegistrationQueries,
    ReviewQueries,
    SelfServiceQueries,
    TrainingQueries,
    SupportQueries,
):
    @strawberry.field(description="Refetch any object by its global ID (Relay).")
    async def node(self, info: strawberry.Info[Context], id: strawberry.ID) -> Node | None:
        type_name, key = from_global_id(id)
        loaders = info.context.loaders
        if type_name == "AdministrativeUnit":
            unit = await loaders.unit.load(key)
            return AdministrativeUnit.from_record(unit) if unit else None
        if type_name == "Organisation":
            return await Organisation.load(info, key)
        if type_name == "CommunityTechTeam":
            team = await loaders.network.team.load(key)
            return CommunityTechTeam.from_record(team) if team else None
        if type_name == "Expert":
            expert = await loaders.network.expert.load(key)
            # Unverified profiles are for their verifiers only: the same rule as the directory.
            if expert is None or (
                expert.status is not ExpertStatus.VERIFIED
                and not await info.context.access.sees_unverified_expert(
                    expert.id, expert.person.id
                )
            ):
                return None
            return Expert.from_record(expert, info)
        if type_name == "Person":
            return await Person.load(info, key)
        if type_name == "SupportRequest":
            return await SupportRequest.load(info, key)
        if type_name == "Engagement":
            return await Engagement.load(info, key)
        raise InvalidInput("id", "not an ID issued by this API")

    @strawberry.field(
        description="The unit with this official code valid on `asOf` (codes were reused by the "
        "2025 reform: 2024 and 2026 may name different places)."
    )
    async def administrative_unit(
        self, info: strawberry.Info[Context], code: str, as_of: AsOf = None
    ) -> AdministrativeUnit | None:
        found = await info.context.graph.read(
            units.unit_valid_on, code.strip(), info.context.day(as_of)
        )
        return AdministrativeUnit.from_record(found) if found else None

    @strawberry.field(
        description="Coverage of the network under a scope: national when `scopeCode` is "
        "omitted, else a province or (before 2025-07-01) a district; one row per child unit."
    )
    async def coverage(
        self,
        info: strawberry.Info[Context],
        scope_code: Annotated[
            str | None,
            strawberry.argument(description="Province or district code; none: national."),
        ] = None,
        as_of: AsOf = None,
        in_current_units: Annotated[
            bool,
            strawberry.argument(
                description="Re-express a legacy date's figures in today's units (see CoverageReport)."
            ),
        ] = False,
    ) -> CoverageReport:
        day = info.context.day(as_of)
        scope = await info.context.scope(scope_code, day, in_current_units=in_current_units)
        # A current date is already in today's units: only legacy dates are re-expressed.
        mapped = in_current_units and coverage_queries.era_on(day) is Era.LEGACY
        result = await info.context.coverage(scope.key, day, mapped=mapped)
        return CoverageReport.from_coverage(AdministrativeUnit.from_record(scope), result)

    @strawberry.field(
        description="The targets in force for a scope: per indicator, the province's own target "
        "if it has one, else the national one (Decision 1690/QĐ-TTg)."
    )
    async def targets(
        self,
        info: strawberry.Info[Context],
        scope_code: Annotated[
            str | None,
            strawberry.argument(description="Current province code; none: national."),
        ] = None,
    ) -> list[Target]:
        code = scope_code.strip() if scope_code else None
        found = await info.context.graph.read(target_queries.effective_targets, code)
        return [Target.from_record(t) for t in found]

    @strawberry.field(
        description="The provinces' own targets (per province and indicator, the one in force "
        "there; a province not listed follows the national target): today's, or those frozen "
        "with a published edition."
    )
    async def province_targets(
        self,
        info: strawberry.Info[Context],
        edition: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="A published edition's id; none: today's."),
        ] = None,
    ) -> list[Target]:
        graph = info.context.graph
        if edition is None:
            found = await graph.read(target_queries.province_targets)
        else:
            frozen = await graph.read(editions.edition_province_targets, str(edition))
            if frozen is None:
                raise NotFound("Edition", str(edition))
            found = frozen
        return [Target.from_record(t) for t in found]

    @strawberry.field(
        description="Coverage totals at each period end between two dates (calendar months, "
        "quarters or years ending within [from, to], at most 60), each equal to "
        "coverage(scopeCode, asOf: periodEnd).totals in the era valid on that date, with the "
        "scope's targets and whether each is on track (see TargetProgress.onTrack)."
    )
    async def coverage_series(
        self,
        info: strawberry.Info[Context],
        from_: Annotated[
            dt.date, strawberry.argument(name="from", description="First day of the series.")
        ],
        to: Annotated[dt.date, strawberry.argument(description="Last day of the series.")],
        step: SeriesStep,
        scope_code: Annotated[
            str | None,
            strawberry.argument(description="Province or district code; none: national."),
        ] = None,
    ) -> CoverageSeries:
        ctx = info.context
        ends = series_queries.period_ends(from_, to, step)
        # Units are valid era-wide (legacy until 2025-06-30, current from 2025-07-01): the
        # scope of a period end is that of the first end of its era.
        by_era: dict[Era, UnitRecord] = {}
        for end in ends:
            if (era := coverage_queries.era_on(end)) not in by_era:
                by_era[era] = await ctx.scope(scope_code, end, in_current_units=False)
        scopes = [by_era[coverage_queries.era_on(end)] for end in ends]
        # One query for every period end (graph/reports/series_totals.py), equal to
        # coverage(asOf: end).totals (a test compares them); cached until the graph changes.
        totals = await ctx.series(tuple((e, s.key) for e, s in zip(ends, scopes, strict=True)))
        points = [
            CoveragePoint(
                as_of=end,
                scope=AdministrativeUnit.from_record(scope),
                totals=CoverageFigures.from_metrics(metrics),
            )
            for end, scope, metrics in zip(ends, scopes, totals, strict=True)
        ]
        code = scope_code.strip() if scope_code else None
        progress = []
        for t in await ctx.targets(code):
            values = [target_queries.indicator_value(m, t.indicator) for m in totals]
            progress.append(
                TargetProgress(
                    target=Target.from_record(t),
                    values=values,
                    on_track=series_queries.on_track(
                        list(zip(ends, values, strict=True)), t.threshold, t.deadline
                    ),
                )
            )
        return CoverageSeries(step=step, points=points, targets=progress)

    @strawberry.field(
        description="Places and records where the network does not reach yet, under a scope "
        "(national when omitted), on a date; a Relay connection with totalCount."
    )
    async def coverage_gaps(
        self,
        info: strawberry.Info[Context],
        kind: GapKind,
        scope_code: Annotated[
            str | None,
            strawberry.argument(description="Province or district code; none: national."),
        ] = None,
        expertise: Annotated[
            str | None,
            strawberry.argument(
                description="An area code (expertiseAreas; its sub-areas count too): required "
                "for PROVINCE_WITHOUT_EXPERT_IN_AREA."
            ),
        ] = None,
        as_of: AsOf = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CoverageGap]:
        ctx = info.context
        day = ctx.day(as_of)
        scope = await ctx.scope(scope_code, day, in_current_units=False)
        args = GapArgs(
            kind=kind,
            scope_key=scope.key,
            as_of=day,
            first=ctx.page_size(first),
            after=decode_cursor(after),
            expertise=normalise([expertise])[0] if expertise and expertise.strip() else None,
            minimum=ctx.settings.team_min_size,
            minimum_by_province=tuple(sorted(ctx.settings.team_min_size_by_province.items())),
            active_days=ctx.settings.active_team_days,
        )
        # A gap list is an aggregate like coverage: shared until the graph changes.
        page = await ctx.cache.get_or_compute(
            ("gaps", args), await ctx.data_version(), lambda: ctx.graph.read(gap_queries.gaps, args)
        )
        return connection(
            [(g.sort_key, CoverageGap.from_record(g)) for g in page.items],
            page.total,
            page.has_next,
        )

    @strawberry.field(
        description="Provinces valid on the date ranked by a coverage metric, computed from the "
        "same aggregate as `coverage`, best first (for OPEN_REQUESTS: most waiting first; see "
        "RankingMetric)."
    )
    async def province_ranking(
        self,
        info: strawberry.Info[Context],
        metric: RankingMetric,
        as_of: AsOf = None,
        edition: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="A published edition (`editions`): its frozen ranking, as "
                "published; not with asOf. None: live, on asOf."
            ),
        ] = None,
    ) -> list[ProvinceRank]:
        if edition is not None:
            if as_of is not None:
                raise InvalidInput("asOf", "an edition has its own date: give one or the other")
            content = await info.context.graph.read(editions.edition_content, str(edition))
            if content is None:
                raise NotFound("Edition", str(edition))
            return [ProvinceRank.from_record(r) for r in content.ranking(metric)]
        day = info.context.day(as_of)
        scope = await info.context.scope(None, day, in_current_units=False)
        report = await info.context.coverage(scope.key, day, mapped=False)
        return [ProvinceRank.from_record(r) for r in rank_provinces(report, metric)]

    @strawberry.field(
        description="Published editions (quarterly snapshots of coverage and rankings), newest "
        "first; public."
    )
    async def editions(self, info: strawberry.Info[Context]) -> list[Edition]:
        found = await info.context.graph.read(editions.list_editions)
        return [Edition.from_record(e) for e in found]

    @strawberry.field(description="The expert directory: filtered, ordered, paged.")
    async def experts(
        self,
        info: strawberry.Info[Context],
        filter: ExpertFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: ExpertOrder = ExpertOrderEnum.NAME,
    ) -> Connection[Expert]:
        ctx = info.context
        f = filter or ExpertFilter()
        statuses = tuple(f.statuses or [ExpertStatus.VERIFIED])
        unverified = unverified_experts(ctx.viewer)
        if not unverified.anywhere and statuses != (ExpertStatus.VERIFIED,):
            raise InvalidInput(
                "filter.statuses",
                "only verified experts are listed for this role: profiles not yet verified are "
                "for the coordinators who verify them (national, or of the expert's province)",
            )
        province_key = None
        if f.province_code:
            province = await ctx.graph.read(
                units.unit_valid_on, f.province_code.strip(), max(ctx.today, REFORM_DAY)
            )
            if province is None or province.level is not UnitLevel.PROVINCE:
                raise InvalidInput("filter.provinceCode", "not a current province code")
            province_key = province.key
        query = GraphExpertFilter(
            expertise_any=normalise(f.expertise_any or ()),
            expertise_all=normalise(f.expertise_all or ()),
            province_key=province_key,
            countries=tuple(c.strip().upper() for c in f.country_codes or ()),
            abroad=f.abroad,
            organisation_kinds=tuple(f.organisation_kinds or ()),
            statuses=statuses,
            text=f.text,
            unverified_everywhere=unverified.everywhere,
            unverified_provinces=tuple(sorted(unverified.provinces)),
        )
        page = await ctx.graph.read(
            list_experts, query, order_by, ctx.page_size(first), decode_cursor(after)
        )
        return connection(
            [(key, Expert.from_record(r, info)) for key, r in page.items], page.total, page.has_next
        )

    @strawberry.field(
        description="One box for everything the viewer may see (units, organisations, teams, "
        "verified experts; people for coordinators), ranked; ignores case and diacritics."
    )
    async def search(
        self, info: strawberry.Info[Context], text: str, first: int | None = 20
    ) -> list[SearchHit]:
        size = info.context.page_size(first)
        unverified = unverified_experts(info.context.viewer)
        hits = await info.context.graph.read(
            search_queries.search,
            text,
            size,
            include_people=sees_people(info.context.viewer),
            unverified_everywhere=unverified.everywhere,
            unverified_provinces=tuple(sorted(unverified.provinces)),
        )
        type_names = {
            "UNIT": "AdministrativeUnit",
            "ORGANISATION": "Organisation",
            "TEAM": "CommunityTechTeam",
            "EXPERT": "Expert",
            "PERSON": "Person",
        }
        return [
            SearchHit(
                kind=h.kind,
                id=to_global_id(type_names[h.kind.value], h.key),
                name=h.name,
                score=h.score,
            )
            for h in hits
        ]


@strawberry.type(
    description="Live updates, over WebSocket at the GraphQL endpoint (graphql-transport-ws)."
)
class Subscription(LiveSubscriptions):
    pass


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: strawberry builds a fresh extension for each request.
    slow = settings.slow_operation_ms / 1000
    # The limits' rules are made once, here: strawberry's limiters make a new rule class for
    # each instance, and ValidationCache keys its entries on the rule classes, so limiters made
    # per request missed the cache every time: each request was validated again (a fifth of the
    # request page's CPU, python -m bench.match).
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        # First: it wraps the others, so it sees errors as clients get them (after masking).
        lambda: ObserveOperations(slow),
        MaskUnexpectedErrors,
        CheckStringArguments,  # every string argument is text of a sane length (api/inputs.py)
        SubscriptionsOnlyOverWebSocket,
        LogPersonalReads,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[AdministrativeUnit, Organisation, CommunityTechTeam, Expert],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )


schema = build_schema(get_settings())

__all__ = ["NotFound", "Query", "Subscription", "build_schema", "schema"]
