"""Teams, leaders and reports for the activity tests, written through the graph/ writers the API
uses; each test module removes what it made (``remove``)."""

from __future__ import annotations

import datetime as dt

from graph.activity import reports
from graph.core.activity_place_digests import ACTIVITY_DIGESTS
from graph.core.db import Graph, Tx, run
from graph.core.model import ActivityKind, HomeAffiliation, TeamLevel, TeamRole
from graph.core.team_digests import refresh_team_digests, team_places
from graph.network import people, teams
from tests.factories import SYSTEM, anyone, unique


async def nth_commune(tx: Tx, province_key: str, n: int) -> str:
    """The code of the ``n``-th commune (by code) of a province: each test module takes its own
    ``n``, so their teams and figures do not mix."""
    records = await run(
        tx,
        "MATCH (c:AdministrativeUnit {era: 'CURRENT', level: 'COMMUNE'})-[:PART_OF]->"
        "(:AdministrativeUnit {key: $p}) RETURN c.code AS code ORDER BY code SKIP $n LIMIT 1",
        p=province_key,
        n=n,
    )
    return str(records[0]["code"])


async def team(graph: Graph, commune: str, since: dt.date) -> str:
    cmd = teams.NewTeam(commune, unique("Tổ hoạt động"), TeamLevel.COMMUNE, since, "7/QĐ", since)
    return (await graph.write(teams.create_team, cmd, SYSTEM, anyone)).value.id


async def member(
    graph: Graph, team_id: str, role: TeamRole, since: dt.date, email: str | None = None
) -> str:
    cmd = teams.NewMembership(
        team_id,
        people.PersonRef(new=people.NewPerson(unique("Tổ trưởng thử"), email=email)),
        role,
        since,
        HomeAffiliation.RESIDENT,
    )
    return (await graph.write(teams.add_team_member, cmd, SYSTEM, anyone)).value.person_id


async def report(
    graph: Graph, team_id: str, day: dt.date, households: int, people_helped: int | None = None
) -> str:
    """A one-day report on ``day``, entered that day."""
    cmd = reports.NewActivityReport(
        team_id,
        day,
        None,
        ActivityKind.PUBLIC_ONLINE_SERVICES,
        people_helped if people_helped is not None else households * 2,
        households,
    )
    return (await graph.write(reports.report_activity, cmd, day, SYSTEM, anyone)).value.id


async def remove(graph: Graph, team_ids: list[str], person_ids: list[str]) -> None:
    async def work(tx: Tx) -> None:
        places = await team_places(tx, team_ids, person_ids)
        await run(
            tx,
            "UNWIND $ids AS id MATCH (t:CommunityTechTeam {id: id}) "
            "OPTIONAL MATCH (r:ActivityReport)-[:BY]->(t) "
            "OPTIONAL MATCH (t)-[:ESTABLISHED_BY]->(d:Decision) DETACH DELETE r, d, t",
            ids=team_ids,
        )
        await run(
            tx,
            "UNWIND $ids AS id MATCH (p:Person {id: id}) "
            "OPTIONAL MATCH (p)-[:HAS_SIGN_IN_LINK]->(l:SignInLink) DETACH DELETE p, l",
            ids=person_ids,
        )
        await refresh_team_digests(tx, places=places)  # as every team writer does
        await ACTIVITY_DIGESTS.rebuild(tx, places)

    await graph.write(work)
