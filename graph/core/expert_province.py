"""The province an expert profile is shown in and found by, kept on the profile as
``provinceKey``.

The rule (graph/experts/residence.py): a profile is LOCATED_IN its province, or abroad the
central unit, and may then name a province it SUPPORTS; the province is the place when that is
a province, else the one supported. Kept on the profile because the directory's province filter
(#14) otherwise walks every LOCATED_IN of the province (its organisations and people too: 9,079
relationships for Hồ Chí Minh City) and places each profile it finds; with the composite index
``expert_province_status`` it seeks the province's profiles of the statuses asked for. Every
writer that links a profile to its places sets it in the same statement (``keep_province_key``);
the migration that brought it sets it for the profiles before it (``heal_expert_provinces``).
"""

from __future__ import annotations

from typing import LiteralString

from graph.core.db import Graph, Tx, run

HEAL_BATCH = 5000


def province_of(place: LiteralString, home: LiteralString) -> LiteralString:
    """The province unit of a profile LOCATED_IN ``place`` and supporting ``home`` (either
    may be null)."""
    return "CASE WHEN " + place + ".level = 'PROVINCE' THEN " + place + " ELSE " + home + " END"


def keep_province_key(place: LiteralString, home: LiteralString) -> LiteralString:
    """SET clause for the profile bound as ``e``, once its places are linked."""
    return "SET e.provinceKey = (" + province_of(place, home) + ").key\n"


# Where a profile is placed and which province it names, for every query splicing it after
# binding the profile as ``e``: binds ``place``, ``home`` and ``province``.
PROVINCE_OF: LiteralString = (
    """
OPTIONAL MATCH (e)-[:LOCATED_IN]->(place:AdministrativeUnit)
OPTIONAL MATCH (e)-[:SUPPORTS]->(home:AdministrativeUnit)
WITH *, """
    + province_of("place", "home")
    + """ AS province
"""
)


async def _heal_batch(tx: Tx, after: str, limit: int) -> str | None:
    records = await run(
        tx,
        "MATCH (e:ExpertProfile) WHERE e.id > $after WITH e ORDER BY e.id LIMIT $limit"
        + PROVINCE_OF
        + "SET e.provinceKey = province.key RETURN max(e.id) AS last",
        after=after,
        limit=limit,
    )
    last: str | None = records[0]["last"] if records else None
    return last


async def heal_expert_provinces(graph: Graph) -> None:
    """Set ``provinceKey`` on every profile, in batches by id (idempotent: a re-run after a
    crash sets the same keys)."""
    after: str | None = ""
    while after is not None:
        after = await graph.write(_heal_batch, after, HEAL_BATCH)


async def stale_expert_provinces(tx: Tx) -> list[str]:
    """The ids of the profiles whose ``provinceKey`` differs from their places (a change that
    bypassed the writers, such as a Cypher edit by hand); ``cds digests`` lists them and
    ``--rebuild`` heals them. A profile LOCATED_IN two places (a demo seeded again at another
    scale before upsert_experts moved profiles) stays listed: which place is right is not the
    check's to guess."""
    records = await run(
        tx,
        "MATCH (e:ExpertProfile)"
        + PROVINCE_OF
        + "WITH e, province WHERE coalesce(e.provinceKey, '') <> coalesce(province.key, '') "
        "RETURN DISTINCT e.id AS id ORDER BY id",
    )
    return [r["id"] for r in records]
