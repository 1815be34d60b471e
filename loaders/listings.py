"""MAST product listings: one row per product, listed under an observation (`parent_obsid`).

Sources: `Observations.get_product_list` (written as ECSV/CSV/VOTable), the Portal's CSV export,
the MAST JWST products API (JSON or CSV), and `jwst_mast_query`'s reduced product table (its
`outfilename` local paths name the products; it has no `productFilename`/`dataURI`).

Per row: the Product (file-name facts plus the listing's columns), its own Observation and
Program, the listed parent Observation (`mast_listed`) with `HAS_MEMBER` when it differs,
`MAST_MRP` from the parent when the row is flagged, and `AGGREGATION` for intermediate and
guide-star products. `mast_mrp` is set only in the product's own listing (obsID == parent_obsid),
since MAST's flag is relative to the listed observation (docs/model.md, "Minimum Recommended
Products").

A CSV listing (most are) is read as cells (`Table.cells`) by `cells_row`, which places the columns
once per file; other formats row by row (`listing_row`). Both give the same records, Rejects and
messages (tests/loaders/test_listings_sameness.py).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from mastgraph.model.vocabulary import AggregationKind, Label, Rel
from mastgraph.loaders import domains, names
from mastgraph.loaders.records import LoadError, Record, Reject
from mastgraph.model.records import PLAIN_EDGE, PLAIN_NODE, Edge, Node, clean
from mastgraph.loaders.tables import (
    UNKNOWN_FORMS, BadValue, Row, Table, ident, integer, read_table, sniff_columns, text)
from mastgraph.loaders.table_values import INT64_MAX, ident_text
from mastgraph.model.errors import shown

MRP_GROUP = "Minimum Recommended Products"
#: Columns that name the product, in order of preference for the file name.
NAME_COLUMNS = ("productFilename", "dataURI", "outfilename")
#: Listing column -> Product property (text values).
TEXT_PROPS = {
    "description": "description",
    "productType": "product_type",
    "productSubGroupDescription": "subgroup",
    "dataproduct_type": "dataproduct_type",
    "project": "project",
    "prvversion": "prvversion",
    "dataRights": "data_rights",
    "exp_type": "exp_type",
}
_TEXT_ITEMS = tuple(TEXT_PROPS.items())
_OBS_ID_PROGRAM = re.compile(r"^jw(\d{5})", re.IGNORECASE)
#: The vocabulary members of the records, looked up once (not per row).
_OBSERVATION, _PRODUCT, _PROGRAM = Label.OBSERVATION, Label.PRODUCT, Label.PROGRAM
_COMBINED = (Label.COMBINED,)
_HAS_OBSERVATION, _HAS_PRODUCT, _HAS_MEMBER = Rel.HAS_OBSERVATION, Rel.HAS_PRODUCT, Rel.HAS_MEMBER
_MAST_MRP, _AGGREGATION = Rel.MAST_MRP, Rel.AGGREGATION


def is_listing(columns: set[str] | tuple[str, ...]) -> bool:
    """A product listing has `obsID` and a column naming the product."""
    return "obsID" in columns and any(c in columns for c in NAME_COLUMNS)


#: Columns only product listings have (MAST's product fields): two of them, or `obsID`, make a
#: table look like a listing, which is then told what it lacks (not "unrecognised file kind").
LISTING_COLUMNS = frozenset({"parent_obsid", "productType", "productGroupDescription",
                             "productSubGroupDescription", "productDocumentationURL", "dataURI",
                             "productFilename"})


def looks_like_listing(columns: set[str] | tuple[str, ...]) -> bool:
    return is_listing(columns) or (
        ("obsID" in columns or len(LISTING_COLUMNS.intersection(columns)) >= 2) and "obsid" not in columns)


class ListingLoader:
    """Product listing rows -> Product, Observation, Program nodes and their relationships."""

    kind: ClassVar[str] = "listing"
    #: CSV rows read as cells by `cells_row` (False: as `Row`s by `listing_row`, as every other format)
    read_cells: ClassVar[bool] = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        return looks_like_listing(sniff_columns(path, head))

    def records(self, path: Path) -> Iterator[Record]:
        table = _listing_table(path)
        context = Context()
        if table.cells is not None and self.read_cells:
            yield from _cells_records(table, context)
            return
        for row in table.rows:
            if row.error:
                yield Reject(row.origin, row.error)
                continue
            try:
                records = listing_row(row, context)
            except (BadValue, names.BadName) as exc:
                yield Reject(row.origin, str(exc))
                continue
            yield from records

    def plain_records(self, path: Path) -> list[tuple] | None:
        """The records of a CSV listing whose rows are all good, as `pipeline.ingest._checked` passes
        them on (none that repeats what the file said before), in plain form (`model.records.plain`);
        None when the file is read otherwise or needs `records` (which words what is wrong): not a
        CSV file, a bad row, a value that differs from one the file gave before. See `plain_listing`."""
        if not self.read_cells:
            return None
        try:
            return plain_listing(_listing_table(path))
        except (LoadError, BadValue, names.BadName):
            return None


def _listing_table(path: Path) -> Table:
    """The listing's table, its header checked (`LoadError` when it is not a listing's)."""
    table = read_table(path)
    hint = "this looks like observation rows, not a product listing" if table.has("obsid") else ""
    if hint:
        table.require("obsID", hint=hint)
    if table.columns and not any(table.has(c) for c in NAME_COLUMNS):
        raise LoadError(table.header_origin, "a product listing needs a 'dataURI' or 'productFilename' "
                                             "column and this table has neither")
    table.require("obsID")
    return table


def plain_listing(table: Table) -> list[tuple] | None:
    """`ListingLoader.plain_records` of a listing's table: the rows read as `_cells_records` reads
    them, and what `_checked`'s `RecordMerger` would make of their records, without one made.

    A record is passed on when it is the first of its key, or adds a label or a property to what
    the file gave before (as `RecordMerger.add` passes them on); a value that differs from one
    given before (a conflict, which `_checked` words) gives None. A product's relationships are
    each the first of their key when its product is. `BadValue`/`BadName` (a bad row) go to the
    caller."""
    if table.cells is None:
        return None
    row = cells_checked(table.columns)
    context = Context()
    plain: list[tuple] = []
    add = plain.append
    # the nodes given so far: (label, key) -> [labels, props]; the relationships of the contexts
    # and of the products named again
    nodes: dict[tuple[str, str], list] = {}
    edges: set[tuple[str, str, str]] = set()
    node, edge = PLAIN_NODE, PLAIN_EDGE
    observation, product_label, program_label = _OBSERVATION.value, _PRODUCT.value, _PROGRAM.value
    has_observation, has_member, has_product = _HAS_OBSERVATION.value, _HAS_MEMBER.value, _HAS_PRODUCT.value
    mast_mrp, aggregation = _MAST_MRP.value, _AGGREGATION.value
    try:
        for where, cells, error in table.cells:
            if error:
                return None
            props, mrp_column, flagged, obsid, parent, obs_id, program, uri, labels, kind = row(cells)
            _product_props(props, mrp_column, flagged, obsid, parent, context)
            texts = _label_texts(labels)
            seen = nodes.get((product_label, uri))
            if seen is None:
                nodes[(product_label, uri)] = [texts, props]
                add((node, product_label, uri, props, texts, where))
            elif _adds(seen, texts, props):
                add((node, product_label, uri, props, texts, where))
            if not context.repeat(obsid, obs_id, program, parent):
                observation_props = {}
                if obs_id is not None:
                    observation_props["obs_id"] = obs_id
                if program is not None:
                    observation_props["program"] = program
                given = [(observation, obsid, observation_props, _label_texts(form_labels(obs_id)))]
                if program is not None:
                    given.append((program_label, program, {"proposal_id": _proposal_id(program)}, ()))
                if parent is not None:
                    given.append((observation, parent, {"mast_listed": True},
                                  _COMBINED_TEXTS if parent != obsid else ()))
                for label, key, given_props, given_texts in given:
                    seen = nodes.get((label, key))
                    if seen is None:
                        nodes[(label, key)] = [given_texts, given_props]
                    elif not _adds(seen, given_texts, given_props):
                        continue
                    add((node, label, key, given_props, given_texts, where))
                if program is not None and (has_observation, program, obsid) not in edges:
                    edges.add((has_observation, program, obsid))
                    add((edge, has_observation, program_label, program, observation, obsid, {}, where))
                if parent is not None and parent != obsid and (has_member, parent, obsid) not in edges:
                    edges.add((has_member, parent, obsid))
                    add((edge, has_member, observation, parent, observation, obsid, {}, where))
            product_edges = [(has_product, obsid)]
            if parent is not None and flagged:
                product_edges.append((mast_mrp, parent))
            if kind is not None:
                product_edges.append((aggregation, obsid))
            for rel, start in product_edges:
                if (rel, start, uri) in edges:
                    continue  # (only when the product is named again; an AGGREGATION's kind is its name's)
                edges.add((rel, start, uri))
                add((edge, rel, observation, start, product_label, uri, {"kind": kind} if rel == aggregation else {},
                     where))
    except _Differs:
        return None
    return plain


class _Differs(Exception):
    """A record of a listing gives a value that differs from one given before (`_adds`)."""


def _adds(seen: list, texts: tuple[str, ...], props: dict[str, Any]) -> bool:
    """Whether a later record of a node adds to what the file gave (`seen`: [labels, props],
    updated, its props copied before they change), as `RecordMerger.add` says; `_Differs` when it
    gives a value that differs from one given."""
    new = copied = False
    if texts:
        extra = tuple(text for text in texts if text not in seen[0])
        if extra:
            seen[0] = seen[0] + extra
            new = True
    known = seen[1]
    for name, value in props.items():
        old = known.get(name)
        if old is None:
            if not copied:
                known = seen[1] = dict(known)
                copied = True
            known[name] = value
            new = True
        elif old != value or type(old) is not type(value):
            raise _Differs
    return new


@functools.lru_cache(maxsize=256)
def _label_texts(labels: tuple[Label, ...]) -> tuple[str, ...]:
    return tuple(label.value for label in labels)


_COMBINED_TEXTS = _label_texts(_COMBINED)


@functools.lru_cache(maxsize=4096)
def _parsed(filename: str) -> tuple[names.ProductName, dict[str, Any], str | None, int | None]:
    """`names.parse` of a file name, its known (not None) properties, its AGGREGATION kind and the
    calib_level its level calls for (None: any).

    Remembered for the names seen last: a program's products are named again by its exposure and
    combined listings. What is cached is only read (copied into each record), never changed.
    """
    name = names.parse_shared(filename)
    kind = aggregation_kind(name)
    return name, clean(name.props), None if kind is None else kind.value, domains.LEVEL_OF_NAME.get(name.level or "")


class Context:
    """The observation context rows of one file gave: which to describe again.

    Every row names its observation (obs_id, program), the program and the listed parent. The
    rows of one observation repeat these records word for word; the within-file check would
    pass none of the repeats on, so they are not made. A context is described again when its
    observation has been given more than one (obs_id, program) in the file: then the check
    must see each row's records, to report each conflicting row as it would.
    """

    __slots__ = ("given", "forms", "parents")

    def __init__(self) -> None:
        self.given: set[tuple] = set()
        # obsid -> its (obs_id, program), or None once the file gave it more than one
        self.forms: dict[str, tuple | None] = {}
        # the file's parent_obsid links, which must form a forest (domains.ParentForest)
        self.parents = domains.ParentForest()

    def repeat(self, obsid: str, obs_id: str | None, program: str | None, parent: str | None) -> bool:
        """Whether the records of this context were made for an earlier row and need not be again."""
        form = (obs_id, program)
        known = self.forms.get(obsid, form)
        if known != form:  # (None: more than one already)
            self.forms[obsid] = None
            return False
        self.forms[obsid] = form
        context = (obsid, obs_id, program, parent)
        if context in self.given:
            return True
        self.given.add(context)
        return False


def listing_row(row: Row, context: Context | None = None) -> list[Record]:
    """The records of one listing row; raises `BadValue`/`BadName` when the row cannot be used.

    With a `Context` (the rows of one file), the observation, program and parent records a row
    repeats word for word from an earlier row are left out."""
    where = row.origin
    values = row.values
    get = values.get
    obsid = ident(get("obsID"), "obsID")
    if obsid is None:
        raise BadValue("obsID is empty")
    parent = ident(get("parent_obsid"), "parent_obsid")
    filename, uri = product_name(row)
    name, name_props, kind, name_level = _parsed(filename)
    obs_id = text(get("obs_id"), "obs_id")
    program = row_program(row, obs_id, name_props.get("program"))

    # The Product's properties without the unknown ones, in the order: the name's, then the
    # listing's (no listing property is also a name property).
    props: dict[str, Any] = {**name_props, "filename": filename}
    _put_size(props, integer(get("size"), "size"))
    _put_level(props, integer(get("calib_level"), "calib_level"), name.level, name_level, filename)
    for column, prop in _TEXT_ITEMS:
        value = get(column)
        if value is None:
            continue
        if type(value) is str:  # text(value), inline
            value = value.strip()
            if value in UNKNOWN_FORMS:
                continue
        elif (value := text(value, column)) is None:
            continue
        props[prop] = value
    value = get("type")
    _check_enumerations(props, value if value is None or (type(value) is str and value in _LISTING_TYPES)
                        else text(value, "type"))
    if obs_id is not None:
        obsnum = get("obsnum")
        if obsnum is not None and type(obsnum) not in (str, int, float):
            obsnum = repr(obsnum)  # (a JSON list or object: not a number, said so by the check)
        problem = _obs_id_problem(obs_id, program if "proposal_id" in values else None, obsnum)
        if problem is not None:
            raise BadValue(problem)
    flagged = text(get("productGroupDescription"), "productGroupDescription") == MRP_GROUP
    return _row_records(props, "productGroupDescription" in values, flagged, obsid, parent, obs_id, program,
                        uri, name.labels, kind, where, context)


#: The cells a CSV listing row is read by (`cells_row`), and its text columns (`TEXT_PROPS`).
_CELL_COLUMNS = ("obsID", "parent_obsid", "dataURI", "productFilename", "outfilename", "obs_id", "proposal_id",
                 "size", "calib_level", "type", "productGroupDescription", "obsnum")
_TEXT_COLUMNS, _TEXT_NAMES = tuple(TEXT_PROPS), tuple(TEXT_PROPS.values())
_NO_CELL = [None]  # the cell of a column the file does not have
#: Distinct combinations of text cells a file's `cells_row` remembers as checked.
_CHECKED_TEXTS = 4096


def _cells_records(table: Table, context: Context) -> Iterator[Record]:
    """`ListingLoader.records` of a CSV table's rows, read as cells (`Table.cells`)."""
    row = cells_row(table.columns)
    for where, cells, error in table.cells:
        if error:
            yield Reject(where, error)
            continue
        try:
            records = row(cells, where, context)
        except (BadValue, names.BadName) as exc:
            yield Reject(where, str(exc))
            continue
        yield from records


