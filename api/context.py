"""The typed per-request context: the graph, settings, the viewer and this request's DataLoaders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from strawberry.fastapi import BaseContext

from api.cache import VersionedCache
from api.loaders import Loaders
from graph import changes
from graph import coverage as coverage_queries
from graph.coverage import Coverage
from graph.db import Graph
from graph.errors import InvalidInput
from graph.settings import Settings


class Role(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    NATIONAL_COORDINATOR = "NATIONAL_COORDINATOR"
    PROVINCIAL_COORDINATOR = "PROVINCIAL_COORDINATOR"
    COMMUNE_OFFICER = "COMMUNE_OFFICER"
    ORGANISATION_ADMIN = "ORGANISATION_ADMIN"
    EXPERT = "EXPERT"


@dataclass(frozen=True)
class Viewer:
    """Who is asking. Anonymous callers read non-personal data only."""

    subject: str | None = None
    role: Role = Role.ANONYMOUS

    @property
    def sees_people(self) -> bool:
        """Names of team members and focal points are personal data: coordinators only."""
        return self.role is Role.NATIONAL_COORDINATOR


@dataclass
class Context(BaseContext):
    graph: Graph
    settings: Settings
    viewer: Viewer
    loaders: Loaders
    request_id: str
    cache: VersionedCache = field(default_factory=VersionedCache)
    today: dt.date = field(default_factory=dt.date.today)
    _version: int | None = None

    async def data_version(self) -> int:
        """The graph's change counter, read once per request."""
        if self._version is None:
            self._version = await self.graph.read(changes.current)
        return self._version

    async def coverage(self, scope_key: str, day: dt.date, *, mapped: bool) -> Coverage:
        """The coverage aggregate, shared across requests until the graph changes."""
        return await self.cache.get_or_compute(
            ("coverage", scope_key, day, mapped),
            await self.data_version(),
            lambda: self.graph.read(
                coverage_queries.coverage, scope_key, day, in_current_units=mapped
            ),
        )

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
