"""The request side of coverage: equal to direct counts, and moving as requests are answered."""

from __future__ import annotations

from graph.core.db import Graph, Tx, run
from graph.reports.support_figures import SupportMetric, SupportReport, rank, support_report
from graph.support.records import WantedArea
from tests.support.factories import answer, make_areas, make_expert, make_request, propose


async def direct(tx: Tx, province: str | None) -> tuple[int, int, int]:
    [found] = await run(
        tx,
        "MATCH (r:SupportRequest)-[:AT]->(u:AdministrativeUnit) "
        "WHERE $p IS NULL OR u.code = $p OR (u)-[:PART_OF]->(:AdministrativeUnit "
        "  {era: 'CURRENT', level: 'PROVINCE', code: $p}) "
        "RETURN count(r) AS n, "
        "  sum(CASE WHEN r.status IN ['OPEN', 'MATCHING', 'ASSIGNED'] THEN 1 ELSE 0 END) AS o, "
        "  sum(CASE WHEN r.firstAcceptedAt IS NULL THEN 0 ELSE 1 END) AS a",
        p=province,
    )
    return found["n"], found["o"], found["a"]


async def test_figures_equal_direct_counts_and_move(graph: Graph) -> None:
    def of(report: SupportReport, code: str) -> tuple[int, int, int]:
        [row] = [p for p in report.provinces if p.province.code == code]
        return row.figures.requests, row.figures.open, row.figures.answered

    before = await graph.read(support_report)
    assert of(before, "01") == await graph.read(direct, "01")
    n = before.national
    assert (n.requests, n.open, n.answered) == await graph.read(direct, None)

    a = await make_areas(graph)
    expert = await make_expert(graph, [a.sub1])
    answered = await make_request(graph, [WantedArea(a.sub1)])
    await answer(graph, await propose(graph, answered, expert), True)
    await make_request(graph, [WantedArea(a.sub1)])  # still open, unanswered

    after = await graph.read(support_report)
    r, o, ans = of(before, "01")
    assert of(after, "01") == (r + 2, o + 2, ans + 1)
    assert of(after, "01") == await graph.read(direct, "01")
    [hanoi] = [p for p in after.provinces if p.province.code == "01"]
    assert hanoi.figures.median_hours_to_first_accept is not None
    assert hanoi.figures.median_hours_to_first_accept >= 0
    assert after.national.answered == n.answered + 1

    # Ranked by open requests: most first, Hà Nội behind exactly those with more.
    ranked = rank(after, SupportMetric.OPEN_REQUESTS)
    opens = [row.figures.open for _, row in ranked]
    assert opens == sorted(opens, reverse=True)
    [hanoi_rank] = [position for position, row in ranked if row.province.code == "01"]
    assert hanoi_rank == 1 + sum(1 for o in opens if o > hanoi.figures.open)