def cells_row(columns: tuple[str, ...]) -> Callable[[list, str, Context | None], list[Record]]:
    """`listing_row` for the rows of a CSV file with these columns, given as cells in column order
    (stripped, None when unknown, as `Table.cells` gives them): `cells_checked`, then the records."""
    checked = cells_checked(columns)

    def row(cells: list, where: str, context: Context | None = None) -> list[Record]:
        return _row_records(*checked(cells), where, context)

    return row


def cells_checked(columns: tuple[str, ...]) -> Callable[[list], tuple]:
    """For the rows of a CSV file with these columns: a row's cells (as `Table.cells` gives them)
    -> the arguments of `_row_records` but for the origin and context (`props`, ... `kind`), checked;
    `BadValue`/`BadName` when the row cannot be used. What depends only on the columns is worked
    out once: where each column is, which optional columns the file has.

    A CSV cell is a stripped known text or None, so `text` and `ident` give it back as it is, and
    `integer` is `int` when that succeeds; the checks, their order and messages are `listing_row`'s.
    """
    at = {column: number for number, column in enumerate(columns)}
    absent = len(columns)  # the index of _NO_CELL in `cells + _NO_CELL`
    pick = operator.itemgetter(*(at.get(column, absent) for column in _CELL_COLUMNS))
    pick_texts = operator.itemgetter(*(at.get(column, absent) for column in _TEXT_COLUMNS))
    proposal_column, mrp_column = "proposal_id" in at, "productGroupDescription" in at
    text_names = _TEXT_NAMES
    # (text cells, type) -> the text properties they give, once checked (`_check_enumerations`):
    # a file's rows repeat a few combinations (the suffixes' descriptions, types, subgroups)
    checked: dict[tuple, dict[str, str]] = {}

    def row(cells: list) -> tuple:
        cells = cells + _NO_CELL
        obsid, parent, uri, filename, local, obs_id, proposal, size, calib_level, listing_type, group, obsnum = \
            pick(cells)
        if obsid is None:
            raise BadValue("obsID is empty")
        if "." in obsid:  # (`ident`: `71672220.0`, as a float column writes it, is `71672220`)
            obsid = ident_text(obsid)
        if parent is not None and "." in parent:
            parent = ident_text(parent)
        if uri is None or filename is None or not uri.startswith("mast:") or not uri.endswith("/" + filename):
            filename, uri = _name_and_uri(uri, filename, local)  # (else both given and agreeing, as it checks)
        name, name_props, kind, name_level = _parsed(filename)
        if proposal is not None:
            program = _program_key(proposal)
        else:
            program = _obs_id_program(obs_id) if obs_id is not None else None
            if program is None:
                program = name_props.get("program")

        props: dict[str, Any] = {**name_props, "filename": filename}
        if size is not None:
            size = int(size) if size.isdigit() and size.isascii() and len(size) < 19 else integer(size, "size")
            _put_size(props, size)
        if calib_level is not None:
            if calib_level.isdigit() and calib_level.isascii() and len(calib_level) < 19:
                calib_level = int(calib_level)
            else:
                calib_level = integer(calib_level, "calib_level")
            _put_level(props, calib_level, name.level, name_level, filename)
        texts = pick_texts(cells)
        text_props = checked.get((texts, listing_type))
        if text_props is None:
            text_props = {prop: value for prop, value in zip(text_names, texts) if value is not None}
            _check_enumerations(text_props, listing_type)  # (raises when a value is out of its domain)
            if len(checked) < _CHECKED_TEXTS:
                checked[(texts, listing_type)] = text_props
        props.update(text_props)
        if obs_id is not None:
            problem = _obs_id_problem(obs_id, program if proposal_column else None, obsnum)
            if problem is not None:
                raise BadValue(problem)
        return props, mrp_column, group == MRP_GROUP, obsid, parent, obs_id, program, uri, name.labels, kind

    return row


