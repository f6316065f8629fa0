"""Batched lookups behind nested API fields: many parents in, a dict keyed by parent out.

Each function is one query whatever the number of keys; the API's DataLoaders call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

from graph.core.cypher import active_on, native, valid_on
from graph.core.db import Tx, run
from graph.core.model import FocalPointMode, HomeAffiliation, TeamRole
from graph.core.paging import Page, paged
from graph.network.records import (
    DECISION_FIELDS,
    ORG_FIELDS,
    PERSON_FIELDS,
    TEAM_FIELDS,
    UNVERIFIED_EXPERT_ONLY,
    DecisionRecord,
    FocalPointRecord,
    MembershipRecord,
    OrganisationRecord,
    PersonRecord,
    TeamRecord,
)
from graph.units.units import UNIT_FIELDS, UnitRecord, unit_from_map

T = TypeVar("T")


async def teams_in_units(
    tx: Tx, keys: list[str], args: tuple[int, str | None, dt.date]
) -> dict[str, Page]:
    """Teams active on the date operating in each unit, by id, paged."""
    first, after, day = args
    query: LiteralString = (
        """
        UNWIND $keys AS key
        MATCH (u:AdministrativeUnit {key: key})
        OPTIONAL MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u)
        WHERE """
        + active_on("t")
        + """
        WITH key, t ORDER BY t.id
        WITH key, collect(t {sortKey: t.id, """
        + TEAM_FIELDS
        + "}) AS items"
    )
    return await paged(tx, query, TeamRecord.from_map, keys, first, after, d=day)


async def organisations_in_units(
    tx: Tx, keys: list[str], args: tuple[int, str | None, dt.date]
) -> dict[str, Page]:
    """Organisations valid on the date located in each unit, by id, paged."""
    first, after, day = args
    query: LiteralString = (
        """
        UNWIND $keys AS key
        MATCH (u:AdministrativeUnit {key: key})
        OPTIONAL MATCH (o:Organisation)-[:LOCATED_IN]->(u)
        WHERE """
        + valid_on("o")
        + """
        WITH key, o ORDER BY o.id
        WITH key, collect(o {sortKey: o.id, """
        + ORG_FIELDS
        + "}) AS items"
    )
    return await paged(tx, query, OrganisationRecord.from_map, keys, first, after, d=day)


async def members_of_teams(
    tx: Tx, ids: list[str], day: dt.date
) -> dict[str, list[MembershipRecord]]:
    """Memberships active on the date, head first.

    One record for the whole batch: the driver's cost is per record (about 0.2 ms of Python
    each), so a record per membership made 200 teams' 1,500 members cost more than the query
    itself. The order is set before the ``collect``s, which keep it."""
    records = await run(
        tx,
        """
        UNWIND $ids AS id
        MATCH (p:Person)-[m:MEMBER_OF]->(t:CommunityTechTeam {id: id})
        WHERE """
        + active_on("m")
        + """
        WITH id, p, m
        ORDER BY id, CASE m.role WHEN 'HEAD' THEN 0 WHEN 'DEPUTY' THEN 1 ELSE 2 END, p.searchKey
        WITH id, collect([p {"""
        + PERSON_FIELDS
        + """}, m.role, m.since, m.until, m.homeAffiliation]) AS members
        RETURN collect([id, members]) AS teams
        """,
        ids=ids,
        d=day,
    )
    out: dict[str, list[MembershipRecord]] = {i: [] for i in ids}
    for team_id, members in records[0]["teams"]:
        out[team_id] = [
            MembershipRecord(
                PersonRecord.from_map(person),
                team_id,
                TeamRole(role),
                native(since),
                native(until),
                HomeAffiliation(home) if home else None,
            )
            for person, role, since, until, home in members
        ]
    return out


async def focal_points_of(
    tx: Tx, ids: list[str], day: dt.date
) -> dict[str, list[FocalPointRecord]]:
    records = await run(
        tx,
        """
        UNWIND $ids AS id
        MATCH (p:Person)-[:HOLDS]->(a:FocalPointAssignment)-[:AT]->(:Organisation {id: id})
        WHERE """
        + active_on("a")
        + """
        RETURN id, a.id AS aid, p {"""
        + PERSON_FIELDS
        + """} AS p, a.mode AS mode,
               a.since AS since, a.until AS until
        ORDER BY id, a.since
        """,
        ids=ids,
        d=day,
    )
    out: dict[str, list[FocalPointRecord]] = {i: [] for i in ids}
    for r in records:
        out[r["id"]].append(
            FocalPointRecord(
                r["aid"],
                PersonRecord.from_map(r["p"]),
                r["id"],
                FocalPointMode(r["mode"]),
                native(r["since"]),
                native(r["until"]),
            )
        )
    return out


async def team_places(tx: Tx, ids: list[str]) -> dict[str, list[UnitRecord]]:
    """The communes a team operates in (a team that lived through the reform has one per era)."""
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (:CommunityTechTeam {id: id})-[:OPERATES_IN]->(u) "
        "RETURN id, u {" + UNIT_FIELDS + "} AS u ORDER BY id, u.era",
        ids=ids,
    )
    out: dict[str, list[UnitRecord]] = {i: [] for i in ids}
    for r in records:
        out[r["id"]].append(unit_from_map(r["u"]))
    return out


async def establishing_decisions(
    tx: Tx, ids: list[str]
) -> dict[str, tuple[DecisionRecord, OrganisationRecord | None]]:
    """The decision that established each team or focal-point assignment, and its issuer."""
    records = await run(
        tx,
        "UNWIND $ids AS id "
        "OPTIONAL MATCH (t:CommunityTechTeam {id: id}) "
        "OPTIONAL MATCH (a:FocalPointAssignment {id: id}) "
        "WITH id, coalesce(t, a) AS n WHERE n IS NOT NULL "
        "MATCH (n)-[:ESTABLISHED_BY]->(d:Decision) "
        "OPTIONAL MATCH (d)-[:ISSUED_BY]->(o:Organisation) "
        "RETURN id, d {" + DECISION_FIELDS + "} AS d, o {" + ORG_FIELDS + "} AS o",
        ids=ids,
    )
    return {
        r["id"]: (
            DecisionRecord.from_map(r["d"]),
            OrganisationRecord.from_map(r["o"]) if r["o"] else None,
        )
        for r in records
    }


async def _by_ids(
    tx: Tx, query: LiteralString, ids: list[str], build: Callable[[dict[str, Any]], T]
) -> dict[str, T]:
    """Nodes by id: ``query`` returns each as the map ``n`` (with its ``id``)."""
    records = await run(tx, "UNWIND $ids AS id " + query, ids=ids)
    return {r["n"]["id"]: build(r["n"]) for r in records}


async def organisations_by_ids(tx: Tx, ids: list[str]) -> dict[str, OrganisationRecord]:
    query: LiteralString = "MATCH (o:Organisation {id: id}) RETURN o {" + ORG_FIELDS + "} AS n"
    return await _by_ids(tx, query, ids, OrganisationRecord.from_map)


async def organisation_units(tx: Tx, ids: list[str]) -> dict[str, UnitRecord]:
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (:Organisation {id: id})-[:LOCATED_IN]->(u) "
        "RETURN id, u {" + UNIT_FIELDS + "} AS u ORDER BY u.era DESC",
        ids=ids,
    )
    return {r["id"]: unit_from_map(r["u"]) for r in records}


async def teams_by_ids(tx: Tx, ids: list[str]) -> dict[str, TeamRecord]:
    query: LiteralString = (
        "MATCH (t:CommunityTechTeam {id: id}) RETURN t {" + TEAM_FIELDS + "} AS n"
    )
    return await _by_ids(tx, query, ids, TeamRecord.from_map)


async def people_by_ids(tx: Tx, ids: list[str]) -> dict[str, PersonRecord]:
    query: LiteralString = (
        "MATCH (p:Person {id: id}) RETURN p {"
        + PERSON_FIELDS
        + ", unverifiedExpertOnly: "
        + UNVERIFIED_EXPERT_ONLY
        + "} AS n"
    )
    return await _by_ids(tx, query, ids, PersonRecord.from_map)
