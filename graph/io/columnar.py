"""The columnar fast path of bundle imports: whole columns checked at once, no per-row objects.

A bundle that is clean — known labels and types, unique ids, values that pass the model,
endpoints of the right labels — is turned into blocks of columns (:class:`NodeBlock`,
:class:`RelBlock`) that a store can write with one statement per chunk. Anything this path does
not handle exactly like the general one (a bad cell, a duplicate id, an id that already exists,
a merge with stored properties) raises :class:`NotFast`, and the caller runs the general
row-by-row path, which reports every bad row with its file, line and column. The fast path
therefore never decides whether a row is good or bad: it only accepts bundles whose every row
the general path would accept, and must write exactly what the general path would write (a test
imports the same bundles both ways and compares the stores).

Files are read with Apache Arrow's CSV reader and stay Arrow arrays: checks (empty cells,
surrounding whitespace, control characters, names' length and visibility, unknown endpoints)
and the JSON text a store receives are computed by Arrow's kernels, without a Python object
per cell (the character classes are the model's: :data:`model.TEXT_REFUSED` …). Only columns
that need the model's validators or a typed parse (numbers, dates, arrays, constrained text)
become Python values and go through the same pydantic validators and cell parser as the
general path.
"""

from __future__ import annotations

import csv
import queue
import threading
import typing
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import annotated_types
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from chainatlas.graph.io.readers import parse_cell
from chainatlas.graph.model import (
    ID_PREFIXES,
    ID_REFUSED,
    INVISIBLE,
    LABELS,
    LINE_REFUSED,
    NAME_CHECK,
    NAME_MAX,
    REL_TYPES,
    TEXT_MAX,
    TEXT_REFUSED,
    check_numbers,
    check_texts,
    id_max,
    id_problem,
)
from chainatlas.graph.store.arrow_json import flat, json_object, json_strings, json_values
from chainatlas.graph.store.blocks import (
    BLOCK_ROWS,
    Block,
    Column,
    NodeBlock,
    NotFast,
    RelBlock,
    Require,
)

# The block types belong to the store contract (graph.store.blocks) and the JSON helpers are shared
# with the stores' bulk writers (graph.store.arrow_json); both are re-exported here for callers.
__all__ = [
    "BLOCK_ROWS",
    "WHITESPACE",
    "NodeBlock",
    "NotFast",
    "SPECIAL_COLUMNS",
    "RelBlock",
    "Require",
    "blocks",
    "json_object",
    "json_strings",
    "prefetched",
    "read_arrow",
]

#: The characters ``str.strip()`` removes (``str.isspace``), for Arrow's regular expressions.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
_EDGE_WS = f"^{_WS}|{_WS}$"  # a value str.strip() would change
_BLANK = f"^{_WS}*$"  # empty or whitespace only: an absent value


def _re2_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A model character class for Arrow's RE2 (UTF-8 text holds no surrogates)."""
    parts = [f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges if not 0xD800 <= a <= 0xDFFF]
    return "[" + "".join(parts) + "]"


_TEXT_REFUSED = _re2_class(TEXT_REFUSED)
_LINE_REFUSED = _re2_class(LINE_REFUSED)
_ID_REFUSED = _re2_class(ID_REFUSED)
_INVISIBLE_ONLY = f"^{_re2_class(INVISIBLE)}*$"
_BOM = b"\xef\xbb\xbf"

#: Header types that are not properties (neo4j-admin's ``:ID``, ``:LABEL`` …).
SPECIAL_COLUMNS = ("ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE")

_STRIP = ConfigDict(str_strip_whitespace=True, strict=True)  # as the model's own config


@dataclass(frozen=True)
class _Field:
    adapter: TypeAdapter[Any]  # validates a list of values, with the model's config
    plain: bool  # a validated value is always a plain scalar (nothing to normalise)
    text: bool  # a str whose only check is non-emptiness: Arrow can take the column as is
    name: bool  # a model.Name: Arrow also checks its length, line breaks and visibility


