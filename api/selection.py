"""A resolver's GraphQL selection as a `graph.compiler.Selection`: what to fetch, in one query.

The walk follows the operation's own fragments, inline fragments and @skip/@include, reads
argument values (literals or variables), and maps each field through its Strawberry definition:
a plain field is a node property (its Python name, read as `graph/views.py` says), a field made
with `relations.relation` is a `Child` through `graph/views.py` LINKS. With `nested=False` related
nodes are left out, so each relation field is loaded on its own, level by level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    ValueNode,
)
from graphql.language import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    VariableNode,
)
from graphql.pyutils import Undefined

from mastgraph.model.vocabulary import Label
from mastgraph.graph.compiler import Child, EdgeSelection, InputsSelection, Selection
from mastgraph.graph.views import LINKS

from . import arguments

DEFINITION = "strawberry-definition"


def named_type(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def metadata(field: GraphQLField) -> dict[str, Any]:
    definition = (field.extensions or {}).get(DEFINITION)
    return getattr(definition, "metadata", None) or {}


def plain(value: Any) -> Any:
    """A coerced argument value with enum members as the values the graph stores."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def label_of(type_: GraphQLObjectType) -> Label:
    """GraphQL node types are named after the model's labels."""
    return Label(type_.name)


def merge(a: Selection | None, b: Selection) -> Selection:
    """One selection answering both; a child asked twice differently is left to its resolver."""
    if a is None:
        return b
    children = {c.key: c for c in a.children}
    clashes = set()
    for child in b.children:
        mine = children.get(child.key)
        if mine is None:
            children[child.key] = child
        elif mine != child:
            if mine.link == child.link and mine.values == child.values and mine.page == child.page \
                    and isinstance(mine.selection, Selection) and isinstance(child.selection, Selection):
                children[child.key] = Child(child.key, child.link, merge(mine.selection, child.selection),
                                            child.values, child.page)
            else:
                clashes.add(child.key)
    kept = tuple(c for key, c in children.items() if key not in clashes)
    return Selection(a.label, tuple(dict.fromkeys(a.fields + b.fields)), kept)


def merge_edges(a: EdgeSelection | None, b: EdgeSelection) -> EdgeSelection:
    """One relationship-item selection answering both (`merge` of the nodes at each end)."""
    if a is None:
        return b
    ends = {key: (role, node) for key, role, node in a.ends}
    for key, role, node in b.ends:
        mine = ends.get(key)
        # (one response key in two roles, under `nodes` and `edges.node`: the first role is fetched)
        ends[key] = (role, node) if mine is None else (mine[0], merge(mine[1], node) if mine[0] == role else mine[1])
    return EdgeSelection(tuple(dict.fromkeys(a.fields + b.fields)), tuple((k, r, n) for k, (r, n) in ends.items()))


