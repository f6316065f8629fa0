"""The expert directory: expert profiles filtered, ordered and paged, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString

from graph.core.db import Tx, run
from graph.core.expert_province import PROVINCE_OF
from graph.core.expertise import WITH_SUBAREAS
from graph.core.model import ExpertStatus, OrganisationKind
from graph.core.paging import Page
from graph.core.text import fulltext_query
from graph.experts.records import EXPERT_FIELDS, ExpertRecord
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


# The areas asked for, each with its sub-areas.
_AREAS: LiteralString = (
    "WITH reduce(acc = [], c IN " + WITH_SUBAREAS.replace("$codes", "$any") + " | acc + c) "
    "AS anyCodes, " + WITH_SUBAREAS.replace("$codes", "$all") + " AS allCodes\n"
)
_FROM_INDEX: LiteralString = (
    "CALL db.index.fulltext.queryNodes('expert_search', $lucene) YIELD node AS e\n"
)
_FROM_LABEL: LiteralString = "MATCH (e:ExpertProfile)\n"
# The province a profile is shown in is kept on it (graph/core/expert_province.py), indexed with
# its status: the filter seeks the province's profiles of those statuses instead of walking the
# province's LOCATED_IN and SUPPORTS and placing each profile found (#14).
_IN_PROVINCE: LiteralString = "e.provinceKey = $provinceKey"
_COUNTRIES: LiteralString = "coalesce(e.country, 'VN') IN $countries"
_ABROAD: LiteralString = "(coalesce(e.country, 'VN') <> 'VN') = $abroad"
# On the areas, read once as ``areas``: ``x IN e.expertise`` inside ``any`` read the list again
# for every area asked (24,548 db hits for Hồ Chí Minh City's 2,597 verified profiles).
_ANY_AREA: LiteralString = "any(x IN anyCodes WHERE x IN areas)"
_ALL_AREAS: LiteralString = "all(codes IN allCodes WHERE any(x IN codes WHERE x IN areas))"


def _matched(f: ExpertFilter, by_text: bool) -> LiteralString:
    """The profiles that pass the filters on the profile itself, with their person; the areas
    asked for (each with its sub-areas) are computed once, before the profiles are read. Each
    filter only when asked: a predicate that is always true still reads its property for every
    candidate (the expertise lists of 8,501 "nguyen" matches)."""
    found: list[LiteralString] = ["e.status IN $statuses"]
    if f.province_key is not None:
        found.append(_IN_PROVINCE)
    if f.countries:
        found.append(_COUNTRIES)
    if f.abroad is not None:
        found.append(_ABROAD)
    query = (_FROM_INDEX if by_text else _FROM_LABEL) + "WHERE " + "\n  AND ".join(found)
    areas: list[LiteralString] = []
    if f.expertise_any:
        areas.append(_ANY_AREA)
    if f.expertise_all:
        areas.append(_ALL_AREAS)
    if areas:
        query = (
            _AREAS
            + query
            + "\nWITH e, anyCodes, allCodes, e.expertise AS areas WHERE "
            + " AND ".join(areas)
        )
    return query + "\nMATCH (p:Person)-[:HAS_PROFILE]->(e)\n"


# Only when the order or the unverified rule needs it: where each profile is placed.
_PLACED: LiteralString = (
    PROVINCE_OF
    + """
WITH e, p, province, place
  // Unverified profiles by where they are placed (an expert abroad: the national level).
  WHERE e.status = 'VERIFIED' OR $unverifiedEverywhere OR place.key IN $unverifiedProvinces
"""
)

# Only when the organisation kinds are filtered.
_AFFILIATED: LiteralString = """
OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
WITH e, p, province, o WHERE o.kind IN $orgKinds
"""

# The page's profiles, read by id once the page is known.
_PAGE: LiteralString = (
    """
UNWIND $ids AS id
MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: id})
CALL (e) {
  OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
  RETURN o.id AS orgId LIMIT 1
}
RETURN collect({e: e {"""
    + EXPERT_FIELDS
    + """}, p: p {"""
    + PERSON_FIELDS
    + """}, provinceKey: e.provinceKey, orgId: orgId}) AS page
"""
)


def _query(f: ExpertFilter, order: ExpertOrder, by_text: bool) -> LiteralString:
    """The directory's statement for this filter: the placing and affiliation steps only when
    the filter or the order reads them."""
    query = _matched(f, by_text)
    placed = order is ExpertOrder.PROVINCE or (
        not f.unverified_everywhere and any(s is not ExpertStatus.VERIFIED for s in f.statuses)
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
    # Unordered: ordering the 6,384 matches of "nguyen" in Cypher took about 15 ms, more than
    # finding them; Python orders the returned keys in about one.
    return query + "\nRETURN collect(sortKey) AS keys"


async def list_experts(
    tx: Tx, f: ExpertFilter, order: ExpertOrder, first: int, after: str | None
) -> Page:
    """Page items are (sortKey, ExpertRecord) pairs. Two statements in the caller's
    transaction: the sort keys of every match (the count, and where the page falls), then the
    page's profiles. A sort key ends with the profile's id; keys are ASCII (folded names,
    province codes, ids), so Python orders them as Cypher would."""
    lucene = fulltext_query(f.text, "filter.text") if f.text else None
    found = await run(
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
    )
    keys: list[str] = found[0]["keys"]
    rest = sorted(keys if after is None else (k for k in keys if k > after))
    page_keys = rest[:first]
    if not page_keys:
        return Page([], len(keys), False)
    ids = [k.rpartition("\t")[2] for k in page_keys]
    records = await run(tx, _PAGE, ids=ids)
    by_id = {
        m["e"]["id"]: ExpertRecord.from_maps(m["e"], m["p"], m["provinceKey"], m["orgId"])
        for m in records[0]["page"]
    }
    items = [(k, by_id[i]) for k, i in zip(page_keys, ids, strict=True)]
    return Page(items, len(keys), len(rest) > first)
