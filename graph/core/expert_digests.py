"""Each place's expert digest: how many verified experts are placed there on each date, as a step
function (graph/core/place_digests.py), kept on the place.

Coverage counts the profiles placed at the places of a row that are verified now and were
verified on or before the date (``verifiedAt``; one without counts always). Profiles are placed
in a province or, abroad, in the central unit (graph/experts/residence.py), but walking the
places' LOCATED_IN for them also walks every organisation there: about 0.1 s of the national
coverage (#14). A place holding profiles carries instead ``expertDays`` and ``expertCounts``.

Rebuilt in the transaction of every change to a profile's status or place
(``refresh_expert_digests``; a writer that moves a profile names the place it leaves).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, LiteralString

from graph.core.days import DAWN, OPEN
from graph.core.db import Graph, Tx, run_collected
from graph.core.place_digests import (
    DigestKind,
    add_interval,
    by_index,
    count_upto,
    day_of,
    facts_of,
    of_places,
    reads,
    steps,
    value_on,
)
from graph.core.place_rollups import Rollup

# Per place: the day numbers the verified profiles placed there were verified on.
_FACTS: LiteralString = facts_of(
    """
  MATCH (e:ExpertProfile)-[:LOCATED_IN]->(u)
  WITH DISTINCT e
  RETURN collect(CASE WHEN e.status = 'VERIFIED' THEN """
    + day_of("date(e.verifiedAt)", "$dawn")
    + """ END) AS verified, count(e) AS profiles
""",
    "[profiles, verified]",
)


def build_expert_digest(facts: Any) -> dict[str, list[int]] | None:
    """The digest of a place from ``[profiles, verified days]``; None without a verified one."""
    _, verified = facts
    if not verified:
        return None
    deltas: dict[int, list[int]] = {}
    for day in verified:
        add_interval(deltas, day, OPEN, (1,))
    days, (counts,) = steps(deltas, 1)
    return {"expertDays": days, "expertCounts": counts}


_FIGURES: tuple[LiteralString, ...] = ("expertCounts",)

EXPERT_DIGESTS = DigestKind(
    "expert",
    _FACTS,
    build_expert_digest,
    ("expertDays", "expertCounts"),
    "expertDays",
    "EXISTS { (:ExpertProfile)-[:LOCATED_IN]->(u) }",
    {"dawn": DAWN},
    figures=_FIGURES,
    now="expertNow",
    rollup=Rollup((("expertDays", _FIGURES),)),
)


_LISTS: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("expertDays", "expertDays"),
    ("expertCounts", "expertCounts"),
)

# Coverage's verified experts of ``places`` on ``$day``: experts.
EXPERT_FIGURES_OF_PLACES: LiteralString = (
    of_places("expertNow", reads("expertDays", _FIGURES, _LISTS, now=True), "$day")
    + """
  WITH expertCounts, """
    + count_upto("expertDays", "$day")
    + """ AS ek
  RETURN sum("""
    + value_on("expertCounts", "ek")
    + """) AS experts
}
"""
)

# The same for a series: one row per index of ``$days``: [index, experts].
EXPERT_FIGURES_BY_INDEX: LiteralString = (
    by_index("expertNow", reads("expertDays", _FIGURES, _LISTS, now=False))
    + """
  WITH i, expertCounts, """
    + count_upto("expertDays", "$days[i]")
    + """ AS ek
  WITH i, sum("""
    + value_on("expertCounts", "ek")
    + """) AS n
  RETURN collect([i, n]) AS expertRows
}
"""
)


async def expert_places(
    tx: Tx, profile_ids: Collection[str], person_ids: Collection[str] = ()
) -> set[str]:
    """Where these profiles, and those of these people, are placed: the digests a change to them
    may alter. The profiles are write-locked first (in id order), so a concurrent move is
    committed before their places are read here, or waits for this transaction."""
    if not profile_ids and not person_ids:
        return set()
    found = await run_collected(
        tx,
        """
        CALL () {
          UNWIND $ids AS id
          MATCH (e:ExpertProfile {id: id})
          RETURN e
          UNION
          UNWIND $people AS id
          MATCH (:Person {id: id})-[:HAS_PROFILE]->(e:ExpertProfile)
          RETURN e
        }
        WITH e ORDER BY e.id
        SET e.digestLock = true
        REMOVE e.digestLock
        WITH e
        MATCH (e)-[:LOCATED_IN]->(u:AdministrativeUnit)
        RETURN collect(DISTINCT u.key) AS rows
        """,
        ids=sorted(set(profile_ids)),
        people=sorted(set(person_ids)),
    )
    return {str(k) for k in found}


async def refresh_expert_digests(
    tx: Tx,
    *,
    profiles: Collection[str] = (),
    people: Collection[str] = (),
    places: Collection[str] = (),
) -> None:
    """After a change, in its transaction: rebuild the digests of the places of these profiles
    and of these people's, and these places (the ones a moved profile left)."""
    await EXPERT_DIGESTS.rebuild(tx, await expert_places(tx, profiles, people) | set(places))


async def stale_expert_digests(tx: Tx) -> list[str]:
    return await EXPERT_DIGESTS.stale(tx)


async def rebuild_all_expert_digests(graph: Graph) -> None:
    """Migration 21, and the demo after its bulk load."""
    await EXPERT_DIGESTS.rebuild_all(graph)
