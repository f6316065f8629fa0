"""matchExperts: each fixture differs from another in one part of the score (or two, to show
which weighs more), so the right order is known by construction."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.core.db import Graph, Tx, run
from graph.core.errors import Conflict
from graph.support import engagements, matching
from graph.support.matching import Match, match_experts
from graph.support.records import WantedArea
from tests.factories import SYSTEM, anyone
from tests.support.factories import (
    PERIOD,
    REQUESTER,
    answer,
    make_areas,
    make_expert,
    make_request,
    propose,
)


async def ranked(graph: Graph, request_id: str, first: int = 20) -> list[Match]:
    return await graph.read(match_experts, request_id, first)


def ids(matches: list[Match]) -> list[str]:
    return [m.expert_id for m in matches]


async def test_a_sub_area_asked_for_is_matched_best_by_itself_then_by_its_family(
    graph: Graph,
) -> None:
    a = await make_areas(graph)
    exact = await make_expert(graph, [a.sub1], name="c")
    parent = await make_expert(graph, [a.root], name="a")
    sibling = await make_expert(graph, [a.sub2], name="b")
    await make_expert(graph, [a.other], name="d")  # nothing near: never a candidate
    request = await make_request(graph, [WantedArea(a.sub1)])
    found = await ranked(graph, request)
    assert ids(found) == [exact, parent, sibling]  # the two half matches tie: by id
    assert [m.parts.expertise for m in found] == [1.0, 0.5, 0.5]
    assert found[0].matched_areas == (a.sub1,)
    assert found[1].matched_areas == ()


async def test_asking_for_an_area_matches_its_sub_areas_fully_and_weights_count(
    graph: Graph,
) -> None:
    a = await make_areas(graph)
    both = await make_expert(graph, [a.sub2, a.other], name="a")
    heavy_only = await make_expert(graph, [a.root], name="b")
    light_only = await make_expert(graph, [a.other], name="c")
    request = await make_request(graph, [WantedArea(a.root, 3.0), WantedArea(a.other, 1.0)])
    found = await ranked(graph, request)
    assert ids(found) == [both, heavy_only, light_only]
    assert [m.parts.expertise for m in found] == [1.0, 0.75, 0.25]


async def test_a_must_have_area_filters(graph: Graph) -> None:
    a = await make_areas(graph)
    has_it = await make_expert(graph, [a.sub1], name="b")
    await make_expert(graph, [a.other, a.root], name="a")  # the area, not the sub-area
    request = await make_request(graph, [WantedArea(a.sub1, must_have=True), WantedArea(a.other)])
    assert ids(await ranked(graph, request)) == [has_it]


async def test_proximity_commune_then_province_then_by_distance(graph: Graph) -> None:
    a = await make_areas(graph)
    hcm = await make_expert(graph, [a.sub1], "79", name="a")
    da_nang = await make_expert(graph, [a.sub1], "48", name="b")
    hanoi = await make_expert(graph, [a.sub1], "01", name="c")
    commune = await make_expert(graph, [a.sub1], "01", affiliated_with=REQUESTER, name="d")
    found = await ranked(graph, await make_request(graph, [WantedArea(a.sub1)]))
    assert ids(found) == [commune, hanoi, da_nang, hcm]
    assert [m.proximity_kind for m in found] == ["COMMUNE", "PROVINCE", "DISTANCE", "DISTANCE"]
    assert [m.parts.proximity for m in found[:2]] == [1.0, 0.75]
    km = [m.distance_km for m in found[2:]]
    assert km[0] is not None
    assert km[1] is not None
    assert 500 < km[0] < 800 < 1000 < km[1] < 1300  # Đà Nẵng, then Thành phố Hồ Chí Minh


async def test_expertise_weighs_more_than_distance_and_distance_more_than_load(
    graph: Graph,
) -> None:
    a = await make_areas(graph)
    far_exact = await make_expert(graph, [a.sub1], "79", name="a")
    near_parent = await make_expert(graph, [a.root], "01", name="b")
    request = await make_request(graph, [WantedArea(a.sub1)])
    assert ids(await ranked(graph, request)) == [far_exact, near_parent]

    b = await make_areas(graph)
    near_busy = await make_expert(graph, [b.sub1], "01", name="a")
    far_idle = await make_expert(graph, [b.sub1], "79", name="b")
    await propose(graph, await make_request(graph, [WantedArea(b.sub1)]), near_busy)
    found = await ranked(graph, await make_request(graph, [WantedArea(b.sub1)]))
    assert ids(found) == [near_busy, far_idle]
    assert (found[0].open_engagements, found[0].parts.load) == (1, 0.5)


async def test_load_availability_and_feedback_each_rank(graph: Graph) -> None:
    a = await make_areas(graph)
    busy = await make_expert(graph, [a.sub1], name="a")
    away = await make_expert(graph, [a.sub1], name="b")
    praised = await make_expert(graph, [a.sub1], name="c")
    blamed = await make_expert(graph, [a.sub1], name="d")
    plain = await make_expert(graph, [a.sub1], name="e")
    await propose(graph, await make_request(graph, [WantedArea(a.sub1)]), busy)
    # Away for the whole period of the request (31 days, PERIOD).
    await graph.write(
        engagements.declare_unavailability,
        engagements.NewUnavailability(away, PERIOD[0] - dt.timedelta(days=5), PERIOD[1]),
        SYSTEM,
        anyone,
    )
    for expert, score in ((praised, 5), (blamed, 1)):
        past = await make_request(graph, [WantedArea(a.sub1)])
        engagement = await propose(graph, past, expert)
        await answer(graph, engagement, True)
        await graph.write(engagements.complete_engagement, engagement, score, "thử", SYSTEM, anyone)
    found = await ranked(graph, await make_request(graph, [WantedArea(a.sub1)]))
    # Weights: availability 0.15 > load 0.12 (one open engagement: half of it, 0.06) >
    # feedback 0.08 (5 → 1.0, none → 0.5, 1 → 0.0).
    assert ids(found) == [praised, plain, blamed, busy, away]
    by_id = {m.expert_id: m for m in found}
    assert by_id[away].parts.availability == 0.0
    assert by_id[away].unavailable_days == 31
    assert (by_id[praised].parts.feedback, by_id[praised].feedback_mean) == (1.0, 5.0)
    assert (by_id[blamed].parts.feedback, by_id[plain].parts.feedback) == (0.0, 0.5)
    assert by_id[busy].parts.load == 0.5
    assert by_id[plain].parts.load == 1.0
    # The parts make the score.
    p = by_id[plain].parts
    total = 0.4 * p.expertise + 0.25 * p.proximity + 0.15 * p.availability + 0.12 * p.load
    assert by_id[plain].score == pytest.approx(total + 0.08 * p.feedback, abs=1e-6)


async def test_partial_unavailability_lowers_in_proportion(graph: Graph) -> None:
    a = await make_areas(graph)
    part = await make_expert(graph, [a.sub1], name="a")
    await graph.write(
        engagements.declare_unavailability,
        engagements.NewUnavailability(part, dt.date(2031, 3, 29), dt.date(2031, 4, 20)),
        SYSTEM,
        anyone,
    )
    [found] = await ranked(graph, await make_request(graph, [WantedArea(a.sub1)]))
    assert found.unavailable_days == 3
    assert found.parts.availability == pytest.approx(1 - 3 / 31, abs=1e-6)


async def test_equal_experts_tie_by_id_every_time(graph: Graph) -> None:
    a = await make_areas(graph)
    made = [await make_expert(graph, [a.sub1], name=n) for n in "edcba"]
    request = await make_request(graph, [WantedArea(a.sub1)])
    first = await ranked(graph, request)
    assert ids(first) == sorted(made)
    assert len({m.score for m in first}) == 1
    assert ids(await ranked(graph, request)) == ids(first)
    assert ids(await ranked(graph, request, 2)) == sorted(made)[:2]


async def test_an_expert_abroad_only_when_remote_work_is_allowed(graph: Graph) -> None:
    a = await make_areas(graph)
    abroad = await make_expert(graph, [a.sub1], country="DE", name="a")
    home = await make_expert(graph, [a.sub1], "79", name="b")
    on_site = await make_request(graph, [WantedArea(a.sub1)])
    assert ids(await ranked(graph, on_site)) == [home]
    remote = await make_request(graph, [WantedArea(a.sub1)], remote=True)
    found = await ranked(graph, remote)
    assert ids(found) == [home, abroad]
    assert (found[1].proximity_kind, found[1].parts.proximity) == ("ABROAD", 0.0)


async def test_an_expert_who_withdrew_contact_consent_is_never_proposed(graph: Graph) -> None:
    a = await make_areas(graph)
    withdrawn = await make_expert(graph, [a.sub1], name="a")
    kept = await make_expert(graph, [a.sub1], name="b")

    async def withdraw(tx: Tx) -> None:
        await run(
            tx,
            "MATCH (p:Person)-[:HAS_PROFILE]->(:ExpertProfile {id: $id}) "
            "CREATE (p)-[:WITHDREW]->(:ConsentWithdrawal {id: 'withdrawal-match-' + $id, "
            "withdrawn: ['COORDINATOR_CONTACT'], erased: false, at: datetime()})",
            id=withdrawn,
        )

    await graph.write(withdraw)
    request = await make_request(graph, [WantedArea(a.sub1)], remote=True)
    assert ids(await ranked(graph, request)) == [kept]
    with pytest.raises(Conflict) as refused:
        await propose(graph, request, withdrawn)
    assert refused.value.field == "expertId"


async def test_an_expert_already_proposed_is_no_longer_a_candidate(graph: Graph) -> None:
    a = await make_areas(graph)
    one = await make_expert(graph, [a.sub1], name="a")
    two = await make_expert(graph, [a.sub1], name="b")
    request = await make_request(graph, [WantedArea(a.sub1)])
    await propose(graph, request, one)
    assert ids(await ranked(graph, request)) == [two]


async def _everyone(graph: Graph) -> tuple[str, list[Match]]:
    """A request with 15 candidates in all, each scored (``first`` beyond them): in the request's
    province, some busy; affiliated in the request's commune while living elsewhere; far away
    with nothing against them."""
    a = await make_areas(graph)
    in_province = [
        await make_expert(graph, [a.sub1] if n % 3 else [a.root], name=f"p{n:02}")
        for n in range(12)
    ]
    for busy in in_province[:4]:  # open engagements lower their load part
        await propose(graph, await make_request(graph, [WantedArea(a.sub1)]), busy)
    await make_expert(graph, [a.sub1], "79", affiliated_with=REQUESTER, name="commune")
    await make_expert(graph, [a.sub1], "48", name="far")
    await make_expert(graph, [a.sub2], "48", name="far-sibling")
    request = await make_request(graph, [WantedArea(a.sub1)])
    everyone = await ranked(graph, request, 100)
    assert len(everyone) == 15
    assert everyone[0].proximity_kind == "COMMUNE"
    return request, everyone


async def test_the_first_few_are_the_first_few_of_everyone_scored(graph: Graph) -> None:
    """matchExperts scores in full only the candidates whose best possible score reaches the
    ``first``-th best score among the request's province (graph/support/matching.py). Asking for
    more candidates than there are scores everyone; the first few must be the same, whether they
    live in the province, are affiliated in the request's commune while living elsewhere, or
    are far away with nothing against them."""
    request, everyone = await _everyone(graph)
    for first in (1, 2, 3, 5, 8, 12, 14, 15):
        assert await ranked(graph, request, first) == everyone[:first], first


async def test_the_first_few_are_the_same_when_the_probe_holds_few_of_the_province(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with a probe of 2 profiles in a province of 12 candidates: the province is read
    again for the candidates the probe left out that may still reach the threshold."""
    request, everyone = await _everyone(graph)
    monkeypatch.setattr(matching, "PROBE", 2)
    for first in (1, 2, 3, 5, 8, 12, 14, 15):
        assert await ranked(graph, request, first) == everyone[:first], first
