"""Engagements: an expert proposed for a support request, and what became of it (#15).

PROPOSED → ACCEPTED or DECLINED (with a reason) → COMPLETED (with the requester's feedback);
a proposal nobody answered is WITHDRAWN when its request ends. Each command moves the request
along with it (OPEN → MATCHING on the first proposal, → ASSIGNED on the first acceptance, back
to OPEN when every proposal was declined) and writes the mail the other side is owed through
the outbox, in the same transaction as the change and its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.audit.events import Actor, Change, record
from graph.core import outbox
from graph.core.commands import Changed, new_id
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.validation import Checker, Code
from graph.support import requests
from graph.support.eligibility import ELIGIBLE
from graph.support.records import (
    ENGAGEMENT_FIELDS,
    ENGAGEMENT_NEXT,
    OPEN_REQUEST,
    EngagementRecord,
    EngagementStatus,
    RequestStatus,
)
from graph.units.scopes import Guard, Kind, placement

PROPOSAL = "SUPPORT_PROPOSAL"  # to the expert: a request they are proposed for
ANSWER = "SUPPORT_ANSWER"  # to the requester: the expert accepted or declined


async def engagement(tx: Tx, id: str) -> EngagementRecord:
    found = (await engagements_by_ids(tx, [id])).get(id)
    if found is None:
        raise NotFound("Engagement", id)
    return found


async def engagements_by_ids(tx: Tx, ids: Sequence[str]) -> dict[str, EngagementRecord]:
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (g:Engagement {id: id}) RETURN " + ENGAGEMENT_FIELDS + " AS g",
        ids=list(ids),
    )
    return {r["g"]["id"]: EngagementRecord.from_map(r["g"]) for r in records}


async def engagements_of_experts(
    tx: Tx, expert_ids: Sequence[str]
) -> dict[str, list[EngagementRecord]]:
    """Each expert's engagements, newest proposal first (their history on their profile)."""
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (g:Engagement)-[:OF]->(:ExpertProfile {id: id}) "
        "WITH id, g ORDER BY g.proposedAt DESC, g.id "
        "RETURN id, collect(" + ENGAGEMENT_FIELDS + ") AS gs",
        ids=list(expert_ids),
    )
    found: dict[str, list[EngagementRecord]] = {i: [] for i in expert_ids}
    for r in records:
        found[r["id"]] = [EngagementRecord.from_map(m) for m in r["gs"]]
    return found


def _step(before: EngagementStatus, after: EngagementStatus) -> None:
    if after not in ENGAGEMENT_NEXT[before]:
        raise Conflict(
            "engagementId", f"the proposal is {before.value}; it cannot become {after.value}"
        )


@dataclass(frozen=True, slots=True)
class Proposal:
    request_id: str
    expert_id: str
    score: float | None = None  # the match score the coordinator saw
    synthetic: bool = False
    id: str = field(default_factory=lambda: new_id("engagement"))