def _put_size(props: dict[str, Any], size: int | None) -> None:
    """A row's size (an integer or None), checked, into the product's `props`."""
    if size is not None:
        if size < 0:
            raise BadValue(f"size: {shown(size)} is negative")
        if size > INT64_MAX:
            raise BadValue(f"size {shown(size)} does not fit in a 64-bit integer")
        props["size"] = size


def _put_level(props: dict[str, Any], calib_level: int | None, level: str | None, name_level: int | None,
               filename: str) -> None:
    """A row's calib_level (an integer or None), checked, into the product's `props`: as its file
    name's level says (`level`; its number `name_level`), or 4."""
    if calib_level is not None:
        if calib_level != name_level and name_level is not None and calib_level != 4:
            domains.calib_level(calib_level)
            domains.level_agrees(level, calib_level, filename)
        elif calib_level not in _CALIB_LEVELS:
            domains.calib_level(calib_level)
        props["calib_level"] = calib_level


@functools.lru_cache(maxsize=1024)
def _program_key(proposal: str) -> str:
    """The Program key of a proposal_id text (`row_program`), remembered: a file's rows repeat it."""
    try:
        return names.program_key(proposal)
    except ValueError as exc:
        raise BadValue(f"proposal_id {shown(proposal)} is not a JWST program number") from exc


