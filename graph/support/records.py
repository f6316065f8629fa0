"""The typed read records of support requests and engagements, their state machines and the map
projections that build them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.core.cypher import native


class RequestStatus(StrEnum):
    OPEN = "OPEN"  # filed, nobody proposed yet
    MATCHING = "MATCHING"  # at least one expert proposed, none accepted yet
    ASSIGNED = "ASSIGNED"  # at least one expert accepted
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class EngagementStatus(StrEnum):
    PROPOSED = "PROPOSED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    COMPLETED = "COMPLETED"
    # The request was closed or cancelled while the proposal was unanswered.
    WITHDRAWN = "WITHDRAWN"


class Urgency(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


# What may follow what; anything else is a Conflict naming the field.
REQUEST_NEXT: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.OPEN: frozenset({RequestStatus.MATCHING, RequestStatus.CANCELLED}),
    RequestStatus.MATCHING: frozenset(
        {RequestStatus.ASSIGNED, RequestStatus.CANCELLED, RequestStatus.OPEN}
    ),
    RequestStatus.ASSIGNED: frozenset({RequestStatus.DONE, RequestStatus.CANCELLED}),
    RequestStatus.DONE: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
}
ENGAGEMENT_NEXT: dict[EngagementStatus, frozenset[EngagementStatus]] = {
    EngagementStatus.PROPOSED: frozenset(
        {EngagementStatus.ACCEPTED, EngagementStatus.DECLINED, EngagementStatus.WITHDRAWN}
    ),
    EngagementStatus.ACCEPTED: frozenset({EngagementStatus.COMPLETED}),
    EngagementStatus.DECLINED: frozenset(),
    EngagementStatus.COMPLETED: frozenset(),
    EngagementStatus.WITHDRAWN: frozenset(),
}
OPEN_REQUEST = (RequestStatus.OPEN, RequestStatus.MATCHING, RequestStatus.ASSIGNED)
# An engagement that still takes the expert's time: what "load" counts in matching.
OPEN_ENGAGEMENT = (EngagementStatus.PROPOSED, EngagementStatus.ACCEPTED)


@dataclass(frozen=True, slots=True)
class WantedArea:
    code: str  # ExpertiseArea.code
    weight: float = 1.0
    must_have: bool = False


# Every query splicing it binds the request as ``r``.
REQUEST_FIELDS: LiteralString = """
r {.id, .topic, .description, .remoteAllowed, .periodStart, .periodEnd, .expertsWanted,
   .urgency, .status, .createdAt, .matchingAt, .assignedAt, .doneAt, .cancelledAt,
   .firstAcceptedAt, .cancelReason, .contactEmail, .synthetic,
   organisationId: [(o:Organisation)-[:REQUESTED]->(r) | o.id][0],
   unitKey: [(r)-[:AT]->(u:AdministrativeUnit) | u.key][0],
   wanted: [(r)-[w:WANTS]->(a:ExpertiseArea) |
            {code: a.code, weight: w.weight, mustHave: w.mustHave}]}
"""


@dataclass(frozen=True, slots=True)
class SupportRequestRecord:
    id: str
    organisation_id: str
    unit_key: str
    topic: str
    description: str
    wanted: tuple[WantedArea, ...]
    remote_allowed: bool
    period_start: dt.date
    period_end: dt.date
    experts_wanted: int
    urgency: Urgency
    status: RequestStatus
    created_at: dt.datetime
    matching_at: dt.datetime | None
    assigned_at: dt.datetime | None
    done_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    first_accepted_at: dt.datetime | None
    cancel_reason: str | None
    # Where the requester is told of each answer (an official address, read under the policy).
    contact_email: str | None
    synthetic: bool

    @staticmethod
    def from_map(m: dict[str, Any]) -> SupportRequestRecord:
        wanted = sorted(m.get("wanted") or (), key=lambda w: w["code"])
        return SupportRequestRecord(
            m["id"],
            m["organisationId"],
            m["unitKey"],
            m["topic"],
            m.get("description") or "",
            tuple(WantedArea(w["code"], float(w["weight"]), bool(w["mustHave"])) for w in wanted),
            bool(m["remoteAllowed"]),
            native(m["periodStart"]),
            native(m["periodEnd"]),
            int(m["expertsWanted"]),
            Urgency(m["urgency"]),
            RequestStatus(m["status"]),
            native(m["createdAt"]),
            native(m.get("matchingAt")),
            native(m.get("assignedAt")),
            native(m.get("doneAt")),
            native(m.get("cancelledAt")),
            native(m.get("firstAcceptedAt")),
            m.get("cancelReason"),
            m.get("contactEmail"),
            bool(m.get("synthetic")),
        )


# Every query splicing it binds the engagement as ``g``.
ENGAGEMENT_FIELDS: LiteralString = """
g {.id, .status, .proposedAt, .acceptedAt, .declinedAt, .completedAt, .withdrawnAt,
   .declineReason, .feedbackScore, .feedbackText, .expertNote, .score,
   requestId: [(g)-[:FOR]->(x:SupportRequest) | x.id][0],
   expertId: [(g)-[:OF]->(x:ExpertProfile) | x.id][0],
   personId: [(p:Person)-[:HAS_PROFILE]->(:ExpertProfile)<-[:OF]-(g) | p.id][0]}
"""


@dataclass(frozen=True, slots=True)
class EngagementRecord:
    id: str
    request_id: str
    expert_id: str
    person_id: str
    status: EngagementStatus
    proposed_at: dt.datetime
    accepted_at: dt.datetime | None
    declined_at: dt.datetime | None
    completed_at: dt.datetime | None
    decline_reason: str | None
    feedback_score: int | None
    feedback_text: str | None
    expert_note: str | None
    score: float | None  # the match score when proposed

    @staticmethod
    def from_map(m: dict[str, Any]) -> EngagementRecord:
        return EngagementRecord(
            m["id"],
            m["requestId"],
            m["expertId"],
            m["personId"],
            EngagementStatus(m["status"]),
            native(m["proposedAt"]),
            native(m.get("acceptedAt")),
            native(m.get("declinedAt")),
            native(m.get("completedAt")),
            m.get("declineReason"),
            m.get("feedbackScore"),
            m.get("feedbackText"),
            m.get("expertNote"),
            m.get("score"),
        )
