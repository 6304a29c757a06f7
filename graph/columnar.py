"""The columnar fast path of bundle imports: whole columns checked at once, no per-row objects.

A bundle that is clean — known labels and types, unique ids, values that pass the model,
endpoints of the right labels — is turned into blocks of columns (:class:`NodeBlock`,
:class:`RelBlock`) that a store can write with one statement per file. Anything this path does
not handle exactly like the general one (a bad cell, a duplicate id, an id that already exists,
a merge with stored properties) raises :class:`NotFast`, and the caller runs the general
row-by-row path, which reports every bad row with its file, line and column. The fast path
therefore never decides whether a row is good or bad: it only accepts bundles whose every row
the general path would accept, and must write exactly what the general path would write (a test
imports the same bundles both ways and compares the stores).
"""

from __future__ import annotations

import csv
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ConfigDict, TypeAdapter, ValidationError

from graph.model import LABELS, REL_TYPES, check_numbers
from graph.readers import ENCODINGS, parse_cell, read_table

__all__ = ["NodeBlock", "NotFast", "RelBlock", "Require", "blocks"]

Column = tuple[str, list[Any]]  # (property, values with None where absent)


class NotFast(Exception):
    """The bundle needs the general import path; the message says why."""


@dataclass
class NodeBlock:
    label: str
    ids: list[str]
    columns: list[Column]


@dataclass
class RelBlock:
    type: str
    starts: list[str]
    ends: list[str]
    columns: list[Column]


@dataclass
class Require:
    """Ids the bundle references but does not define: each must be stored with one of
    ``labels``."""

    ids: list[str]
    labels: frozenset[str]


Block = NodeBlock | RelBlock | Require

_PLAIN = (str, int, float, bool)
_STRIP = ConfigDict(str_strip_whitespace=True)


@cache
def _fields(model: type) -> tuple[dict[str, tuple[TypeAdapter[Any], bool]], frozenset[str]]:
    """Per declared property of a TypedDict model: a list validator (with the model's
    config) and whether its values are plain scalars; and the required properties."""
    out: dict[str, tuple[TypeAdapter[Any], bool]] = {}
    required: set[str] = set()
    for name, hint in typing.get_type_hints(model, include_extras=True).items():
        while typing.get_origin(hint) in (typing.Required, typing.NotRequired):
            if typing.get_origin(hint) is typing.Required:
                required.add(name)
            hint = typing.get_args(hint)[0]
        adapter = TypeAdapter(list[hint], config=_STRIP)  # type: ignore[valid-type]
        out[name] = (adapter, _plain(hint))
    return out, frozenset(required)


def _all_clean(values: list[str]) -> bool:
    """No empty value and none with surrounding whitespace. The usual case — no whitespace in
    any value — is recognised in C: the joined text splits back into exactly ``values``."""
    if "\n".join(values).split() == values:
        return True
    return all(v and v == v.strip() for v in values)


