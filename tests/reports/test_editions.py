"""Published editions (#16): `cds snapshot` freezes a period end's figures and ranking.

By construction: each test publishes period ends no other test uses (2042, or 2024-12-31 for the
CLI), and changes the data by one agency dated before them, so the live figures move by exactly
one while the edition's stay as published."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.core import changes
from graph.core.db import Graph
from graph.reports import editions
from graph.reports.ranking import RankingMetric
from tests.gql import gql
from tests.reports.test_series import _agency, _remove
from tests.spreadsheets.test_transfer_cli import cds, cds_env

__all__ = ["cds_env"]  # the CLI's fixture, used by name below

D = dt.date


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


RANKING = (
    "query($m: RankingMetric!, $d: Date, $e: ID) { provinceRanking(metric: $m, asOf: $d, "
    "edition: $e) { rank value numerator denominator province { code name } } }"
)
EDITIONS = "{ editions { id periodEnd publishedAt dataVersion reportUrl pdfUrl } }"


async def _ranking(
    client: httpx.AsyncClient, metric: RankingMetric, *, day: D | None = None, edition: str = ""
) -> list[dict[str, Any]]:
    data = await gql(
        client,
        RANKING,
        {"m": metric.value, "d": day.isoformat() if day else None, "e": edition or None},
    )
    ranking: list[dict[str, Any]] = data["provinceRanking"]
    return ranking


async def _editions_of(client: httpx.AsyncClient, period_end: D) -> list[dict[str, Any]]:
    data = await gql(client, EDITIONS)
    return [e for e in data["editions"] if e["periodEnd"] == period_end.isoformat()]


@pytest.fixture
async def agency(graph: Graph) -> AsyncIterator[Any]:
    """Adds one agency in Hà Nội (01) valid from a date, and removes it afterwards."""
    made: list[str] = []

    async def add(valid_from: D) -> None:
        made.append(await _agency(graph, valid_from))
        await graph.write(changes.bump)

    yield add
    for org in made:
        await _remove(graph, org)


def _hanoi(ranking: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in ranking if r["province"]["code"] == "01")


async def test_snapshot_twice_is_one_edition(client: httpx.AsyncClient, graph: Graph) -> None:
    period_end = D(2042, 3, 31)
    first = await editions.publish(graph, period_end, _now())
    again = await editions.publish(graph, period_end, _now())
    assert first.created
    assert first.provinces == 34
    assert not again.created
    assert again.edition == first.edition
    listed = await _editions_of(client, period_end)
    assert [e["id"] for e in listed] == [first.edition.id]
    assert listed[0]["pdfUrl"] == f"/reports/editions/{first.edition.id}.pdf"


async def test_changed_data_makes_a_new_edition_and_keeps_the_old(
    client: httpx.AsyncClient, graph: Graph, agency: Any
) -> None:
    period_end = D(2042, 6, 30)
    old = await editions.publish(graph, period_end, _now())
    metric = RankingMetric.FOCAL_POINT_COVERAGE
    old_ranking = await _ranking(client, metric, edition=old.edition.id)
    await agency(D(2042, 1, 1))
    new = await editions.publish(graph, period_end, _now())
    assert new.created
    assert new.edition.id != old.edition.id
    assert new.edition.data_version > old.edition.data_version
    listed = await _editions_of(client, period_end)
    assert [e["id"] for e in listed] == [new.edition.id, old.edition.id]  # newest first
    assert await _ranking(client, metric, edition=old.edition.id) == old_ranking
    new_ranking = await _ranking(client, metric, edition=new.edition.id)
    assert _hanoi(new_ranking)["denominator"] == _hanoi(old_ranking)["denominator"] + 1


async def test_edition_ranking_is_the_live_one_of_its_time_and_stays(
    client: httpx.AsyncClient, graph: Graph, agency: Any
) -> None:
    period_end = D(2042, 9, 30)
    live_then = {m: await _ranking(client, m, day=period_end) for m in RankingMetric}
    published = await editions.publish(graph, period_end, _now())
    for metric in RankingMetric:
        assert await _ranking(client, metric, edition=published.edition.id) == live_then[metric]
    await agency(D(2042, 2, 1))
    metric = RankingMetric.FOCAL_POINT_COVERAGE
    live_now = await _ranking(client, metric, day=period_end)
    assert _hanoi(live_now)["denominator"] == _hanoi(live_then[metric])["denominator"] + 1
    for metric in RankingMetric:
        assert await _ranking(client, metric, edition=published.edition.id) == live_then[metric]


async def test_edition_and_date_together_or_unknown_edition_are_typed_errors(
    client: httpx.AsyncClient,
) -> None:
    variables = {"m": "TEAM_COVERAGE", "d": "2042-01-01", "e": "2042-03-31-v1"}
    both = await gql(client, RANKING, variables, expect_errors=True)
    assert both["errors"][0]["extensions"]["field"] == "asOf"
    unknown = await gql(
        client, RANKING, {**variables, "d": None, "e": "1999-01-01-v0"}, expect_errors=True
    )
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.usefixtures("cds_env")
async def test_cli_snapshot_is_idempotent(client: httpx.AsyncClient) -> None:
    period_end = D(2024, 12, 31)  # a legacy date: the 63 provinces of the time
    assert await cds("snapshot", "--as-of", period_end.isoformat()) == 0
    assert await cds("snapshot", "--as-of", period_end.isoformat()) == 0
    listed = await _editions_of(client, period_end)
    assert len(listed) == 1
    ranking = await _ranking(client, RankingMetric.TEAM_COVERAGE, edition=listed[0]["id"])
    assert len(ranking) == 63


def test_default_period_end_is_the_last_quarter_end() -> None:
    assert editions.last_quarter_end(D(2026, 11, 30)) == D(2026, 9, 30)
    assert editions.last_quarter_end(D(2026, 1, 1)) == D(2025, 12, 31)
    assert editions.last_quarter_end(D(2026, 3, 31)) == D(2026, 3, 31)
