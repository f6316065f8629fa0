"""Domain errors: what a caller can get wrong, named so the API can map them to typed results."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure raised by graph/ functions."""


class NotFound(DomainError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class AlreadyExists(DomainError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} already exists")
        self.kind = kind
        self.key = key


class InvalidInput(DomainError):
    """A value that breaks a rule: ``field`` names the input field, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class GraphUnavailable(DomainError):
    """Neo4j cannot be reached or refused us; the message says what to check."""
