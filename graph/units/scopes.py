"""Where a node sits in the network, as the places and bodies a coordinator's scope can name.

Authorisation (``api/policy.py``) compares a viewer's scope with a ``Placement``: the current
provinces and communes a node is located in, the organisations it belongs to and the people it
is about. Legacy units are mapped to today's through ``SUCCEEDED_BY``, so a coordinator of a
current province also covers a team founded in one of its pre-2025 communes.

Mutations take a ``Guard``: they compute the target's placement inside their own write
transaction and call the guard before changing anything, so the check and the change see the
same graph and a resolver still makes one call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.core.db import Tx, run
from graph.core.errors import NotFound


@dataclass(frozen=True, slots=True)
class Placement:
    provinces: frozenset[str] = frozenset()  # current province keys
    communes: frozenset[str] = frozenset()  # current commune keys
    organisations: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()

    def __or__(self, other: Placement) -> Placement:
        return Placement(
            self.provinces | other.provinces,
            self.communes | other.communes,
            self.organisations | other.organisations,
            self.people | other.people,
        )


NOWHERE = Placement()
EVERYWHERE = Placement(frozenset({"*"}))
"""For actions that are not about a placed node (the feed, nominating): a guard admits it by
role alone (``api/policy.py`` compares by identity)."""

Guard = Callable[[Placement], None]
"""Raises ``graph.core.errors.Forbidden`` when the caller may not act on a node placed there."""


class Kind(StrEnum):
    """The nodes a guard or an audit trail can be about (values are their labels)."""

    UNIT = "AdministrativeUnit"
    ORGANISATION = "Organisation"
    TEAM = "CommunityTechTeam"
    PERSON = "Person"
    EXPERT = "ExpertProfile"
    FOCAL_POINT = "FocalPointAssignment"
    NOMINATION = "Nomination"
    # An audit target only: a course is placed nowhere (graph/activity/training.py).
    TRAINING_COURSE = "TrainingCourse"
    SUPPORT_REQUEST = "SupportRequest"
    ENGAGEMENT = "Engagement"
    TARGET = "Target"


# From any unit to the current province and commune it is (or became) part of: up the legacy
# tree, across the reform, then up the current tree.
_CURRENT_UNITS: LiteralString = """
OPTIONAL MATCH (u)-[:PART_OF*0..3]->(:AdministrativeUnit)-[:SUCCEEDED_BY*0..1]->
               (:AdministrativeUnit)-[:PART_OF*0..2]->(cur:AdministrativeUnit {era: 'CURRENT'})
