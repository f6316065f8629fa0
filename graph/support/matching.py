"""``matchExperts``: the verified experts best placed to answer a support request, ranked by a
score whose parts are returned with it. One Cypher statement: pattern, scoring, ordering, limit.

Who is a candidate
  verified, still consenting to be contacted (``eligibility.ELIGIBLE``), not yet proposed for
  this request, with at least one area near what is wanted, holding every must-have area (the
  area or one of its sub-areas), and living in Vietnam unless the request allows remote work.

The score: a weighted sum of five parts, each from 0 to 1 (weights in ``WEIGHTS``):
  expertise     per wanted area, weighted by the request: 1 when the expert has that area
                or one of its sub-areas, 0.5 when only its parent area or a sibling sub-area
                (so a sub-area asked for is matched better by itself than by its area);
                divided by the sum of the weights.
  proximity     1 in the request's commune (the expert's affiliation is there), 0.75 in its
                province, else 0.5 × (1 − km / 1500) by great-circle distance between the
                units' coordinates (``point.distance``), 0 with no coordinates; 0 abroad.
  availability  1 − the share of the request's period the expert said they are unavailable.
  load          1 / (1 + open engagements): proposals and acceptances not yet over.
  feedback      (mean requester score − 1) / 4 over completed engagements; 0.5 with none.
The total is rounded to 6 decimals so equal parts tie exactly; ties go by profile id.

Proximity has no "same region" step: neither administrative package we may take real data from
(``vietnamadminunits``, ``vietnam-provinces``) says which region a province belongs to, so the
great-circle distance stands for it.

Speed: the statement scores in full only the candidates that can still be among the first
(``_MATCH`` says how); at national scale, 20,000 experts, ``python -m bench.match`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from graph.core.db import Tx, run
from graph.support.eligibility import ELIGIBLE

WEIGHTS = {
    "expertise": 0.40,
    "proximity": 0.25,
    "availability": 0.15,
    "load": 0.12,
    "feedback": 0.08,
}
FAR_KM = 1500.0  # beyond this the distance part is 0 (Hà Nội – Cà Mau is about 1,700 km)


class Proximity:
    """How near the expert is, as the result says it."""

    COMMUNE = "COMMUNE"
    PROVINCE = "PROVINCE"
    DISTANCE = "DISTANCE"
    ABROAD = "ABROAD"
    UNKNOWN = "UNKNOWN"  # no coordinates to measure with


@dataclass(frozen=True, slots=True)
class ScoreParts:
    expertise: float
    proximity: float
    availability: float
    load: float
    feedback: float


@dataclass(frozen=True, slots=True)
class Match:
    expert_id: str
    person_id: str
    score: float
    parts: ScoreParts
    proximity_kind: str
    distance_km: float | None
    open_engagements: int
    feedback_mean: float | None
    unavailable_days: int
    matched_areas: tuple[str, ...]  # the wanted areas the expert has (or a sub-area of)


# The request and what it wants, for every later step: ``wanted`` (per area: weight, must-have,
# the codes that match it fully and half), where it is, and (for a request in a current commune)
# the profiles affiliated with an organisation there, found once from the commune's side rather
# than two hops from each candidate's.
_REQUEST: LiteralString = """
MATCH (r:SupportRequest {id: $id})-[:AT]->(at:AdministrativeUnit)
OPTIONAL MATCH (at)-[:PART_OF*0..1]->(atProvince:AdministrativeUnit {level: 'PROVINCE'})
WITH r, at, atProvince,
     CASE WHEN at.lat IS NOT NULL THEN point({latitude: at.lat, longitude: at.lon})
          WHEN atProvince.lat IS NOT NULL
            THEN point({latitude: atProvince.lat, longitude: atProvince.lon}) END AS atPoint,
     duration.inDays(r.periodStart, r.periodEnd).days + 1 AS periodDays,
     [(r)-[w:WANTS]->(a:ExpertiseArea) | {
        code: a.code, weight: w.weight, must: w.mustHave,
        // the area itself and its sub-areas: a full match
        full: [a.code] + [(a)-[:HAS_SUBAREA]->(s) | s.code],
        // its parent area and sibling sub-areas: half a match
        half: [(a)<-[:HAS_SUBAREA]-(up) | up.code]
              + [(a)<-[:HAS_SUBAREA]-()-[:HAS_SUBAREA]->(sib) WHERE sib <> a | sib.code]
     }] AS wanted,
     CASE WHEN at.level = 'COMMUNE' AND at.era = 'CURRENT'
          THEN [(at)<-[:LOCATED_IN]-(:Organisation)<-[:AFFILIATED_WITH]-(x:ExpertProfile) | x]
          ELSE [] END AS inCommune
