"""Who is asking: the role and scope a verified token gives (api/auth.py). What a viewer may see
or do is decided in api/policy.py only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    NATIONAL_COORDINATOR = "NATIONAL_COORDINATOR"
    PROVINCIAL_COORDINATOR = "PROVINCIAL_COORDINATOR"
    COMMUNE_OFFICER = "COMMUNE_OFFICER"
    ORGANISATION_ADMIN = "ORGANISATION_ADMIN"
    EXPERT = "EXPERT"
    # A team's leader (a member with role HEAD, tổ trưởng), scoped to their own person id,
    # signed in by e-mail link like experts (graph/signin/links.py): lists and reports for
    # the teams they lead and nothing else (api/policy.py).
    TEAM_LEADER = "TEAM_LEADER"


COORDINATOR_ROLES = frozenset(
    {
        Role.NATIONAL_COORDINATOR,
        Role.PROVINCIAL_COORDINATOR,
        Role.COMMUNE_OFFICER,
        Role.ORGANISATION_ADMIN,
    }
)


@dataclass(frozen=True)
class Viewer:
    """Who is asking, from a verified token (api/auth.py). Anonymous callers read non-personal
    data only. The scope is the one key the role is bound to: a current province key, a
    current commune key, an organisation id, or (EXPERT, TEAM_LEADER) the person's own id. What a viewer may
    do with it is decided in api/policy.py only."""

    subject: str | None = None
    role: Role = Role.ANONYMOUS
    province_key: str | None = None
    commune_key: str | None = None
    organisation_id: str | None = None
    person_id: str | None = None
