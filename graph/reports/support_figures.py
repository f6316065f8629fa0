"""The request side of coverage (#15): the support requests filed for a list of places, those
still open, those answered (an expert accepted) and the median time from filing to the first
acceptance, on a date.

One Cypher fragment, spliced by ``graph.reports.coverage`` into its per-place subqueries, so the
request figures of a row are counted over exactly the places its other figures are (a request
counts where the unit it is ``AT`` lies: a current province or commune). On a date ``$d``: filed
on or before it; open when neither done nor cancelled by then; answered when its first
acceptance came by then. With today's date these are the request statuses as they stand
(OPEN, MATCHING and ASSIGNED are open). ``supportFigures`` and ``provinceRanking`` read them from
the same coverage answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString


def _wait(on: LiteralString) -> LiteralString:
    """Hours from filing to the first acceptance of request ``r``, for those answered by the
    date ``on`` (a Cypher expression); null for the others."""
    return (
        "CASE WHEN date(r.firstAcceptedAt) <= "
        + on
        + " THEN duration.inSeconds(r.createdAt, r.firstAcceptedAt).seconds / 3600.0 END"
    )


# The median of the waits (percentileCont at 0.5 interpolates between the middle two); the
# totals of a scope take it again over the rows' waits, so both spell it here.
MEDIAN_OF_WAITS: LiteralString = "percentileCont(wait, 0.5)"


def _figures(on: LiteralString) -> LiteralString:
    """The aggregates over requests ``r`` filed by the date ``on`` and their ``wait``."""
    return (
        """count(r) AS requests,
         count(CASE WHEN NOT coalesce(date(r.doneAt) <= """
        + on
        + """, false)
                     AND NOT coalesce(date(r.cancelledAt) <= """
        + on
        + """, false) THEN 1 END) AS openRequests,
         count(wait) AS answeredRequests,
         """
        + MEDIAN_OF_WAITS
        + " AS medianHours"
    )


# A CALL body over ``places`` (a list of units) on the date ``$d``: one row of request figures
# and the waits, which a scope's totals gather across its rows for their own median.
REQUESTS_OF_PLACES: LiteralString = (
    """
CALL (places) {
  UNWIND places AS u
  OPTIONAL MATCH (r:SupportRequest)-[:AT]->(u)
  WITH DISTINCT r WHERE date(r.createdAt) <= $d
  WITH r, """
    + _wait("$d")
    + """ AS wait
  RETURN """
    + _figures("$d")
    + """, collect(wait) AS waits
}
"""
)

# The same for many dates at once (graph/reports/series_totals.py): ``places`` are maps of a
# unit ``u`` and the indices ``idx`` of the dates ``$ends`` it counts on; one row per index
# with requests: [index, requests, open, answered, median hours].
REQUESTS_BY_INDEX: LiteralString = (
    """
CALL (places) {
  UNWIND places AS p
  WITH p.u AS u, p.idx AS idx
  MATCH (r:SupportRequest)-[:AT]->(u)
  UNWIND idx AS i
  WITH DISTINCT i, r WHERE date(r.createdAt) <= $ends[i]
  WITH i, r, """
    + _wait("$ends[i]")
    + """ AS wait
  WITH i, """
    + _figures("$ends[i]")
    + """
  RETURN collect([i, requests, openRequests, answeredRequests, medianHours]) AS requestRows
}
"""
)


def median_hours(median: Any, answered: int) -> float | None:
    """The median as the API gives it: hours to 3 decimals, null when nothing was answered."""
    return None if median is None or answered == 0 else round(float(median), 3)


@dataclass(frozen=True, slots=True)
class SupportFigures:
    requests: int
    open: int
    answered: int
    median_hours_to_first_accept: float | None

    @property
    def answered_share(self) -> float | None:
        return round(self.answered / self.requests, 6) if self.requests else None


class SupportMetric(StrEnum):
    """What ``supportFigures`` ranks by; each is also a ``RankingMetric`` of the same name."""

    ANSWERED_SHARE = "ANSWERED_SHARE"  # higher is better
    OPEN_REQUESTS = "OPEN_REQUESTS"  # most first: where help is waited for
    MEDIAN_HOURS_TO_FIRST_ACCEPT = "MEDIAN_HOURS_TO_FIRST_ACCEPT"  # faster is better
