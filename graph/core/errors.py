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


class Forbidden(DomainError):
    """The caller's role or scope does not allow this action on this node."""

    def __init__(self, action: str, reason: str | None = None) -> None:
        super().__init__(
            f"not allowed to {action}: {reason}" if reason else f"not allowed to {action} here"
        )
        self.action = action
        self.reason = reason


class ValidationFailed(DomainError):
    """Several input mistakes at once, so a form can show all of them together."""

    def __init__(self, errors: list[InvalidInput]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class Conflict(DomainError):
    """The request clashes with the current state (a closed team, an ended post)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class RateLimited(DomainError):
    """Too many attempts from one address or for one e-mail in the current window."""

    def __init__(self, scope: str, retry_after_seconds: int) -> None:
        super().__init__(f"too many attempts per {scope}; retry in {retry_after_seconds} s")
        self.scope = scope
        self.retry_after_seconds = retry_after_seconds
