"""What clients see of a failure: one message and `extensions.code`, never a stack trace.

Codes: BAD_USER_INPUT (an argument is wrong; `extensions.argument` names it), LIMIT_EXCEEDED (a
configured limit; `extensions.limit`), DATABASE_UNAVAILABLE (Neo4j cannot be reached),
QUERY_TIMEOUT (the request used up its Neo4j time), GRAPHQL_PARSE_FAILED,
GRAPHQL_VALIDATION_FAILED, INTERNAL_SERVER_ERROR (anything else; logged on the server).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from mastgraph.graph.read import DatabaseUnavailable, QueryTimeout
from mastgraph.model.errors import cut

log = logging.getLogger("mastgraph.api")


class ApiError(Exception):
    """An error whose message is meant for the client."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions = extensions


class BadArgument(ApiError):
    code = "BAD_USER_INPUT"

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"argument `{argument}`: {problem}", argument=argument)


class LimitExceeded(ApiError):
    code = "LIMIT_EXCEEDED"


#: Messages of Strawberry's limiters (they carry no code of their own).
_LIMITER_MESSAGES = re.compile(r"exceeds maximum operation depth|aliases found\. Allowed|Document contains more than \d+ tokens")

#: A quoted name or value in graphql-core's messages ('field', "literal"), which it repeats whole.
_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")

UNAVAILABLE_MESSAGE = "the lineage database (Neo4j) is unavailable; retry later"


def _bad_variable(error: GraphQLError) -> bool:
    """A variable's value the schema refuses ("Variable '$n' has invalid value: Int cannot represent
    ..."): graphql-core keeps the scalar's own error as the original, and the error has no path."""
    return isinstance(error.original_error, GraphQLError) and error.path is None


def _bad_literal(error: GraphQLError) -> bool:
    """A literal of the query its scalar cannot read at all ("Expected value of type 'Int', but
    encountered error ...; found <literal>": Python's int() refuses an integer of more than 4,300
    digits): graphql-core's validation keeps the ValueError as the original, and the error has no path."""
    return (isinstance(error.original_error, ValueError) and error.path is None
            and error.message.startswith("Expected value of type "))


def _clients(error: GraphQLError) -> bool:
    """An error of the client's request that graphql-core reports with an original error."""
    return _bad_variable(error) or _bad_literal(error)


def expected(error: GraphQLError) -> bool:
    """Whether an error is the client's or the database's, not a bug of the service."""
    return (error.original_error is None or _clients(error)
            or isinstance(error.original_error, ApiError | DatabaseUnavailable | QueryTimeout))


def present(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it."""
    original = error.original_error
    extra: dict[str, Any] = {}
    message = error.message
    if isinstance(original, ApiError):
        code, message, extra = original.code, str(original), original.extensions
    elif isinstance(original, DatabaseUnavailable):
        code, message = "DATABASE_UNAVAILABLE", UNAVAILABLE_MESSAGE
    elif isinstance(original, QueryTimeout):
        code, message = "QUERY_TIMEOUT", str(original)
    elif original is not None and not _clients(error):
        code, message = "INTERNAL_SERVER_ERROR", "internal error (logged on the server)"
    elif error.extensions and "code" in error.extensions:
        return error
    elif _LIMITER_MESSAGES.search(message):
        code = "LIMIT_EXCEEDED"
    elif message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif message.startswith("Variable "):
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    if original is None or _clients(error):  # graphql-core's words: a 100 KB field name came back whole
        message = _QUOTED.sub(lambda quoted: cut(quoted.group()), message)
        if _bad_literal(error):  # (the literal, unquoted, after "; found: ")
            head, found, literal = message.partition("; found: ")
            literal, end = (literal[:-1], ".") if literal.endswith(".") else (literal, "")
            message = head + found + cut(literal) + end if found else message
    return GraphQLError(
        message, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )


class ErrorCodes(SchemaExtension):
    """Replaces every error of a result by its client form (`present`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [present(error) for error in result.errors]


def log_errors(errors: list[GraphQLError]) -> None:
    """Unexpected errors with their traceback; expected ones in one line at debug level."""
    for error in errors:
        if expected(error):
            log.debug("graphql error: %s", error.message)
        else:
            original = error.original_error
            log.error("graphql error at %s: %s", error.path, error.message,
                      exc_info=(type(original), original, original.__traceback__) if original else None)
