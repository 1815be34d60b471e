"""Limits on what one request may ask, enforced before the database is touched.

Strawberry's own extensions bound the document (depth, aliases, tokens); `ArgumentLimits` reads
every page size (`first`) and lineage bound (`maxDepth`, `limit`) of the operation, literal or
variable, before any resolver runs, refuses an empty list for a filter (every list argument), and then bounds the whole answer: the most objects it can hold
(`api/estimate.py`), at most `MASTGRAPH_MAX_RESULT_OBJECTS`. The per-request Neo4j time budget is
the reader's (`graph.read.Reader`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.language import BooleanValueNode, IntValueNode, ListValueNode, VariableNode
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

from .estimate import answer_objects, fragments_of, int_value

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
        lambda: ExpandedValidationCache(maxsize=256),
        lambda: ArgumentLimits(settings),
    ]


#: The most selections a document may hold once its fragment spreads are expanded. A spread costs
#: one token, but Strawberry's depth and alias limiters (and graphql-core's collection of fields)
#: walk a fragment again at each spread: 40 fragments each spreading the next twice, 1.7 KB, held
#: the server's event loop for hours before any answer. The documents of the explorer and the docs
#: expand to a few thousand at most.
MAX_EXPANDED_SELECTIONS = 20_000


def expanded_selections(document: DocumentNode, bound: int = MAX_EXPANDED_SELECTIONS) -> int:
    """How many selections the document's operations hold with every fragment spread expanded
    (each fragment's count computed once; a spread of a fragment being expanded, a cycle that
    validation refuses, counts nothing); counting stops past `bound`."""
    fragments = fragments_of(document)
    sizes: dict[str, int] = {}

    def count(selection_set, expanding: frozenset[str]) -> int:
        total = 0
        for item in selection_set.selections if selection_set else ():
            if isinstance(item, FragmentSpreadNode):
                name = item.name.value
                if name not in sizes and name in fragments and name not in expanding:
                    sizes[name] = count(fragments[name].selection_set, expanding | {name})
                total += 1 + sizes.get(name, 0)
            else:
                total += 1 + count(getattr(item, "selection_set", None), expanding)
            if total > bound:
                return total
        return total

    total = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total += count(definition.selection_set, frozenset())
            if total > bound:
                break
    return total


class ExpandedValidationCache(ValidationCache):
    """Strawberry's validation cache, refusing first a document whose fragment spreads expand to more
    than `MAX_EXPANDED_SELECTIONS` selections (LIMIT_EXCEEDED, no validation run)."""

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        expanded = expanded_selections(document) if document is not None else 0
        if expanded > MAX_EXPANDED_SELECTIONS:
            self.execution_context.pre_execution_errors = [GraphQLError(
                f"the document expands to more than {MAX_EXPANDED_SELECTIONS:,} selections through its fragment "
                "spreads (a fragment is expanded at every spread of it): spread fewer fragments",
                extensions={"code": "LIMIT_EXCEEDED"})]
            yield
            return
        yield from super().on_validate()


class ArgumentLimits(SchemaExtension):
    """Refuses the operation when a bounded argument is out of range, or when its answer could hold
    more objects than `MASTGRAPH_MAX_RESULT_OBJECTS` (no resolver runs)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            variables = context.variables or {}
            errors = argument_errors(document, context.operation_name, variables, self.settings)
            if not errors:
                errors = size_errors(context.schema._schema, document, context.operation_name, variables, self.settings)
            if errors:
                context.result = ExecutionResult(data=None, errors=errors)
        yield


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The operation's Int and Boolean variable defaults."""
    defaults: dict[str, Any] = {}
    for d in operation.variable_definitions or ():
        if isinstance(d.default_value, IntValueNode):
            defaults[d.variable.name.value] = int(d.default_value.value)
        elif isinstance(d.default_value, BooleanValueNode):
            defaults[d.variable.name.value] = d.default_value.value
    return defaults


def size_errors(schema, document, operation_name: str | None, variables: dict[str, Any],
                settings: Settings) -> list[GraphQLError]:
    """The answer's estimated size over `max_result_objects`: one error naming both."""
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    estimate = answer_objects(schema, document, operation, variables, _defaults(operation), settings)
    largest = settings.max_result_objects
    if estimate <= largest:
        return []
    return [GraphQLError(
        f"the answer could hold up to {estimate:,} objects (page sizes and limits multiplied along nesting, summed "
        f"over fields and aliases); at most {largest:,} allowed (MASTGRAPH_MAX_RESULT_OBJECTS): ask for smaller "
        f"`first` or `limit`, or fewer aliases",
        nodes=[operation], extensions={"code": "LIMIT_EXCEEDED", "limit": "max_result_objects", "maximum": largest,
                                       "estimate": estimate},
    )]


def argument_errors(document, operation_name: str | None, variables: dict[str, Any], settings: Settings) -> list[GraphQLError]:
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    defaults = _defaults(operation)  # (`int_value` reads no bool as an Int)
    fragments = fragments_of(document)
    empty_defaults = {d.variable.name.value for d in operation.variable_definitions or ()
                      if isinstance(d.default_value, ListValueNode) and not d.default_value.values}
    errors: list[GraphQLError] = []
    for field in _fields(operation.selection_set, fragments, set()):
        for argument in field.arguments or ():
            name = argument.name.value
            if _empty_list(argument.value, variables, empty_defaults):
                errors.append(GraphQLError(
                    f"argument `{name}` of `{cut(field.name.value)}`: an empty list would match nothing; leave "
                    f"`{name}` out (or null) for no filter", nodes=[field],
                    extensions={"code": "BAD_USER_INPUT", "argument": name},
                ))
                continue
            bound = BOUNDS.get(name)
            if bound is None:
                continue
            value = int_value(argument.value, variables, defaults)
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


def _empty_list(node, variables: dict[str, Any], empty_defaults: set[str]) -> bool:
    """An argument given as `[]` (every list argument of the schema is a filter's wanted values)."""
    if isinstance(node, ListValueNode):
        return not node.values
    if isinstance(node, VariableNode):
        name = node.name.value
        return variables[name] == [] if name in variables else name in empty_defaults
    return False


