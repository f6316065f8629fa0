"""A team's members as every `members` field lists them (graph/network/lookups.py): active on the
date, head first, then deputies, then members, each by folded name; many teams in one query."""

from __future__ import annotations

import datetime as dt

from graph.core.db import Graph
from graph.core.model import HomeAffiliation, TeamRole
from graph.network import people, teams
from graph.network.lookups import members_of_teams
from tests.factories import FUTURE, SYSTEM, anyone, make_team


async def add(graph: Graph, team: str, name: str, role: TeamRole) -> str:
    cmd = teams.NewMembership(
        team, people.PersonRef(new=people.NewPerson(name)), role, FUTURE, HomeAffiliation.RESIDENT
    )
    return (await graph.write(teams.add_team_member, cmd, SYSTEM, anyone)).value.person_id


async def test_members_head_first_then_by_folded_name_on_the_date(graph: Graph) -> None:
    team_id = await make_team(graph)
    other = await make_team(graph)
    empty = await make_team(graph)
    # Added out of order; "Đặng" sorts after "Vũ" unfolded, before it folded ("dang" < "vu").
    await add(graph, team_id, "Vũ Văn Bảo", TeamRole.MEMBER)
    await add(graph, team_id, "Đặng Thị An", TeamRole.MEMBER)
    await add(graph, team_id, "Lê Văn Cường", TeamRole.HEAD)
    await add(graph, team_id, "Ánh Dương", TeamRole.DEPUTY)
    left = await add(graph, team_id, "Bạch Văn Đạt", TeamRole.MEMBER)
    until = FUTURE + dt.timedelta(days=10)
    await graph.write(teams.end_team_membership, team_id, left, until, SYSTEM, anyone)
    await add(graph, other, "Hồ Thị Em", TeamRole.HEAD)

    ids = [team_id, other, empty, "no-such-team"]
    later = await graph.read(members_of_teams, ids, until + dt.timedelta(days=1))
    assert [(m.role, m.person.full_name) for m in later[team_id]] == [
        (TeamRole.HEAD, "Lê Văn Cường"),
        (TeamRole.DEPUTY, "Ánh Dương"),
        (TeamRole.MEMBER, "Đặng Thị An"),
        (TeamRole.MEMBER, "Vũ Văn Bảo"),
    ]
    assert {m.team_id for m in later[team_id]} == {team_id}
    assert [m.person.full_name for m in later[other]] == ["Hồ Thị Em"]
    assert later[empty] == []
    assert later["no-such-team"] == []

    # On its last day the ended membership still counts, with its end date.
    last_day = await graph.read(members_of_teams, [team_id], until)
    ended = [m for m in last_day[team_id] if m.person.id == left]
    assert [(m.role, m.until) for m in ended] == [(TeamRole.MEMBER, until)]
    assert [m.person.full_name for m in last_day[team_id]][2] == "Bạch Văn Đạt"

    before = await graph.read(members_of_teams, ids, FUTURE - dt.timedelta(days=1))
    assert before == {i: [] for i in ids}
    assert await graph.read(members_of_teams, [], FUTURE) == {}
