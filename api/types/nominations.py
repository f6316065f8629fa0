"""A nomination of an expert, as shown to the coordinators who verify them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from api.policy import Action, may
from api.types.enums import Expertise
from graph.nominations import NominationRecord

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(
    description="A member of the network introduced this expert (nominateExpert); the expert "
    "registered and consented themselves, with the nominated address."
)
class Nomination:
    nominated_at: dt.datetime = strawberry.field(description="When the nomination was made.")
    expires_at: dt.datetime = strawberry.field(
        description="Until when a registration is linked to it."
    )
    expertise: list[Expertise] = strawberry.field(description="Areas the nominator named.")
    reason: str | None = strawberry.field(
        description="Why the nominator recommends them; null once the expert withdrew consent."
    )
    nominator_role: str = strawberry.field(description="The role the nominator acted in.")
    nominator_subject: str | None = strawberry.field(
        description="Who nominated (token subject): national coordinators only."
    )

    @classmethod
    def from_record(cls, r: NominationRecord, info: strawberry.Info[Context]) -> Nomination:
        return cls(
            nominated_at=r.nominated_at,
            expires_at=r.expires_at,
            expertise=list(r.expertise),
            reason=r.reason,
            nominator_role=r.nominator_role,
            nominator_subject=r.nominator_subject
            if may(info.context.viewer, Action.READ_AUDIT_ACTORS)
            else None,
        )
