"""One search box over units, organisations, teams, experts and (for coordinators) people.

Each kind has its own full-text index on the folded name (graph/core/text.py), queried with the same
Lucene expression; hits are merged by score, an exact folded-name match first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString

from graph.core.db import Tx, run
from graph.core.text import fold, fulltext_query
from graph.network.records import ORG_FIELDS, PERSON_FIELDS, TEAM_FIELDS, UNVERIFIED_EXPERT_ONLY
from graph.units.units import UNIT_FIELDS


class HitKind(StrEnum):
    UNIT = "UNIT"
    ORGANISATION = "ORGANISATION"
    TEAM = "TEAM"
    EXPERT = "EXPERT"
    PERSON = "PERSON"


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: HitKind
    key: str  # the node's natural key (unit key, organisation id, …)
    name: str
    score: float
    fields: dict[str, object]


# Units, organisations, teams and verified experts: what anyone may find.
_PUBLIC: LiteralString = (
    """
    CALL () {
      CALL db.index.fulltext.queryNodes('unit_search', $q, {limit: $first}) YIELD node, score
      RETURN 'UNIT' AS kind, node.key AS key, node.name AS name, node.searchKey AS folded,
             score, node {"""
    + UNIT_FIELDS
    + """} AS fields
      UNION ALL
      CALL db.index.fulltext.queryNodes('organisation_search', $q, {limit: $first})
      YIELD node, score
      RETURN 'ORGANISATION' AS kind, node.id AS key, node.name AS name,
             node.searchKey AS folded, score, node {"""
    + ORG_FIELDS
    + """} AS fields
      UNION ALL
      CALL db.index.fulltext.queryNodes('team_search', $q, {limit: $first}) YIELD node, score
      RETURN 'TEAM' AS kind, node.id AS key, node.name AS name, node.searchKey AS folded,
             score, node {"""
    + TEAM_FIELDS
    + """} AS fields
      UNION ALL
      CALL db.index.fulltext.queryNodes('expert_search', $q, {limit: $first * 4})
      YIELD node, score
      WITH node, score WHERE node.status = 'VERIFIED'
      MATCH (p:Person)-[:HAS_PROFILE]->(node)
      RETURN 'EXPERT' AS kind, node.id AS key, p.fullName AS name, p.searchKey AS folded,
             score, node {.id, .affiliation, .expertise, .status} AS fields
"""
)
# People: only for viewers who may see them; left out of the statement otherwise, so an
# anonymous search does not query the people's index for nothing.
_PEOPLE: LiteralString = (
    """
      UNION ALL
      CALL db.index.fulltext.queryNodes('person_search', $q, {limit: $first}) YIELD node, score
      WITH node AS p, score
      // Someone known only as an expert not yet verified: for their verifiers only.
      WITH p, score WHERE $unverifiedEverywhere OR NOT """
    + UNVERIFIED_EXPERT_ONLY
    + """ OR EXISTS { (p)-[:HAS_PROFILE]->(:ExpertProfile)-[:LOCATED_IN]->(pu)
                      WHERE pu.key IN $unverifiedProvinces }
      WITH p AS node, score
      RETURN 'PERSON' AS kind, node.id AS key, node.fullName AS name,
             node.searchKey AS folded, score, node {"""
    + PERSON_FIELDS
    + """} AS fields
"""
)
_RANKED: LiteralString = """
    }
// An exact name first, then names that start with what was typed (for an expert the
// name, not the affiliation); then places, which is what a name like "ha noi" most
// often means; then Lucene's relevance.
RETURN kind, key, name,
       score + CASE WHEN folded = $exact THEN 100.0 ELSE 0.0 END
             + CASE WHEN folded STARTS WITH $exact THEN 50.0 ELSE 0.0 END
             + CASE WHEN kind = 'UNIT' THEN 10.0 ELSE 0.0 END AS score,
       fields
ORDER BY score DESC, name
LIMIT $first
"""


async def search(
    tx: Tx,
    text: str,
    first: int,
    *,
    include_people: bool,
    unverified_everywhere: bool = False,
    unverified_provinces: tuple[str, ...] = (),
) -> list[SearchHit]:
    """``unverified_*``: where people known only by an unverified expert profile may be found
    (api/policy.py UnverifiedExperts); unverified profiles themselves are never EXPERT hits."""
    lucene = fulltext_query(text)
    if lucene is None:
        return []
    records = await run(
        tx,
        _PUBLIC + (_PEOPLE if include_people else "") + _RANKED,
        q=lucene,
        first=first,
        exact=fold(text),
        unverifiedEverywhere=unverified_everywhere,
        unverifiedProvinces=list(unverified_provinces),
    )
    return [
        SearchHit(HitKind(r["kind"]), r["key"], r["name"], float(r["score"]), dict(r["fields"]))
        for r in records
    ]