@cache
def _fields(model: type) -> tuple[dict[str, _Field], frozenset[str]]:
    """Per declared property of a TypedDict model, how its column is checked; and the
    required properties."""
    out: dict[str, _Field] = {}
    required: set[str] = set()
    for name, hint in typing.get_type_hints(model, include_extras=True).items():
        while typing.get_origin(hint) in (typing.Required, typing.NotRequired):
            if typing.get_origin(hint) is typing.Required:
                required.add(name)
            hint = typing.get_args(hint)[0]
        adapter = TypeAdapter(list[hint], config=_STRIP)  # type: ignore[valid-type]
        is_name = _is_name(hint)
        out[name] = _Field(adapter, _plain(hint), is_name or _text(hint), is_name)
    return out, frozenset(required)


def _plain(hint: Any) -> bool:
    """Whether a validated value of ``hint`` is always a plain scalar (no normalising)."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if typing.get_origin(hint) is typing.Literal:
        return True
    return hint in (str, int, float, bool)


def _is_name(hint: Any) -> bool:
    """Whether ``hint`` is :data:`model.Name` (whose checks :func:`_name_ok` does in Arrow)."""
    return typing.get_origin(hint) is typing.Annotated and any(
        m is NAME_CHECK for m in typing.get_args(hint)[1:]
    )


def _text(hint: Any) -> bool:
    """``str``, or ``Annotated[str, Field(min_length=1)]``: for a non-empty value without
    surrounding whitespace, validation is the identity."""
    if hint is str:
        return True
    if typing.get_origin(hint) is not typing.Annotated:
        return False
    base, *meta = typing.get_args(hint)
    if base is not str:
        return False
    for m in meta:
        inner = m.metadata if isinstance(m, FieldInfo) else [m]
        if isinstance(m, FieldInfo) and (m.default_factory is not None or m.alias is not None):
            return False
        if not all(isinstance(x, annotated_types.MinLen) and x.min_length <= 1 for x in inner):
            return False
    return True


# ---- reading ---------------------------------------------------------------------------------
def header(path: Path) -> list[str]:
    """The header cells of a CSV file (first line only, stripped)."""
    with path.open("rb") as f:
        line = f.readline()
    try:
        text = line.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise NotFast("编码") from None
    return [c.strip() for c in next(csv.reader([text]), [])]


def read_arrow(path: Path) -> tuple[list[str], pa.Table]:
    """The (stripped) header and all cells of a UTF-8 CSV file as Arrow strings ("" for an
    empty cell). Raises :class:`NotFast` for anything else — another encoding, a ragged row,
    a duplicate header — which :func:`chainatlas.graph.io.readers.read_table` reads or reports."""
    raw = path.read_bytes().removeprefix(_BOM)
    names = header(path)
    if len(set(names)) != len(names) or not all(names):
        raise NotFast(f"{path.name}: 表头重复或为空")
    if raw.partition(b"\n")[0].count(b'"') % 2:  # a quoted header cell runs over the line
        raise NotFast(f"{path.name}: 表头跨行")
    if raw.count(b"\r") != raw.count(b"\r\n"):  # a lone CR: the two readers disagree
        raise NotFast(f"{path.name}: 单独的回车符")
    cols = [f"c{j}" for j in range(len(names))]
    # Arrow reads a quote left open at the end of the file as running to the end, where
    # pandas reports it: a sentinel row must come out as the last row, else a quote is open.
    sentinel = ",".join(["\x01"] * len(cols)).encode()
    raw += (b"" if raw.endswith(b"\n") else b"\n") + sentinel + b"\n"
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw),
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(cols, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise NotFast(f"{path.name}: {exc}") from None
    last = table.slice(table.num_rows - 1).to_pylist() if table.num_rows else []
    if last != [dict.fromkeys(cols, "\x01")]:
        raise NotFast(f"{path.name}: 引号未闭合")
    return names, table.slice(0, table.num_rows - 1)


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


@cache
def _arrow_trims_like_python() -> bool:
    """Whether Arrow's ``utf8_trim_whitespace`` removes every character ``str.strip`` does
    (it does on Arrow 14–26: the same 29); then it can rule out padding cheaply."""
    trimmed = pc.utf8_trim_whitespace(pa.array(list(WHITESPACE), pa.string()))
    return bool(pc.all(pc.equal(trimmed, "")).as_py())


def _padded(values: pa.StringArray) -> bool:
    """Whether some value has surrounding whitespace: one ``str.strip`` would change. Arrow's
    trim (a superset) rules it out in a few milliseconds; when it finds something, the
    regular expression of exactly Python's whitespace decides."""
    if _arrow_trims_like_python():
        if not _any(pc.not_equal(pc.utf8_trim_whitespace(values), values)):
            return False
    return _any(pc.match_substring_regex(values, _EDGE_WS))


