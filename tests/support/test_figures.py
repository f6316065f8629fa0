"""The request side of coverage (#15): figures known by construction, equal to direct Cypher
counts, on a date, ranked by provinceRanking and supportFigures, and seen anonymously as soon as
a request is filed (the response cache follows the change counter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from graph.core.db import Graph, Tx, run
from graph.reports.coverage import Coverage, CoverageMetrics, coverage
from graph.support import requests
from graph.support.records import WantedArea
from tests.experts.conftest import outbox_dir, ss_settings, web
from tests.factories import SYSTEM, anyone
from tests.gql import gql
from tests.support.factories import COMMUNE, answer, make_areas, make_expert, make_request, propose

__all__ = ["outbox_dir", "ss_settings", "web"]

NATIONAL = "NATIONAL:CENTRAL:VN"
HANOI = "CURRENT:PROVINCE:01"
FIGURES = "requests openRequests answeredRequests answeredShare medianHoursToFirstAccept"


async def direct(tx: Tx, province: str | None, day: dt.date) -> dict[str, Any]:
    """The figures counted straight from the requests, not through coverage's places."""
    [found] = await run(
        tx,
        """
        MATCH (r:SupportRequest)-[:AT]->(u:AdministrativeUnit)
        WHERE ($p IS NULL OR u.code = $p OR (u)-[:PART_OF]->(:AdministrativeUnit
                {era: 'CURRENT', level: 'PROVINCE', code: $p}))
          AND date(r.createdAt) <= $d
        WITH r, CASE WHEN date(r.firstAcceptedAt) <= $d
                THEN duration.inSeconds(r.createdAt, r.firstAcceptedAt).seconds END AS wait
        RETURN count(r) AS requests,
          count(CASE WHEN (r.doneAt IS NULL OR date(r.doneAt) > $d)
                 AND (r.cancelledAt IS NULL OR date(r.cancelledAt) > $d) THEN 1 END) AS open,
          count(wait) AS answered,
          percentileCont(wait / 3600.0, 0.5) AS median
        """,
        p=province,
        d=day,
    )
    median = None if found["answered"] == 0 else round(float(found["median"]), 3)
    return {
        "requests": found["requests"],
        "open": found["open"],
        "answered": found["answered"],
        "median": median,
    }


def of(m: CoverageMetrics) -> dict[str, Any]:
    return {
        "requests": m.requests,
        "open": m.open_requests,
        "answered": m.answered_requests,
        "median": m.median_hours_to_first_accept,
    }


def row(report: Coverage, code: str) -> CoverageMetrics:
    [found] = [r.metrics for r in report.rows if r.unit.code == code]
    return found


async def _backdate(graph: Graph, request_id: str, created: str, accepted_after_hours: int) -> None:
    """Filed at ``created`` (a Cypher datetime expression) and, when answered, first accepted
    that many hours later."""

    async def write(tx: Tx) -> None:
        await run(
            tx,
            "MATCH (r:SupportRequest {id: $id}) SET r.createdAt = " + created + " "
            "SET r.firstAcceptedAt = CASE WHEN r.firstAcceptedAt IS NULL THEN null "
            "  ELSE r.createdAt + duration({hours: $h}) END",
            id=request_id,
            h=accepted_after_hours,
        )

    await graph.write(write)


async def _cancel(graph: Graph, request_id: str) -> None:
    await graph.write(requests.cancel_support_request, request_id, "Đã tự làm", SYSTEM, anyone)


async def _coverage(graph: Graph, scope: str, day: dt.date) -> Coverage:
    return await graph.read(coverage, scope, day, in_current_units=False)