@functools.lru_cache(maxsize=4096)
def _obs_id_program(obs_id: str) -> str | None:
    """The program an obs_id names (`row_program`), remembered."""
    match = _OBS_ID_PROGRAM.match(obs_id)
    return match[1] if match else None


def _check_enumerations(props: dict[str, Any], listing_type: str | None) -> None:
    """The enumerated columns (docs/formats.md), as domains.one_of says, without its call when in the domain."""
    value = props.get("product_type")
    if value is not None and value not in _PRODUCT_TYPES:
        domains.one_of(value, domains.PRODUCT_TYPES, "productType", "upper")
    value = props.get("dataproduct_type")
    if value is not None and value not in _DATAPRODUCT_TYPES:
        domains.one_of(value, domains.DATAPRODUCT_TYPES, "dataproduct_type", "lower")
    if listing_type is not None and listing_type not in _LISTING_TYPES:
        domains.one_of(listing_type, domains.LISTING_TYPES, "type", "upper")
    value = props.get("data_rights")
    if value is not None and value not in _DATA_RIGHTS:
        domains.one_of(value, domains.DATA_RIGHTS, "dataRights", "upper")
    value = props.get("exp_type")
    if value is not None and value not in _EXP_TYPES:
        domains.exp_type(value, "exp_type")