WITH r, at, atProvince, atPoint, periodDays, wanted, inCommune,
     reduce(acc = [], w IN wanted | acc + w.full + w.half) AS near,
     reduce(acc = 0.0, w IN wanted | acc + w.weight) AS totalWeight
"""

# Who is a candidate, for a profile ``e`` (``near``, ``wanted`` and ``r`` in scope). Eligibility
# checks that need more than the profile wait for the full score (_SCORE).
_CANDIDATE: LiteralString = """
    any(c IN e.expertise WHERE c IN near)
    AND all(w IN wanted WHERE NOT w.must OR any(c IN e.expertise WHERE c IN w.full))
    AND (r.remoteAllowed OR coalesce(e.country, 'VN') = 'VN')
"""

# The verified candidates located at ``place``, as the candidates' branches return them.
_VERIFIED_AT_PLACE: LiteralString = (
    """
  MATCH (place)<-[:LOCATED_IN]-(e:ExpertProfile {status: 'VERIFIED'})
  WHERE """
    + _CANDIDATE
    + """
  RETURN e, placeKind, km, placeProximity"""
)

# A subquery: how near ``place`` is to the request, for a profile placed there (``placeKind``,
# ``km``, ``placeProximity``), before what only the profile says (abroad, affiliated in the
# request's commune).
_PLACE: LiteralString = """
CALL (place, atPoint, atProvince) {
  WITH CASE WHEN place.key = atProvince.key THEN 'PROVINCE'
            WHEN atPoint IS NULL OR place.lat IS NULL THEN 'UNKNOWN'
            ELSE 'DISTANCE' END AS kind,
       CASE WHEN atPoint IS NULL OR place.lat IS NULL THEN null
            ELSE point.distance(atPoint, point({latitude: place.lat, longitude: place.lon}))
                 / 1000.0 END AS km
  RETURN kind AS placeKind, km,
         CASE kind WHEN 'PROVINCE' THEN 0.75
              WHEN 'DISTANCE'
                THEN 0.5 * (1.0 - CASE WHEN km > $farKm THEN 1.0 ELSE km / $farKm END)
              ELSE 0.0 END AS placeProximity
}
"""

# The best score a profile at a place with ``placeProximity`` could reach (full expertise, the
# last three parts at their best).
_PLACE_BOUND: LiteralString = """round(1.0 * $w.expertise + placeProximity * $w.proximity
      + 1.0 * $w.availability + 1.0 * $w.load + 1.0 * $w.feedback, 6)"""

# A subquery: for a candidate ``e`` at a place seen through _PLACE, ``c``: the two parts read
# from the profile and its place (expertise, proximity), how near it is, and ``bound``, the score
# it would have with the other three parts at their best.
_BOUND: LiteralString = """
CALL (e, placeKind, km, placeProximity, inCommune, wanted, totalWeight) {
  WITH e, placeKind, km, placeProximity, inCommune, wanted, totalWeight,
       coalesce(e.country, 'VN') <> 'VN' AS abroad
  WITH reduce(s = 0.0, w IN wanted | s + w.weight * CASE
          WHEN any(c IN e.expertise WHERE c IN w.full) THEN 1.0
          WHEN any(c IN e.expertise WHERE c IN w.half) THEN 0.5
          ELSE 0.0 END) / totalWeight AS expertise,
       CASE WHEN abroad THEN 'ABROAD' WHEN e IN inCommune THEN 'COMMUNE'
            ELSE placeKind END AS proximityKind,
       CASE WHEN abroad THEN null ELSE km END AS distance,
       CASE WHEN abroad THEN 0.0 WHEN e IN inCommune THEN 1.0
            ELSE placeProximity END AS proximity
  RETURN {expertise: expertise, proximityKind: proximityKind, km: distance, proximity: proximity,
          bound: round(expertise * $w.expertise + proximity * $w.proximity
                       + 1.0 * $w.availability + 1.0 * $w.load + 1.0 * $w.feedback, 6)} AS c
}
"""

# For a candidate ``e`` with its ``c`` (``r``, ``periodDays`` and ``wanted`` in scope): nothing
# if it may not be proposed, else the three parts that need its engagements and stated absences,
# and its score. Each part is at most 1, so a score never exceeds the candidate's bound.
_SCORE: LiteralString = (
    """
