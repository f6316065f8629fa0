"""What every command (one unit of work behind one mutation) shares: fresh ids and the result
that carries the changed thing with the sequence number of its audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class Changed(Generic[T]):
    """What a mutation returns: the changed thing and the sequence number of its audit event."""

    value: T
    seq: int | None  # None when nothing changed, so nothing was audited
