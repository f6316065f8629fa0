"""The expected failures of mutations, as schema types, and the one mapping from domain errors.

Every mutation returns a union of its success type and some of these; a client switches on
``__typename``. Anything that is not a ``DomainError`` still raises and is masked
(api/errors.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import strawberry

from api.policy import Action, actor, guard, require
from api.relay import from_global_id
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.core.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    ValidationFailed,
)
from graph.core.ratelimit import Limited
from graph.core.validation import CodedInvalidInput, error_code
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context

T = TypeVar("T")


@strawberry.type(description="One mistake in the input.")
class FieldError:
    field: str = strawberry.field(description="The input field, as a dotted path (camelCase).")
    code: str = strawberry.field(
        description="Machine-readable: REQUIRED, TOO_LONG, INVALID_EMAIL, INVALID_PHONE, "
        "INVALID_CHARACTERS, NOT_IN_VOCABULARY, CONSENT_REQUIRED, OUTDATED_NOTICE, "
        "INVALID_DATE, INVALID_VALUE, INVALID_ID."
    )
    message: str = strawberry.field(description="For people.")


@strawberry.type(description="The input has mistakes; nothing was changed.")
class ValidationErrors:
    errors: list[FieldError] = strawberry.field(description="Every mistake found.")


@strawberry.type(description="The viewer's role or scope does not allow this; nothing was changed.")
class NotAuthorized:
    message: str = strawberry.field(description="What was refused.")


@strawberry.type(description="A referenced object does not exist.")
class NotFoundError:
    kind: str = strawberry.field(description="What was looked for.")
    key: str = strawberry.field(description="The key that was not found.")
    message: str = strawberry.field(description="For people.")


@strawberry.type(
    description="The request clashes with the current state (already closed, already a "
    "member, not pending); nothing was changed."
)
class ConflictError:
    field: str = strawberry.field(description="The input field concerned.")
    message: str = strawberry.field(description="For people.")


@strawberry.type(description="Too many attempts; try again later.")
class RateLimitedError:
    scope: str = strawberry.field(
        description="What was limited: 'address', 'email' or (nominations) 'nominator'."
    )
    retry_after_seconds: int = strawberry.field(description="When to try again.")
    message: str = strawberry.field(description="For people.")


Failure = ValidationErrors | NotAuthorized | NotFoundError | ConflictError


def failure(error: DomainError) -> Failure:
    """The schema type of an expected failure; re-raises what has none (rate limits only
    concern the mutations that declare RateLimitedError and catch it themselves)."""
    if isinstance(error, ValidationFailed):
        return ValidationErrors(
            errors=[
                FieldError(field=e.field, code=error_code(e), message=e.reason)
                for e in error.errors
            ]
        )
    if isinstance(error, InvalidInput):
        return ValidationErrors(
            errors=[FieldError(field=error.field, code=error_code(error), message=error.reason)]
        )
    if isinstance(error, Forbidden):
        return NotAuthorized(message=str(error))
    if isinstance(error, NotFound):
        return NotFoundError(kind=error.kind, key=error.key, message=str(error))
    if isinstance(error, Conflict):
        return ConflictError(field=error.field, message=error.reason)
    if isinstance(error, AlreadyExists):
        return ConflictError(field="id", message=str(error))
    raise error


async def attempt(work: Awaitable[T]) -> T | Failure:
    """Await a mutation's work; expected failures become their schema types."""
    try:
        return await work
    except DomainError as error:
        return failure(error)


def node_key(global_id: str, type_name: str, field: str) -> str:
    """The key inside a global ID of the expected type; anything else is a field error."""
    try:
        found_type, key = from_global_id(global_id)
    except InvalidInput:
        found_type, key = "", ""
    if found_type != type_name:
        raise ValidationFailed([CodedInvalidInput(field, "INVALID_ID", f"not a {type_name} ID")])
    return key


R = TypeVar("R")
S = TypeVar("S")

AUDIT_SEQ = "Sequence number of the audit event (null when nothing changed)."


async def perform(
    info: strawberry.Info[Context],
    action: Action,
    work: Callable[[Actor, Guard], Awaitable[Changed[R]]],
    present: Callable[[Changed[R]], S],
) -> S | Failure:
    """The shape shared by every coordinator mutation: early role check, one write with the
    viewer's actor and guard, the result presented, expected failures typed."""
    viewer = info.context.viewer

    async def go() -> S:
        require(viewer, action)  # the role at all; the scope is checked on the target
        return present(await work(actor(viewer), guard(viewer, action)))

    return await attempt(go())


def rate_limited(outcome: Limited, what: str) -> RateLimitedError:
    """A limit passed (graph/core/ratelimit.py), as the schema's typed failure."""
    return RateLimitedError(
        scope=outcome.scope,
        retry_after_seconds=outcome.retry_after_seconds,
        message=f"too many {what} per {outcome.scope}; try again later",
    )
