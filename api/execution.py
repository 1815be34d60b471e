"""GraphQL execution tuned for answers that are plain dicts from Neo4j.

graphql-core resolves every field of every object through a resolver, a resolve-info object and
value completion: about 20 µs per object, more than Neo4j takes to send it. For objects that are
dicts (everything the graph returns), this executor answers two kinds of fields directly:

- plain scalar fields (a Strawberry field without resolver: a key of the dict) whose value has
  the exact type GraphQL wants (str for String, int within 32 bits for Int, float or int for
  Float, bool for Boolean, a known value for an enum, lists of those);
- relation fields whose answer was fetched with the parent (the "@<response key>" entry, see
  `api/selection.py`): the value is completed without calling the resolver.

Anything else (a value of another type, a null in a non-null field, a missing "@" entry, a
middleware) takes graphql-core's ordinary path, so errors and their paths are unchanged.

The executor uses methods graphql-core documents as private and Strawberry's field metadata;
`execution_context_class` checks at start-up that they are there as expected and otherwise logs
one warning and returns Strawberry's standard execution context (the same answers, slower).
`MASTGRAPH_FAST_EXECUTOR=false` chooses the standard one outright.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType
from graphql.pyutils import Path, Undefined

try:
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
except ImportError:  # checked by `fast_executor_problems`
    StrawberryGraphQLCoreExecutionContext = None

try:  # graphql-core 3.3
    from graphql.pyutils import gather_with_cancel as _gather
except ImportError:  # pragma: no cover - older graphql-core
    from asyncio import gather as _gather

from mastgraph.graph.settings import Settings

from .selection import DEFINITION, metadata

log = logging.getLogger("mastgraph.api")

_SLOW = object()
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _string(v: Any) -> Any:
    return v if type(v) is str else _SLOW


def _int(v: Any) -> Any:
    return v if type(v) is int and _INT_MIN <= v <= _INT_MAX else _SLOW


def _float(v: Any) -> Any:
    kind = type(v)
    if kind is float:
        return v
    return float(v) if kind is int else _SLOW


def _boolean(v: Any) -> Any:
    return v if type(v) is bool else _SLOW


def _id(v: Any) -> Any:
    kind = type(v)
    if kind is str:
        return v
    return str(v) if kind is int else _SLOW


#: Scalar types whose values of this exact Python type serialize unchanged (Int: within 32 bits).
_EXACT: dict[str, type] = {"String": str, "Int": int, "Float": float, "Boolean": bool, "ID": str}

_SCALARS: dict[str, Callable[[Any], Any]] = {
    "String": _string, "Int": _int, "Float": _float, "Boolean": _boolean, "ID": _id,
}


def _leaf(type_: Any) -> Callable[[Any], Any] | None:
    """How to serialize a non-null value of a named leaf type directly, or None."""
    if isinstance(type_, GraphQLScalarType):
        return _SCALARS.get(type_.name)
    if isinstance(type_, GraphQLEnumType):
        names = {value.value: name for name, value in type_.values.items()}

        def enum(v: Any) -> Any:
            try:
                return names.get(v, _SLOW)
            except TypeError:  # unhashable
                return _SLOW

        return enum
    return None


def coercer(type_: Any) -> Callable[[Any], Any] | None:
    """A function giving a value's serialized form (or `_SLOW`) for a leaf or list-of-leaf type."""
    non_null = isinstance(type_, GraphQLNonNull)
    if non_null:
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        inner = type_.of_type
        inner_non_null = isinstance(inner, GraphQLNonNull)
        item = _leaf(inner.of_type if inner_non_null else inner)
        if item is None:
            return None

        def many(v: Any) -> Any:
            if v is None:
                return _SLOW if non_null else None
            if type(v) is not list:
                return _SLOW
            out = []
            for x in v:
                if x is None:
                    if inner_non_null:
                        return _SLOW
                    out.append(None)
                    continue
                y = item(x)
                if y is _SLOW:
                    return _SLOW
                out.append(y)
            return out

        return many
    leaf = _leaf(type_)
    if leaf is None:
        return None
    if non_null:
        return lambda v: _SLOW if v is None else leaf(v)
    return lambda v: None if v is None else leaf(v)


