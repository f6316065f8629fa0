"""Day numbers: the digests' dates as days since 1970-01-01 (graph/core/place_digests.py)."""

from __future__ import annotations

import datetime as dt

__all__ = ["DAWN", "NEVER", "OPEN", "day_number"]

_EPOCH = dt.date(1970, 1, 1)
OPEN = (dt.date.max - _EPOCH).days
"""The day number of "no end yet" (an interval's last day when it has none)."""
DAWN = (dt.date.min - _EPOCH).days
"""The day number of "since always" (the first day of what has no start: an organisation
without ``validFrom``, an expert verified before dates were kept)."""
NEVER = OPEN + 1
"""The first day of what never starts: a team, membership, post or report without its start
date is not counted, as ``active_on`` does not count it (an interval from NEVER is empty)."""


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: digests compare integers, cheaper to read and compare than dates."""
    return (day - _EPOCH).days
