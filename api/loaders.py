"""Per-request DataLoaders: every nested field loads through one of these, so a nested query
costs one round trip per field *level*, never one per item.

Keys that carry arguments (a page size, a cursor, a date) are grouped by those arguments: one
query per distinct argument set, and a query text has a fixed number of those.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph.activity import reports as activity_reports
from graph.core.db import Graph, Tx
from graph.core.paging import Page
from graph.experts import nominations, profiles
from graph.experts.nominations import NominationRecord
from graph.experts.records import ExpertRecord
from graph.network import headcounts, lookups
from graph.network.headcounts import HeadcountRecord
from graph.network.records import (
    DecisionRecord,
    FocalPointRecord,
    MembershipRecord,
    OrganisationRecord,
    PersonRecord,
    TeamRecord,
)
from graph.support import engagements, requests
from graph.support.records import EngagementRecord, SupportRequestRecord
from graph.units import units
from graph.units.units import SuccessionRecord, UnitRecord

V = TypeVar("V")
F = TypeVar("F")
D = TypeVar("D")
A = TypeVar("A", bound=Hashable)


def simple_loader(
    graph: Graph, fetch: Callable[[Tx, list[str]], Awaitable[Mapping[str, F]]], default: D
) -> DataLoader[str, F | D]:
    async def load(keys: list[str]) -> list[F | D]:
        found = await graph.read(fetch, keys)
        return [found.get(k, default) for k in keys]

    return DataLoader(load_fn=load)


class GroupedLoader(Generic[A, V]):
    """A DataLoader over (key, args) that batches all keys sharing the same args into one query."""

    def __init__(
        self,
        graph: Graph,
        fetch: Callable[[Tx, list[str], A], Awaitable[dict[str, V]]],
        default: Callable[[], V],
    ) -> None:
        async def load(pairs: list[tuple[str, A]]) -> list[V]:
            by_args: dict[A, list[str]] = defaultdict(list)
            for key, args in pairs:
                by_args[args].append(key)
            found: dict[tuple[str, A], V] = {}
            for args, keys in by_args.items():
                result = await graph.read(fetch, keys, args)
                found.update({(k, args): v for k, v in result.items()})
            return [found.get(pair, default()) for pair in pairs]

        self.loader: DataLoader[tuple[str, A], V] = DataLoader(load_fn=load)

    async def load(self, key: str, args: A) -> V:
        return await self.loader.load((key, args))


async def _children(tx: Tx, keys: list[str], args: tuple[int, str | None]) -> dict[str, Page]:
    return await units.children_pages(tx, keys, args[0], args[1])


async def _successors(tx: Tx, keys: list[str]) -> dict[str, list[SuccessionRecord]]:
    return await units.successions_of(tx, keys, forward=True)


async def _predecessors(tx: Tx, keys: list[str]) -> dict[str, list[SuccessionRecord]]:
    return await units.successions_of(tx, keys, forward=False)


def _empty_page() -> Page:
    return Page([], 0, False)


class Loaders:
    """Made fresh for each request: caches never outlive it, so no one sees stale or
    someone else's data."""

    def __init__(self, graph: Graph) -> None:
        self.unit: DataLoader[str, UnitRecord | None] = simple_loader(
            graph, units.units_by_keys, None
        )
        self.parent: DataLoader[str, UnitRecord | None] = simple_loader(
            graph, units.parents_of, None
        )
        self.successors: DataLoader[str, list[SuccessionRecord]] = simple_loader(
            graph, _successors, []
        )
        self.predecessors: DataLoader[str, list[SuccessionRecord]] = simple_loader(
            graph, _predecessors, []
        )
        self.children: GroupedLoader[tuple[int, str | None], Page] = GroupedLoader(
            graph, _children, _empty_page
        )
        self.network = NetworkLoaders(graph)
        self.support = SupportLoaders(graph)


class SupportLoaders:
    """Support requests and their engagements (#15)."""

    def __init__(self, graph: Graph) -> None:
        self.request: DataLoader[str, SupportRequestRecord | None] = simple_loader(
            graph, requests.requests_by_ids, None
        )
        self.engagement: DataLoader[str, EngagementRecord | None] = simple_loader(
            graph, engagements.engagements_by_ids, None
        )
        self.engagements_of_request: DataLoader[str, list[EngagementRecord]] = simple_loader(
            graph, requests.engagements_of_requests, []
        )
        self.engagements_of_expert: DataLoader[str, list[EngagementRecord]] = simple_loader(
            graph, engagements.engagements_of_experts, []
        )


async def _reports_on(tx: Tx, keys: list[str], day: dt.date) -> dict[str, HeadcountRecord | None]:
    return dict(await headcounts.reports_on(tx, keys, day))


def _day_loader(
    graph: Graph, fetch: Callable[[Tx, list[str], dt.date], Awaitable[dict[str, list[V]]]]
) -> GroupedLoader[dt.date, list[V]]:
    return GroupedLoader(graph, fetch, list)


class NetworkLoaders:
    """Loaders for the network hanging off units: organisations, teams, members, focal points."""

    def __init__(self, graph: Graph) -> None:
        self.teams_in_unit: GroupedLoader[tuple[int, str | None, dt.date], Page] = GroupedLoader(
            graph, lookups.teams_in_units, _empty_page
        )
        self.organisations_in_unit: GroupedLoader[tuple[int, str | None, dt.date], Page] = (
            GroupedLoader(graph, lookups.organisations_in_units, _empty_page)
        )
        self.members: GroupedLoader[dt.date, list[MembershipRecord]] = _day_loader(
            graph, lookups.members_of_teams
        )
        self.focal_points: GroupedLoader[dt.date, list[FocalPointRecord]] = _day_loader(
            graph, lookups.focal_points_of
        )
        self.headcount_on: GroupedLoader[dt.date, HeadcountRecord | None] = GroupedLoader(
            graph, _reports_on, lambda: None
        )
        self.headcounts: DataLoader[str, list[HeadcountRecord]] = simple_loader(
            graph, headcounts.histories, []
        )
        self.team_places: DataLoader[str, list[UnitRecord]] = simple_loader(
            graph, lookups.team_places, []
        )
        self.decision: DataLoader[str, tuple[DecisionRecord, OrganisationRecord | None] | None] = (
            simple_loader(graph, lookups.establishing_decisions, None)
        )
        self.organisation: DataLoader[str, OrganisationRecord | None] = simple_loader(
            graph, lookups.organisations_by_ids, None
        )
        self.organisation_unit: DataLoader[str, UnitRecord | None] = simple_loader(
            graph, lookups.organisation_units, None
        )
        self.team: DataLoader[str, TeamRecord | None] = simple_loader(
            graph, lookups.teams_by_ids, None
        )
        self.person: DataLoader[str, PersonRecord | None] = simple_loader(
            graph, lookups.people_by_ids, None
        )
        self.expert: DataLoader[str, ExpertRecord | None] = simple_loader(
            graph, profiles.experts_by_ids, None
        )
        self.nominations: DataLoader[str, list[NominationRecord]] = simple_loader(
            graph, nominations.of_experts, []
        )
        # (team id, (page size, cursor)): one query per page shape, whatever the teams.
        self.activity_reports: GroupedLoader[tuple[int, str | None], Page] = GroupedLoader(
            graph, activity_reports.reports_of_teams, _empty_page
        )
