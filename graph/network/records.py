"""Typed read records of the network's nodes and the map projections that build them.

Every read module returns these, never raw ``neo4j.Record``s. Each ``*_FIELDS`` string is the
Cypher map projection for the matching ``from_map``; queries splice it in as a constant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.cypher import native
from graph.core.model import (
    DecisionKind,
    FocalPointMode,
    HomeAffiliation,
    OrganisationKind,
    TeamLevel,
    TeamRole,
    VillageKind,
)

ORG_FIELDS: LiteralString = ".id, .kind, .name, .validFrom, .validTo"


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: str
    kind: OrganisationKind
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    @staticmethod
    def from_map(m: dict[str, Any]) -> OrganisationRecord:
        return OrganisationRecord(
            m["id"],
            OrganisationKind(m["kind"]),
            m["name"],
            native(m.get("validFrom")),
            native(m.get("validTo")),
        )


TEAM_FIELDS: LiteralString = ".id, .name, .level, .villageName, .villageKind, .since, .until"


@dataclass(frozen=True, slots=True)
class TeamRecord:
    id: str
    name: str
    level: TeamLevel
    village_name: str | None
    village_kind: VillageKind | None
    since: dt.date
    until: dt.date | None

    @staticmethod
    def from_map(m: dict[str, Any]) -> TeamRecord:
        kind = m.get("villageKind")
        return TeamRecord(
            m["id"],
            m["name"],
            TeamLevel(m["level"]),
            m.get("villageName"),
            VillageKind(kind) if kind else None,
            native(m["since"]),
            native(m.get("until")),
        )


DECISION_FIELDS: LiteralString = ".id, .number, .date, .kind"


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    id: str
    number: str
    date: dt.date
    kind: DecisionKind

    @staticmethod
    def from_map(m: dict[str, Any]) -> DecisionRecord:
        return DecisionRecord(m["id"], m["number"], native(m["date"]), DecisionKind(m["kind"]))


PERSON_FIELDS: LiteralString = ".id, .fullName, .email, .phone"


# A person the network knows only through an expert profile that is not verified yet (no team
# membership, no focal-point post): their name is not published (api/policy.py
# UnverifiedExperts). `p` is the person.
UNVERIFIED_EXPERT_ONLY: LiteralString = (
    "(EXISTS { (p)-[:HAS_PROFILE]->(pe:ExpertProfile) WHERE pe.status <> 'VERIFIED' }"
    " AND NOT EXISTS { (p)-[:MEMBER_OF|HOLDS]->() })"
)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    full_name: str
    email: str | None
    phone: str | None
    # Only read where a person is loaded by id (node, payloads): UNVERIFIED_EXPERT_ONLY.
    unverified_expert_only: bool = False

    @staticmethod
    def from_map(m: dict[str, Any]) -> PersonRecord:
        return PersonRecord(
            m["id"],
            m["fullName"],
            m.get("email"),
            m.get("phone"),
            bool(m.get("unverifiedExpertOnly")),
        )


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    person: PersonRecord
    team_id: str
    role: TeamRole
    since: dt.date
    until: dt.date | None
    home_affiliation: HomeAffiliation | None


@dataclass(frozen=True, slots=True)
class FocalPointRecord:
    id: str
    person: PersonRecord
    organisation_id: str
    mode: FocalPointMode
    since: dt.date
    until: dt.date | None
