"""Test factories: targets for mutations, written through the same graph/ functions the API uses
(acting as a national coordinator), dated in the future so that coverage figures other tests
compare on today's date do not move."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from graph.audit.events import Actor
from graph.core.db import Graph, Tx, run
from graph.core.expert_province import keep_province_key
from graph.core.model import FocalPointMode, HomeAffiliation, TeamLevel, TeamRole
from graph.network import focal_points, people, teams
from graph.units.scopes import Placement

FUTURE = dt.date(2031, 1, 1)
SYSTEM = Actor("test-factory", "NATIONAL_COORDINATOR")


def anyone(_: Placement) -> None:
    """The factory's guard: it acts as a national coordinator."""


@dataclass(frozen=True)
class Place:
    """A commune in one province, its People's Committee, and a place out of that scope."""

    province: str = "01"
    commune: str = "00004"
    commune_org: str = "ubnd-xa-00004"
    other_province: str = "79"
    other_commune: str = ""
    other_org: str = "so-khcn-79"


async def other_commune(graph: Graph, province: str, besides: str = "") -> str:
    """The first current commune of ``province`` (by code) other than ``besides``."""

    async def find(tx: Tx) -> str:
        records = await run(
            tx,
            "MATCH (c:AdministrativeUnit {era: 'CURRENT', level: 'COMMUNE'})-[:PART_OF]->"
            "(:AdministrativeUnit {era: 'CURRENT', code: $p}) WHERE c.code <> $besides "
            "RETURN c.code AS code ORDER BY code LIMIT 1",
            p=province,
            besides=besides,
        )
        return str(records[0]["code"])

    return await graph.read(find)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def make_team(graph: Graph, commune: str = "00004") -> str:
    cmd = teams.NewTeam(commune, unique("Tổ thử"), TeamLevel.COMMUNE, FUTURE, "1/QĐ-UBND", FUTURE)
    changed = await graph.write(teams.create_team, cmd, SYSTEM, anyone)
    return changed.value.id


async def make_member(graph: Graph, team_id: str) -> str:
    cmd = teams.NewMembership(
        team_id,
        people.PersonRef(new=people.NewPerson(unique("Người thử"))),
        TeamRole.MEMBER,
        FUTURE,
        HomeAffiliation.RESIDENT,
    )
    changed = await graph.write(teams.add_team_member, cmd, SYSTEM, anyone)
    return changed.value.person_id


async def make_focal_point(graph: Graph, organisation_id: str) -> str:
    cmd = focal_points.NewFocalPoint(
        organisation_id,
        people.PersonRef(new=people.NewPerson(unique("Cán bộ thử"))),
        FocalPointMode.PART_TIME,
        FUTURE,
        "2/QĐ",
        FUTURE,
    )
    changed = await graph.write(focal_points.assign_focal_point, cmd, SYSTEM, anyone)
    return changed.value.id


async def make_pending_expert(graph: Graph, province: str = "01") -> tuple[str, str]:
    """(expert id, person id): a PENDING profile, as the seed's bulk writer would leave it."""
    expert_id, person_id = f"expert-{uuid.uuid4().hex}", f"person-{uuid.uuid4().hex}"

    async def write(tx: Tx) -> None:
        await run(
            tx,
            "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE', code: $province}) "
            "CREATE (p:Person {id: $pid, fullName: $name, searchKey: 'nguoi thu'})"
            "-[:HAS_PROFILE]->(e:ExpertProfile {id: $eid, status: 'PENDING', expertise: ['AI'], "
            "affiliation: 'Viện thử', searchKey: 'nguoi thu', submittedAt: datetime()})"
            "-[:LOCATED_IN]->(u) " + keep_province_key("u", "null"),
            province=province,
            pid=person_id,
            eid=expert_id,
            name=unique("Chuyên gia thử"),
        )

    await graph.write(write)
    return expert_id, person_id