def _row_records(props: dict[str, Any], mrp_column: bool, flagged: bool, obsid: str, parent: str | None,
                 obs_id: str | None, program: str | None, uri: str, labels: tuple, kind: str | None, where: str,
                 context: Context | None) -> list[Record]:
    """The records of a checked row: its product's properties are `props` but for those
    `_product_props` adds."""
    _product_props(props, mrp_column, flagged, obsid, parent, context)

    observation, product = _OBSERVATION, _PRODUCT
    records: list[Record] = [Node(product, uri, props, labels, where)]
    if context is None or not context.repeat(obsid, obs_id, program, parent):
        observation_props = {}
        if obs_id is not None:
            observation_props["obs_id"] = obs_id
        if program is not None:
            observation_props["program"] = program
        records.append(Node(observation, obsid, observation_props, form_labels(obs_id), where))
        if program is not None:
            records.append(Node(_PROGRAM, program, {"proposal_id": _proposal_id(program)}, (), where))
        if parent is not None:
            parent_labels = _COMBINED if parent != obsid else ()
            records.append(Node(observation, parent, {"mast_listed": True}, parent_labels, where))
        if program is not None:
            records.append(Edge(_HAS_OBSERVATION, (_PROGRAM, program), (observation, obsid), {}, where))
        if parent is not None and parent != obsid:
            records.append(Edge(_HAS_MEMBER, (observation, parent), (observation, obsid), {}, where))
    records.append(Edge(_HAS_PRODUCT, (observation, obsid), (product, uri), {}, where))
    if parent is not None and flagged:
        records.append(Edge(_MAST_MRP, (observation, parent), (product, uri), {}, where))
    if kind is not None:
        records.append(Edge(_AGGREGATION, (observation, obsid), (product, uri), {"kind": kind}, where))
    return records


