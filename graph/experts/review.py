"""Coordinators' review of expert profiles: the queue of pending profiles, and the decision.

The queue holds two kinds of item: PENDING profiles, and VERIFIED profiles whose expert edited
a public field since (``changedSinceVerificationAt``, graph/experts/self_service.py). Those stay
listed while they wait; verifying one accepts the changes (the flag is cleared, no mail: nothing
changes for the expert), rejecting it ends the listing with the reason mailed as for any
rejection. Each waits from when it entered the queue: submission, or the first edit since
verification.

The decision has the same shape as the network's commands (``graph/network/teams.py``): one unit
of work per profile, the guard called on the target's placement inside the transaction, and the
audit event and the mail telling the expert the outcome written by that same transaction (the
outbox delivers it after commit), so a decision is never taken without its mail or record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.audit.events import Actor, Change, record
from graph.core import outbox
from graph.core.commands import Changed
from graph.core.cypher import native
from graph.core.db import Tx, run, run_single
from graph.core.errors import Conflict, NotFound
from graph.core.expert_digests import refresh_expert_digests
from graph.core.model import ExpertStatus
from graph.core.outbox import Mail
from graph.core.paging import Page
from graph.core.settings import Settings
from graph.core.validation import Checker
from graph.experts.profiles import experts_by_ids
from graph.experts.records import EXPERT_FIELDS, ExpertRecord
from graph.network.records import PERSON_FIELDS
from graph.units.scopes import Guard, Kind, placement

OUTCOME = "EXPERT_REVIEWED"


async def expert(tx: Tx, id: str) -> ExpertRecord:
    found = (await experts_by_ids(tx, [id])).get(id)
    if found is None:
        raise NotFound("Expert", id)
    return found


async def review_expert(
    tx: Tx, id: str, verdict: ExpertStatus, reason: str | None, actor: Actor, guard: Guard
) -> Changed[ExpertRecord]:
    """PENDING → VERIFIED or REJECTED (with a reason); a VERIFIED profile changed since its
    verification → VERIFIED (changes accepted) or REJECTED. A self-registered expert is verified
    only once they confirmed their e-mail: a coordinator must not vouch for an unproven
    address. An unconfirmed one may be rejected (a registration made with someone else's
    address, say), and is then not mailed: the address may not be theirs."""
    check = Checker()
    reason = check.text("reason", reason, required=verdict is ExpertStatus.REJECTED)
    check.done()
    guard(await placement(tx, Kind.EXPERT, id))
    state = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: $id}) "
        "RETURN e.status AS status, e.source AS source, p.emailConfirmedAt AS confirmed, "
        "p.email AS email, p.fullName AS name, e.changedSinceVerification AS changed",
        id=id,
    )
    assert state is not None  # placement() raised NotFound otherwise
    status = state["status"]
    changed = state["changed"] if status == ExpertStatus.VERIFIED.value else None
    if status != ExpertStatus.PENDING.value and not changed:
        raise Conflict("id", f"the profile is {status}, not PENDING nor changed since verified")
    unproven = state["source"] == "SELF_REGISTRATION" and state["confirmed"] is None
    if unproven and verdict is ExpertStatus.VERIFIED:
        raise Conflict("id", "the expert has not confirmed their e-mail address yet")
    await run(
        tx,
        "MATCH (e:ExpertProfile {id: $id}) SET e.status = $status, e.rejectionReason = $reason, "
        "e.verifiedAt = CASE WHEN $status = 'VERIFIED' THEN datetime.transaction() END, "
        "e.reviewedAt = datetime.transaction() "
        "REMOVE e.changedSinceVerification, e.changedSinceVerificationAt",
        id=id,
        status=verdict.value,
        reason=reason,
    )
    await refresh_expert_digests(tx, profiles=[id])
    changes: list[Change] = []
    if status != verdict.value:
        changes.append(Change("status", status, verdict.value))
    if changed:
        changes.append(Change("changedSinceVerification", changed, None))
    if reason:
        changes.append(Change("rejectionReason", None, reason))
    # A re-review that keeps the profile verified tells the expert nothing new: no mail.
    accepted_changes = changed and verdict is ExpertStatus.VERIFIED
    if state["email"] is not None and not unproven and not accepted_changes:
        await outbox.enqueue(
            tx,
            OUTCOME,
            state["email"],
            {"name": state["name"], "verdict": verdict.value, "reason": reason},
        )
    mutation = "verifyExpert" if verdict is ExpertStatus.VERIFIED else "rejectExpert"
    seq = await record(tx, actor, mutation, (Kind.EXPERT, id), changes)
    return Changed(await expert(tx, id), seq)


# The queue: pending profiles and verified ones changed since, oldest first (the longest waiting
# is reviewed first), in a province or everywhere. The sort key is when the profile entered the
# queue (submission, or the first change since verification) in zero-padded epoch milliseconds,
# then the id, so that the cursor orders the same as the list.
_WAITING: LiteralString = """
CALL () {
  MATCH (e:ExpertProfile {status: 'PENDING'}) RETURN e
  UNION
  MATCH (e:ExpertProfile) WHERE e.changedSinceVerificationAt IS NOT NULL
    AND e.status = 'VERIFIED'
  RETURN e
}
// Where the profile is placed: its province, or the central unit for an expert abroad (the
// national coordinator's queue; $provinceKey may name it).
MATCH (e)-[:LOCATED_IN]->(u:AdministrativeUnit)
WHERE $provinceKey IS NULL OR u.key = $provinceKey
"""

_QUEUE: LiteralString = (
    _WAITING
    + """
