"""The most objects an operation's answer can hold, estimated before it runs (`MASTGRAPH_MAX_RESULT_OBJECTS`).

Every object of the answer counts once, multiplied by the page sizes and limits above it: a field
with a `first` or `limit` argument (or a size bound of its own, `SIZED`) lets each list of objects
inside its answer hold that many items (its own list, for a capped relation list such as
`composedOf(first)`; else the lists of the object it returns, such as a connection's `nodes` and
`edges` or a lineage's `nodes` and `edges`); a walk (`lineage`, `downloadList`) counts its limit
once more for itself, the products it reaches whatever is selected of them. Arguments are read as `ArgumentLimits` reads them
(literals and variables, with the operation's variable defaults); a `first` or `limit` not given is
the value the field then uses. Aliases, fragments and inline fragments each count where they are
spread; @skip and @include are followed. A list without such an argument (`antecedents`, ...) counts
as one item per parent: the estimate bounds what the arguments let a client ask for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.language import BooleanValueNode, VariableNode

from mastgraph.graph.settings import Settings

from .arguments import DEFAULT_PAGE_SIZE

#: Fields without a size argument whose lists are bounded by a setting: "<Type>.<field>" -> Settings field.
SIZED = {"Query.downloadList": "max_lineage_nodes"}


def _unwrap(type_: Any) -> tuple[Any, bool]:
    """The named type and whether a list wraps it."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


@dataclass
class Estimate:
    schema: GraphQLSchema
    fragments: dict[str, Any]
    variables: dict[str, Any]
    defaults: dict[str, Any]
    settings: Settings

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return 0 if root is None else self.selections(root, operation.selection_set, 1, None, ())

    def selections(self, type_: GraphQLObjectType, selection_set, multiplier: int, pending: int | None,
                   spreading: tuple[str, ...]) -> int:
        total = 0
        for item in selection_set.selections if selection_set else ():
            if not self.included(item):
                continue
            if isinstance(item, FieldNode):
                total += self.field(type_, item, multiplier, pending, spreading)
            elif isinstance(item, InlineFragmentNode):
                inner = self.schema.get_type(item.type_condition.name.value) if item.type_condition else type_
                total += self.selections(inner, item.selection_set, multiplier, pending, spreading)
            elif isinstance(item, FragmentSpreadNode):
                name = item.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in spreading:  # (a cycle is refused by validation)
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(inner, fragment.selection_set, multiplier, pending, (*spreading, name))
        return total

    def field(self, parent: GraphQLObjectType, node: FieldNode, multiplier: int, pending: int | None,
              spreading: tuple[str, ...]) -> int:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:  # (__typename; an unknown field is refused by validation)
            return 0
        target, is_list = _unwrap(definition.type)
        if not isinstance(target, GraphQLObjectType):
            return 0
        size = self.size(parent, node, definition, target, is_list)
        if is_list:
            # a list holds the items its own `first` allows, else those a page or limit above it allows
            count = multiplier * (size if size is not None else pending if pending is not None else 1)
            pending = None
        else:
            # a walk (lineage, download list) holds its `limit` products whatever is asked of them
            walked = multiplier * size if size is not None and self.walk(parent, node, definition) else 0
            pending = size if size is not None else pending
            return multiplier + walked + self.selections(target, node.selection_set, multiplier, pending, spreading)
        return count + self.selections(target, node.selection_set, count, pending, spreading)

    @staticmethod
    def walk(parent, node: FieldNode, definition) -> bool:
        return "limit" in definition.args or f"{parent.name}.{node.name.value}" in SIZED

    def size(self, parent, node: FieldNode, definition, target, is_list: bool) -> int | None:
        """The page size or limit the field gives its lists, None when it has none."""
        sized = SIZED.get(f"{parent.name}.{node.name.value}")
        if sized is not None:
            return getattr(self.settings, sized)
        given = {a.name.value: self.value(a.value) for a in node.arguments or ()}
        if "limit" in definition.args:
            limit = given.get("limit")
            return limit if isinstance(limit, int) else self.settings.max_lineage_nodes
        if "first" not in definition.args:
            return None
        first = given.get("first")
        if isinstance(first, int):
            return max(first, 0)
        default = definition.args["first"].default_value
        if isinstance(default, int):  # (search: 10)
            return default
        maximum = self.settings.max_page_size
        connection = not is_list and target.name.endswith("Connection")
        return min(DEFAULT_PAGE_SIZE, maximum) if connection else maximum

    def value(self, node) -> Any:
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value, self.defaults.get(node.name.value))
        else:
            value = getattr(node, "value", None)
            if isinstance(value, str) and node.kind == "int_value":
                value = int(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def included(self, node) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name in ("skip", "include"):
                argument = next((a.value for a in directive.arguments if a.name.value == "if"), None)
                if isinstance(argument, VariableNode):
                    condition = self.variables.get(argument.name.value, self.defaults.get(argument.name.value))
                else:
                    condition = argument.value if isinstance(argument, BooleanValueNode) else None
                if (name == "skip" and condition is True) or (name == "include" and condition is False):
                    return False
        return True


def answer_objects(schema: GraphQLSchema, document, operation: OperationDefinitionNode, variables: dict[str, Any],
                   defaults: dict[str, Any], settings: Settings) -> int:
    """The most objects `operation`'s answer can hold (see the module's docstring)."""
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    return Estimate(schema, fragments, variables, defaults, settings).operation(operation)
