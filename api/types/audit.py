"""The audit trail and the change feed as GraphQL types and queries."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from api.policy import Action, guard, may, require, sees_people
from api.relay import from_global_id, to_global_id
from graph.audit import events as audit
from graph.audit.events import AuditEventRecord
from graph.core.errors import InvalidInput
from graph.units.scopes import Kind

if TYPE_CHECKING:
    from api.context import Context

# Global-ID type names of the nodes an audit trail can be asked for, and back.
_KINDS = {
    "Organisation": Kind.ORGANISATION,
    "CommunityTechTeam": Kind.TEAM,
    "Expert": Kind.EXPERT,
    "Person": Kind.PERSON,
}
_TYPE_NAMES = {kind: name for name, kind in _KINDS.items()}

FEED_PAGE_MAX = 500


@strawberry.type(description="One field changed by an event (personal values: '[redacted]').")
class FieldChange:
    field: str = strawberry.field(description="The field.")
    before: JSON | None = strawberry.field(description="Value before; shown to coordinators only.")
    after: JSON | None = strawberry.field(description="Value after; shown to coordinators only.")


@strawberry.type(
    description="One change to the registry, in commit order. `seq` strictly increases (it may "
    "skip numbers): follow the feed with `changes(since: <last seq seen>)`."
)
class AuditEvent:
    seq: int = strawberry.field(description="Sequence number; strictly increasing.")
    at: dt.datetime = strawberry.field(description="When it was committed.")
    mutation: str = strawberry.field(description="The mutation that made it.")
    target_type: str = strawberry.field(description="Label of the node changed.")
    target_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the node changed, when it is refetchable with `node(id:)`."
    )
    actor_subject: str | None = strawberry.field(
        description="Who (token subject): national coordinators only."
    )
    actor_role: str | None = strawberry.field(
        description="The role they acted in: national coordinators only."
    )
    changes: list[FieldChange] = strawberry.field(
        description="The fields changed; values shown to coordinators only."
    )

    @classmethod
    def from_record(cls, r: AuditEventRecord, info: strawberry.Info[Context]) -> AuditEvent:
        viewer = info.context.viewer
        actors = may(viewer, Action.READ_AUDIT_ACTORS)
        values = sees_people(viewer)
        type_name = _TYPE_NAMES.get(Kind(r.target_type))
        return cls(
            seq=r.seq,
            at=r.at,
            mutation=r.mutation,
            target_type=r.target_type,
            target_id=to_global_id(type_name, r.target_id) if type_name else None,
            actor_subject=r.subject if actors else None,
            actor_role=r.role if actors else None,
            changes=[
                FieldChange(
                    field=c.field,
                    before=c.before if values else None,
                    after=c.after if values else None,
                )
                for c in r.changes
            ],
        )


def _page(first: int | None) -> int:
    size = 100 if first is None else first
    if not 0 <= size <= FEED_PAGE_MAX:
        raise InvalidInput("first", f"between 0 and {FEED_PAGE_MAX}")
    return size


@strawberry.type(description="Reading the audit trail.")
class AuditQueries:
    @strawberry.field(
        description="The change feed: events after `since` (exclusive), oldest first. Poll "
        "with the last `seq` you saw; who made a change and the values are shown only to those "
        "allowed to see them."
    )
    async def changes(
        self,
        info: strawberry.Info[Context],
        since: Annotated[
            int, strawberry.argument(description="Last sequence number seen (0: from the start).")
        ] = 0,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many (default 100).")
        ] = None,
    ) -> list[AuditEvent]:
        found = await info.context.graph.read(audit.events_since, since, _page(first))
        return [AuditEvent.from_record(r, info) for r in found]

    @strawberry.field(
        description="Every change to one organisation, team, expert or person, oldest first: "
        "coordinators whose scope covers it."
    )
    async def audit_trail(
        self,
        info: strawberry.Info[Context],
        id: Annotated[strawberry.ID, strawberry.argument(description="The node's global ID.")],
        first: Annotated[
            int | None, strawberry.argument(description="At most this many (default 100).")
        ] = None,
    ) -> list[AuditEvent]:
        viewer = info.context.viewer
        require(viewer, Action.READ_AUDIT_TRAIL)
        type_name, key = from_global_id(id)
        if type_name not in _KINDS:
            raise InvalidInput("id", "audit trails exist for organisations, teams, experts, people")
        found = await info.context.graph.read(
            audit.trail,
            _KINDS[type_name],
            key,
            guard(viewer, Action.READ_AUDIT_TRAIL),
            _page(first),
        )
        return [AuditEvent.from_record(r, info) for r in found]