MATCH (p:Person)-[:HAS_PROFILE]->(e)
WHERE NOT EXISTS { (e)<-[:OF]-(:Engagement)-[:FOR]->(r) } AND """
    + ELIGIBLE
    + """
WITH r, periodDays, wanted, c, e, p,
     reduce(days = 0, n IN [(e)-[:UNAVAILABLE]->(n:Unavailability)
                            WHERE n.start <= r.periodEnd AND n.end >= r.periodStart | n] |
        days + duration.inDays(
          CASE WHEN n.start > r.periodStart THEN n.start ELSE r.periodStart END,
          CASE WHEN n.end < r.periodEnd THEN n.end ELSE r.periodEnd END).days + 1)
       AS unavailableDays,
     COUNT { (e)<-[:OF]-(g:Engagement) WHERE g.status IN ['PROPOSED', 'ACCEPTED'] } AS load,
     [(e)<-[:OF]-(g:Engagement {status: 'COMPLETED'}) WHERE g.feedbackScore IS NOT NULL
        | g.feedbackScore] AS scores
WITH r, periodDays, wanted, c, e, p, unavailableDays, load,
     CASE WHEN size(scores) = 0 THEN null
          ELSE toFloat(reduce(s = 0, x IN scores | s + x)) / size(scores) END AS feedbackMean,
     CASE WHEN unavailableDays >= periodDays THEN 0.0
          ELSE 1.0 - toFloat(unavailableDays) / periodDays END AS availability
WITH r, periodDays, wanted, c, e, p, unavailableDays, load, feedbackMean,
     {expertise: c.expertise, proximity: c.proximity, availability: availability,
      load: 1.0 / (1 + load),
      feedback: CASE WHEN feedbackMean IS NULL THEN 0.5 ELSE (feedbackMean - 1) / 4.0 END}
       AS parts
WITH r, periodDays, wanted, c, e, p, unavailableDays, load, feedbackMean, parts,
     round(parts.expertise * $w.expertise + parts.proximity * $w.proximity
           + parts.availability * $w.availability + parts.load * $w.load
           + parts.feedback * $w.feedback, 6) AS score
"""
)

# Two steps, so that only a few dozen profiles are scored in full, not the thousands near what
# is wanted, with the same result as scoring everyone:
# 1. a threshold: the ``$first``-th best full score among the ``$probe`` profiles placed in the
#    request's province with the best bounds (-1 when fewer than ``$first`` of them may be
#    proposed). ``$first`` candidates reach it, so no candidate whose bound is below it can be
#    among the first ``$first``. The probe keeps one profile more than it scores (``probed``):
#    when that one's bound is below the threshold, so is every other profile of the province
#    left out of the probe, and the province is not read a second time.
# 2. the candidates whose bound reaches the threshold, scored in full: those of the probe, the
#    rest of the request's province only when the probe could not hold them all, and the other
#    places. A profile is placed in its province or, abroad, in the central unit
#    (graph/experts/residence.py), so the places are the few provinces and the central unit: a
#    place whose best bound is below the threshold is skipped with all its profiles. Profiles
#    affiliated in the request's commune (proximity 1 wherever they live) are added by name.
#    Most profiles have no engagement and no stated absence, so the threshold sits close to the
#    best bounds and few places and profiles pass.
# Reading the request's province is most of the work (at national scale Hà Nội holds thousands
# of profiles and organisations), hence once, not twice.
_MATCH: LiteralString = (
    _REQUEST
    + """