def _clean(values: pa.StringArray) -> bool:
    """No empty value and none with surrounding whitespace or a control character: valid
    ids (:func:`model.id_problem`)."""
    if not len(values):
        return True
    if pc.min(pc.binary_length(values)).as_py() == 0:
        return False
    return not _padded(values) and not _has(values, _ID_REFUSED)


def _label_ids_ok(label: str, ids: pa.StringArray) -> bool:
    """Whether ``ids`` may be ids of ``label`` nodes (:func:`model.label_id_problem`): none
    too long, none of a record with another record kind's prefix."""
    if not len(ids):
        return True
    if pc.max(pc.utf8_length(ids)).as_py() > id_max(label):
        return False
    if label not in ID_PREFIXES:
        return True
    others = [prefix for other, prefix in ID_PREFIXES.items() if other != label]
    return not any(_any(pc.starts_with(ids, prefix)) for prefix in others)


def _has(values: pa.StringArray, char_class: str) -> bool:
    """Whether some value holds a character of ``char_class``."""
    return _any(pc.match_substring_regex(values, char_class))


def _name_ok(values: pa.StringArray, blank: pa.BooleanArray) -> bool:
    """Whether the non-blank values are valid names (:data:`model.Name`): one line, at most
    :data:`model.NAME_MAX` characters, something visible."""
    if _has(values, _LINE_REFUSED):
        return False
    longest = pc.max(pc.utf8_length(values)).as_py()
    if longest is not None and longest > NAME_MAX:
        return False
    invisible = pc.and_(pc.match_substring_regex(values, _INVISIBLE_ONLY), pc.invert(blank))
    return not _any(invisible)


# ---- columns ---------------------------------------------------------------------------------
def _parse_column(raw: list[str], t: str, delim: str) -> list[Any]:
    """Typed values of one CSV column, ``None`` where the general path drops the value."""
    if t == "string":
        return [v if v and not v.isspace() else None for v in raw]
    if t.endswith("[]"):
        item = t[:-2]
        out: list[Any] = []
        for v in raw:
            if not v:
                out.append(None)
                continue
            parts = [x for x in v.split(delim) if x != ""]
            if item != "string":
                parts = [_scalar(x, item) for x in parts]
            out.append(parts or None)  # an empty list is dropped
        return out
    vals = [_scalar(v, t) if v else None for v in raw]
    if t in ("float", "double"):
        vals = [v if v == v else None for v in vals]  # NaN is an absent value
    return vals


def _scalar(v: str, t: str) -> Any:
    """One cell as the general path reads it; a cell it rejects raises NotFast."""
    try:
        return parse_cell(v, t)
    except ValueError:
        raise NotFast(f"无法解析 {v!r}") from None


def _norm(v: Any) -> Any:
    """One validated value as the general path stores it (see ``graph.model._post``)."""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        if not v:
            return None
        if any(isinstance(x, dict | list | tuple) for x in v):
            raise NotFast("嵌套列表")
        return list(v)
    if isinstance(v, dict):
        raise NotFast("嵌套对象")
    return v


