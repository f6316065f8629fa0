"""Gap lists: the places and records where the network does not reach yet, paged by a sort key.

Each kind is one query: it builds a map per item with a ``sortKey`` and the shared tail orders,
counts and slices them, so ``totalCount`` and the page come from the same read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.activity.figures import DEFAULT_ACTIVE_DAYS, ActivityWindow
from graph.core.cypher import active_on, native, valid_on
from graph.core.db import Tx, run
from graph.core.errors import InvalidInput
from graph.core.model import AGENCY_KINDS
from graph.core.paging import Page
from graph.core.team_digests import TEAMS_OF_PLACE
from graph.network.focal_points import has_focal_point
from graph.network.records import (
    DECISION_FIELDS,
    ORG_FIELDS,
    TEAM_FIELDS,
    DecisionRecord,
    OrganisationRecord,
    TeamRecord,
)
from graph.units.units import UNIT_FIELDS, UnitRecord, unit_from_map


class GapKind(StrEnum):
    COMMUNE_WITHOUT_TEAM = "COMMUNE_WITHOUT_TEAM"
    ORGANISATION_WITHOUT_FOCAL_POINT = "ORGANISATION_WITHOUT_FOCAL_POINT"
    PROVINCE_WITHOUT_EXPERT_IN_AREA = "PROVINCE_WITHOUT_EXPERT_IN_AREA"
    TEAM_BELOW_MIN_SIZE = "TEAM_BELOW_MIN_SIZE"
    ASSIGNMENT_NEEDS_RECONFIRMATION = "ASSIGNMENT_NEEDS_RECONFIRMATION"
    # A running team with no activity report ending within the last N days (#17).
    TEAM_WITHOUT_RECENT_ACTIVITY = "TEAM_WITHOUT_RECENT_ACTIVITY"


@dataclass(frozen=True, slots=True)
class GapRecord:
    kind: GapKind
    sort_key: str
    unit: UnitRecord
    organisation: OrganisationRecord | None = None
    team: TeamRecord | None = None
    decision: DecisionRecord | None = None
    issuer: OrganisationRecord | None = None
    active_members: int | None = None
    minimum_size: int | None = None
    focal_point_id: str | None = None
    last_activity: dt.date | None = None  # TEAM_WITHOUT_RECENT_ACTIVITY: its latest report's end


# Units under the scope (itself included) valid on the date.
_PLACES: LiteralString = (
    "MATCH (scope:AdministrativeUnit {key: $scopeKey})\n"
    "MATCH (u:AdministrativeUnit)-[:PART_OF*0..3]->(scope)\nWHERE " + valid_on("u") + "\n"
)

_TAIL: LiteralString = """
WITH item ORDER BY item.sortKey
WITH collect(item) AS items
WITH size(items) AS total, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
RETURN total, rest[0..$first] AS page, size(rest) > $first AS hasNext
"""

_U: LiteralString = "u {" + UNIT_FIELDS + "}"

QUERIES: dict[GapKind, LiteralString] = {
    GapKind.COMMUNE_WITHOUT_TEAM: _PLACES + "WITH u WHERE u.level = 'COMMUNE'\n"
    "CALL (u) {\n  CALL (u) {" + TEAMS_OF_PLACE + "}\n"
    "  WITH t WHERE " + active_on("t") + "\n  RETURN count(t) AS active\n}\n"
    "WITH u WHERE active = 0\n"
    "WITH {sortKey: u.code, unit: " + _U + "} AS item" + _TAIL,
    GapKind.ORGANISATION_WITHOUT_FOCAL_POINT: _PLACES
    + "MATCH (o:Organisation)-[:LOCATED_IN]->(u)\n"
    "WHERE o.kind IN $agencyKinds\n"
    "  AND " + valid_on("o") + "\n"
    "  AND NOT " + has_focal_point("o") + "\n"
    "WITH {sortKey: o.id, unit: " + _U + ", organisation: o {" + ORG_FIELDS + "}} AS item" + _TAIL,
    GapKind.PROVINCE_WITHOUT_EXPERT_IN_AREA: _PLACES
    + "WITH u WHERE u.level = 'PROVINCE' AND NOT EXISTS {\n"
    "  MATCH (e:ExpertProfile)-[:LOCATED_IN]->(u)\n"
    "  WHERE e.status = 'VERIFIED'\n"
    # The area or any of its sub-areas (graph/core/expertise.py).
    "    AND any(x IN e.expertise WHERE x = $expertise OR EXISTS {\n"
    "      (:ExpertiseArea {code: $expertise})-[:HAS_SUBAREA*1..]->(:ExpertiseArea {code: x}) })\n"
    "    AND (e.verifiedAt IS NULL OR date(e.verifiedAt) <= $d)\n}\n"
    "WITH {sortKey: u.code, unit: " + _U + "} AS item" + _TAIL,
    GapKind.TEAM_BELOW_MIN_SIZE: _PLACES + "WITH u WHERE u.level = 'COMMUNE'\n"
    "CALL (u) {" + TEAMS_OF_PLACE + "}\n"
    "WITH u, t WHERE " + active_on("t") + "\n"
    "MATCH (u)-[:PART_OF*1..2]->(province:AdministrativeUnit {level: 'PROVINCE'})\n"
    "WITH u, t, coalesce($minimumByProvince[province.code], $minimum) AS minimum,\n"
    "  COUNT { MATCH (:Person)-[m:MEMBER_OF]->(t)\n"
    "          WHERE " + active_on("m") + " } AS members\n"
    "WHERE members < minimum\n"
    "WITH {sortKey: t.id, unit: " + _U + ", team: t {" + TEAM_FIELDS + "},\n"
    "      activeMembers: members, minimumSize: minimum} AS item" + _TAIL,
    # The same teams and the same window as coverage's activeTeams (graph/activity/figures.py):
    # a running team is here exactly when it is not counted active there.
    GapKind.TEAM_WITHOUT_RECENT_ACTIVITY: _PLACES + "WITH u WHERE u.level = 'COMMUNE'\n"
    "CALL (u) {" + TEAMS_OF_PLACE + "}\n"
    "WITH u, t WHERE " + active_on("t") + "\n"
    "CALL (t) {\n"
    "  OPTIONAL MATCH (r:ActivityReport)-[:BY]->(t) WHERE r.periodTo <= $d\n"
    "  RETURN max(r.periodTo) AS last\n}\n"
    "WITH u, t, last WHERE last IS NULL OR last < $activeFrom\n"
    "WITH {sortKey: t.id, unit: " + _U + ", team: t {" + TEAM_FIELDS + "},\n"
    "      lastActivity: last} AS item" + _TAIL,
    GapKind.ASSIGNMENT_NEEDS_RECONFIRMATION: _PLACES
    + """
