"""Headcount reports written in bulk (graph/network/headcounts.py ``merge_reports``: the
organisations' spreadsheets and seeds): one report per (organisation, date, source), whose
figures a later row sets again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import neo4j

from graph.core.db import Graph, Tx, run
from graph.network.headcounts import merge_reports
from tests.factories import unique

DAY = dt.date(2031, 3, 1)


def report(org_id: str, total: int, cds: int) -> dict[str, Any]:
    return {
        "orgId": org_id,
        "asOf": DAY,
        "source": "import",
        "total": total,
        "cds": cds,
        "isSynthetic": False,
    }


async def reports_of(tx: Tx, org_id: str) -> list[neo4j.Record]:
    return await run(
        tx,
        "MATCH (:Organisation {id: $id})-[:REPORTED]->(h:HeadcountReport) "
        "RETURN h.asOf AS asOf, h.source AS source, h.total AS total, h.cds AS cds, "
        "h.recordedAt AS recordedAt",
        id=org_id,
    )


async def test_one_report_per_day_and_source_with_the_last_figures(graph: Graph) -> None:
    a, b = unique("org-a"), unique("org-b")
    await graph.write(
        lambda tx: run(
            tx,
            "UNWIND $ids AS id CREATE (:Organisation {id: id, kind: 'AGENCY', name: id})",
            ids=[a, b],
        )
    )
    rows = [report(a, 10, 1), report(b, 20, 2), report(a, 12, 3), report("no-such-org", 5, 5)]
    assert await graph.write(merge_reports, rows) == 2  # a's two rows are one report
    first = await graph.read(reports_of, a)
    assert [(r["asOf"].to_native(), r["source"], r["total"], r["cds"]) for r in first] == [
        (DAY, "import", 12, 3)
    ]

    # The same report again: its figures set, no second report, its recording time kept.
    assert await graph.write(merge_reports, [report(a, 15, 4)]) == 1
    again = await graph.read(reports_of, a)
    assert [(r["total"], r["cds"], r["recordedAt"]) for r in again] == [
        (15, 4, first[0]["recordedAt"])
    ]
    assert [(r["total"], r["cds"]) for r in await graph.read(reports_of, b)] == [(20, 2)]
