"""Who may be proposed at all: one spelling, shared by matching and by ``proposeExpert``."""

from __future__ import annotations

from typing import LiteralString

# For a profile ``e`` of a person ``p``: verified, not erased, and still consenting to be
# contacted by coordinators (COORDINATOR_CONTACT, graph/experts/registration.py). Withdrawing
# that purpose erases the registration (graph/experts/self_service.py), but the withdrawal is
# checked itself so that a profile never shows up in the window before the erasure commits, nor
# if the rule that couples them changes.
ELIGIBLE: LiteralString = (
    "(e.status = 'VERIFIED' AND p.erasedAt IS NULL AND NOT EXISTS { "
    "(p)-[:WITHDREW]->(w:ConsentWithdrawal) WHERE 'COORDINATOR_CONTACT' IN w.withdrawn })"
)
