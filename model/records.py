"""The records loaders make and the graph writes (online or in bulk): `Node` and `Edge`.

Property values are plain Python scalars (str, int, float, bool) or homogeneous lists of them;
``None`` means "not known here" and is never written, so a sparse record never erases what a
richer source said. A property keeps one Python type everywhere (``size`` is always int, ``t_min``
always float) so that the online and bulk paths store identical values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Union

from mastgraph.model.vocabulary import EDGE_IDENTITY, EDGE_IDENTITY_TEXT, VALUE_OF, Label, Rel

Value = Union[str, int, float, bool, list]


# Node, Edge (and tables.Row, names.ProductName) write their own __init__: a frozen dataclass's
# sets each field through object.__setattr__ (the class refuses its own __setattr__); setting the
# slots through their descriptors does the same in about half the time, which counts when a bulk
# build makes millions of records. The parameters and defaults are those the dataclass would give.

def slot_setters(cls: type) -> tuple:
    """The `__set__` of each field's slot of a slotted dataclass, in field order."""
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


class _Factory:
    """The default of `props`: "not given", so a new empty dict, as `field(default_factory=dict)`."""

    def __repr__(self) -> str:
        return "<factory>"  # as the dataclass's signature shows it


NEW_DICT: Any = _Factory()


@dataclass(frozen=True, slots=True, init=False)
class Node:
    """One node: its keyed label, key value, extra labels and properties (key excluded)."""

    label: Label
    key: str | int
    props: Mapping[str, Any] = field(default_factory=dict)
    labels: tuple[Label, ...] = ()
    origin: str = ""

    def __init__(self, label: Label, key: str | int, props: Mapping[str, Any] = NEW_DICT,
                 labels: tuple[Label, ...] = (), origin: str = "") -> None:
        set_label, set_key, set_props, set_labels, set_origin = _NODE_SETTERS
        set_label(self, label)
        set_key(self, key)
        set_props(self, {} if props is NEW_DICT else props)
        set_labels(self, labels)
        set_origin(self, origin)

    @property
    def ref(self) -> tuple[Label, str | int]:
        return (self.label, self.key)


@dataclass(frozen=True, slots=True, init=False)
class Edge:
    """One relationship between two keyed nodes; at most one per (type, start, end)."""

    type: Rel
    start: tuple[Label, str | int]
    end: tuple[Label, str | int]
    props: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""

    def __init__(self, type: Rel, start: tuple[Label, str | int], end: tuple[Label, str | int],
                 props: Mapping[str, Any] = NEW_DICT, origin: str = "") -> None:
        set_type, set_start, set_end, set_props, set_origin = _EDGE_SETTERS
        set_type(self, type)
        set_start(self, start)
        set_end(self, end)
        set_props(self, {} if props is NEW_DICT else props)
        set_origin(self, origin)

    @property
    def identity(self) -> tuple[str, ...]:
        """The names of the properties that tell two edges of one type between one pair apart."""
        return EDGE_IDENTITY.get((self.type, self.start[0]), ())

    @property
    def ref(self) -> tuple:
        return (self.type, self.start, self.end, tuple(self.props.get(k) for k in self.identity))


_NODE_SETTERS = slot_setters(Node)
_EDGE_SETTERS = slot_setters(Edge)


#: The plain form of records a loader may give for a file whose rows are all good (`plain_records`),
#: which the pipelines take instead of its records: a node as (PLAIN_NODE, label, key, props, extra
#: labels, origin), a relationship as (PLAIN_EDGE, type, start label, start key, end label, end key,
#: props, origin), the vocabulary members as their texts and the props without None values. A tuple
#: costs far less to make and to read than a record (`pipeline.across_spill._row` is a record's
#: plain form after its number).
PLAIN_NODE, PLAIN_EDGE = 0, 1


def plain(record: Node | Edge) -> tuple:
    """A record in the plain form (its props a dict without None values: a copy only when needed)."""
    props = record.props
    if type(props) is not dict or (props and None in props.values()):
        props = clean(props)
    if type(record) is Node:
        labels = record.labels
        return (PLAIN_NODE, record.label._value_, record.key, props, tuple(map(VALUE_OF, labels)) if labels else (),
                record.origin)
    start, end = record.start, record.end
    return (PLAIN_EDGE, record.type._value_, start[0]._value_, start[1], end[0]._value_, end[1], props,
            record.origin)


def plain_identity(rel: str, start: str, props: Mapping[str, Any]) -> tuple:
    """The identity values (`Edge.ref`'s last item) of a relationship in plain form: those of
    EDGE_IDENTITY_TEXT's names for its type and start label, () when it has none. (A hot loop tests
    `rel in IDENTITY_TYPES_TEXT` first and calls this only then.)"""
    names = EDGE_IDENTITY_TEXT.get((rel, start))
    return tuple([props.get(name) for name in names]) if names else ()


def member_text(uri: str | int, props: Mapping[str, Any]) -> str:
    """An association member as the files' member lists are compared (`uri|product|exptype`): its
    HAS_MEMBER relationship's end key and properties."""
    return f"{uri}|{props.get('product') or ''}|{props.get('exptype') or ''}"


def clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """Props without the unknown (None) values."""
    return {k: v for k, v in props.items() if v is not None}