def _product_props(props: dict[str, Any], mrp_column: bool, flagged: bool, obsid: str, parent: str | None,
                   context: Context | None) -> None:
    """`listed`, and `mast_mrp` when the file has a productGroupDescription column (`mrp_column`),
    into a checked row's product `props`; the row's parent link into the file's `context`
    (`BadValue` when it closes a cycle)."""
    props["listed"] = True
    if parent == obsid and mrp_column:
        props["mast_mrp"] = flagged
    if context is not None and parent is not None and parent != obsid:
        context.parents.add(obsid, parent)


_CALIB_LEVELS = domains.CALIB_LEVELS


def _any_case(values: frozenset[str]) -> frozenset[str]:
    """The values in upper, lower and title case: a cell found here needs no case folding."""
    return frozenset(form for v in values for form in (v.upper(), v.lower(), v.title()))


_PRODUCT_TYPES, _DATAPRODUCT_TYPES = _any_case(domains.PRODUCT_TYPES), _any_case(domains.DATAPRODUCT_TYPES)
_LISTING_TYPES, _EXP_TYPES = _any_case(domains.LISTING_TYPES), domains.EXP_TYPES
_DATA_RIGHTS = _any_case(domains.DATA_RIGHTS)


@functools.lru_cache(maxsize=4096)
def _obs_id_problem(obs_id: str, program: str | None, obsnum: Any) -> str | None:
    """Why the obs_id disagrees with the row's program or obsnum (None when it agrees); remembered,
    as the rows of one observation repeat them."""
    try:
        observation = integer(obsnum, "obsnum") if obsnum is not None else None
        domains.obs_id_agrees(obs_id, program, None if observation is None else str(observation))
    except BadValue as exc:
        return str(exc)
    return None