CALL (r, atProvince, atPoint, wanted, inCommune, near, totalWeight) {
  WITH r, atProvince AS place, atPoint, atProvince, wanted, inCommune, near, totalWeight
"""
    + _PLACE
    + """
  MATCH (place)<-[:LOCATED_IN]-(e:ExpertProfile {status: 'VERIFIED'})
  WHERE """
    + _CANDIDATE
    + _BOUND
    + """
  WITH e, c, placeKind, km, placeProximity ORDER BY c.bound DESC, e.id LIMIT $probe + 1
  // no grouping key: one row, an empty list when the province has no candidate
  RETURN collect({e: e, c: c, placeKind: placeKind, km: km, placeProximity: placeProximity})
           AS probed
}
CALL (r, periodDays, wanted, probed) {
  UNWIND probed[0..$probe] AS x
  WITH r, periodDays, wanted, x.e AS e, x.c AS c
"""
    + _SCORE
    + """
  WITH score ORDER BY score DESC LIMIT $first
  RETURN CASE WHEN count(score) < $first THEN -1.0 ELSE min(score) END AS threshold
}
// null when the probe holds the whole province
WITH *, CASE WHEN size(probed) > $probe THEN probed[$probe].c.bound END AS spill
CALL (r, atProvince, atPoint, inCommune, near, wanted, totalWeight, threshold, probed, spill) {
  UNWIND probed AS x
  WITH x WHERE x.c.bound >= threshold
  RETURN x.e AS e, x.placeKind AS placeKind, x.km AS km, x.placeProximity AS placeProximity
  UNION ALL
  WITH r, atProvince AS place, atPoint, atProvince, inCommune, near, wanted
  WHERE spill >= threshold  // null: never
"""
    + _PLACE
    + """
"""
    + _VERIFIED_AT_PLACE
    + """
  UNION ALL
  MATCH (place:AdministrativeUnit)
  WHERE place.level IN ['PROVINCE', 'CENTRAL'] AND place.era IS NOT NULL  // the index (level, era)
    AND (atProvince IS NULL OR place <> atProvince)
"""
    + _PLACE
    + """
  WITH * WHERE """
    + _PLACE_BOUND
    + """ >= threshold
"""
    + _VERIFIED_AT_PLACE
    + """
  UNION ALL
  UNWIND inCommune AS e
  MATCH (e)-[:LOCATED_IN]->(place:AdministrativeUnit)
  WHERE e.status = 'VERIFIED' AND """
    + _CANDIDATE
    + _PLACE
    + """
  RETURN e, placeKind, km, placeProximity
}
// UNION ALL and this DISTINCT rather than UNION, whose DISTINCT would also hash ``probed``
WITH DISTINCT r, periodDays, wanted, totalWeight, inCommune, threshold, e, placeKind, km,
     placeProximity
"""
    + _BOUND
    + """
WITH r, periodDays, wanted, e, c WHERE c.bound >= threshold
"""
    + _SCORE
    + """
ORDER BY score DESC, e.id, p.id
LIMIT $first
RETURN e.id AS expertId, p.id AS personId, score, parts, c.proximityKind AS proximityKind,
       c.km AS km, load, feedbackMean, unavailableDays,
       [w IN wanted WHERE any(x IN e.expertise WHERE x IN w.full) | w.code] AS matched
"""
)
PROBE = 100
"""How many of the best bounds step 2 scores in full to find the threshold."""


async def match_experts(tx: Tx, request_id: str, first: int) -> list[Match]:
    """The ``first`` best candidates for the request, best first (none for an unknown request:
    callers load the request first, to check who may see it)."""
    records = await run(
        tx, _MATCH, id=request_id, first=first, probe=max(PROBE, first), farKm=FAR_KM, w=WEIGHTS
    )
    return [
        Match(
            r["expertId"],
            r["personId"],
            float(r["score"]),
            ScoreParts(**{k: round(float(v), 6) for k, v in r["parts"].items()}),
            r["proximityKind"],
            None if r["km"] is None else round(float(r["km"]), 1),
            int(r["load"]),
            r["feedbackMean"],
            int(r["unavailableDays"]),
            tuple(sorted(r["matched"])),
        )
        for r in records
    ]
