"""Coordinators' changes to organisations and their review of expert profiles.

Same shape as ``graph/roster.py``: one unit of work per mutation, the guard called on the
target's placement inside the transaction, the audit event written by the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from graph.audit import Actor, Change, diff, record
from graph.db import Tx, run, run_single
from graph.errors import Conflict, Forbidden, NotFound
from graph.model import ExpertStatus, OrganisationKind
from graph.records import EXPERT_FIELDS, ORG_FIELDS, PERSON_FIELDS, ExpertRecord, OrganisationRecord
from graph.roster import Changed, new_id
from graph.scopes import Guard, Kind, placement
from graph.text import fold
from graph.validation import Checker, Code


async def organisation(tx: Tx, id: str) -> OrganisationRecord:
    found = await run_single(
        tx, "MATCH (o:Organisation {id: $id}) RETURN o {" + ORG_FIELDS + "} AS o", id=id
    )
    if found is None:
        raise NotFound("Organisation", id)
    return OrganisationRecord.from_map(found["o"])


def _check_staff(check: Checker, total: int | None, cds: int | None) -> None:
    check.require(total is None or total >= 0, "totalStaff", Code.INVALID_VALUE, "must be >= 0")
    check.require(cds is None or cds >= 0, "cdsStaff", Code.INVALID_VALUE, "must be >= 0")
    check.require(
        total is None or cds is None or cds <= total,
        "cdsStaff",
        Code.INVALID_VALUE,
        "cannot exceed totalStaff",
    )


@dataclass(frozen=True, slots=True)
class NewOrganisation:
    name: str
    kind: OrganisationKind
    unit_code: str  # a current province or commune
    parent_id: str | None = None
    valid_from: dt.date | None = None
    total_staff: int | None = None
    cds_staff: int | None = None
    id: str = field(default_factory=lambda: new_id("org"))


async def create_organisation(
    tx: Tx, cmd: NewOrganisation, actor: Actor, guard: Guard
) -> Changed[OrganisationRecord]:
    check = Checker()
    name = check.name("name", cmd.name)
    _check_staff(check, cmd.total_staff, cmd.cds_staff)
    check.done()
    unit = await run_single(
        tx,
        "MATCH (u:AdministrativeUnit {era: 'CURRENT', code: $code}) "
        "WHERE u.level IN ['PROVINCE', 'COMMUNE'] RETURN u.key AS key",
        code=cmd.unit_code.strip(),
    )
    if unit is None:
        raise NotFound("current province or commune", cmd.unit_code)
    guard(await placement(tx, Kind.UNIT, unit["key"]))
    if cmd.parent_id is not None:
        # The parent must be in the caller's scope too: no attaching to another province's body.
        parent = await placement(tx, Kind.ORGANISATION, cmd.parent_id)
        try:
            guard(parent)
        except Forbidden as refused:
            raise Forbidden(
                refused.action, "parentId: the parent organisation is outside your scope"
            ) from None
    await run(
        tx,
        """
        MATCH (u:AdministrativeUnit {key: $unitKey})
        CREATE (o:Organisation {id: $id, kind: $kind, name: $name, searchKey: $key,
                                validFrom: $validFrom, totalStaff: $total, cdsStaff: $cds,
                                synthetic: false})-[:LOCATED_IN]->(u)
        WITH o OPTIONAL MATCH (p:Organisation {id: $parentId})
        FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (o)-[:PART_OF]->(p))
        """,
        unitKey=unit["key"],
        id=cmd.id,
        kind=cmd.kind.value,
        name=name,
        key=fold(name or ""),
        validFrom=cmd.valid_from,
        total=cmd.total_staff,
        cds=cmd.cds_staff,
        parentId=cmd.parent_id,
    )
    created = await organisation(tx, cmd.id)
    changes = diff(
        {},
        {
            "name": created.name,
            "kind": created.kind.value,
            "unit": unit["key"],
            "parent": cmd.parent_id,
            "validFrom": created.valid_from,
            "totalStaff": created.total_staff,
            "cdsStaff": created.cds_staff,
        },
    )
    seq = await record(tx, actor, "createOrganisation", (Kind.ORGANISATION, cmd.id), changes)
    return Changed(created, seq)


@dataclass(frozen=True, slots=True)
class OrganisationPatch:
    """Fields left None are left as they are."""

    id: str
    name: str | None = None
    total_staff: int | None = None
    cds_staff: int | None = None
    valid_to: dt.date | None = None


async def update_organisation(
    tx: Tx, patch: OrganisationPatch, actor: Actor, guard: Guard
) -> Changed[OrganisationRecord]:
    check = Checker()
    name = check.name("name", patch.name, required=False)
    check.require(
        patch.name is None or name is not None, "name", Code.REQUIRED, "must not be empty"
    )
    guard(await placement(tx, Kind.ORGANISATION, patch.id))
    before = await organisation(tx, patch.id)
    total = before.total_staff if patch.total_staff is None else patch.total_staff
    cds = before.cds_staff if patch.cds_staff is None else patch.cds_staff
    _check_staff(check, total, cds)
    check.require(
        patch.valid_to is None or before.valid_from is None or patch.valid_to >= before.valid_from,
        "validTo",
        Code.INVALID_DATE,
        "must not be before validFrom",
    )
    check.done()
    after = {
        "name": name or before.name,
        "totalStaff": total,
        "cdsStaff": cds,
        "validTo": patch.valid_to or before.valid_to,
    }
    changes = diff(
        {
            "name": before.name,
            "totalStaff": before.total_staff,
            "cdsStaff": before.cds_staff,
            "validTo": before.valid_to,
        },
        after,
    )
    if not changes:
        return Changed(before, None)
    await run(
        tx,
        "MATCH (o:Organisation {id: $id}) SET o.name = $name, o.searchKey = $key, "
        "o.totalStaff = $total, o.cdsStaff = $cds, o.validTo = $validTo",
        id=patch.id,
        name=after["name"],
        key=fold(str(after["name"])),
        total=total,
        cds=cds,
        validTo=after["validTo"],
    )
    seq = await record(tx, actor, "updateOrganisation", (Kind.ORGANISATION, patch.id), changes)
    return Changed(await organisation(tx, patch.id), seq)


async def expert(tx: Tx, id: str) -> ExpertRecord:
    found = await run_single(
        tx,
        "MATCH (p:Person)-[:HAS_PROFILE]->(e:ExpertProfile {id: $id}) "
        "OPTIONAL MATCH (e)-[:LOCATED_IN]->(u:AdministrativeUnit) "
        "OPTIONAL MATCH (e)-[:AFFILIATED_WITH]->(o:Organisation) "
        "RETURN e {" + EXPERT_FIELDS + "} AS e, p {" + PERSON_FIELDS + "} AS p, "
        "u.key AS provinceKey, o.id AS orgId",
        id=id,
    )
    if found is None:
        raise NotFound("Expert", id)
    return ExpertRecord.from_maps(found["e"], found["p"], found["provinceKey"], found["orgId"])


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
