"""How failures reach clients.

Expected failures (``graph.core.errors.DomainError``: a bad argument, an unknown code) keep their
message and gain ``extensions.code`` and ``extensions.field``. Anything else is masked: the
client sees "Internal error" and a request id, the log has the stack trace under the same id;
Cypher, stack traces and internal names never leave the server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Protocol

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult, StreamExecutionResult

from graph.core.db import Unavailable
from graph.core.errors import DomainError, InvalidInput, NotFound

log = logging.getLogger("cds.api")


def _domain_extensions(error: DomainError) -> dict[str, Any]:
    if isinstance(error, Unavailable):
        # Neo4j is away: say so and when to retry, never INTERNAL (#18).
        return {"code": "SERVICE_UNAVAILABLE", "retryAfterSeconds": error.retry_after_seconds}
    if isinstance(error, InvalidInput):
        return {"code": "INVALID_INPUT", "field": error.field, "reason": error.reason}
    if isinstance(error, NotFound):
        return {"code": "NOT_FOUND", "kind": error.kind, "key": error.key}
    return {"code": error.__class__.__name__.upper()}


class _Result(Protocol):
    """An execution result of any kind: all carry their errors the same way."""

    errors: list[GraphQLError] | None


class MaskUnexpectedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        self._mask(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # A subscription sends each result as it comes, long before its operation ends.
        if isinstance(result, ExecutionResult):
            self._mask(result)
        yield

    def _mask(self, result: _Result | None) -> None:
        if not result or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", "-")
        processed: list[GraphQLError] = []
        for error in result.errors:
            original = error.original_error
            # Validation and syntax errors, and variables that do not coerce (an unknown enum
            # value): safe and useful as they are.
            if original is None or isinstance(original, GraphQLError):
                processed.append(error)
            elif isinstance(original, DomainError):
                processed.append(
                    GraphQLError(
                        str(original),
                        nodes=error.nodes,
                        path=error.path,
                        extensions=_domain_extensions(original),
                    )
                )
            else:
                log.error(
                    "request %s: unexpected error at %s",
                    request_id,
                    error.path,
                    exc_info=original,
                )
                processed.append(
                    GraphQLError(
                        f"Internal error (request id {request_id})",
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "INTERNAL", "requestId": request_id},
                    )
                )
        result.errors = processed