@functools.lru_cache(maxsize=256)
def _proposal_id(program: str) -> str:
    """The Program's proposal_id: its key without the leading zeros."""
    return str(int(program))


def product_name(row: Row) -> tuple[str, str]:
    """(file name, uri) of a row: `dataURI` is the key when given, else `mast:JWST/product/<name>`."""
    return _name_and_uri(text(row.get("dataURI"), "dataURI"), text(row.get("productFilename"), "productFilename"),
                         row.get("outfilename"))


def _name_and_uri(uri: str | None, filename: str | None, local: Any) -> tuple[str, str]:
    """`product_name` of the dataURI and productFilename texts and the outfilename cell."""
    if filename is None and uri is not None:
        filename = names.filename_of(uri)
    if filename is None:
        local = text(local, "outfilename")
        filename = names.filename_of(local) if local else None
    if not filename:
        raise BadValue("no product file name (productFilename, dataURI and outfilename are empty)")
    if uri is not None and not uri.startswith("mast:"):
        raise BadValue(f"dataURI {shown(uri)} is not a mast: URI")
    if uri is not None and not (uri.endswith(filename) and len(uri) > len(filename) and uri[-len(filename) - 1] == "/"):
        raise BadValue(f"dataURI: {shown(uri)} names another file than productFilename {shown(filename)}")
    return filename, uri or names.product_uri(filename)


def row_program(row: Row, obs_id: str | None, name_program: str | None) -> str | None:
    """The 5-digit Program key: from `proposal_id`, else the obs_id, else the file name."""
    proposal = row.get("proposal_id")
    if proposal is not None:
        try:
            return names.program_key(text(proposal, "proposal_id"))
        except ValueError as exc:
            raise BadValue(f"proposal_id {shown(proposal)} is not a JWST program number") from exc
    match = _OBS_ID_PROGRAM.match(obs_id or "")
    return match[1] if match else name_program


_FORM_LABELS = {"exposure": (Label.EXPOSURE,), "combined": (Label.COMBINED,)}


@functools.lru_cache(maxsize=4096)
def form_labels(obs_id: str | None) -> tuple[Label, ...]:
    """Exposure or Combined by the obs_id's form (nothing when the form is unknown)."""
    form = names.observation_form(obs_id) if obs_id else None
    return _FORM_LABELS.get(form or "", ())


def aggregation_kind(name: names.ProductName) -> AggregationKind | None:
    """guide_star for guide-star files, intermediate for intermediate suffixes (never a preview)."""
    if Label.PREVIEW in name.labels:
        return None
    if Label.GUIDE_STAR in name.labels:
        return AggregationKind.GUIDE_STAR
    if names.is_intermediate(name.suffix):
        return AggregationKind.INTERMEDIATE
    return None
