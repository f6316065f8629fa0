"""The typed read record of an expert profile and the map projection that builds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.core.cypher import from_instant, instant
from graph.core.model import ExpertStatus
from graph.network.records import PersonRecord

# The profile's projection; every query splicing it binds the profile's person as ``p`` (whose
# e-mail state the verifying coordinator needs beside the profile).
# The timestamps come as ``instant``s: a page of experts reads a few dozen of them.
EXPERT_FIELDS: LiteralString = (
    ".id, .status, .expertise, .affiliation, .possibleDuplicateOf, .source, .rejectionReason, "
    ".changedSinceVerification, country: coalesce(e.country, 'VN'), "
    "submittedAt: " + instant("e.submittedAt") + ", verifiedAt: " + instant("e.verifiedAt") + ", "
    "changedSinceVerificationAt: " + instant("e.changedSinceVerificationAt") + ", "
    "emailConfirmedAt: " + instant("p.emailConfirmedAt")
)


@dataclass(frozen=True, slots=True)
class ExpertRecord:
    id: str
    person: PersonRecord
    status: ExpertStatus
    expertise: tuple[str, ...]  # area codes (graph/core/expertise.py)
    affiliation: str
    # The province the expert is in, or for one abroad the province they named to help.
    province_key: str | None
    organisation_id: str | None
    submitted_at: dt.datetime | None
    verified_at: dt.datetime | None
    # Profiles in the same province with the same folded name when this one registered.
    possible_duplicate_of: tuple[str, ...] = ()
    # SELF_REGISTRATION for the public form; None for profiles loaded by the seed or imports,
    # whose e-mail no one has to confirm.
    source: str | None = None
    rejection_reason: str | None = None
    email_confirmed_at: dt.datetime | None = None
    # A verified profile whose public fields the expert edited since (graph/experts/
    # self_service.py): when it first changed, and which fields; back in the review queue.
    changed_since_verification_at: dt.datetime | None = None
    changed_since_verification: tuple[str, ...] = ()
    country: str = "VN"  # ISO 3166-1 alpha-2 of residence

    @property
    def abroad(self) -> bool:
        return self.country != "VN"

    @staticmethod
    def from_maps(
        e: dict[str, Any], person: dict[str, Any], province_key: str | None, org_id: str | None
    ) -> ExpertRecord:
        return ExpertRecord(
            e["id"],
            PersonRecord.from_map(person),
            ExpertStatus(e["status"]),
            tuple(e.get("expertise") or ()),
            e.get("affiliation") or "",
            province_key,
            org_id,
            from_instant(e.get("submittedAt")),
            from_instant(e.get("verifiedAt")),
            tuple(e.get("possibleDuplicateOf") or ()),
            e.get("source"),
            e.get("rejectionReason"),
            from_instant(e.get("emailConfirmedAt")),
            from_instant(e.get("changedSinceVerificationAt")),
            tuple(e.get("changedSinceVerification") or ()),
            e.get("country") or "VN",
        )