"""

# Per kind: one row per (id, unit, organisation, person) the node is anchored to.
_ANCHORS: dict[Kind, LiteralString] = {
    Kind.UNIT: """
        UNWIND $ids AS id MATCH (u:AdministrativeUnit {key: id})
        WITH id, u, null AS org, null AS person""",
    Kind.ORGANISATION: """
        UNWIND $ids AS id MATCH (o:Organisation {id: id})
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(u:AdministrativeUnit)
        WITH id, u, o.id AS org, null AS person""",
    Kind.TEAM: """
        UNWIND $ids AS id MATCH (:CommunityTechTeam {id: id})-[:OPERATES_IN]->(u:AdministrativeUnit)
        OPTIONAL MATCH (o:Organisation {kind: 'COMMUNE_PEOPLES_COMMITTEE'})-[:LOCATED_IN]->(u)
        WITH id, u, o.id AS org, null AS person""",
    Kind.EXPERT: """
        UNWIND $ids AS id MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: id})
        OPTIONAL MATCH (e)-[:LOCATED_IN]->(u:AdministrativeUnit)
        OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
        WITH id, u, o.id AS org, p.id AS person""",
    Kind.FOCAL_POINT: """
        UNWIND $ids AS id
        MATCH (p:Person)-[:HOLDS]->(:FocalPointAssignment {id: id})-[:AT]->(o:Organisation)
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(u:AdministrativeUnit)
        WITH id, u, o.id AS org, p.id AS person""",
    # A province's own target is placed in the province; a national one nowhere (national only).
    Kind.TARGET: """
        UNWIND $ids AS id MATCH (t:Target {id: id})
        OPTIONAL MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE', code: t.scopeCode})
        WITH id, u, null AS org, null AS person""",
    # A nomination, once it led to a registration, is where the nominee's profile is.
    Kind.NOMINATION: """
        UNWIND $ids AS id MATCH (n:Nomination {id: id})
        OPTIONAL MATCH (n)-[:LED_TO]->(e:ExpertProfile)-[:LOCATED_IN]->(u:AdministrativeUnit)
        OPTIONAL MATCH (p:Person)-[:HAS_PROFILE]->(e)
        WITH id, u, null AS org, p.id AS person""",
    # A course is placed nowhere: only the national feed shows its changes.
    Kind.TRAINING_COURSE: """
        UNWIND $ids AS id MATCH (:TrainingCourse {id: id})
        WITH id, null AS u, null AS org, null AS person""",
    # A support request is its requesting organisation's (#15): that organisation's admins,
    # the coordinators above it and the national coordinator.
    Kind.SUPPORT_REQUEST: """
        UNWIND $ids AS id MATCH (o:Organisation)-[:REQUESTED]->(:SupportRequest {id: id})
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(u:AdministrativeUnit)
        WITH id, u, o.id AS org, null AS person""",
    # An engagement is its request's, and its expert's own (who answers the proposal).
    Kind.ENGAGEMENT: """
        UNWIND $ids AS id
        MATCH (o:Organisation)-[:REQUESTED]->(:SupportRequest)<-[:FOR]-(g:Engagement {id: id})
        MATCH (g)-[:OF]->(:ExpertProfile)<-[:HAS_PROFILE]-(p:Person)
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(u:AdministrativeUnit)
        WITH id, u, o.id AS org, p.id AS person""",
    # A person is anchored wherever any of their active roles is: their expert profile, the
    # teams they are a member of and the posts they hold, not ended before today (one still to
    # start counts). An ended link places them nowhere: it must not keep their contact fields
    # open to the scope they left (#12).
    Kind.PERSON: """
        UNWIND $ids AS id MATCH (p:Person {id: id})
        OPTIONAL MATCH (p)-[:HAS_PROFILE]->(:ExpertProfile)-[:LOCATED_IN]->(eu:AdministrativeUnit)
        OPTIONAL MATCH (p)-[m:MEMBER_OF]->(:CommunityTechTeam)-[:OPERATES_IN]->(tu:AdministrativeUnit)
        WHERE m.until IS NULL OR m.until >= date()
        OPTIONAL MATCH (p)-[:HOLDS]->(a:FocalPointAssignment)-[:AT]->(o:Organisation)
        WHERE a.until IS NULL OR a.until >= date()
        OPTIONAL MATCH (o)-[:LOCATED_IN]->(ou:AdministrativeUnit)
        WITH id, p, [x IN collect(DISTINCT eu) + collect(DISTINCT tu) + collect(DISTINCT ou)
                     WHERE x IS NOT NULL] AS units, collect(DISTINCT o.id) AS orgs
        UNWIND CASE WHEN units = [] THEN [null] ELSE units END AS u
        WITH id, u, orgs, p.id AS person
        UNWIND CASE WHEN orgs = [] THEN [null] ELSE orgs END AS org
        WITH id, u, org, person""",
}

_RETURN: LiteralString = """
RETURN id, collect(DISTINCT cur {.key, .level}) AS units, collect(DISTINCT org) AS orgs,
       collect(DISTINCT person) AS people
"""


def _placement(record: Any) -> Placement:
    units = [u for u in record["units"] if u is not None]
    return Placement(
        provinces=frozenset(u["key"] for u in units if u["level"] == "PROVINCE"),
        communes=frozenset(u["key"] for u in units if u["level"] == "COMMUNE"),
        organisations=frozenset(o for o in record["orgs"] if o is not None),
        people=frozenset(p for p in record["people"] if p is not None),
    )


async def placements(tx: Tx, kind: Kind, ids: Iterable[str]) -> dict[str, Placement]:
    """Placements of many nodes of one kind in one query; unknown ids are left out.

    A person is placed wherever any of their active roles is: expert profile, team memberships
    and focal-point posts not ended before today.
    """
    records = await run(tx, _ANCHORS[kind] + _CURRENT_UNITS + _RETURN, ids=list(ids))
    return {r["id"]: _placement(r) for r in records}


async def placement(tx: Tx, kind: Kind, id: str) -> Placement:
    """The placement of one node, or NotFound."""
    found = await placements(tx, kind, [id])
    if id not in found:
        raise NotFound(kind.value, id)
    return found[id]