def _plain(hint: Any) -> bool:
    """Whether a validated value of ``hint`` is always a plain scalar (no normalising)."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if typing.get_origin(hint) is typing.Literal:
        return True
    return hint in (str, int, float, bool)


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


def _check(model: type, cols: list[Column], n: int) -> list[Column]:
    """Validate the property columns of ``n`` rows against ``model``, column by column."""
    fields, required = _fields(model)
    present = {name for name, _ in cols}
    if not required <= present:
        raise NotFast(f"缺少必填列 {sorted(required - present)}")
    out: list[Column] = []
    for name, values in cols:
        field = fields.get(name)
        if field is not None:
            adapter, plain = field
            absent = values.count(None)
            if name in required and absent:
                raise NotFast(f"必填列 {name} 有空值")
            dense = values if not absent else [v for v in values if v is not None]
            try:
                checked = adapter.validate_python(dense)
            except ValidationError:
                raise NotFast(f"列 {name} 未通过校验") from None
            if not plain:
                checked = [_norm(v) for v in checked]
            if not absent:
                values = checked
            else:
                it = iter(checked)
                values = [None if v is None else next(it) for v in values]
        if values.count(None) != n:
            first = next(v for v in values if v is not None)
            if type(first) in (int, float, list):
                try:
                    check_numbers(name, values)
                except ValueError:
                    raise NotFast(f"列 {name} 的数值超出范围") from None
            out.append((name, values))
    return out


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


def header(path: Path) -> list[str]:
    """The header cells of a CSV file (first line only)."""
    with path.open("rb") as f:
        line = f.readline()
    for enc in ENCODINGS:
        try:
            text = line.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise NotFast("编码")
    return [c.strip() for c in next(csv.reader([text]), [])]


def _split_heads(df: pd.DataFrame, heads: list[tuple[str, str]], delim: str) -> list[Column]:
    cols: list[Column] = []
    for j, (name, t) in enumerate(heads):
        if t in ("ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"):
            continue
        cols.append((name, _parse_column(df.iloc[:, j].tolist(), t, delim)))
    return cols


def _column(df: pd.DataFrame, kinds: list[str], kind: str) -> list[str] | None:
    if kind not in kinds:
        return None
    values: list[str] = df.iloc[:, kinds.index(kind)].tolist()
    return values


def _groups(keys: list[str]) -> list[tuple[str, np.ndarray | None]]:
    """Row positions per distinct (stripped) key; ``None`` = all rows, the usual case of a
    file with one label or type."""
    codes, uniques = pd.factorize(np.asarray(keys, dtype=object))
    if len(uniques) == 1:
        return [(str(uniques[0]).strip(), None)]
    groups: dict[str, list[int]] = {}
    for c, u in enumerate(uniques):
        groups.setdefault(str(u).strip(), []).extend(np.flatnonzero(codes == c).tolist())
    return [(k, np.asarray(sorted(v))) for k, v in groups.items()]


def _take(values: list[Any], rows: np.ndarray | None) -> list[Any]:
    return values if rows is None else [values[i] for i in rows]


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
    all_ids: list[pd.Index] = []
    all_labels: list[np.ndarray] = []
    for p in node_files:
        df = read_table(p)
        heads = [parse_header(c, p.name) for c in df.columns]
        kinds = [t for _, t in heads]
        ids = _column(df, kinds, "ID") or []
        if not _all_clean(ids):
            raise NotFast(f"{p.name}: id 为空或有空白")
        labels = _column(df, kinds, "LABEL") or [""] * len(ids)
        cols = _split_heads(df, heads, delim)
        id_prop = heads[kinds.index("ID")][0]
        if id_prop and id_prop != "id":
            cols.append((id_prop, list(ids)))
        groups = _groups(labels)
        for label, rows in groups:
            model = LABELS.get(label)
            if model is None:
                raise NotFast(f"{p.name}: 标签 {label!r}")
            block_ids = _take(ids, rows)
            picked = [(name, _take(values, rows)) for name, values in cols]
            yield NodeBlock(label, block_ids, _check(model, picked, len(block_ids)))
        all_ids.append(pd.Index(ids))
        file_labels = np.empty(len(ids), dtype=object)
        for label, rows in groups:
            file_labels[slice(None) if rows is None else rows] = label
        all_labels.append(file_labels)
    index = all_ids[0].append(all_ids[1:]) if all_ids else pd.Index([], dtype=object)
    if not index.is_unique:
        raise NotFast("id 重复")
    label_of = np.concatenate(all_labels) if all_labels else np.array([], dtype=object)
    label_codes, label_names = pd.factorize(label_of)
    ok_by_node: dict[frozenset[str], np.ndarray] = {}
    for p in rel_files:
        df = read_table(p)
        heads = [parse_header(c, p.name) for c in df.columns]
        kinds = [t for _, t in heads]
        starts = _column(df, kinds, "START_ID") or []
        ends = _column(df, kinds, "END_ID") or []
        types = _column(df, kinds, "TYPE") or [""] * len(starts)
        if not (_all_clean(starts) and _all_clean(ends)):
            raise NotFast(f"{p.name}: 端点为空或有空白")
        cols = _split_heads(df, heads, delim)
        for rtype, rows in _groups(types):
            spec = REL_TYPES.get(rtype)
            if spec is None:
                raise NotFast(f"{p.name}: 关系类型 {rtype!r}")
            s, e = _take(starts, rows), _take(ends, rows)
            for ids, allowed in ((s, spec.starts), (e, spec.ends)):
                pos = index.get_indexer(pd.Index(ids))
                inside = pos >= 0
                ok = ok_by_node.get(allowed)
                if ok is None:
                    wanted = [k for k, x in enumerate(label_names) if x in allowed]
                    ok = ok_by_node[allowed] = np.isin(label_codes, wanted)
                if not ok[pos[inside]].all():
                    raise NotFast(f"{p.name}: 端点标签")
                if not inside.all():
                    outside = np.asarray(ids, dtype=object)[~inside]
                    yield Require(list(dict.fromkeys(outside.tolist())), allowed)
            picked = [(name, _take(values, rows)) for name, values in cols]
            yield RelBlock(rtype, s, e, _check(spec.props, picked, len(s)))
