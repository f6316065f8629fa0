"""The expert directory: expert profiles filtered, ordered and paged, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString

from graph.core.db import Tx, run
from graph.core.expertise import WITH_SUBAREAS
from graph.core.model import ExpertStatus, OrganisationKind
from graph.core.paging import Page
from graph.core.text import fulltext_query
from graph.experts.records import EXPERT_FIELDS, PROVINCE_OF, ExpertRecord
from graph.network.records import PERSON_FIELDS


class ExpertOrder(StrEnum):
    NAME = "NAME"  # by folded full name
    PROVINCE = "PROVINCE"  # by province code, then name


@dataclass(frozen=True, slots=True)
class ExpertFilter:
    # Area codes; an area matches its sub-areas too.
    expertise_any: tuple[str, ...] = ()
    expertise_all: tuple[str, ...] = ()
    # The province an expert is in, or (abroad) names to help.
    province_key: str | None = None
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 of residence
    abroad: bool | None = None  # True: outside Vietnam only; False: in Vietnam only
    organisation_kinds: tuple[OrganisationKind, ...] = ()
    statuses: tuple[ExpertStatus, ...] = (ExpertStatus.VERIFIED,)
    text: str | None = None
    # Where profiles that are not VERIFIED may be listed (api/policy.py UnverifiedExperts):
    # everywhere, or only in these provinces; elsewhere they are left out of the page and of
    # the total alike, so the count is that of the list.
    unverified_everywhere: bool = False
    unverified_provinces: tuple[str, ...] = ()


# The areas asked for, each with its sub-areas, computed once before the profiles are read.
_AREAS: LiteralString = (
    "WITH reduce(acc = [], c IN " + WITH_SUBAREAS.replace("$codes", "$any") + " | acc + c) "
    "AS anyCodes, " + WITH_SUBAREAS.replace("$codes", "$all") + " AS allCodes\n"
)
_FROM_INDEX: LiteralString = (
    _AREAS + "CALL db.index.fulltext.queryNodes('expert_search', $lucene) YIELD node AS e\n"
)
_FROM_LABEL: LiteralString = _AREAS + "MATCH (e:ExpertProfile)\n"

# The profiles that pass the filters on the profile itself, with their person.
_MATCHED: LiteralString = """
WITH e, anyCodes, allCodes WHERE e.status IN $statuses
  AND (size($any) = 0 OR any(x IN anyCodes WHERE x IN e.expertise))
  AND all(codes IN allCodes WHERE any(x IN codes WHERE x IN e.expertise))
  AND (size($countries) = 0 OR coalesce(e.country, 'VN') IN $countries)
  AND ($abroad IS NULL OR (coalesce(e.country, 'VN') <> 'VN') = $abroad)
MATCH (p:Person)-[:HAS_PROFILE]->(e)
"""

# Only when a filter or the order needs it: where each profile is placed.
_PLACED: LiteralString = (
    PROVINCE_OF
    + """
WITH e, p, province, place WHERE ($provinceKey IS NULL OR province.key = $provinceKey)
  // Unverified profiles by where they are placed (an expert abroad: the national level).
  AND (e.status = 'VERIFIED' OR $unverifiedEverywhere OR place.key IN $unverifiedProvinces)
"""
)

# Only when the organisation kinds are filtered.
_AFFILIATED: LiteralString = """
OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
WITH e, p, province, o WHERE o.kind IN $orgKinds
"""

# The page, in order: every match is counted and ordered by its sort key alone; only the page's
# profiles are then placed and read (a common name matches thousands of profiles: reading every
# field of each of them was most of the directory's cost).
_PAGED: LiteralString = (
    """
ORDER BY sortKey
WITH collect({sortKey: sortKey, e: e, p: p}) AS items
WITH size(items) AS total, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
WITH total, rest[0..$first] AS page, size(rest) > $first AS hasNext
CALL (page) {
  UNWIND page AS x
  WITH x, x.e AS e, x.p AS p
  CALL (e) {"""
    + PROVINCE_OF
    + """    RETURN province LIMIT 1
  }
  CALL (e) {
    OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
    RETURN o.id AS orgId LIMIT 1
  }
  WITH x, e, p, province, orgId ORDER BY x.sortKey
  RETURN collect({sortKey: x.sortKey, e: e {"""
    + EXPERT_FIELDS
    + """}, p: p {"""
    + PERSON_FIELDS
    + """},
                  provinceKey: province.key, orgId: orgId}) AS out
}
RETURN total, out AS page, hasNext
"""
)


def _query(f: ExpertFilter, order: ExpertOrder, by_text: bool) -> LiteralString:
    """The directory's statement for this filter: the placing and affiliation steps only when
    the filter or the order reads them."""
    query: LiteralString = (_FROM_INDEX if by_text else _FROM_LABEL) + _MATCHED
    placed = (
        f.province_key is not None
        or order is ExpertOrder.PROVINCE
        or (not f.unverified_everywhere and any(s is not ExpertStatus.VERIFIED for s in f.statuses))
    )
    if placed:
        query += _PLACED
    else:
        query += "WITH e, p, null AS province\n"
    if f.organisation_kinds:
        query += _AFFILIATED
    if order is ExpertOrder.PROVINCE:
        query += "WITH e, p, coalesce(province.code, '~') + '\\t' + p.searchKey + '\\t' + e.id AS sortKey"
    else:
        query += "WITH e, p, p.searchKey + '\\t' + e.id AS sortKey"
    return query + _PAGED


async def list_experts(
    tx: Tx, f: ExpertFilter, order: ExpertOrder, first: int, after: str | None
) -> Page:
    """Page items are (sortKey, ExpertRecord) pairs."""
    lucene = fulltext_query(f.text, "filter.text") if f.text else None
    records = await run(
        tx,
        _query(f, order, lucene is not None),
        lucene=lucene,
        statuses=[s.value for s in f.statuses],
        any=list(f.expertise_any),
        all=list(f.expertise_all),
        provinceKey=f.province_key,
        countries=list(f.countries),
        abroad=f.abroad,
        unverifiedEverywhere=f.unverified_everywhere,
        unverifiedProvinces=list(f.unverified_provinces),
        orgKinds=[k.value for k in f.organisation_kinds],
        first=first,
        after=after,
    )
    r = records[0]
    items = [
        (m["sortKey"], ExpertRecord.from_maps(m["e"], m["p"], m["provinceKey"], m["orgId"]))
        for m in r["page"]
    ]
    return Page(items, r["total"], r["hasNext"])