def _python_column(
    name: str, raw: pa.StringArray, t: str, field: _Field | None, delim: str, required: bool
) -> list[Any]:
    """Values of a column through the general path's parser and the model's validator."""
    values = _parse_column(raw.to_pylist(), t, delim)
    if field is not None:
        absent = values.count(None)
        if required and absent:
            raise NotFast(f"必填列 {name} 有空值")
        dense = values if not absent else [v for v in values if v is not None]
        try:
            checked = field.adapter.validate_python(dense)
        except ValidationError:
            raise NotFast(f"列 {name} 未通过校验") from None
        if not field.plain:
            checked = [_norm(v) for v in checked]
        if not absent:
            values = checked
        else:
            it = iter(checked)
            values = [None if v is None else next(it) for v in values]
    first = next((v for v in values if v is not None), None)
    try:
        if type(first) in (int, float, list):
            check_numbers(name, values)
        if type(first) in (str, list):
            check_texts(name, values)
    except ValueError:
        raise NotFast(f"列 {name} 的取值不合规") from None
    return values


def _columns(
    model: type, heads: list[tuple[str, str]], table: pa.Table, delim: str
) -> list[Column]:
    """The property columns of ``table`` (one label or type) checked against ``model``, as
    JSON text per row; columns with no value at all are left out."""
    fields, required = _fields(model)
    present = {name for name, t in heads if t not in SPECIAL_COLUMNS}
    if not required <= present:
        raise NotFast(f"缺少必填列 {sorted(required - present)}")
    out: list[Column] = []
    for j, (name, t) in enumerate(heads):
        if t in SPECIAL_COLUMNS:
            continue
        raw = flat(table.column(j))
        field = fields.get(name)
        if t == "string" and (field is None or field.text):
            # Text as written: absent when blank. A declared property is stripped by the
            # model, so one with surrounding whitespace takes the Python route below.
            edge = _padded(raw)
            if field is None or not edge:
                if edge:
                    blank = pc.match_substring_regex(raw, _BLANK)
                else:
                    blank = pc.equal(pc.binary_length(raw), 0)
                if name in required and _any(blank):
                    raise NotFast(f"必填列 {name} 有空值")
                if not len(raw) or pc.all(blank).as_py():
                    continue
                if _has(raw, _TEXT_REFUSED):
                    raise NotFast(f"列 {name} 含控制字符或格式字符")
                if pc.max(pc.utf8_length(raw)).as_py() > TEXT_MAX:
                    raise NotFast(f"列 {name} 的文本过长")
                if field is not None and field.name and not _name_ok(raw, blank):
                    raise NotFast(f"列 {name} 的名称不合规")
                text = json_strings(raw)
                if _any(blank):
                    text = typing.cast(pa.StringArray, pc.if_else(blank, None, text))
                out.append((name, text))
                continue
        values = _python_column(name, raw, t, field, delim, name in required)
        if values.count(None) != len(values):
            out.append((name, json_values(values)))
    return out


def _groups(keys: pa.StringArray | None) -> list[tuple[str, pa.Array | None]]:
    """Row positions per distinct (stripped) key; ``None`` = all rows, the usual case of a
    file with one label or type."""
    if keys is None:
        return [("", None)]
    uniques = pc.unique(keys).to_pylist()
    if len(uniques) == 1:
        return [(uniques[0].strip(), None)]
    by_key: dict[str, list[str]] = {}
    for u in uniques:
        by_key.setdefault(u.strip(), []).append(u)
    return [
        (k, pc.indices_nonzero(pc.is_in(keys, value_set=pa.array(raws, pa.string()))))
        for k, raws in by_key.items()
    ]


def _rows(table: pa.Table, rows: pa.Array | None) -> pa.Table:
    return table if rows is None else table.take(rows)


def _kind_column(table: pa.Table, kinds: list[str], kind: str) -> pa.StringArray | None:
    return flat(table.column(kinds.index(kind))) if kind in kinds else None


