"""Graph bundles in the neo4j-admin import CSV convention.

A bundle is a folder of node files (header ``id:ID,:LABEL,name,output:double,tags:string[]``)
and relationship files (header ``:START_ID,:END_ID,:TYPE,weight:double``). Array values are
joined with the delimiter recorded in ``bundle.json`` (``;`` by default, as in neo4j-admin).
Such a folder loads into Neo4j with
``neo4j-admin database import full --nodes=… --relationships=…``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from chainatlas.graph.errors import (
    MAX_ERRORS,
    ImportFailed,
    RowError,
    SchemaViolation,
    ValidationFailed,
    error_rows,
)
from chainatlas.graph.io import columnar
from chainatlas.graph.io.readers import PROGRESS_MIN_ROWS, parse_cell, read_table
from chainatlas.graph.model import (
    LABELS,
    REL_TYPES,
    Node,
    Relationship,
    key_problem,
    validate_node,
    validate_relationship,
)
from chainatlas.graph.store.contract import Batch, GraphStore, NotFast

__all__ = ["ImportReport", "RecordChanges", "export_bundle", "import_bundle", "read_bundle"]

_DELIMITERS = (";", "|", "\x1f")
_SCALARS = {"string", "int", "long", "short", "byte", "float", "double", "boolean", "date"}


@dataclass(frozen=True)
class RecordChanges:
    """What a template's rows did to its records (项目, 企业 …): new ones, stored ones that
    changed, stored ones the rows left as they were (a file imported twice)."""

    noun: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def text(self) -> str:
        """The change in words, e.g. 「新增 1 个项目，更新 2 个，无变化 3 个」."""
        if not self.new and not self.updated:
            return f"{self.unchanged} 个{self.noun}与库中相同，无变化" if self.unchanged else ""
        parts = [f"新增 {self.new} 个{self.noun}"] if self.new else []
        if self.updated:
            parts.append(f"更新 {self.updated} 个" + ("" if self.new else self.noun))
        if self.unchanged:
            parts.append(f"无变化 {self.unchanged} 个")
        return "，".join(parts)


@dataclass
class ImportReport:
    nodes: int = 0
    relationships: int = 0
    skipped: list[RowError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: "columnar" when the whole bundle went through the fast path, else "rows".
    path: str = "rows"
    #: a template's records new, changed and unchanged (None for a bundle)
    changes: RecordChanges | None = None

    @property
    def skipped_rows(self) -> int:
        """How many rows were skipped (``skipped`` lists their errors, several for one row)."""
        return error_rows(self.skipped)


# ---- export ----------------------------------------------------------------------------------
def _type_of(values: list[Any]) -> str:
    kinds: set[str] = set()
    array = False
    for v in values:
        if isinstance(v, list):
            array = True
            kinds.update(_scalar_type(x) for x in v)
        else:
            kinds.add(_scalar_type(v))
    if kinds <= {"long"}:
        t = "long"
    elif kinds <= {"long", "double"}:
        t = "double"
    elif kinds <= {"boolean"}:
        t = "boolean"
    else:
        t = "string"
    return t + "[]" if array else t


def _scalar_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "double"
    return "string"


def _fmt(v: Any, t: str, delim: str) -> str:
    if v is None:
        return ""
    if t.endswith("[]"):
        return delim.join(_fmt(x, t[:-2], delim) for x in v)
    if t == "boolean":
        return "true" if v else "false"
    if t == "double":
        return repr(float(v))
    return str(v)


def _columns(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    keys: dict[str, list[Any]] = {}
    for props in items:
        for k, v in props.items():
            keys.setdefault(k, []).append(v)
    return [(k, _type_of(vs)) for k, vs in sorted(keys.items())]


def _pick_delimiter(store: GraphStore) -> str:
    used: set[str] = set()
    for n in store.iter_nodes():
        for v in n.props.values():
            if isinstance(v, list):
                used.update(c for x in v if isinstance(x, str) for c in _DELIMITERS if c in x)
    for d in _DELIMITERS:
        if d not in used:
            return d
    raise ValidationFailed("数组属性中同时含有 ; | 和 \\x1f，无法选择数组分隔符")


def export_bundle(store: GraphStore, out_dir: Path, *, progress: bool = True) -> dict[str, int]:
    """Write the whole store as a bundle into ``out_dir``; returns rows written per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    delim = _pick_delimiter(store)
    counts = store.counts()
    total = counts.nodes + counts.relationships
    bar = tqdm(
        total=total, desc="导出", unit="行", disable=not progress or total < PROGRESS_MIN_ROWS
    )
    written: dict[str, int] = {}
    for label in counts.labels:
        nodes = list(store.iter_nodes(label))
        cols = _columns([n.props for n in nodes])
        fname = f"nodes_{label}.csv"
        with (out_dir / fname).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id:ID", ":LABEL", *[f"{k}:{t}" for k, t in cols]])
            for n in nodes:
                w.writerow([n.id, n.label, *[_fmt(n.props.get(k), t, delim) for k, t in cols]])
        written[fname] = len(nodes)
        bar.update(len(nodes))
    for rtype in counts.types:
        rels = list(store.iter_relationships(rtype))
        rels.sort(key=lambda r: r.key)
        cols = _columns([r.props for r in rels])
        fname = f"rels_{rtype}.csv"
        with (out_dir / fname).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", ":TYPE", *[f"{k}:{t}" for k, t in cols]])
            for r in rels:
                w.writerow(
                    [r.start, r.end, r.type, *[_fmt(r.props.get(k), t, delim) for k, t in cols]]
                )
        written[fname] = len(rels)
        bar.update(len(rels))
    bar.close()
    manifest = {"format": "neo4j-admin-csv", "array_delimiter": delim, "files": written}
    (out_dir / "bundle.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8"
    )
    return written


