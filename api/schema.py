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
from api.relay import Node, from_global_id
from api.types.coverage import CoverageReport
from api.types.units import AdministrativeUnit
from graph import coverage as coverage_queries
from graph import units
from graph.errors import InvalidInput, NotFound
from graph.model import Era
from graph.settings import Settings, get_settings

AsOf = Annotated[
    dt.date | None,
    strawberry.argument(description="The date the answer is for (default: today)."),
]


@strawberry.type(description="Read access to the CĐS (digital transformation) network registry.")
class Query:
    @strawberry.field(description="Refetch any object by its global ID (Relay).")
    async def node(self, info: strawberry.Info[Context], id: strawberry.ID) -> Node | None:
        type_name, key = from_global_id(id)
        if type_name == "AdministrativeUnit":
            unit = await info.context.loaders.unit.load(key)
            return AdministrativeUnit.from_record(unit) if unit else None
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
            str | None, strawberry.argument(description="Province or district code; none: national.")
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
        scope = await info.context.graph.read(
            units.resolve_scope, scope_code, day, in_current_units=in_current_units
        )
        # A current date is already in today's units: only legacy dates are re-expressed.
        mapped = in_current_units and coverage_queries.era_on(day) is Era.LEGACY
        result = await info.context.graph.read(
            coverage_queries.coverage, scope.key, day, in_current_units=mapped
        )
        return CoverageReport.from_coverage(AdministrativeUnit.from_record(scope), result)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: strawberry builds a fresh extension for each request.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        MaskUnexpectedErrors,
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if not settings.introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query,
        types=[AdministrativeUnit],
        extensions=extensions,  # type: ignore[arg-type]
        config=StrawberryConfig(disable_field_suggestions=True),
    )


schema = build_schema(get_settings())

__all__ = ["NotFound", "Query", "build_schema", "schema"]
