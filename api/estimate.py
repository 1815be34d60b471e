"""The most objects an operation's answer can hold, estimated before it runs (`MASTGRAPH_MAX_RESULT_OBJECTS`).

Every object of the answer counts once, multiplied by the page sizes and limits above it: a field
with a `first` or `limit` argument (or a size bound of its own, `SIZED`) lets each list of objects
inside its answer hold that many items (its own list, for a capped relation list such as
`composedOf(first)`; else the lists of the object it returns, such as a connection's `nodes` and
`edges` or a lineage's `nodes` and `edges`); a walk (`lineage`, `downloadList`) counts its limit
once more for itself, the products it reaches whatever is selected of them. Arguments are read as `ArgumentLimits` reads them
(literals and variables, with the operation's variable defaults); a `first` or `limit` not given is
the value the field then uses. Fields are collected as execution collects them: by response key
(each alias counts), a fragment once per level however often it is spread; @skip and @include are
followed. Every relation list that can outgrow a page takes `first` (`composedOf`, `antecedents`,
`Program.observations`, `endProducts` ...: docs/api.md "Pages"); the few lists without a size argument
(`referenceFiles`, `prerequisites`, `memberOf` ...: a handful per parent) count as one item per parent, so
the estimate may be low by that handful there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.language import BooleanValueNode, IntValueNode, VariableNode

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
        return 0 if root is None else self.selections(root, [operation.selection_set], 1, None)

    def collect(self, type_: GraphQLObjectType, selection_sets: list, visited: set[str],
                fields: dict[tuple[str, str], tuple[GraphQLObjectType, list[FieldNode]]]) -> None:
        """The fields of these selection sets as execution collects them (graphql-core's
        `collect_fields`): by response key (an alias, else the name) and type, a fragment spread once
        per level however often it is spread (a document spreading a fragment twice in each of 30
        nested fragments asks for one field, not 2**30)."""
        for selection_set in selection_sets:
            for item in selection_set.selections if selection_set else ():
                if not self.included(item):
                    continue
                if isinstance(item, FieldNode):
                    key = (type_.name, (item.alias or item.name).value)
                    fields.setdefault(key, (type_, []))[1].append(item)
                elif isinstance(item, InlineFragmentNode):
                    inner = self.schema.get_type(item.type_condition.name.value) if item.type_condition else type_
                    self.collect(inner, [item.selection_set], visited, fields)
                elif isinstance(item, FragmentSpreadNode):
                    name = item.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in visited:
                        visited.add(name)
                        inner = self.schema.get_type(fragment.type_condition.name.value)
                        self.collect(inner, [fragment.selection_set], visited, fields)

    def selections(self, type_: GraphQLObjectType, selection_sets: list, multiplier: int,
                   pending: int | None) -> int:
        fields: dict[tuple[str, str], tuple[GraphQLObjectType, list[FieldNode]]] = {}
        self.collect(type_, selection_sets, set(), fields)
        return sum(self.field(parent, nodes, multiplier, pending) for parent, nodes in fields.values())

    def field(self, parent: GraphQLObjectType, nodes: list[FieldNode], multiplier: int, pending: int | None) -> int:
        """The objects of one response key: its field nodes are one field (validation makes their
        arguments agree), their selections merged."""
        node = nodes[0]
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:  # (__typename; an unknown field is refused by validation)
            return 0
        target, is_list = _unwrap(definition.type)
        if not isinstance(target, GraphQLObjectType):
            return 0
        inner = [n.selection_set for n in nodes]
        size = self.size(parent, node, definition, target, is_list)
        if is_list:
            # a list holds the items its own `first` allows, else those a page or limit above it allows
            count = multiplier * (size if size is not None else pending if pending is not None else 1)
            return count + self.selections(target, inner, count, None)
        # a walk (lineage, download list) holds its `limit` products whatever is asked of them
        walked = multiplier * size if size is not None and self.walk(parent, node, definition) else 0
        pending = size if size is not None else pending
        return multiplier + walked + self.selections(target, inner, multiplier, pending)

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
        return int_value(node, self.variables, self.defaults)

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


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's fragments by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def int_value(node, variables: dict[str, Any], defaults: dict[str, Any]) -> int | None:
    """An Int argument's value: its literal, or its variable's value (else the operation's default);
    None for anything else (a bool is not an Int)."""
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, VariableNode):
        value = variables.get(node.name.value, defaults.get(node.name.value))
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def answer_objects(schema: GraphQLSchema, document, operation: OperationDefinitionNode, variables: dict[str, Any],
                   defaults: dict[str, Any], settings: Settings) -> int:
    """The most objects `operation`'s answer can hold (see the module's docstring)."""
    return Estimate(schema, fragments_of(document), variables, defaults, settings).operation(operation)
