"""Limits on what one request may ask, enforced before the database is touched.

Strawberry's own extensions bound the document (depth, aliases, tokens); `ArgumentLimits` reads
every page size (`first`) and lineage bound (`maxDepth`, `limit`) of the operation, literal or
variable, before any resolver runs. The per-request Neo4j time budget is the reader's
(`graph.read.Reader`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import ExecutionResult, FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, OperationDefinitionNode
from graphql.language import IntValueNode, VariableNode
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from mastgraph.graph.settings import Settings
from mastgraph.model.errors import cut

#: Bounded arguments: name -> (smallest value, Settings field of the largest, its variable).
BOUNDS: dict[str, tuple[int, str, str]] = {
    "first": (0, "max_page_size", "MASTGRAPH_MAX_PAGE_SIZE"),
    "maxDepth": (1, "max_lineage_depth", "MASTGRAPH_MAX_LINEAGE_DEPTH"),
    "limit": (1, "max_lineage_nodes", "MASTGRAPH_MAX_LINEAGE_NODES"),
}


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Per-request factories of the limiting extensions.

    The depth and alias validation rules of Strawberry's limiters are made once, so that a
    request's validation can be cached (`ValidationCache`) for a document seen before.
    """
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=256),
        lambda: ArgumentLimits(settings),
    ]


class ArgumentLimits(SchemaExtension):
    """Refuses the operation when a bounded argument is out of range (no resolver runs)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            errors = argument_errors(document, context.operation_name, context.variables or {}, self.settings)
            if errors:
                context.result = ExecutionResult(data=None, errors=errors)
        yield


def argument_errors(document, operation_name: str | None, variables: dict[str, Any], settings: Settings) -> list[GraphQLError]:
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    defaults = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    errors: list[GraphQLError] = []
    for field in _fields(operation.selection_set, fragments, set()):
        for argument in field.arguments or ():
            name = argument.name.value
            bound = BOUNDS.get(name)
            if bound is None:
                continue
            value = _int_value(argument.value, variables, defaults)
            if value is None:
                continue
            smallest, setting, variable = bound
            largest = getattr(settings, setting)
            if value < smallest:
                errors.append(GraphQLError(
                    f"argument `{name}` of `{cut(field.name.value)}`: must be {smallest} or more", nodes=[field],
                    extensions={"code": "BAD_USER_INPUT", "argument": name},
                ))
            elif value > largest:
                errors.append(GraphQLError(
                    f"argument `{name}` of `{cut(field.name.value)}` is {value}; at most {largest} allowed ({variable})",
                    nodes=[field], extensions={"code": "LIMIT_EXCEEDED", "argument": name, "limit": setting, "maximum": largest},
                ))
    return errors


def _operation(document, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name is not None and op.name.value == name), None)


def _fields(selection_set, fragments, seen: set[str]) -> Iterator[FieldNode]:
    for item in selection_set.selections if selection_set else ():
        if isinstance(item, FieldNode):
            yield item
            yield from _fields(item.selection_set, fragments, seen)
        elif isinstance(item, InlineFragmentNode):
            yield from _fields(item.selection_set, fragments, seen)
        elif isinstance(item, FragmentSpreadNode) and item.name.value not in seen:
            seen.add(item.name.value)
            fragment = fragments.get(item.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments, seen)


def _int_value(node, variables: dict[str, Any], defaults: dict[str, int]) -> int | None:
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, VariableNode):
        value = variables.get(node.name.value, defaults.get(node.name.value))
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return None