MATCH (p:Person)-[:HAS_PROFILE]->(e)
OPTIONAL MATCH (e)-[:SUPPORTS]->(home:AdministrativeUnit)
OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation)
WITH e, p, CASE WHEN u.level = 'PROVINCE' THEN u ELSE home END AS u, o,
     right('000000000000000' + toString(coalesce(
         e.changedSinceVerificationAt.epochMillis, e.submittedAt.epochMillis, 0)), 15)
       + '\t' + e.id AS sortKey
ORDER BY sortKey
WITH collect({sortKey: sortKey, e: e {"""
    + EXPERT_FIELDS
    + """}, p: p {"""
    + PERSON_FIELDS
    + """}, provinceKey: u.key, orgId: o.id}) AS items
WITH size(items) AS total, [x IN items WHERE $after IS NULL OR x.sortKey > $after] AS rest
RETURN total, rest[0..$first] AS page, size(rest) > $first AS hasNext
"""
)


async def pending(tx: Tx, province_key: str | None, first: int, after: str | None) -> Page:
    """Page items are (sortKey, ExpertRecord) pairs, longest waiting first."""
    found = await run_single(tx, _QUEUE, provinceKey=province_key, first=first, after=after)
    assert found is not None  # an aggregate always answers one row
    items = [
        (m["sortKey"], ExpertRecord.from_maps(m["e"], m["p"], m["provinceKey"], m["orgId"]))
        for m in found["page"]
    ]
    return Page(items, found["total"], found["hasNext"])


@dataclass(frozen=True, slots=True)
class PendingCount:
    province_key: str
    pending: int
    oldest: dt.datetime | None  # when the longest-waiting there entered the queue


async def pending_counts(tx: Tx, province_key: str | None) -> list[PendingCount]:
    """Profiles waiting for review per province (one province, or all that have any), most
    first."""
    records = await run(
        tx,
        _WAITING
        + """
        WITH u.key AS key, u.code AS code, count(e) AS pending,
             min(coalesce(e.changedSinceVerificationAt, e.submittedAt)) AS oldest
        RETURN key, pending, oldest ORDER BY pending DESC, code
        """,
        provinceKey=province_key,
    )
    return [PendingCount(r["key"], r["pending"], native(r["oldest"])) for r in records]


def render_outcome(params: dict[str, Any], settings: Settings) -> Mail:
    """The expert's mail after the decision: Vietnamese first, English below."""
    name = params.get("name") or ""
    if params["verdict"] == ExpertStatus.VERIFIED.value:
        vi = [
            f"Kính gửi {name},",
            "",
            "Hồ sơ chuyên gia của bạn đã được điều phối viên xác minh. Họ tên, lĩnh vực, đơn vị "
            "công tác và tỉnh, thành phố của bạn nay có trong danh bạ chuyên gia công khai của "
            "mạng lưới chuyển đổi số (theo sự đồng ý bạn đã cho).",
        ]
        en = [
            f"Dear {name},",
            "",
            "A coordinator has verified your expert profile. Your name, areas of expertise, "
            "affiliation and province are now in the public directory of the digital "
            "transformation expert network (as you consented).",
        ]
        subject = "Hồ sơ đã được xác minh / Your profile is verified — mạng lưới chuyên gia CĐS"
    else:
        reason = params.get("reason") or ""
        vi = [
            f"Kính gửi {name},",
            "",
            "Điều phối viên chưa xác minh hồ sơ chuyên gia của bạn.",
            f"Lý do: {reason}",
            "",
            "Nếu bạn cho rằng có nhầm lẫn, vui lòng liên hệ điều phối viên của tỉnh, thành phố.",
        ]
        en = [
            f"Dear {name},",
            "",
            "A coordinator did not verify your expert profile.",
            f"Reason (as the coordinator wrote it): {reason}",
            "",
            "If you think this is a mistake, please contact the coordinator of your province.",
        ]
        subject = "Kết quả xét duyệt hồ sơ / The review of your profile — mạng lưới chuyên gia CĐS"
    return Mail(to=params["to"], subject=subject, body="\n".join([*vi, "", "—", "", *en]) + "\n")
