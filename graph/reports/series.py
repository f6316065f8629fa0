"""Coverage series: the period ends between two dates, and whether a target is on track.

The figures of each period end are ``coverage(scope, asOf: periodEnd)``'s totals in the era
valid on that date (before 2025-07-01 the legacy units, 10,035 communes; from it the current
ones, 3,321), all period ends in one query (graph/reports/series_totals.py). This module holds
what is not a query: the calendar and the on-track rule.

**On track** (``on_track``): a target is on track when its indicator's last value already meets
the threshold (value >= threshold); otherwise, when the deadline has not passed and the last two
period ends with a value, extended in a straight line (linear extrapolation by day), reach the
threshold by the deadline. A target unmet at or after its deadline is off track; with fewer than
two values the answer is unknown (None).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from graph.core.errors import InvalidInput

MAX_PERIODS = 60


class Step(enum.StrEnum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


_MONTHS = {Step.MONTH: 1, Step.QUARTER: 3, Step.YEAR: 12}


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def period_ends(start: dt.date, end: dt.date, step: Step) -> list[dt.date]:
    """The last days of the calendar months, quarters or years that end within [start, end].
    More than MAX_PERIODS is an error naming the field to change."""
    if end < start:
        raise InvalidInput("to", "must not be before from")
    months = _MONTHS[step]
    # The first period of the step's calendar that contains start.
    year, month = start.year, ((start.month - 1) // months) * months + months
    out: list[dt.date] = []
    while True:
        last = _month_end(year, month)
        if last > end:
            break
        if last >= start:
            out.append(last)
            if len(out) > MAX_PERIODS:
                raise InvalidInput(
                    "to", f"at most {MAX_PERIODS} periods per series; shorten from–to or step up"
                )
        month += months
        if month > 12:
            year, month = year + 1, month - 12
    return out


def on_track(
    points: Sequence[tuple[dt.date, float | None]], threshold: float, deadline: dt.date
) -> bool | None:
    """The rule of the module docstring over (period end, value) in date order."""
    known = [(d, v) for d, v in points if v is not None]
    if not known:
        return None
    last_day, last = known[-1]
    if last >= threshold:
        return True
    if last_day >= deadline:
        return False
    if len(known) < 2:
        return None
    prev_day, prev = known[-2]
    slope = (last - prev) / (last_day - prev_day).days
    return last + slope * (deadline - last_day).days >= threshold