@dataclass
class Plan:
    """How one selection set is answered from a dict: response keys in order, the plain scalar
    fields (response key, dict key, exact type, nullable, converter, field details), and the
    others ([response key, field details, prefetched "@" key or None, completion shape])."""

    keys: tuple[str, ...]
    leaves: tuple[tuple, ...]
    others: list[list]


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext or object):
    """Strawberry's executor with direct answers for dict sources (see the module docstring)."""

    _mastgraph_plans: dict[int, tuple[Any, Plan]] | None = None

    def _plan(self, parent_type: Any, grouped_field_set: Any) -> Plan:
        plans = self._mastgraph_plans
        if plans is None:
            plans = self._mastgraph_plans = {}
        cached = plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        leaves, others = [], []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field = self.schema.get_field(parent_type, node.name.value)
            convert = prefetched = None
            if field is not None:
                definition = (field.extensions or {}).get(DEFINITION)
                if definition is not None and definition.is_basic_field and not field.args:
                    convert = coercer(field.type)
                    if convert is not None:
                        nullable = not isinstance(field.type, GraphQLNonNull)
                        named = field.type.of_type if not nullable else field.type
                        exact = _EXACT.get(named.name) if isinstance(named, GraphQLScalarType) else None
                        leaves.append((response_name, definition.python_name, exact, nullable, convert,
                                       field_details_list))
                        continue
                meta = metadata(field)
                if "link" in meta or "role" in meta:
                    prefetched = "@" + response_name
            others.append([response_name, field_details_list, prefetched, None])
        plan = Plan(tuple(grouped_field_set), tuple(leaves), others)
        plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _direct(self) -> bool:
        middleware = self.middleware_manager
        return middleware is None or not middleware._middleware_resolvers

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        if type(source_value) is not dict or not self._direct():
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        return self._execute_planned(
            parent_type, source_value, path, self._plan(parent_type, grouped_field_set), position_context
        )

    def _execute_planned(self, parent_type, source_value, path, plan: Plan, position_context):
        """The fields of one dict. `path` may be lazy (a plain tuple, see `_path`)."""
        results: dict[str, Any] = dict.fromkeys(plan.keys)  # the response keeps the selection's order
        awaitable_fields: list[str] = []
        get = source_value.get
        try:
            for response_name, name, exact, nullable, convert, field_details_list in plan.leaves:
                value = get(name)
                if value is None:
                    if nullable:
                        continue
                elif type(value) is exact and (exact is not int or _INT_MIN <= value <= _INT_MAX):
                    results[response_name] = value
                    continue
                else:
                    value = convert(value)
                    if value is not _SLOW:
                        results[response_name] = value
                        continue
                field_path = Path(_path(path), response_name, parent_type.name)
                result = self.execute_field(parent_type, source_value, field_details_list, field_path, position_context)
                self._set(results, awaitable_fields, response_name, result)
            for entry in plan.others:
                response_name, field_details_list, prefetched, shape = entry
                value = get(prefetched, _SLOW) if prefetched is not None else _SLOW
                if value is _SLOW:
                    field_path = Path(_path(path), response_name, parent_type.name)
                    result = self.execute_field(parent_type, source_value, field_details_list, field_path,
                                                position_context)
                else:
                    if shape is None:
                        shape = entry[3] = self._shape(parent_type, field_details_list)
                    field_path = (path, response_name, parent_type.name)
                    result = _SLOW
                    if shape and shape[0] and shape[1] and type(value) is list and self.error_propagation:
                        # the common case inlined: a non-null list of dicts of a plain object type (an
                        # error inside propagates to the parent, as graphql-core would let it)
                        item_type, item_plan = shape[2], shape[3]
                        result = []
                        pending = False
                        for index, item in enumerate(value):
                            if type(item) is not dict:
                                result = _SLOW
                                break
                            completed = self._execute_planned(
                                item_type, item, (field_path, index, None), item_plan, position_context)
                            if type(completed) is not dict:
                                pending = True
                            result.append(completed)
                        else:
                            if pending:
                                result = self._gather_items(result)
                    if result is _SLOW:
                        result = self._complete_prefetched(
                            parent_type, value, field_details_list, field_path, position_context, shape
                        )
                self._set(results, awaitable_fields, response_name, result)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                name = awaitable_fields[0]
                results[name] = await results[name]
            else:
                values = await _gather(*(results[name] for name in awaitable_fields))
                results.update(zip(awaitable_fields, values, strict=True))
            return results

        return get_results()

    def _set(self, results: dict, awaitable_fields: list, response_name: str, result: Any) -> None:
        if result is Undefined:
            del results[response_name]
            return
        results[response_name] = result
        if type(result) is not dict and type(result) is not list and self.is_awaitable(result):
            awaitable_fields.append(response_name)

    @staticmethod
    def _gather_items(completed: list[Any]) -> Any:
        pending = [index for index, result in enumerate(completed) if type(result) is not dict]

        async def await_items() -> list[Any]:
            values = await _gather(*(completed[index] for index in pending))
            for index, result in zip(pending, values, strict=True):
                completed[index] = result
            return completed

        return await_items()

    def _shape(self, parent_type, field_details_list) -> tuple | bool:
        """How a prefetched answer completes directly: (non-null, list, object type, its plan), or False."""
        return_type = self.schema.get_field(parent_type, field_details_list[0].node.name.value).type
        non_null = isinstance(return_type, GraphQLNonNull)
        type_ = return_type.of_type if non_null else return_type
        many = isinstance(type_, GraphQLList)
        if many:
            if not isinstance(type_.of_type, GraphQLNonNull):
                return False
            type_ = type_.of_type.of_type
        if not isinstance(type_, GraphQLObjectType) or type_.is_type_of is not None:
            return False
        grouped_field_set, defer_usages = self.collect_subfields(type_, field_details_list)[:2]
        if defer_usages:
            return False
        return (non_null, many, type_, self._plan(type_, grouped_field_set))

    def _complete_prefetched(self, parent_type, value, field_details_list, path, position_context, shape):
        """`execute_field` for a value fetched with the parent: completion only, same error handling."""
        try:
            completed = self._complete_shape(shape, value, path, position_context) if shape else _SLOW
            if completed is _SLOW:
                path = _path(path)
                field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
                info = self.build_resolve_info(field, [d.node for d in field_details_list], parent_type, path)
                completed = self.complete_value(field.type, field_details_list, info, path, value, position_context)
        except Exception as raw_error:
            self._field_error(raw_error, parent_type, field_details_list, path)
            return None
        if type(completed) is dict or type(completed) is list or not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self._field_error(raw_error, parent_type, field_details_list, path)
                return None

        return await_completed()

    def _field_error(self, raw_error, parent_type, field_details_list, path) -> None:
        field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        self.handle_field_error(raw_error, field.type, field_details_list, _path(path))

    def _complete_shape(self, shape, value, path, position_context) -> Any:
        """A dict, or a list of dicts, of a plain object type, its fields executed directly; `_SLOW`
        for anything else (nulls where the type forbids them, other values), which graphql-core's
        `complete_value` then handles."""
        non_null, many, type_, plan = shape
        if value is None:
            return _SLOW if non_null else None
        if not many:
            if type(value) is not dict:
                return _SLOW
            return self._execute_planned(type_, value, path, plan, position_context)
        if type(value) is not list:
            return _SLOW
        for item in value:
            if type(item) is not dict:
                return _SLOW
        completed = [self._execute_planned(type_, item, (path, index, None), plan, position_context)
                     for index, item in enumerate(value)]
        if any(type(result) is not dict for result in completed):
            return self._gather_items(completed)
        return completed


