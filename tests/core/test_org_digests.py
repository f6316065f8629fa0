"""The places' organisation and expert digests (graph/core/org_digests.py,
graph/core/expert_digests.py): built right by construction and kept by their writers."""

from __future__ import annotations

import datetime as dt

from graph.core.days import DAWN, OPEN, day_number
from graph.core.db import Graph
from graph.core.expert_digests import build_expert_digest, stale_expert_digests
from graph.core.model import ExpertStatus, FocalPointMode, OrganisationKind
from graph.core.org_digests import ORG_DIGESTS, build_org_digest, stale_org_digests
from graph.experts.review import review_expert
from graph.network import focal_points, organisations, people
from graph.reports.coverage import coverage
from tests.factories import SYSTEM, anyone, make_pending_expert, unique

D = dt.date


def n(day: D) -> int:
    return day_number(day)


def test_a_digest_counts_organisations_agencies_cover_and_staff_by_day() -> None:
    first, last = n(D(2024, 1, 1)), n(D(2025, 6, 30))
    agency = [
        first,
        last,
        True,
        [
            [n(D(2024, 3, 1)), n(D(2024, 5, 31)), DAWN, OPEN],  # at the agency itself
            # at a named unit that exists from 1 May: covers from then, joining the first
            [n(D(2024, 4, 1)), OPEN, n(D(2024, 5, 1)), OPEN],
        ],
        [
            [n(D(2023, 12, 1)), 100, 5],  # in force from the agency's first day
            [n(D(2024, 6, 1)), 120, None],  # superseded the same day by the next one recorded
            [n(D(2024, 6, 1)), 130, 7],
            [n(D(2025, 1, 1)), 150, None],  # gives one figure only: not counted
        ],
    ]
    association = [n(D(2024, 2, 1)), OPEN, False, [[DAWN, OPEN, DAWN, OPEN]], []]
    digest = build_org_digest([agency, association])
    assert digest is not None
    assert digest["orgDays"] == [
        first,
        n(D(2024, 2, 1)),
        n(D(2024, 3, 1)),
        n(D(2024, 6, 1)),
        n(D(2025, 1, 1)),
        last + 1,
    ]
    assert digest["orgCounts"] == [1, 2, 2, 2, 2, 1]
    assert digest["agencyCounts"] == [1, 1, 1, 1, 1, 0]
    assert digest["coveredCounts"] == [0, 0, 1, 1, 1, 0]  # a non-agency is never "covered"
    assert digest["staffSums"] == [100, 100, 100, 130, 0, 0]
    assert digest["cdsSums"] == [5, 5, 5, 7, 0, 0]
    assert build_org_digest([]) is None


async def test_writers_keep_the_digests(graph: Graph) -> None:
    today = dt.date.today()
    cmd = organisations.NewOrganisation(
        unique("Sở Thử Digest"),
        OrganisationKind.PROVINCIAL_AGENCY,
        "01",
        valid_from=today - dt.timedelta(days=30),
        total_staff=40,
        cds_staff=2,
        staff_as_of=today - dt.timedelta(days=30),
    )
    before = await graph.read(coverage, "CURRENT:PROVINCE:01", today, in_current_units=False)
    org = (await graph.write(organisations.create_organisation, cmd, SYSTEM, anyone)).value.id
    post = focal_points.NewFocalPoint(
        org,
        people.PersonRef(new=people.NewPerson(unique("Đầu Mối"))),
        FocalPointMode.PART_TIME,
        today - dt.timedelta(days=10),
        "1/QĐ",
        today - dt.timedelta(days=10),
    )
    assigned = (await graph.write(focal_points.assign_focal_point, post, SYSTEM, anyone)).value
    patch = organisations.OrganisationPatch(org, cds_staff=5, staff_as_of=today)
    await graph.write(organisations.update_organisation, patch, SYSTEM, anyone)
    assert await graph.read(stale_org_digests) == []
    after = await graph.read(coverage, "CURRENT:PROVINCE:01", today, in_current_units=False)
    moved = {
        "organisations": after.totals.organisations - before.totals.organisations,
        "agencies": after.totals.agencies - before.totals.agencies,
        "covered": after.totals.agencies_with_focal_point - before.totals.agencies_with_focal_point,
        "staff": after.totals.reported_staff - before.totals.reported_staff,
        "cds": after.totals.reported_cds_staff - before.totals.reported_cds_staff,
    }
    assert moved == {"organisations": 1, "agencies": 1, "covered": 1, "staff": 40, "cds": 5}
    await graph.write(focal_points.end_focal_point, assigned.id, today - dt.timedelta(days=1), SYSTEM, anyone)  # fmt: skip
    assert await graph.read(stale_org_digests) == []
    ended = await graph.read(coverage, "CURRENT:PROVINCE:01", today, in_current_units=False)
    assert ended.totals.agencies_with_focal_point == before.totals.agencies_with_focal_point


def test_an_expert_digest_counts_the_verified_from_their_day() -> None:
    digest = build_expert_digest([3, [n(D(2025, 3, 1)), DAWN, n(D(2025, 3, 1))]])
    assert digest == {"expertDays": [DAWN, n(D(2025, 3, 1))], "expertCounts": [1, 3]}
    assert build_expert_digest([2, []]) is None  # only pending or rejected profiles


async def test_a_review_moves_the_experts_figure(graph: Graph) -> None:
    today = dt.date.today()
    expert_id, _ = await make_pending_expert(graph, "01")
    yesterday = today - dt.timedelta(days=1)
    before = [
        await graph.read(coverage, "CURRENT:PROVINCE:01", day, in_current_units=False)
        for day in (yesterday, today)
    ]
    await graph.write(review_expert, expert_id, ExpertStatus.VERIFIED, None, SYSTEM, anyone)
    assert await graph.read(stale_expert_digests) == []
    after = [
        await graph.read(coverage, "CURRENT:PROVINCE:01", day, in_current_units=False)
        for day in (yesterday, today)
    ]
    # Verified today: counted from today, not on the day before.
    assert [a.totals.experts - b.totals.experts for a, b in zip(after, before, strict=True)] == [
        0,
        1,
    ]


def test_a_digest_keeps_the_day_nothing_changes_after_and_its_figures_then() -> None:
    """What coverage on a later date reads instead of the lists (DigestKind.now): the last
    change day and each figure's last value, in the figures' order; [DAWN, 0, …] without any
    change day; a later day when the build gives one, with what follows it kept at the end."""
    lists = {"orgCounts": [1, 2], "agencyCounts": [1, 1], "coveredCounts": [0, 1]}
    sums = {"staffSums": [10, 30], "cdsSums": [0, 3]}
    digest = ORG_DIGESTS._with_now({"orgDays": [5, 9], **lists, **sums})
    assert digest["orgNow"] == [9, 2, 1, 1, 30, 3]
    empty: dict[str, list[int]] = {name: [] for name in ("orgDays", *lists, *sums)}
    assert ORG_DIGESTS._with_now(empty)["orgNow"] == [DAWN, 0, 0, 0, 0, 0]
    hinted = ORG_DIGESTS._with_now({"orgDays": [5, 9], **lists, **sums, "orgNow": [12, 77]})
    assert hinted["orgNow"] == [12, 2, 1, 1, 30, 3, 77]
    assert ORG_DIGESTS._with_now(None) == {}