@dataclass
class Walker:
    """Reads one operation's selections (fragments and variables of that operation)."""

    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    max_page_size: int
    nested: bool = True

    @classmethod
    def of(cls, info: GraphQLResolveInfo, max_page_size: int, nested: bool = True) -> Walker:
        return cls(info.fragments, dict(info.variable_values or {}), max_page_size, nested)

    # -- fields ---------------------------------------------------------------------------
    def collect(self, type_: GraphQLObjectType, nodes: Iterable[FieldNode]) -> dict[str, list[FieldNode]]:
        """The sub-fields of `nodes` on `type_`, by response key."""
        out: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is not None:
                self._collect(type_, node.selection_set.selections, out, set())
        return out

    def _collect(self, type_, selections, out, seen: set[str]) -> None:
        for item in selections:
            if not self.included(item):
                continue
            if isinstance(item, FieldNode):
                out.setdefault((item.alias or item.name).value, []).append(item)
            elif isinstance(item, InlineFragmentNode):
                if item.type_condition is None or item.type_condition.name.value == type_.name:
                    self._collect(type_, item.selection_set.selections, out, seen)
            elif isinstance(item, FragmentSpreadNode) and item.name.value not in seen:
                seen.add(item.name.value)
                fragment = self.fragments.get(item.name.value)
                if fragment is not None and fragment.type_condition.name.value == type_.name:
                    self._collect(type_, fragment.selection_set.selections, out, seen)

    def included(self, node) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name in ("skip", "include"):
                condition = next((self.value(a.value) for a in directive.arguments if a.name.value == "if"), None)
                if (name == "skip" and condition is True) or (name == "include" and condition is False):
                    return False
        return True

    # -- argument values --------------------------------------------------------------------
    def value(self, node: ValueNode, type_: Any = None) -> Any:
        named = named_type(type_) if type_ is not None else None
        if isinstance(node, VariableNode):
            return plain(self.variables.get(node.name.value))
        if isinstance(node, NullValueNode):
            return None
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, FloatValueNode):
            return float(node.value)
        if isinstance(node, StringValueNode | BooleanValueNode):
            return node.value
        if isinstance(node, EnumValueNode):
            if isinstance(named, GraphQLEnumType) and node.value in named.values:
                return named.values[node.value].value
            return node.value
        if isinstance(node, ListValueNode):
            inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
            inner = inner.of_type if isinstance(inner, GraphQLList) else None
            return [self.value(v, inner) for v in node.values]
        if isinstance(node, ObjectValueNode):
            fields = named.fields if isinstance(named, GraphQLInputObjectType) else {}
            return {f.name.value: self.value(f.value, getattr(fields.get(f.name.value), "type", None)) for f in node.fields}
        raise TypeError(f"unexpected value node {node!r}")

    def arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        given = {a.name.value: a.value for a in node.arguments or ()}
        out = {}
        for name, definition in field.args.items():
            if name in given:
                out[name] = self.value(given[name], definition.type)
            else:
                default = definition.default_value
                out[name] = None if default is Undefined else plain(default)
        return out

    # -- selections ---------------------------------------------------------------------------
    def selection(self, type_: GraphQLObjectType, nodes: Iterable[FieldNode], *, nested: bool | None = None) -> Selection:
        """What a node type's selection needs: its properties, and (nested) its related nodes."""
        nested = self.nested if nested is None else nested
        fields: list[str] = []
        children: list[Child] = []
        for key, field_nodes in self.collect(type_, nodes).items():
            name = field_nodes[0].name.value
            if name.startswith("__"):
                continue
            field = type_.fields[name]
            meta = metadata(field)
            if "link" in meta:
                if nested:
                    children.append(self.child(key, field, field_nodes))
                continue
            definition = field.extensions.get(DEFINITION)
            if definition is not None and definition.is_basic_field:
                fields.append(definition.python_name)
        return Selection(label_of(type_), tuple(dict.fromkeys(fields)), tuple(children))

    def child(self, key: str, field: GraphQLField, nodes: list[FieldNode]) -> Child:
        """The related nodes a relation field answers, under "@<response key>"."""
        meta = metadata(field)
        link = LINKS[meta["link"]]
        args = self.arguments(field, nodes[0])
        values = None
        if meta.get("filter"):
            wanted = args.get(meta["filter"])
            if wanted is not None:
                values = tuple(wanted) if isinstance(wanted, list) else (wanted,)
        target = named_type(field.type)
        if link.inputs:
            return Child("@" + key, meta["link"], self.inputs_selection(target, nodes))
        if link.page:
            page, items = self.page(target, nodes, args, members=link.edge is not None)
            return Child("@" + key, meta["link"], items, values, page)
        cap = arguments.list_cap(args.get("first"), self.max_page_size) if "first" in field.args else None
        if link.edge is not None:
            return Child("@" + key, meta["link"], self.edge_selection(target, nodes), values, cap)
        return Child("@" + key, meta["link"], self.selection(target, nodes), values, cap)

    def edge_selection(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> EdgeSelection:
        """Items that are relationships: their own fields and the nodes at their ends."""
        fields: list[str] = []
        ends = []
        for key, field_nodes in self.collect(type_, nodes).items():
            name = field_nodes[0].name.value
            if name.startswith("__"):
                continue
            field = type_.fields[name]
            role = metadata(field).get("role")
            if role is not None:
                ends.append(("@" + key, role, self.selection(named_type(field.type), field_nodes)))
            else:
                fields.append(field.extensions[DEFINITION].python_name)
        return EdgeSelection(tuple(fields), tuple(ends))

    def inputs_selection(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> InputsSelection:
        """What went into a product: the selections of its observations and programs (both node types)."""
        parts: dict[str, Selection] = {}
        for field_nodes in self.collect(type_, nodes).values():
            name = field_nodes[0].name.value
            if name in ("observations", "programs"):
                selection = self.selection(named_type(type_.fields[name].type), field_nodes)
                parts[name] = merge(parts.get(name), selection)
        return InputsSelection(**parts)

    def page(self, connection: GraphQLObjectType, nodes: list[FieldNode], args: dict[str, Any], members: bool = False):
        """A connection's page (first, after, filter, count) and its items' selection: nodes (products,
        observations ...), or (`members`) association members, whose selection is an `EdgeSelection`."""
        items: Any = None
        count = False
        item_type = named_type(connection.fields["nodes"].type)
        read_items = self.edge_selection if members else self.selection
        join = merge_edges if members else merge
        for field_nodes in self.collect(connection, nodes).values():
            name = field_nodes[0].name.value
            if name == "totalCount":
                count = True
            elif name == "nodes":
                items = join(items, read_items(item_type, field_nodes))
            elif name == "edges":
                edge_type = named_type(connection.fields["edges"].type)
                for edge_nodes in self.collect(edge_type, field_nodes).values():
                    if edge_nodes[0].name.value == "node":
                        items = join(items, read_items(item_type, edge_nodes))
        filters = arguments.product_filters(args.get("filter"))
        label = Label.PRODUCT if members else label_of(item_type)
        page = arguments.page(args.get("first"), args.get("after"), self.max_page_size, filters, count, members, label)
        return page, items or (EdgeSelection() if members else Selection(label))

    # -- from a resolver ----------------------------------------------------------------------
    def of_field(self, info: GraphQLResolveInfo) -> Selection:
        """The selection of the field being resolved (its type is a node type)."""
        return self.selection(named_type(info.return_type), info.field_nodes)

    def at(self, type_: GraphQLObjectType, nodes: list[FieldNode], *path: str) -> tuple[GraphQLObjectType, list[FieldNode]] | None:
        """The type and field nodes under a path of field names (all response keys merged)."""
        for name in path:
            found: list[FieldNode] = []
            for field_nodes in self.collect(type_, nodes).values():
                if field_nodes[0].name.value == name:
                    found.extend(field_nodes)
            if not found:
                return None
            type_ = named_type(type_.fields[name].type)
            nodes = found
        return type_, nodes
