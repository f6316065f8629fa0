"""Bad input stopped at the edge, in one place, with the field and the reason.

- ``decode_request_json``: the HTTP body (and GET's ``variables``/``extensions``) must be UTF-8
  JSON holding an object (or a list: a batch, which strawberry refuses), and ``operationName``
  must be text; otherwise 400 with a message, never a 500.
- ``CheckStringArguments``: every string in every field's arguments (input objects and lists
  included) must be text (no lone surrogate, U+D800–U+DFFF, which neither Neo4j nor JSON can
  carry) and at most ``ARGUMENT_CHARS_MAX`` characters; otherwise ``InvalidInput`` naming the
  argument (``input.fullName``, ``filter.text``, ``code``), shown as INVALID_INPUT.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from cross_web import HTTPException  # what strawberry's views answer as an HTTP error
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from graph.core.errors import InvalidInput

# Far above any name (200) or free text (2,000) the registry keeps; far below what would hurt.
ARGUMENT_CHARS_MAX = 10_000

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPES = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def decode_request_json(data: str | bytes) -> object:
    """``json.loads`` for a GraphQL request; what is not a request is a 400 saying why."""
    try:
        value = json.loads(data)
    except UnicodeDecodeError:
        raise HTTPException(400, "The request body is not UTF-8 encoded JSON") from None
    # json.JSONDecodeError is left to strawberry: 400 "Unable to parse request body as JSON".
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        kind = "null" if value is None else _JSON_TYPES.get(type(value), "not an object")
        raise HTTPException(
            400, f"Expected a JSON object (the request, or its variables), not {kind}"
        )
    name = value.get("operationName")
    if name is not None and not isinstance(name, str):
        raise HTTPException(400, "The GraphQL operation's `operationName` must be a string")
    if isinstance(name, str) and has_lone_surrogate(name):
        raise HTTPException(
            400, "The GraphQL operation's `operationName` contains a lone surrogate (not text)"
        )
    return value


def string_problem(value: str) -> str | None:
    """Why a string argument is refused, or None."""
    if len(value) > ARGUMENT_CHARS_MAX:
        return f"at most {ARGUMENT_CHARS_MAX} characters"
    if has_lone_surrogate(value):
        return "contains a lone surrogate (U+D800–U+DFFF), which is not text"
    return None


def check_strings(value: object, path: str) -> None:
    """Raise ``InvalidInput`` for the first refused string in ``value`` (dotted path)."""
    if isinstance(value, str):
        if (problem := string_problem(value)) is not None:
            raise InvalidInput(path, problem)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_strings(item, f"{path}.{index}")


class CheckStringArguments(SchemaExtension):
    """Checks the arguments of every field before its resolver runs (one dict look-up for the
    many fields that take none)."""

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        for name, value in kwargs.items():
            check_strings(value, name)
        return _next(root, info, *args, **kwargs)