def _path(path: Any) -> Path | None:
    """A graphql-core Path from a lazy one: nested plain tuples (previous, key, type name) are only
    turned into Paths when an error or an ordinary field needs one."""
    if type(path) is not tuple:
        return path
    previous, key, typename = path
    return Path(_path(previous), key, typename)


# --------------------------------------------------------------------------- start-up check

#: The executor methods used or overridden here, with the parameters they are called with.
_METHODS: dict[str, tuple[str, ...]] = {
    "execute_fields": ("parent_type", "source_value", "path", "grouped_field_set", "position_context"),
    "execute_field": ("parent_type", "source", "field_details_list", "path", "position_context"),
    "collect_subfields": ("return_type", "field_details_list"),
    "build_resolve_info": ("field_def", "field_nodes", "parent_type", "path"),
    "complete_value": ("return_type", "field_details_list", "info", "path", "result", "position_context"),
    "handle_field_error": ("raw_error", "return_type", "field_details_list", "path"),
    "settle_in_background": ("awaitables",),
    "is_awaitable": None,
}
#: Attributes the execution context's constructors set and the executor reads.
_ATTRIBUTES = ("schema", "middleware_manager", "error_propagation")


def fast_executor_problems(base: Any = None) -> list[str]:
    """What the fast executor relies on that the installed graphql-core and Strawberry lack (empty
    when all is there): the base class, its methods and their parameters, the attributes its
    constructors set, the middleware manager's resolver list, a field's details' node, Strawberry's
    field definition (`is_basic_field`, `python_name`)."""
    base = StrawberryGraphQLCoreExecutionContext if base is None else base
    if base is None:
        return ["strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext is gone"]
    problems = []
    for name, parameters in _METHODS.items():
        method = getattr(base, name, None)
        if method is None:
            problems.append(f"the execution context has no {name}")
            continue
        if parameters is None:
            continue
        try:
            found = tuple(inspect.signature(method).parameters)[1:]
        except (TypeError, ValueError):
            problems.append(f"the parameters of {name} cannot be read")
            continue
        if found != parameters:
            problems.append(f"{name} takes ({', '.join(found)}), not ({', '.join(parameters)})")
    assigned: set[str] = set()
    for klass in base.__mro__:
        init = klass.__dict__.get("__init__")
        code = getattr(init, "__code__", None)
        if code is not None:
            assigned.update(code.co_names)
    problems += [f"the execution context no longer sets {name}" for name in _ATTRIBUTES if name not in assigned]
    try:
        from graphql.execution.collect_fields import FieldDetails
        from graphql.execution.middleware import MiddlewareManager
        from strawberry.types.field import StrawberryField
    except ImportError as exc:
        return [*problems, f"cannot import {exc.name}"]
    if "_middleware_resolvers" not in getattr(MiddlewareManager, "__slots__", ()):
        problems.append("MiddlewareManager has no _middleware_resolvers")
    if "node" not in getattr(FieldDetails, "_fields", ()):
        problems.append("FieldDetails has no node")
    for name in ("is_basic_field", "python_name"):
        if not hasattr(StrawberryField, name):
            problems.append(f"StrawberryField has no {name}")
    return problems


def schema_problems(schema: Any) -> list[str]:
    """What the fast executor needs of a built schema: each field's Strawberry definition under
    the extension key it reads (`api/selection.py`'s DEFINITION)."""
    graphql_schema = getattr(schema, "_schema", None)
    query = getattr(graphql_schema, "query_type", None)
    if query is None or not query.fields:
        return ["the Strawberry schema has no GraphQL query type where expected"]
    field = next(iter(query.fields.values()))
    if DEFINITION not in (field.extensions or {}):
        return [f"Strawberry no longer keeps a field's definition under {DEFINITION!r}"]
    return []


def execution_context_class(settings: Settings, schema: Any) -> type | None:
    """The execution context for a built schema: the fast one when the settings allow it and its
    start-up check passes, else Strawberry's standard one (None; one warning when the check failed)."""
    if not settings.fast_executor:
        return None
    problems = fast_executor_problems() or schema_problems(schema)
    if problems:
        log.warning("fast GraphQL executor off, Strawberry's standard execution instead: %s "
                    "(set MASTGRAPH_FAST_EXECUTOR=false to choose it without this check)", "; ".join(problems))
        return None
    return FastExecutionContext
