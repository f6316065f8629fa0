"""The typed per-request context: the graph, settings, the viewer and this request's DataLoaders."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from strawberry.fastapi import BaseContext

from api.cache import VersionedCache, VersionReader
from api.loaders import Loaders
from api.policy import PersonalAccess
from api.viewer import Viewer
from graph.core import changes
from graph.core.db import Graph
from graph.core.errors import InvalidInput
from graph.core.settings import Settings
from graph.reports import coverage as coverage_queries
from graph.reports.coverage import Coverage, CoverageMetrics
from graph.reports.series_totals import series_totals
from graph.reports.targets import TargetRecord, effective_targets
from graph.support import matching
from graph.support.matching import Match
from graph.units import units
from graph.units.units import UnitRecord

if TYPE_CHECKING:
    from api.live import LiveFeed


@dataclass
class Context(BaseContext):
    graph: Graph
    settings: Settings
    viewer: Viewer
    loaders: Loaders
    request_id: str
    cache: VersionedCache = field(default_factory=VersionedCache)
    client_address: str = "unknown"  # for rate limits (api/app.py says which header to trust)
    live: LiveFeed | None = None  # the process's live-update poller (api/live.py)
    today: dt.date = field(default_factory=dt.date.today)
    # The process's reader of the change counter (api/app.py), shared by concurrent requests;
    # without one (a context made by hand) the request reads the counter itself.
    versions: VersionReader | None = None
    _version: asyncio.Future[int] | None = None

    async def data_version(self) -> int:
        """The graph's change counter, read once per request: resolvers running side by side
        share the one read instead of each starting their own. Through ``versions`` concurrent
        requests share a read too, one that starts after they arrived, so none is stale."""
        if self._version is None:
            self._version = asyncio.ensure_future(
                self.versions.current()
                if self.versions is not None
                else self.graph.read(changes.current)
            )
        return await asyncio.shield(self._version)

    async def scope(self, code: str | None, day: dt.date, *, in_current_units: bool) -> UnitRecord:
        """The unit a coverage-like question is about; cached like the figures themselves."""
        return await self.cache.get_or_compute(
            ("scope", code, day, in_current_units),
            await self.data_version(),
            lambda: self.graph.read(
                units.resolve_scope, code, day, in_current_units=in_current_units
            ),
        )

    async def coverage(self, scope_key: str, day: dt.date, *, mapped: bool) -> Coverage:
        """The coverage aggregate, shared across requests until the graph changes."""
        return await self.cache.get_or_compute(
            ("coverage", scope_key, day, mapped),
            await self.data_version(),
            lambda: self.graph.read(
                coverage_queries.coverage,
                scope_key,
                day,
                in_current_units=mapped,
                active_days=self.settings.active_team_days,
            ),
        )

    async def series(self, points: tuple[tuple[dt.date, str], ...]) -> list[CoverageMetrics]:
        """The coverage totals of many (date, scope key) in one query, cached like coverage."""
        return await self.cache.get_or_compute(
            ("series", points),
            await self.data_version(),
            lambda: self.graph.read(series_totals, points, self.settings.active_team_days),
        )

    async def targets(self, scope_code: str | None) -> list[TargetRecord]:
        """The targets in force for a scope, cached like the figures (setTarget bumps the
        change counter through its audit event)."""
        return await self.cache.get_or_compute(
            ("targets", scope_code),
            await self.data_version(),
            lambda: self.graph.read(effective_targets, scope_code),
        )

    async def matches(self, request_id: str, first: int) -> list[Match]:
        """A request's ranked candidates, cached like the figures: every change that can move
        a score (a verification, an engagement, a stated absence, a withdrawn consent) is an
        audited write, which moves the change counter. Ids and scores only: the personal fields
        of each candidate are read, and gated, per request."""
        return await self.cache.get_or_compute(
            ("matches", request_id, first),
            await self.data_version(),
            lambda: self.graph.read(matching.match_experts, request_id, first),
        )

    @cached_property
    def access(self) -> PersonalAccess:
        """The gate of personal fields for this request (made on first use)."""
        return PersonalAccess(self.graph, self.viewer, self.request_id)

    def page_size(self, first: int | None) -> int:
        """Default 50, at most the configured maximum (500): a bigger ask is an error, not a
        silent truncation, so a client never believes it has everything when it has not."""
        size = self.settings.page_size_default if first is None else first
        if size < 0:
            raise InvalidInput("first", "must not be negative")
        if size > self.settings.page_size_max:
            raise InvalidInput("first", f"at most {self.settings.page_size_max} items per page")
        return size

    def day(self, as_of: dt.date | None) -> dt.date:
        return as_of or self.today