def blocks(
    files: list[Path], delim: str, parse_header: typing.Callable[[str, str], tuple[str, str]]
) -> Iterator[Block]:
    """Blocks of a clean bundle, node files first; raises :class:`NotFast` otherwise.

    ``parse_header`` turns a header cell into ``(name, type)`` (the bundle module's).
    """
    node_files, rel_files = [], []
    for p in files:
        kinds = [parse_header(c, p.name)[1] for c in header(p)]
        if "ID" in kinds:
            node_files.append(p)
        elif "START_ID" in kinds and "END_ID" in kinds:
            rel_files.append(p)
        else:
            raise NotFast(f"{p.name}: 表头")
    # Files are read ahead by a thread (Arrow's reader releases the GIL), in the order
    # they are checked: node files biggest first (the writer starts on the bulk), then the
    # relationship files, so those are ready when the nodes are done.
    node_files.sort(key=lambda f: -f.stat().st_size)
    with ThreadPoolExecutor(1, thread_name_prefix="chainatlas-csv") as pool:
        tables = [pool.submit(read_arrow, p) for p in node_files + rel_files]
        try:
            yield from _checked(node_files, rel_files, tables, delim, parse_header)
        finally:
            for t in tables:
                t.cancel()


Header = list[tuple[str, str]]
ParseHeader = typing.Callable[[str, str], tuple[str, str]]


@dataclass
class _Nodes:
    """What the node files gave, for checking the relationships' endpoints: every file's ids
    in order, the labels met, and each node's label (an index into ``labels``)."""

    ids: list[pa.StringArray]
    labels: list[str]
    codes: list[np.ndarray]


@dataclass(frozen=True)
class _RelFile:
    path: Path
    heads: Header
    kinds: list[str]
    table: pa.Table
    starts: pa.StringArray
    ends: pa.StringArray


def _checked(
    node_files: list[Path],
    rel_files: list[Path],
    tables: list[Future[tuple[list[str], pa.Table]]],
    delim: str,
    parse_header: ParseHeader,
) -> Iterator[Block]:
    nodes = _Nodes([], [], [])
    for p, read in zip(node_files, tables, strict=False):
        yield from _node_blocks(p, *read.result(), delim, parse_header, nodes)
    rels = [
        _rel_file(p, *read.result(), parse_header)
        for p, read in zip(rel_files, tables[len(node_files) :], strict=True)
    ]
    codes_all, n_ids = _endpoint_codes(nodes.ids, rels)
    node_label = np.concatenate(nodes.codes) if nodes.codes else np.zeros(0, np.int16)
    at = n_ids
    for rel in rels:
        n = len(rel.starts)
        pos = {"START_ID": codes_all[at : at + n], "END_ID": codes_all[at + n : at + 2 * n]}
        at += 2 * n
        yield from _rel_blocks(rel, pos, n_ids, nodes.labels, node_label, delim)


def _node_blocks(
    p: Path,
    names: list[str],
    table: pa.Table,
    delim: str,
    parse_header: ParseHeader,
    nodes: _Nodes,
) -> Iterator[Block]:
    """A node file's blocks, per label; its ids and labels are added to ``nodes``."""
    heads = [parse_header(c, p.name) for c in names]
    kinds = [t for _, t in heads]
    ids = _kind_column(table, kinds, "ID")
    assert ids is not None
    if not _clean(ids):
        raise NotFast(f"{p.name}: id 为空或有空白")
    id_prop = heads[kinds.index("ID")][0]
    if id_prop and id_prop != "id":  # the id is also a property of that name
        table = table.append_column(f"c{len(heads)}", ids)
        heads.append((id_prop, "string"))
    codes = np.zeros(len(ids), np.int16)
    for label, rows in _groups(_kind_column(table, kinds, "LABEL")):
        model = LABELS.get(label)
        if model is None:
            raise NotFast(f"{p.name}: 标签 {label!r}")
        if label not in nodes.labels:
            nodes.labels.append(label)
        codes[slice(None) if rows is None else rows.to_numpy()] = nodes.labels.index(label)
        if not _label_ids_ok(label, ids if rows is None else ids.take(rows)):
            raise NotFast(f"{p.name}: {label} 的 id 过长或带有其他类别的前缀")
        for part in _slices(_rows(table, rows)):
            block_ids = flat(part.column(kinds.index("ID")))
            yield NodeBlock(label, block_ids, _columns(model, heads, part, delim))
    nodes.ids.append(ids)
    nodes.codes.append(codes)


