"""A team leader signs in by e-mail link, the experts' mechanism (graph/signin/links.py): the
link asked for as TEAM_LEADER reaches a running leader only, gives a TEAM_LEADER session that
lists their teams (myTeams) and reports for them and no other team, and works once; a former
leader, a plain member, an unknown address and a leader asking as an expert get the same answer,
the same work and no mail."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from api.relay import to_global_id
from api.viewer import Role
from graph.core.db import Graph, statements_sent
from graph.core.model import TeamRole
from graph.core.settings import Settings
from graph.network import teams
from graph.signin import links
from tests.activity.support import member, remove, team
from tests.experts.support import SIGN_IN_TOKEN, last_seq, mails_to, new_sign_in_token
from tests.factories import SYSTEM, anyone, other_commune
from tests.gql import gql
from tests.tokens import bearer

SINCE = dt.date(2024, 1, 1)

REQUEST = (
    "mutation($e: String!, $r: SignInRole!) { r: requestSignInLink(email: $e, role: $r) { "
    "__typename ... on SignInLinkRequested { message linkMinutes } } }"
)
REDEEM = (
    "mutation($t: String!) { r: redeemSignInLink(token: $t) { __typename "
    "... on SignInSession { token role } ... on InvalidSignInLink { problem } } }"
)
MY_TEAMS = "{ myTeams { id name communes { code } } }"
REPORT = (
    "mutation($input: ReportActivityInput!) { r: reportActivity(input: $input) { __typename "
    "... on ActivityReportPayload { report { householdsHelped teamId } } "
    "... on NotAuthorized { message } } }"
)


def _address(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:8]}@to-cnscd.vn"


@dataclass(frozen=True)
class People:
    mine: str  # a team in commune 00004, led by ``leader``
    other: str  # a team in another commune, led by someone else
    leader: str
    leader_email: str
    former: str  # led ``mine`` until last year
    former_email: str
    plain: str  # a plain MEMBER of ``mine``
    plain_email: str


@pytest.fixture(scope="module")
def outbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox-leaders")


@pytest_asyncio.fixture(scope="module")
async def web(
    graph: Graph, settings: Settings, outbox_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    mine = settings.model_copy(update={"outbox_dir": outbox_dir, "rate_limit_per_address": 100_000})
    transport = httpx.ASGITransport(app=create_app(mine, graph), client=("127.0.31.7", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest_asyncio.fixture(scope="module")
async def people(graph: Graph) -> AsyncIterator[People]:
    commune = await other_commune(graph, "01", besides="00004")
    mine, other = await team(graph, "00004", SINCE), await team(graph, commune, SINCE)
    emails = [_address("to-truong"), _address("cuu-to-truong"), _address("thanh-vien")]
    leader = await member(graph, mine, TeamRole.HEAD, SINCE, emails[0])
    other_leader = await member(graph, other, TeamRole.HEAD, SINCE)
    former = await member(graph, mine, TeamRole.HEAD, SINCE, emails[1])
    year_ago = dt.date.today() - dt.timedelta(days=365)
    await graph.write(teams.end_team_membership, mine, former, year_ago, SYSTEM, anyone)
    plain = await member(graph, mine, TeamRole.MEMBER, SINCE, emails[2])
    yield People(mine, other, leader, emails[0], former, emails[1], plain, emails[2])
    await remove(graph, [mine, other], [leader, other_leader, former, plain])


async def _ask(web: httpx.AsyncClient, email: str, role: str = "TEAM_LEADER") -> Any:
    return (await gql(web, REQUEST, {"e": email, "r": role}))["r"]


def _report_input(team_id: str) -> dict[str, Any]:
    return {
        "teamId": to_global_id("CommunityTechTeam", team_id),
        "periodFrom": dt.date.today().isoformat(),
        "kind": "VNEID",
        "peopleHelped": 12,
        "householdsHelped": 7,
    }


async def test_a_leader_signs_in_by_link_and_reports_for_their_team_only(
    web: httpx.AsyncClient, people: People, outbox_dir: Path
) -> None:
    answer = await _ask(web, people.leader_email)
    assert answer["__typename"] == "SignInLinkRequested"
    token = await new_sign_in_token(outbox_dir, people.leader_email)
    [mail] = mails_to(outbox_dir, people.leader_email)
    assert "tổ trưởng Tổ Công nghệ số cộng đồng" in mail
    assert "leader of a community digital technology team" in mail

    session = (await gql(web, REDEEM, {"t": token}))["r"]
    assert session["__typename"] == "TeamLeaderSession"
    assert session["role"] == "TEAM_LEADER"
    headers = {"Authorization": f"Bearer {session['token']}"}

    listed = (await gql(web, MY_TEAMS, headers=headers))["myTeams"]
    assert [t["id"] for t in listed] == [to_global_id("CommunityTechTeam", people.mine)]
    assert listed[0]["communes"] == [{"code": "00004"}]

    done = (await gql(web, REPORT, {"input": _report_input(people.mine)}, headers=headers))["r"]
    assert done["__typename"] == "ActivityReportPayload", done
    assert done["report"]["householdsHelped"] == 7
    refused = (await gql(web, REPORT, {"input": _report_input(people.other)}, headers=headers))["r"]
    assert refused["__typename"] == "NotAuthorized"

    # The link works once.
    again = (await gql(web, REDEEM, {"t": token}))["r"]
    assert again == {"__typename": "InvalidSignInLink", "problem": "USED"}


async def test_no_one_else_is_told_or_mailed(
    web: httpx.AsyncClient,
    graph: Graph,
    people: People,
    outbox_dir: Path,
    settings: Settings,
) -> None:
    unknown = _address("khong-ai")
    others = {
        "former leader": (people.former_email, "TEAM_LEADER"),
        "plain member": (people.plain_email, "TEAM_LEADER"),
        "unknown": (unknown, "TEAM_LEADER"),
        # A leader is not an expert: asking as one signs them in as nothing.
        "leader as expert": (people.leader_email, "EXPERT"),
    }
    seen = {  # the links mailed before: the one asked for next is the new one
        m.group(1)
        for mail in mails_to(outbox_dir, people.leader_email)
        for m in SIGN_IN_TOKEN.finditer(mail)
    }
    before = await graph.read(last_seq)
    leader_answer = await _ask(web, people.leader_email)
    answers = {who: await _ask(web, email, role) for who, (email, role) in others.items()}
    assert all(a == leader_answer for a in answers.values()), answers
    assert await graph.read(last_seq) == before  # no audit event tells who is who

    await new_sign_in_token(outbox_dir, people.leader_email, seen)
    await asyncio.sleep(0.3)  # what else would have been delivered by now
    for email in (people.former_email, people.plain_email, unknown):
        assert mails_to(outbox_dir, email) == []
    leader_mails = mails_to(outbox_dir, people.leader_email)
    assert not any("hồ sơ chuyên gia" in m for m in leader_mails)

    # The same statements for everyone; the leader's outbox row is the one more.
    now = dt.datetime.now(dt.UTC)
    roomy = settings.model_copy(
        update={"rate_limit_per_address": 100_000, "rate_limit_sign_in_per_email": 100}
    )
    sent: dict[str, int] = {}
    for who, (email, role) in {"leader": (people.leader_email, "TEAM_LEADER"), **others}.items():
        counter = [0]
        mark = statements_sent.set(counter)
        try:
            limited = await graph.write(
                links.request_link, email, "127.0.31.8", roomy, now, links.LinkRole(role)
            )
            assert limited is None
        finally:
            statements_sent.reset(mark)
        sent[who] = counter[0]
    assert {n for w, n in sent.items() if w != "leader"} == {sent["leader"] - 1}


async def test_a_leader_replaced_before_opening_the_link_is_not_signed_in(
    web: httpx.AsyncClient, graph: Graph, people: People, outbox_dir: Path, settings: Settings
) -> None:
    email = _address("to-truong-moi")
    newcomer = await member(graph, people.other, TeamRole.HEAD, SINCE, email)
    try:
        await _ask(web, email)
        token = await new_sign_in_token(outbox_dir, email)
        await graph.write(
            teams.end_team_membership, people.other, newcomer, dt.date.today(), SYSTEM, anyone
        )
        # Still leading today (until is inclusive): tomorrow the link signs no one in.
        tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        refused = await graph.write(links.redeem, token, dt.datetime.now(dt.UTC), tomorrow.date())
        assert isinstance(refused, links.Refused)
        assert refused.problem is links.Problem.INVALID
    finally:
        await remove(graph, [], [newcomer])
    # And a TEAM_LEADER session of someone who leads nothing lists nothing.
    nobody = bearer(settings, Role.TEAM_LEADER, newcomer)
    assert (await gql(web, MY_TEAMS, headers=nobody))["myTeams"] == []