async def propose_expert(
    tx: Tx, cmd: Proposal, actor: Actor, guard: Guard
) -> Changed[EngagementRecord]:
    """Propose a verified expert who consents to be contacted for an open request; the expert
    is mailed the proposal."""
    guard(await placement(tx, Kind.SUPPORT_REQUEST, cmd.request_id))
    req = await requests.request(tx, cmd.request_id)
    if req.status not in OPEN_REQUEST:
        raise Conflict("requestId", f"the request is {req.status.value}")
    expert = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: $id}) "
        "RETURN p.email AS email, p.fullName AS name, " + ELIGIBLE + " AS eligible, "
        "EXISTS { (g:Engagement)-[:FOR]->(:SupportRequest {id: $request}) "
        "  WHERE (g)-[:OF]->(e) AND g.status IN ['PROPOSED', 'ACCEPTED', 'COMPLETED'] } AS taken",
        id=cmd.expert_id,
        request=cmd.request_id,
    )
    if expert is None:
        raise NotFound("Expert", cmd.expert_id)
    if not expert["eligible"]:
        raise Conflict(
            "expertId", "only verified experts who consent to be contacted can be proposed"
        )
    if expert["taken"]:
        raise Conflict("expertId", "the expert is already proposed for this request")
    await run(
        tx,
        """
        MATCH (r:SupportRequest {id: $request}), (e:ExpertProfile {id: $expert})
        CREATE (g:Engagement {id: $id, status: 'PROPOSED', proposedAt: datetime.transaction(),
                              score: $score, synthetic: $synthetic})
        CREATE (g)-[:FOR]->(r), (g)-[:OF]->(e)
        FOREACH (_ IN CASE WHEN $synthetic THEN [1] ELSE [] END | SET g:Synthetic)
        """,
        request=cmd.request_id,
        expert=cmd.expert_id,
        id=cmd.id,
        score=cmd.score,
        synthetic=cmd.synthetic,
    )
    if req.status is RequestStatus.OPEN:
        await requests.move(tx, req.id, req.status, RequestStatus.MATCHING)
    if expert["email"] is not None:
        await outbox.enqueue(
            tx,
            PROPOSAL,
            expert["email"],
            {
                "name": expert["name"],
                "topic": req.topic,
                "periodStart": req.period_start.isoformat(),
                "periodEnd": req.period_end.isoformat(),
            },
        )
    changes = [Change("status", None, EngagementStatus.PROPOSED.value)]
    seq = await record(
        tx,
        actor,
        "proposeExpert",
        (Kind.ENGAGEMENT, cmd.id),
        changes,
        [(Kind.SUPPORT_REQUEST, req.id), (Kind.EXPERT, cmd.expert_id)],
    )
    return Changed(await engagement(tx, cmd.id), seq)


async def respond_to_proposal(
    tx: Tx,
    id: str,
    accept: bool,
    reason: str | None,
    note: str | None,
    actor: Actor,
    guard: Guard,
) -> Changed[EngagementRecord]:
    """The expert's answer; a decline gives a reason. The requester is mailed the answer."""
    check = Checker()
    reason = check.text("reason", reason, required=not accept)
    note = check.text("note", note)
    check.done()
    guard(await placement(tx, Kind.ENGAGEMENT, id))
    before = await engagement(tx, id)
    after = EngagementStatus.ACCEPTED if accept else EngagementStatus.DECLINED
    _step(before.status, after)
    await run(
        tx,
        "MATCH (g:Engagement {id: $id}) SET g.status = $status, g.expertNote = $note, "
        "g.declineReason = $reason, "
        "g.acceptedAt = CASE WHEN $accept THEN datetime.transaction() END, "
        "g.declinedAt = CASE WHEN $accept THEN null ELSE datetime.transaction() END",
        id=id,
        status=after.value,
        note=note,
        reason=reason,
        accept=accept,
    )
    req = await requests.request(tx, before.request_id)
    if accept:
        await run(
            tx,
            "MATCH (r:SupportRequest {id: $id}) "
            "SET r.firstAcceptedAt = coalesce(r.firstAcceptedAt, datetime.transaction())",
            id=req.id,
        )
        if req.status is RequestStatus.MATCHING:
            await requests.move(tx, req.id, req.status, RequestStatus.ASSIGNED)
    elif req.status is RequestStatus.MATCHING:
        left = await run_single(
            tx,
            "MATCH (g:Engagement)-[:FOR]->(:SupportRequest {id: $id}) "
            "WHERE g.status IN ['PROPOSED', 'ACCEPTED'] RETURN count(g) AS n",
            id=req.id,
        )
        if left is not None and left["n"] == 0:
            await requests.move(tx, req.id, req.status, RequestStatus.OPEN)
    if req.contact_email:
        await outbox.enqueue(
            tx,
            ANSWER,
            req.contact_email,
            {"topic": req.topic, "accepted": accept, "reason": reason},
        )
    changes = [Change("status", before.status.value, after.value)]
    if reason:
        changes.append(Change("declineReason", None, reason))
    if note:
        changes.append(Change("expertNote", None, note))
    seq = await record(
        tx,
        actor,
        "respondToProposal",
        (Kind.ENGAGEMENT, id),
        changes,
        [(Kind.SUPPORT_REQUEST, req.id)],
    )
    return Changed(await engagement(tx, id), seq)


FEEDBACK_SCORES = range(1, 6)