CALL (u) {
  CALL (u) {"""
    + TEAMS_OF_PLACE
    + """}
  WITH u, t WHERE """
    + active_on("t")
    + """
  MATCH (t)-[:ESTABLISHED_BY]->(dec:Decision)-[:ISSUED_BY]->(issuer:Organisation)
  WHERE issuer.validTo IS NOT NULL AND issuer.validTo < $d
  RETURN 'team:' + t.id AS sortKey, t {"""
    + TEAM_FIELDS
    + """} AS team, null AS organisation, null AS focalPointId, dec, issuer
  UNION
  MATCH (o:Organisation)-[:LOCATED_IN]->(u)
  MATCH (a:FocalPointAssignment)-[:AT]->(o)
  WHERE """
    + active_on("a")
    + """
  MATCH (a)-[:ESTABLISHED_BY]->(dec:Decision)-[:ISSUED_BY]->(issuer:Organisation)
  WHERE issuer.validTo IS NOT NULL AND issuer.validTo < $d
  RETURN 'focal-point:' + a.id AS sortKey, null AS team, o {"""
    + ORG_FIELDS
    + """} AS organisation, a.id AS focalPointId, dec, issuer
}
WITH {sortKey: sortKey, unit: """
    + _U
    + """, team: team, organisation: organisation, focalPointId: focalPointId,
      decision: dec {"""
    + DECISION_FIELDS
    + "}, issuer: issuer {"
    + ORG_FIELDS
    + "}} AS item"
    + _TAIL,
}


def _gap(kind: GapKind, m: dict[str, Any]) -> GapRecord:
    def opt(key: str, build: Any) -> Any:
        return build(m[key]) if m.get(key) is not None else None

    return GapRecord(
        kind=kind,
        sort_key=m["sortKey"],
        unit=unit_from_map(m["unit"]),
        organisation=opt("organisation", OrganisationRecord.from_map),
        team=opt("team", TeamRecord.from_map),
        decision=opt("decision", DecisionRecord.from_map),
        issuer=opt("issuer", OrganisationRecord.from_map),
        active_members=m.get("activeMembers"),
        minimum_size=m.get("minimumSize"),
        focal_point_id=m.get("focalPointId"),
        last_activity=native(m.get("lastActivity")),
    )


@dataclass(frozen=True, slots=True)
class GapArgs:
    kind: GapKind
    scope_key: str
    as_of: dt.date
    first: int
    after: str | None
    expertise: str | None = None  # an area code
    minimum: int = 3
    minimum_by_province: tuple[tuple[str, int], ...] = ()
    active_days: int = DEFAULT_ACTIVE_DAYS


async def gaps(tx: Tx, args: GapArgs) -> Page:
    if args.kind is GapKind.PROVINCE_WITHOUT_EXPERT_IN_AREA and args.expertise is None:
        raise InvalidInput("expertise", "required for PROVINCE_WITHOUT_EXPERT_IN_AREA")
    records = await run(
        tx,
        QUERIES[args.kind],
        scopeKey=args.scope_key,
        d=args.as_of,
        first=args.first,
        after=args.after,
        agencyKinds=[k.value for k in AGENCY_KINDS],
        expertise=args.expertise,
        minimum=args.minimum,
        minimumByProvince=dict(args.minimum_by_province),
        **ActivityWindow.of(args.as_of, args.active_days).params(),
    )
    r = records[0]
    return Page([_gap(args.kind, m) for m in r["page"]], r["total"], r["hasNext"])
