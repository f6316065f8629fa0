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


_MATCH: LiteralString = (
    """
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
     }] AS wanted
WITH r, at, atProvince, atPoint, periodDays, wanted,
     reduce(acc = [], w IN wanted | acc + w.full + w.half) AS near,
     reduce(acc = 0.0, w IN wanted | acc + w.weight) AS totalWeight
MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {status: 'VERIFIED'})
WHERE any(c IN e.expertise WHERE c IN near)
  AND all(w IN wanted WHERE NOT w.must OR any(c IN e.expertise WHERE c IN w.full))
  AND (r.remoteAllowed OR coalesce(e.country, 'VN') = 'VN')
  AND NOT EXISTS { (e)<-[:OF]-(:Engagement)-[:FOR]->(r) }
  AND """
    + ELIGIBLE
    + """
OPTIONAL MATCH (e)-[:LOCATED_IN]->(place:AdministrativeUnit)
WITH r, at, atProvince, atPoint, periodDays, wanted, totalWeight, e, p, place,
     coalesce(e.country, 'VN') <> 'VN' AS abroad,
     [(e)-[:AFFILIATED_WITH]->(:Organisation)-[:LOCATED_IN]->(c:AdministrativeUnit
        {level: 'COMMUNE', era: 'CURRENT'}) | c.key] AS communes,
     [w IN wanted | CASE
        WHEN any(c IN e.expertise WHERE c IN w.full) THEN 1.0
        WHEN any(c IN e.expertise WHERE c IN w.half) THEN 0.5
        ELSE 0.0 END * w.weight] AS perArea,
     [w IN wanted WHERE any(c IN e.expertise WHERE c IN w.full) | w.code] AS matched,
     reduce(days = 0, n IN [(e)-[:UNAVAILABLE]->(n:Unavailability)
                            WHERE n.start <= r.periodEnd AND n.end >= r.periodStart | n] |
        days + duration.inDays(
          CASE WHEN n.start > r.periodStart THEN n.start ELSE r.periodStart END,
          CASE WHEN n.end < r.periodEnd THEN n.end ELSE r.periodEnd END).days + 1)
       AS unavailableDays,
     COUNT { (e)<-[:OF]-(g:Engagement) WHERE g.status IN ['PROPOSED', 'ACCEPTED'] } AS load,
     [(e)<-[:OF]-(g:Engagement {status: 'COMPLETED'}) WHERE g.feedbackScore IS NOT NULL
        | g.feedbackScore] AS scores
WITH e, p, matched, unavailableDays, load,
     CASE WHEN size(scores) = 0 THEN null
          ELSE toFloat(reduce(s = 0, x IN scores | s + x)) / size(scores) END AS feedbackMean,
     reduce(s = 0.0, x IN perArea | s + x) / totalWeight AS expertise,
     CASE WHEN abroad THEN 'ABROAD'
          WHEN at.level = 'COMMUNE' AND at.key IN communes THEN 'COMMUNE'
          WHEN place.key = atProvince.key THEN 'PROVINCE'
          WHEN atPoint IS NULL OR place.lat IS NULL THEN 'UNKNOWN'
          ELSE 'DISTANCE' END AS proximityKind,
     CASE WHEN abroad OR atPoint IS NULL OR place.lat IS NULL THEN null
          ELSE point.distance(atPoint, point({latitude: place.lat, longitude: place.lon}))
               / 1000.0 END AS km,
     CASE WHEN unavailableDays >= periodDays THEN 0.0
          ELSE 1.0 - toFloat(unavailableDays) / periodDays END AS availability
WITH e, p, matched, unavailableDays, load, feedbackMean, expertise, proximityKind, km,
     availability,
     CASE proximityKind WHEN 'COMMUNE' THEN 1.0 WHEN 'PROVINCE' THEN 0.75
          WHEN 'DISTANCE' THEN 0.5 * (1.0 - CASE WHEN km > $farKm THEN 1.0 ELSE km / $farKm END)
          ELSE 0.0 END AS proximity,
     1.0 / (1 + load) AS loadPart,
     CASE WHEN feedbackMean IS NULL THEN 0.5 ELSE (feedbackMean - 1) / 4.0 END AS feedback
WITH e, p, matched, unavailableDays, load, feedbackMean, proximityKind, km,
     {expertise: expertise, proximity: proximity, availability: availability, load: loadPart,
      feedback: feedback} AS parts,
     round(expertise * $w.expertise + proximity * $w.proximity
           + availability * $w.availability + loadPart * $w.load + feedback * $w.feedback,
           6) AS score
ORDER BY score DESC, e.id
LIMIT $first
RETURN e.id AS expertId, p.id AS personId, score, parts, proximityKind, km, load,
       feedbackMean, unavailableDays, matched
"""
)


async def match_experts(tx: Tx, request_id: str, first: int) -> list[Match]:
    """The ``first`` best candidates for the request, best first (none for an unknown request:
    callers load the request first, to check who may see it)."""
    records = await run(tx, _MATCH, id=request_id, first=first, farKm=FAR_KM, w=WEIGHTS)
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