# ---- import ----------------------------------------------------------------------------------
def _header(col: str, file: str) -> tuple[str, str]:
    """(name, type) of a header cell: ``output:double`` → ("output", "double"). A property
    column's name must be a valid property name (:func:`model.key_problem`)."""
    name, t = col.rpartition(":")[::2] if ":" in col else (col, "string")
    base = t.split("(")[0]
    special = base in columnar.SPECIAL_COLUMNS
    if not special and base.removesuffix("[]").lower() not in _SCALARS:
        raise ImportFailed([RowError(file, 1, col, f"未知列类型 {t!r}")])
    if not special or (base == "ID" and name):  # a property (a named :ID column is one too)
        bad_key = key_problem(name)
        if bad_key:
            raise ImportFailed([RowError(file, 1, col, bad_key)])
    return (name, base) if special else (name, base.lower())


@dataclass
class _Parsed:
    nodes: list[tuple[str, int, Node]] = field(default_factory=list)  # (file, line, node)
    rels: list[tuple[str, int, Relationship]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _bundle_files(directory: Path) -> tuple[str, list[Path]]:
    """The array delimiter and the CSV files of a bundle folder."""
    manifest = directory / "bundle.json"
    delim = ";"
    if manifest.exists():
        delim = json.loads(manifest.read_text("utf-8")).get("array_delimiter", ";")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise ImportFailed([RowError(directory.name, 0, "", "目录中没有 CSV 文件")])
    return delim, files


def read_bundle(directory: Path, *, progress: bool = True) -> _Parsed:
    """Parse every CSV of a bundle folder (no store access); row errors are collected."""
    delim, files = _bundle_files(directory)
    out = _Parsed()
    # values kept exactly; no cell budget (many narrow rows; the errors are capped instead)
    frames = [(p, read_table(p, keep_formula_text=True, cell_budget=False)) for p in files]
    total = sum(len(df) for _, df in frames)
    bar = tqdm(
        total=total, desc="读取", unit="行", disable=not progress or total < PROGRESS_MIN_ROWS
    )
    for path, df in frames:
        fname = path.name
        out.files.append(fname)
        heads = [_header(c, fname) for c in df.columns]
        kinds = [t for _, t in heads]
        if "ID" in kinds:
            _nodes(df, heads, fname, delim, out)
        elif "START_ID" in kinds and "END_ID" in kinds:
            _rels(df, heads, fname, delim, out)
        else:
            out.errors.append(
                RowError(fname, 1, "", "表头既没有 :ID 列，也没有 :START_ID/:END_ID 列")
            )
        bar.update(len(df))
    bar.close()
    return out


def _columns_parsed(
    df: Any,
    heads: list[tuple[str, str]],
    skip: set[str],
    fname: str,
    delim: str,
    errors: list[RowError],
) -> tuple[list[tuple[str, list[Any]]], set[int]]:
    """Parse the property columns of ``df`` column by column (``None`` for empty cells).

    Returns the parsed columns and the row indexes that had a bad cell (reported in ``errors``).
    """
    out: list[tuple[str, list[Any]]] = []
    bad: set[int] = set()
    for j, (name, t) in enumerate(heads):
        if t in skip:
            continue
        raw = df.iloc[:, j].tolist()
        if t == "string":
            out.append((name, [v if v != "" else None for v in raw]))
            continue
        vals: list[Any] = []
        for i, v in enumerate(raw):
            if v == "":
                vals.append(None)
                continue
            try:
                vals.append(parse_cell(v, t, delim))
            except ValueError as exc:
                errors.append(RowError(fname, i + 2, f"{name}:{t}", f"无法解析：{exc}"))
                bad.add(i)
                vals.append(None)
        out.append((name, vals))
    return out, bad


def _row_props(cols: list[tuple[str, list[Any]]], i: int) -> dict[str, Any]:
    return {name: vals[i] for name, vals in cols if vals[i] is not None}


def _nodes(df: Any, heads: list[tuple[str, str]], fname: str, delim: str, out: _Parsed) -> None:
    kinds = [t for _, t in heads]
    i_id = kinds.index("ID")
    i_label = kinds.index("LABEL") if "LABEL" in kinds else None
    id_prop = heads[i_id][0]
    cols, bad = _columns_parsed(df, heads, {"ID", "LABEL", "IGNORE"}, fname, delim, out.errors)
    ids = df.iloc[:, i_id].tolist()
    labels = df.iloc[:, i_label].tolist() if i_label is not None else [""] * len(ids)
    append = out.nodes.append
    for k in range(len(ids)):
        line = k + 2
        node_id, label = ids[k].strip(), labels[k].strip()
        if not node_id:
            out.errors.append(RowError(fname, line, df.columns[i_id], "id 为空"))
            continue
        if not label:
            out.errors.append(RowError(fname, line, ":LABEL", "缺少标签"))
            continue
        if label not in LABELS:
            out.errors.append(RowError(fname, line, ":LABEL", f"未知标签 {label!r}"))
            continue
        if k in bad:
            continue
        props = _row_props(cols, k)
        if id_prop and id_prop != "id":
            props[id_prop] = node_id
        append((fname, line, Node(node_id, label, props)))


def _rels(df: Any, heads: list[tuple[str, str]], fname: str, delim: str, out: _Parsed) -> None:
    kinds = [t for _, t in heads]
    i_s, i_e = kinds.index("START_ID"), kinds.index("END_ID")
    i_t = kinds.index("TYPE") if "TYPE" in kinds else None
    skip = {"START_ID", "END_ID", "TYPE", "IGNORE"}
    cols, bad = _columns_parsed(df, heads, skip, fname, delim, out.errors)
    starts, ends = df.iloc[:, i_s].tolist(), df.iloc[:, i_e].tolist()
    types = df.iloc[:, i_t].tolist() if i_t is not None else [""] * len(starts)
    append = out.rels.append
    for k in range(len(starts)):
        line = k + 2
        s, e, rtype = starts[k].strip(), ends[k].strip(), types[k].strip()
        if not s or not e:
            out.errors.append(
                RowError(fname, line, ":START_ID" if not s else ":END_ID", "端点为空")
            )
            continue
        if rtype not in REL_TYPES:
            out.errors.append(RowError(fname, line, ":TYPE", f"未知关系类型 {rtype!r}"))
            continue
        if k in bad:
            continue
        append((fname, line, Relationship(s, rtype, e, _row_props(cols, k) if cols else {})))


def check_rows(
    store: GraphStore,
    nodes: list[tuple[str, int, Node]],
    rels: list[tuple[str, int, Relationship]],
    errors: list[RowError],
    *,
    progress: bool = True,
    stop_after: int | None = None,
) -> Batch:
    """Validate parsed rows against the model and the store; every bad row goes to ``errors``.

    Returns a batch of the good rows (relationships whose endpoints are bad rows are bad too).
    With ``stop_after`` (an import that writes nothing when a row is bad), raises
    ``ImportFailed`` as soon as there are more errors than that.
    """
    full = (lambda: False) if stop_after is None else (lambda: len(errors) > stop_after)
    total = len(nodes) + len(rels)
    bar = tqdm(
        total=total, desc="校验", unit="行", disable=not progress or total < PROGRESS_MIN_ROWS
    )
    good: dict[str, Node] = {}
    seen: dict[str, tuple[str, int]] = {}
    for fname, line, n in nodes:
        first = seen.get(n.id)
        if first is not None:
            errors.append(
                RowError(fname, line, "id", f"id {n.id} 重复：已在 {first[0]} 第 {first[1]} 行出现")
            )
            if full():
                raise ImportFailed(errors, stopped=True)
            continue
        seen[n.id] = (fname, line)
        good[n.id] = n
    # Validate in bulk; fall back to row by row only when something is wrong.
    from chainatlas.graph.model import validate_nodes

    try:
        validated = {n.id: n for n in validate_nodes(list(good.values()))}
    except ValidationFailed:
        validated = {}
        for n in good.values():
            try:
                validated[n.id] = validate_node(n)
            except ValidationFailed as exc:
                f, ln = seen[n.id]
                errors.extend(_row_errors(f, ln, exc))
                if full():
                    raise ImportFailed(errors, stopped=True) from None
    bar.update(len(nodes))
    bad_ids = set(good) - set(validated)
    ends = {x for _, _, r in rels for x in (r.start, r.end)} - set(validated)
    stored = store.get_nodes(ends - bad_ids)
    labels = {i: n.label for i, n in stored.items()}
    labels.update({i: n.label for i, n in validated.items()})
    good_rels: list[Relationship] = []
    for fname, line, r in rels:
        if r.start not in labels or r.end not in labels:
            missing_id = r.start if r.start not in labels else r.end
            col = ":START_ID" if missing_id == r.start else ":END_ID"
            why = (
                "对应节点行有错误" if missing_id in bad_ids else "节点不存在（文件中和库中都没有）"
            )
            errors.append(RowError(fname, line, col, f"{missing_id}: {why}"))
            if full():
                raise ImportFailed(errors, stopped=True)
            continue
        try:
            good_rels.append(validate_relationship(r, labels[r.start], labels[r.end]))
        except (SchemaViolation, ValidationFailed) as exc:
            errors.extend(_row_errors(fname, line, exc))
            if full():
                raise ImportFailed(errors, stopped=True) from None
    bar.update(len(rels))
    bar.close()
    return Batch(nodes=list(validated.values()), relationships=good_rels, prevalidated=True)


def _row_errors(fname: str, line: int, exc: ValidationFailed) -> list[RowError]:
    """One row error per offending property (or one for the whole row)."""
    if exc.problems:
        return [RowError(fname, line, prop, why) for prop, why in exc.problems]
    return [RowError(fname, line, "", str(exc))]


def import_bundle(
    store: GraphStore,
    directory: Path,
    *,
    skip_bad: bool = False,
    progress: bool = True,
    fast: bool = True,
) -> ImportReport:
    """Load a bundle folder in one atomic batch.

    A clean bundle of new data goes through the store's fast path when it has one
    (:meth:`GraphStore.bulk_insert`; ``fast=False`` forces the general path); any other
    bundle through the general path, which reports every bad row. Both write the same thing.

    Raises
    ------
    ImportFailed
        Listing every bad row, when there is one and ``skip_bad`` is false: nothing is written.
    """
    if fast:
        report = _import_fast(store, directory, progress=progress)
        if report is not None:
            return report
    parsed = read_bundle(directory, progress=progress)
    errors = list(parsed.errors)
    stop_after = None if skip_bad else MAX_ERRORS  # nothing is written: no need to go on
    if stop_after is not None and len(errors) > stop_after:
        raise ImportFailed(errors, stopped=True)
    batch = check_rows(
        store, parsed.nodes, parsed.rels, errors, progress=progress, stop_after=stop_after
    )
    return _write(store, batch, errors, parsed.files, skip_bad=skip_bad)


def _import_fast(store: GraphStore, directory: Path, *, progress: bool) -> ImportReport | None:
    """The store's fast path (:meth:`GraphStore.bulk_insert`) with the columnar blocks of a
    plain new, clean bundle; ``None`` when the general path must run (nothing written then)."""
    delim, files = _bundle_files(directory)
    total = sum(_count_lines(p) for p in files) if progress else 0
    bar = tqdm(
        total=total, desc="导入", unit="行", disable=not progress or total < PROGRESS_MIN_ROWS
    )
    try:
        blocks = columnar.prefetched(columnar.blocks(files, delim, _header))
        res = store.bulk_insert(blocks, bar.update)
    except NotFast:
        return None
    finally:
        bar.close()
    names = [p.name for p in files]
    return ImportReport(res.nodes_written, res.relationships_written, [], names, "columnar")


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)


def _write(
    store: GraphStore, batch: Batch, errors: list[RowError], files: list[str], *, skip_bad: bool
) -> ImportReport:
    if errors and not skip_bad:
        raise ImportFailed(errors)
    res = store.apply(batch)
    return ImportReport(res.nodes_written, res.relationships_written, errors, files)
