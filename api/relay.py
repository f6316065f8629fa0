"""Relay plumbing: global IDs, opaque cursors, the Node interface and generic connections."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Generic, TypeVar

import strawberry

from graph.core.errors import InvalidInput

T = TypeVar("T")

# The arguments every paged or dated field takes, described once.
First = Annotated[int | None, strawberry.argument(description="Page size (default 50, max 500).")]
After = Annotated[str | None, strawberry.argument(description="Cursor to continue after.")]
ActiveOn = Annotated[
    dt.date | None, strawberry.argument(description="Date to evaluate (default: today).")
]


def to_global_id(type_name: str, key: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        type_name, _, key = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("id", "not an ID issued by this API") from None
    if not key:
        raise InvalidInput("id", "not an ID issued by this API")
    return type_name, key


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode()


def decode_cursor(cursor: str | None, field: str = "after") -> str | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(field, "not a cursor returned by this API") from None
    if not raw.startswith("c:"):
        raise InvalidInput(field, "not a cursor returned by this API")
    return raw[2:]


@strawberry.interface(description="An object with a global ID that `node(id:)` can refetch.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global, opaque ID (Relay).")


@strawberry.type(description="Where a page of a connection stands in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description="A page of a list (Relay connection), with the size of the whole list."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    total_count: int = strawberry.field(description="Number of items in the whole list.")

    @strawberry.field(description="The items of this page without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(items: list[tuple[str, T]], total: int, has_next: bool) -> Connection[T]:
    """Build a connection from (sort key, item) pairs already sliced by the query."""
    edges = [Edge(cursor=encode_cursor(key), node=item) for key, item in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