def _rel_file(p: Path, names: list[str], table: pa.Table, parse_header: ParseHeader) -> _RelFile:
    heads = [parse_header(c, p.name) for c in names]
    kinds = [t for _, t in heads]
    starts = _kind_column(table, kinds, "START_ID")
    ends = _kind_column(table, kinds, "END_ID")
    assert starts is not None and ends is not None
    # Endpoints are not checked for blanks here: one that is not exactly a bundle id (and
    # those are clean) must be exactly a stored id, which the store checks (Require).
    return _RelFile(p, heads, kinds, table, starts, ends)


def _endpoint_codes(ids: list[pa.StringArray], rels: list[_RelFile]) -> tuple[np.ndarray, int]:
    """One hash pass over the bundle's ids and then every endpoint: codes are given in order
    of first appearance, so the ids are unique exactly when theirs count 0, 1, 2, …, and an
    endpoint's code is the position of its node (or ≥ the number of ids: not in the bundle).
    The codes, and the number of ids."""
    n_ids = sum(len(a) for a in ids)
    endpoints = [a for r in rels for a in (r.starts, r.ends)]
    everything = pa.concat_arrays(ids + endpoints) if ids or endpoints else None
    codes_all = (
        pc.dictionary_encode(everything).indices.to_numpy()
        if everything is not None and len(everything)
        else np.zeros(0, np.int64)
    )
    if not np.array_equal(codes_all[:n_ids], np.arange(n_ids)):
        raise NotFast("id 重复")
    return codes_all, n_ids


def _rel_blocks(
    rel: _RelFile,
    pos: dict[str, np.ndarray],
    n_ids: int,
    label_names: list[str],
    node_label: np.ndarray,
    delim: str,
) -> Iterator[Block]:
    """A relationship file's blocks, per type, once its endpoints' labels are allowed ones;
    endpoints outside the bundle are required of the store (:class:`Require`)."""
    p, heads, kinds, table = rel.path, rel.heads, rel.kinds, rel.table
    for rtype, rows in _groups(_kind_column(table, kinds, "TYPE")):
        spec = REL_TYPES.get(rtype)
        if spec is None:
            raise NotFast(f"{p.name}: 关系类型 {rtype!r}")
        part = _rows(table, rows)
        for kind, allowed in (("START_ID", spec.starts), ("END_ID", spec.ends)):
            where = pos[kind] if rows is None else pos[kind][rows.to_numpy()]
            inside = where < n_ids
            wanted = [k for k, name in enumerate(label_names) if name in allowed]
            if not np.isin(node_label[where[inside]], wanted).all():
                raise NotFast(f"{p.name}: 端点标签")
            if not inside.all():
                ids = flat(part.column(kinds.index(kind)))
                outside = ids.filter(pa.array(~inside)).to_pylist()
                outside = list(dict.fromkeys(outside))
                if any(id_problem(i) for i in outside):
                    raise NotFast(f"{p.name}: 端点为空、有空白或控制字符")
                yield Require(outside, allowed)
        for piece in _slices(part):
            yield RelBlock(
                rtype,
                flat(piece.column(kinds.index("START_ID"))),
                flat(piece.column(kinds.index("END_ID"))),
                _columns(spec.props, heads, piece, delim),
            )


def _slices(table: pa.Table) -> Iterator[pa.Table]:
    """``table`` in slices of :data:`BLOCK_ROWS` rows: the store starts writing the first
    while the next are checked."""
    for k in range(0, max(table.num_rows, 1), BLOCK_ROWS):
        yield table.slice(k, BLOCK_ROWS)


def prefetched(items: Iterator[Block], depth: int = 4) -> Iterator[Block]:
    """``items`` computed by a thread, up to ``depth`` blocks ahead of the consumer: reading
    and checking the next files (mostly Arrow work, which releases the GIL) overlaps with the
    consumer turning blocks into SQL and with the store's writer. Exceptions reach the
    consumer in order; when the consumer stops early, the thread stops at its next block."""
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for block in items:
                if not put(("block", block)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:  # a generator stopped early: its read-ahead pool ends now
                close()

    thread = threading.Thread(target=run, name="chainatlas-read", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = slots.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()
