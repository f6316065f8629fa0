"""The expert directory: expert profiles filtered, ordered and paged, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString

from graph.core.db import Tx, run
from graph.core.model import Expertise, ExpertStatus, OrganisationKind
from graph.core.paging import Page
from graph.core.text import fulltext_query
from graph.experts.records import EXPERT_FIELDS, ExpertRecord
from graph.network.records import PERSON_FIELDS


class ExpertOrder(StrEnum):
    NAME = "NAME"  # by folded full name
    PROVINCE = "PROVINCE"  # by province code, then name


@dataclass(frozen=True, slots=True)
class ExpertFilter:
    expertise_any: tuple[Expertise, ...] = ()
    expertise_all: tuple[Expertise, ...] = ()
    province_key: str | None = None
    organisation_kinds: tuple[OrganisationKind, ...] = ()
    statuses: tuple[ExpertStatus, ...] = (ExpertStatus.VERIFIED,)
    text: str | None = None
    # Where profiles that are not VERIFIED may be listed (api/policy.py UnverifiedExperts):
    # everywhere, or only in these provinces; elsewhere they are left out of the page and of
    # the total alike, so the count is that of the list.
    unverified_everywhere: bool = False
    unverified_provinces: tuple[str, ...] = ()


_FROM_INDEX: LiteralString = (
    "CALL db.index.fulltext.queryNodes('expert_search', $lucene) YIELD node AS e\n"
)
_FROM_LABEL: LiteralString = "MATCH (e:ExpertProfile)\n"

_BODY: LiteralString = (
    """
WITH e WHERE e.status IN $statuses
  AND (size($any) = 0 OR any(x IN $any WHERE x IN e.expertise))
  AND all(x IN $all WHERE x IN e.expertise)
MATCH (p:Person)-[:HAS_PROFILE]->(e)
MATCH (e)-[:LOCATED_IN]->(province:AdministrativeUnit)
WHERE ($provinceKey IS NULL OR province.key = $provinceKey)
  AND (e.status = 'VERIFIED' OR $unverifiedEverywhere OR province.key IN $unverifiedProvinces)
OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
WITH e, p, province, o
WHERE size($orgKinds) = 0 OR o.kind IN $orgKinds
WITH e, p, province, o,
     CASE $order WHEN 'PROVINCE' THEN province.code + '\\t' ELSE '' END
       + p.searchKey + '\\t' + e.id AS sortKey
ORDER BY sortKey
WITH collect({sortKey: sortKey, e: e {"""
    + EXPERT_FIELDS
    + """}, p: p {"""
    + PERSON_FIELDS
    + """},
              provinceKey: province.key, orgId: o.id}) AS items
WITH size(items) AS total, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
RETURN total, rest[0..$first] AS page, size(rest) > $first AS hasNext
"""
)


async def list_experts(
    tx: Tx, f: ExpertFilter, order: ExpertOrder, first: int, after: str | None
) -> Page:
    """Page items are (sortKey, ExpertRecord) pairs."""
    lucene = fulltext_query(f.text, "filter.text") if f.text else None
    records = await run(
        tx,
        (_FROM_INDEX if lucene else _FROM_LABEL) + _BODY,
        lucene=lucene,
        statuses=[s.value for s in f.statuses],
        any=[x.value for x in f.expertise_any],
        all=[x.value for x in f.expertise_all],
        provinceKey=f.province_key,
        unverifiedEverywhere=f.unverified_everywhere,
        unverifiedProvinces=list(f.unverified_provinces),
        orgKinds=[k.value for k in f.organisation_kinds],
        order=order.value,
        first=first,
        after=after,
    )
    r = records[0]
    items = [
        (m["sortKey"], ExpertRecord.from_maps(m["e"], m["p"], m["provinceKey"], m["orgId"]))
        for m in r["page"]
    ]
    return Page(items, r["total"], r["hasNext"])
