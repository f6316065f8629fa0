"""Typed records of activity reports, and the Cypher map projection that builds them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.cypher import native
from graph.core.model import ActivityKind

ACTIVITY_FIELDS: LiteralString = (
    ".id, .periodFrom, .periodTo, .kind, .peopleHelped, .householdsHelped, .services, .place, "
    ".note, .reportedBy, .reportedAt, .synthetic"
)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    id: str
    team_id: str
    period_from: dt.date
    period_to: dt.date  # the same day for a one-day activity
    kind: ActivityKind
    people_helped: int
    households_helped: int
    services: tuple[str, ...]
    place: str | None
    note: str | None
    reported_by: str | None  # the reporter's subject (an official's or a leader's sign-in)
    reported_at: dt.datetime | None
    synthetic: bool

    @staticmethod
    def from_map(m: dict[str, Any]) -> ActivityRecord:
        return ActivityRecord(
            id=m["id"],
            team_id=m["teamId"],
            period_from=native(m["periodFrom"]),
            period_to=native(m["periodTo"]),
            kind=ActivityKind(m["kind"]),
            people_helped=int(m["peopleHelped"]),
            households_helped=int(m["householdsHelped"]),
            services=tuple(m.get("services") or ()),
            place=m.get("place"),
            note=m.get("note"),
            reported_by=m.get("reportedBy"),
            reported_at=native(m.get("reportedAt")),
            synthetic=bool(m.get("synthetic")),
        )
