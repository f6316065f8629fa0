"""The expertise taxonomy (areas and sub-areas, data in the graph) and countries of residence,
both public and in Vietnamese and English."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from graph.core import countries, expertise
from graph.core.expertise import AreaRecord

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(
    description="An area of expertise, or a sub-area of one (graph/core/data/"
    "expertise_areas.json). Profiles name codes; asking for an area includes its sub-areas."
)
class ExpertiseArea:
    code: str = strawberry.field(description="Permanent code, e.g. DIGITAL_GOVERNMENT.")
    name_vi: str = strawberry.field(description="Vietnamese name (NFC).")
    name_en: str = strawberry.field(description="English name.")
    parent_code: str | None = strawberry.field(
        description="The area of a sub-area; null for areas."
    )
    subareas: list[ExpertiseArea] = strawberry.field(description="Its sub-areas, in order.")

    @classmethod
    def tree(cls, records: list[AreaRecord]) -> list[ExpertiseArea]:
        """Areas with their sub-areas, in the data file's order."""
        made = {
            r.code: cls(
                code=r.code,
                name_vi=r.name_vi,
                name_en=r.name_en,
                parent_code=r.parent_code,
                subareas=[],
            )
            for r in records
        }
        roots: list[ExpertiseArea] = []
        for r in records:
            parent = made.get(r.parent_code or "")
            (parent.subareas if parent else roots).append(made[r.code])
        return roots


@strawberry.type(description="A country of residence (ISO 3166-1; names from Unicode CLDR).")
class Country:
    code: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. VN, DE.")
    name_vi: str = strawberry.field(description="Vietnamese name.")
    name_en: str = strawberry.field(description="English name.")

    @classmethod
    def of(cls, code: str) -> Country:
        found = countries.country(code)
        if found is None:  # a code stored before the list changed: shown as it is
            return cls(code=code, name_vi=code, name_en=code)
        return cls(code=found.code, name_vi=found.name_vi, name_en=found.name_en)


@strawberry.type(description="Vocabularies of the expert network.")
class ExpertiseQueries:
    @strawberry.field(
        description="The areas of expertise as a tree: areas in order, each with its sub-areas "
        "(public)."
    )
    async def expertise_areas(self, info: strawberry.Info[Context]) -> list[ExpertiseArea]:
        return ExpertiseArea.tree(await info.context.graph.read(expertise.areas))

    @strawberry.field(
        description="Every country of residence, ordered by Vietnamese name (public)."
    )
    def countries(self) -> list[Country]:
        return [Country.of(c) for c in countries.countries()]