async def test_request_figures_known_by_construction_and_equal_to_direct_counts(
    graph: Graph,
) -> None:
    today = dt.date.today()
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1])
    # At commune 00004 (Hà Nội): answered after 6 hours a month ago, answered after 10 hours
    # today, one open and unanswered, one cancelled.
    old = await make_request(graph, [WantedArea(a.sub1)])
    await answer(graph, await propose(graph, old, expert), True)
    await _backdate(graph, old, "datetime() - duration({days: 30})", 6)
    recent = await make_request(graph, [WantedArea(a.sub1)])
    await answer(graph, await propose(graph, recent, expert), True)
    await _backdate(graph, recent, "datetime() - duration({hours: 10})", 10)
    await make_request(graph, [WantedArea(a.sub1)])
    await _cancel(graph, await make_request(graph, [WantedArea(a.sub1)]))

    hanoi = await _coverage(graph, HANOI, today)
    # Filed 4, open 3 (two ASSIGNED, one OPEN; the cancelled one is not), answered 2, median
    # of 6 and 10 hours.
    assert of(row(hanoi, COMMUNE)) == {"requests": 4, "open": 3, "answered": 2, "median": 8.0}
    assert row(hanoi, COMMUNE).support.answered_share == 0.5
    # A commune without requests: nothing filed, so no share and no median.
    quiet = next(r.metrics for r in hanoi.rows if r.unit.code != COMMUNE)
    assert of(quiet) == {"requests": 0, "open": 0, "answered": 0, "median": None}
    assert quiet.support.answered_share is None
    # The province's totals hold its own requests (the demo's are at the province) as well.
    assert of(hanoi.totals) == await graph.read(direct, "01", today)

    # Twenty days ago only the old request was filed; it was answered (after 6 hours) and
    # still open then.
    then = today - dt.timedelta(days=20)
    earlier = await _coverage(graph, HANOI, then)
    assert of(row(earlier, COMMUNE)) == {"requests": 1, "open": 1, "answered": 1, "median": 6.0}
    assert of(earlier.totals) == await graph.read(direct, "01", then)

    # Nationally: each province row and the totals equal the direct counts.
    national = await _coverage(graph, NATIONAL, today)
    assert of(row(national, "01")) == await graph.read(direct, "01", today)
    assert of(national.totals) == await graph.read(direct, None, today)
    for province in national.rows[:5]:
        assert of(province.metrics) == await graph.read(direct, province.unit.code, today)


RANKING = """
query($m: RankingMetric!) { provinceRanking(metric: $m) {
  rank value numerator denominator province { code } } }
"""
SUPPORT = """
query($m: SupportMetric!) { supportFigures(rankBy: $m) {
  national { requests open answered answeredShare medianHoursToFirstAccept }
  provinces { rank province { code }
    figures { requests open answered answeredShare medianHoursToFirstAccept } } } }
"""
COVERAGE = (
    "{ coverage { totals { " + FIGURES + " } rows { unit { code } figures { " + FIGURES + " } } } }"
)


