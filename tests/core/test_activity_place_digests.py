"""The places' activity digests (graph/core/activity_place_digests.py) built by construction: the
running sums of what was helped, and the teams active within N days while they run. The
writers keeping them, and coverage reading them against direct counts, are in
tests/activity/test_digests.py and tests/activity/test_figures.py."""

from __future__ import annotations

import datetime as dt

from graph.core.activity_place_digests import build_digest
from graph.core.days import NEVER, OPEN, day_number

D = dt.date


def n(day: D) -> int:
    return day_number(day)


def test_helped_are_running_sums_by_last_day_over_the_teams() -> None:
    a = [n(D(2025, 1, 1)), OPEN, [n(D(2025, 3, 1)), n(D(2025, 2, 1))], [10, 4], [3, 2]]
    b = [n(D(2025, 1, 1)), OPEN, [n(D(2025, 3, 1))], [1], [1]]  # the same day as a's
    digest = build_digest([90, [a, b]])
    assert digest is not None
    assert digest["helpDays"] == [n(D(2025, 2, 1)), n(D(2025, 3, 1))]
    assert digest["helpPeople"] == [4, 15]
    assert digest["helpHouseholds"] == [2, 6]
    assert digest["activeWindow"] == 90


def test_a_team_is_active_from_a_report_to_n_days_after_while_it_runs() -> None:
    first = n(D(2025, 7, 1))
    reports = [n(D(2025, 8, 1)), n(D(2025, 8, 11)), n(D(2025, 12, 1))]
    closed = n(D(2025, 12, 5))  # before the N days after 1 Dec are over
    team = [first, closed, reports, [1, 1, 1], [1, 1, 1]]
    digest = build_digest([10, [team]])
    assert digest is not None
    # 1-11 Aug and 11-21 Aug touch: one stretch; then from 1 Dec to the day the team closed.
    assert digest["activeDays"] == [reports[0], reports[1] + 11, reports[2], closed + 1]
    assert digest["activeCounts"] == [1, 0, 1, 0]


def test_teams_add_up_and_one_without_a_start_date_is_never_active() -> None:
    day = n(D(2025, 9, 1))
    running = [n(D(2025, 1, 1)), OPEN, [day], [5], [2]]
    undated = [NEVER, OPEN, [day], [7], [3]]  # its reports still count as helped
    digest = build_digest([30, [running, running, undated]])
    assert digest is not None
    assert digest["activeDays"] == [day, day + 31]
    assert digest["activeCounts"] == [2, 0]
    assert digest["helpPeople"] == [17]


def test_a_place_whose_teams_never_reported_has_no_digest() -> None:
    assert build_digest([90, []]) is None
