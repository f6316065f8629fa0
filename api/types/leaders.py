"""What a team leader signed in by e-mail link (role TEAM_LEADER) sees first: the teams they
lead, each leading to its page and report form (#17)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from api.policy import Action, may
from api.types.network import CommunityTechTeam
from graph.network import teams

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(description="The signed-in team leader's own teams.")
class LeaderQueries:
    @strawberry.field(
        description="The running teams you lead today (team leaders signed in by e-mail link), "
        "by name; empty for other viewers. One query whatever the number of teams."
    )
    async def my_teams(self, info: strawberry.Info[Context]) -> list[CommunityTechTeam]:
        viewer = info.context.viewer
        if not may(viewer, Action.READ_TEAMS_LED) or viewer.person_id is None:
            return []
        found = await info.context.graph.read(teams.teams_led, viewer.person_id, info.context.today)
        return [CommunityTechTeam.from_record(t) for t in found]