async def test_provinces_ranked_by_the_request_side(web: httpx.AsyncClient, graph: Graph) -> None:
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1])
    answered = await make_request(graph, [WantedArea(a.sub1)])
    await answer(graph, await propose(graph, answered, expert), True)
    await make_request(graph, [WantedArea(a.sub1)])
    report = (await gql(web, COVERAGE))["coverage"]
    figures = {r["unit"]["code"]: r["figures"] for r in report["rows"]}

    async def ranking(metric: str) -> list[dict[str, Any]]:
        ranked: list[dict[str, Any]] = (await gql(web, RANKING, {"m": metric}))["provinceRanking"]
        assert ranked[0]["rank"] == 1
        for r in ranked:  # each value is the province's coverage figure
            code = r["province"]["code"]
            assert r["denominator"] == figures[code]["requests"]
        return ranked

    # Answered share: highest first, provinces without requests (null) last.
    shares = await ranking("ANSWERED_SHARE")
    values = [r["value"] for r in shares]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True)
    assert values == known + [None] * (len(values) - len(known))
    for r in shares:
        assert r["value"] == figures[r["province"]["code"]]["answeredShare"]
        assert r["numerator"] == figures[r["province"]["code"]]["answeredRequests"]

    # Open requests: most first, never null; equal values share a rank.
    opens = await ranking("OPEN_REQUESTS")
    values = [r["value"] for r in opens]
    assert None not in values
    assert values == sorted(values, reverse=True)
    for r in opens:
        assert r["value"] == figures[r["province"]["code"]]["openRequests"]
        assert r["rank"] == 1 + sum(1 for v in values if v > r["value"])

    # Median hours to the first acceptance: fastest first, nothing answered (null) last.
    medians = await ranking("MEDIAN_HOURS_TO_FIRST_ACCEPT")
    values = [r["value"] for r in medians]
    known = [v for v in values if v is not None]
    assert known == sorted(known)
    assert values == known + [None] * (len(values) - len(known))
    hanoi = next(r for r in medians if r["province"]["code"] == "01")
    assert hanoi["value"] is not None
    assert hanoi["value"] == figures["01"]["medianHoursToFirstAccept"]

    # supportFigures is a view of the same figures, ranked the same way.
    support = (await gql(web, SUPPORT, {"m": "OPEN_REQUESTS"}))["supportFigures"]
    totals = report["totals"]
    assert support["national"] == {
        "requests": totals["requests"],
        "open": totals["openRequests"],
        "answered": totals["answeredRequests"],
        "answeredShare": totals["answeredShare"],
        "medianHoursToFirstAccept": totals["medianHoursToFirstAccept"],
    }
    assert [(p["rank"], p["province"]["code"]) for p in support["provinces"]] == [
        (r["rank"], r["province"]["code"]) for r in opens
    ]
    today = dt.date.today()
    assert {
        "requests": totals["requests"],
        "open": totals["openRequests"],
        "answered": totals["answeredRequests"],
        "median": totals["medianHoursToFirstAccept"],
    } == await graph.read(direct, None, today)


async def test_a_new_request_moves_the_anonymous_coverage_answer(
    web: httpx.AsyncClient, graph: Graph
) -> None:
    query = {"query": '{ coverage(scopeCode: "01") { totals { requests openRequests } } }'}
    await web.post("/graphql", json=query)
    cached = await web.post("/graphql", json=query)
    assert cached.headers["x-cache"] == "HIT"
    before = cached.json()["data"]["coverage"]["totals"]

    a = await make_areas(graph)
    await make_request(graph, [WantedArea(a.sub1)])
    after = await web.post("/graphql", json=query)
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["data"]["coverage"]["totals"] == {
        "requests": before["requests"] + 1,
        "openRequests": before["openRequests"] + 1,
    }


SERIES = (
    'query($f: Date!, $t: Date!) { coverageSeries(scopeCode: "01", from: $f, to: $t, '
    "step: MONTH) { points { asOf totals { " + FIGURES + " } } } }"
)


async def test_the_series_counts_requests_as_coverage_does_on_each_date(
    web: httpx.AsyncClient, graph: Graph
) -> None:
    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1])
    old = await make_request(graph, [WantedArea(a.sub1)])
    await answer(graph, await propose(graph, old, expert), True)
    await _backdate(graph, old, "datetime() - duration({days: 70})", 30)
    await _cancel(graph, await make_request(graph, [WantedArea(a.sub1)]))
    today = dt.date.today()
    series = await gql(
        web,
        SERIES,
        {
            "f": (today - dt.timedelta(days=120)).isoformat(),
            "t": (today + dt.timedelta(days=40)).isoformat(),
        },
    )
    points = series["coverageSeries"]["points"]
    assert points[0]["totals"]["requests"] < points[-1]["totals"]["requests"]
    for point in points:
        data = await gql(
            web,
            '{ coverage(scopeCode: "01", asOf: "'
            + point["asOf"]
            + '") { totals { '
            + FIGURES
            + " } } }",
        )
        assert point["totals"] == data["coverage"]["totals"], point["asOf"]
    # The answered request has its median from the month it was answered in.
    assert any(p["totals"]["medianHoursToFirstAccept"] is not None for p in points)