async def complete_engagement(
    tx: Tx, id: str, score: int, text: str | None, actor: Actor, guard: Guard
) -> Changed[EngagementRecord]:
    """ACCEPTED → COMPLETED with the requester's feedback (score 1 to 5, text)."""
    check = Checker()
    check.require(score in FEEDBACK_SCORES, "score", Code.INVALID_VALUE, "from 1 to 5")
    text = check.text("text", text)
    check.done()
    guard(await placement(tx, Kind.ENGAGEMENT, id))
    before = await engagement(tx, id)
    _step(before.status, EngagementStatus.COMPLETED)
    await run(
        tx,
        "MATCH (g:Engagement {id: $id}) SET g.status = 'COMPLETED', "
        "g.completedAt = datetime.transaction(), g.feedbackScore = $score, g.feedbackText = $text",
        id=id,
        score=score,
        text=text,
    )
    changes = [
        Change("status", before.status.value, EngagementStatus.COMPLETED.value),
        Change("feedbackScore", None, score),
    ]
    seq = await record(
        tx,
        actor,
        "completeEngagement",
        (Kind.ENGAGEMENT, id),
        changes,
        [(Kind.SUPPORT_REQUEST, before.request_id)],
    )
    return Changed(await engagement(tx, id), seq)


@dataclass(frozen=True, slots=True)
class NewUnavailability:
    expert_id: str
    start: dt.date
    end: dt.date
    id: str = field(default_factory=lambda: new_id("unavailable"))


async def declare_unavailability(
    tx: Tx, cmd: NewUnavailability, actor: Actor, guard: Guard
) -> Changed[str]:
    """An expert's period when they cannot help: matching ranks them lower for requests in it."""
    check = Checker()
    check.date_order("end", cmd.start, cmd.end)
    check.done()
    guard(await placement(tx, Kind.EXPERT, cmd.expert_id))
    await run(
        tx,
        "MATCH (e:ExpertProfile {id: $expert}) "
        "CREATE (e)-[:UNAVAILABLE]->(:Unavailability {id: $id, start: $start, end: $end, "
        "createdAt: datetime.transaction()})",
        expert=cmd.expert_id,
        id=cmd.id,
        start=cmd.start,
        end=cmd.end,
    )
    changes = [Change("unavailable", None, f"{cmd.start.isoformat()}/{cmd.end.isoformat()}")]
    seq = await record(tx, actor, "declareUnavailability", (Kind.EXPERT, cmd.expert_id), changes)
    return Changed(cmd.id, seq)


@dataclass(frozen=True, slots=True)
class UnavailabilityRecord:
    id: str
    start: dt.date
    end: dt.date


async def unavailability_of(tx: Tx, expert_id: str) -> list[UnavailabilityRecord]:
    """The periods an expert stated, by start."""
    records = await run(
        tx,
        "MATCH (:ExpertProfile {id: $expert})-[:UNAVAILABLE]->(a:Unavailability) "
        "RETURN a.id AS id, a.start AS start, a.end AS end ORDER BY start, end, id",
        expert=expert_id,
    )
    return [UnavailabilityRecord(r["id"], native(r["start"]), native(r["end"])) for r in records]


async def remove_unavailability(tx: Tx, id: str, actor: Actor, guard: Guard) -> Changed[str]:
    """The expert takes a stated period back (they can help after all); audited on the
    expert's profile, as its declaration was."""
    found = await run_single(
        tx,
        "MATCH (e:ExpertProfile)-[:UNAVAILABLE]->(a:Unavailability {id: $id}) "
        "RETURN e.id AS expert, a.start AS start, a.end AS end",
        id=id,
    )
    if found is None:
        raise NotFound("Unavailability", id)
    guard(await placement(tx, Kind.EXPERT, found["expert"]))
    await run(tx, "MATCH (a:Unavailability {id: $id}) DETACH DELETE a", id=id)
    period = f"{native(found['start']).isoformat()}/{native(found['end']).isoformat()}"
    seq = await record(
        tx,
        actor,
        "removeUnavailability",
        (Kind.EXPERT, found["expert"]),
        [Change("unavailable", period, None)],
    )
    return Changed(id, seq)


async def expert_of_person(tx: Tx, person_id: str) -> str | None:
    found = await run_single(
        tx,
        "MATCH (:Person {id: $id})-[:HAS_PROFILE]->(e:ExpertProfile) RETURN e.id AS id LIMIT 1",
        id=person_id,
    )
    return None if found is None else str(found["id"])
