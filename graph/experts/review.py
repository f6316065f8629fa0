"""Coordinators' changes to organisations and their review of expert profiles.

Same shape as the network's commands (``graph/network/teams.py``): one unit of work per mutation, the guard called on the
target's placement inside the transaction, the audit event written by the same transaction.
"""

from __future__ import annotations

from graph.audit.events import Actor, Change, record
from graph.core.commands import Changed
from graph.core.db import Tx, run, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.model import ExpertStatus
from graph.core.validation import Checker
from graph.experts.profiles import experts_by_ids
from graph.experts.records import ExpertRecord
from graph.units.scopes import Guard, Kind, placement


async def expert(tx: Tx, id: str) -> ExpertRecord:
    found = (await experts_by_ids(tx, [id])).get(id)
    if found is None:
        raise NotFound("Expert", id)
    return found


async def review_expert(
    tx: Tx, id: str, verdict: ExpertStatus, reason: str | None, actor: Actor, guard: Guard
) -> Changed[ExpertRecord]:
    """PENDING → VERIFIED or REJECTED (with a reason). A self-registered expert must have
    confirmed their e-mail first: a coordinator must not vouch for an unproven address."""
    check = Checker()
    reason = check.text("reason", reason, required=verdict is ExpertStatus.REJECTED)
    check.done()
    guard(await placement(tx, Kind.EXPERT, id))
    state = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: $id}) "
        "RETURN e.status AS status, e.source AS source, p.emailConfirmedAt AS confirmed",
        id=id,
    )
    assert state is not None  # placement() raised NotFound otherwise
    if state["status"] != ExpertStatus.PENDING.value:
        raise Conflict("id", f"the profile is {state['status']}, not PENDING")
    if state["source"] == "SELF_REGISTRATION" and state["confirmed"] is None:
        raise Conflict("id", "the expert has not confirmed their e-mail address yet")
    await run(
        tx,
        "MATCH (e:ExpertProfile {id: $id}) SET e.status = $status, e.rejectionReason = $reason, "
        "e.verifiedAt = CASE WHEN $status = 'VERIFIED' THEN datetime.transaction() END, "
        "e.reviewedAt = datetime.transaction()",
        id=id,
        status=verdict.value,
        reason=reason,
    )
    changes = [Change("status", ExpertStatus.PENDING.value, verdict.value)]
    if reason:
        changes.append(Change("rejectionReason", None, reason))
    mutation = "verifyExpert" if verdict is ExpertStatus.VERIFIED else "rejectExpert"
    seq = await record(tx, actor, mutation, (Kind.EXPERT, id), changes)
    return Changed(await expert(tx, id), seq)
