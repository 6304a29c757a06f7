"""Demand and supply lists read into :class:`Element` rows, each bad row named.

A list comes from an officer's table (the demands or supplies template, read by
:func:`chainatlas.graph.io.templates.template_rows` as the template importer reads it, yes/no cells
by :func:`chainatlas.graph.io.readers.yes_no`) or from JSON objects with the English field names.
Every row is checked on its own and each problem is reported with its file, row and column, so
the API, the CLI and the UI refuse the same rows for the same reasons before anything is
matched. Names (regions, chains with their tier, segments) are resolved against the graph when
a store is given and taken as written otherwise.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from chainatlas.graph.errors import ImportFailed, RowError
from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.io.readers import read_table, yes_no
from chainatlas.graph.io.templates import TEMPLATES, template_header, template_rows
from chainatlas.graph.model import ELEMENT_KINDS, Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.matching.units import UNITS, to_base

__all__ = ["Element", "elements_from_dicts", "elements_from_store", "load_lists", "read_elements"]


@dataclass
class Element:
    """One demand or supply: what is needed or offered, how much, where, for which chain and
    segment, and when."""

    id: str
    side: str  # demand | supply
    kind: str
    description: str
    quantity: float | None = None
    unit: str | None = None
    region: str | None = None
    chain: str | None = None
    segment: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    major: bool = False
    capacity: int | None = None
    provider: str | None = None
    firm: str | None = None
    row: int = 0
    tier: str | None = None

    @cached_property
    def base_quantity(self) -> float | None:
        """The quantity in its dimension's base unit (亩, 万元, …), for comparisons."""
        if self.quantity is None:
            return None
        return to_base(self.quantity, self.unit) if self.unit else self.quantity

    def label(self) -> str:
        q = f" {self.quantity:g}{self.unit or ''}" if self.quantity is not None else ""
        return f"{self.description}{q}"


#: Header → field of the demands and supplies templates.
_FIELDS = {c.header: c.field for side in ("demands", "supplies") for c in TEMPLATES[side]}


#: How many names an error for an unknown region or chain offers
_HINTS = 7


class _Context:
    """Names resolved against the graph: regions, chains (with tier), segments."""

    def __init__(self, store: GraphStore | None) -> None:
        self.regions: dict[str, str] = {}
        self.chains: dict[str, tuple[str, str | None]] = {}
        self.segments: dict[str, str] = {}
        if store is None:
            return
        self.regions = {n.name: n.id for n in store.find_nodes("Region")}
        chains = store.find_nodes("Chain")
        chains.sort(key=lambda n: n.props.get("layout") != "1366")
        for n in chains:
            for key in (n.name, n.id, *n.props.get("aliases", [])):
                self.chains.setdefault(key, (n.id, n.props.get("tier")))
        for n in store.iter_nodes("Segment"):
            self.segments.setdefault(n.name, n.id)
            self.segments[n.id] = n.id


class _Cells:
    """One row's cells as text, and its problems named by the column they came from."""

    def __init__(self, raw: dict[str, Any], file: str, row: int, headers: dict[str, str]) -> None:
        self.raw = raw
        self.file = file
        self.row = row
        self.headers = headers
        self.errors: list[RowError] = []

    def text(self, field_: str) -> str:
        v = self.raw.get(field_)
        return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()

    def bad(self, field_: str, why: str) -> None:
        self.errors.append(RowError(self.file, self.row, self.headers.get(field_, field_), why))

    def parsed(self, field_: str, parse: Callable[[str], Any], why: str) -> Any:
        """The cell parsed, ``None`` when empty, or ``None`` and a problem (``why`` + value)."""
        v = self.text(field_)
        if not v:
            return None
        try:
            return parse(v)
        except (ValueError, OverflowError):  # int(float("inf")) overflows
            self.bad(field_, f"{why}：{v!r}")
            return None


def _parse_date(v: Any) -> date | None:
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v).strip()[:10])


def _kind(c: _Cells) -> str:
    kind = c.text("kind")
    if not kind:
        c.bad("kind", "需求/供给类型为空")
    elif kind not in ELEMENT_KINDS:
        c.bad("kind", f"未知类型 {kind!r}，可选：{'、'.join(ELEMENT_KINDS)}")
    return kind


def _description(c: _Cells) -> str:
    desc = c.text("description")
    if not desc:
        c.bad("description", "描述为空")
    return desc


def _number(text: str) -> float:
    """A finite number, thousands separators allowed (``1,200``)."""
    v = float(text.replace(",", ""))
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def _quantity(c: _Cells) -> tuple[float | None, str | None]:
    qty = c.parsed("quantity", _number, "数量无法解析")
    if qty is not None and qty < 0:
        c.bad("quantity", "数量不能为负")
    unit = c.text("unit") or None
    if unit and unit not in UNITS:
        c.bad("unit", f"未知单位 {unit!r}，可用：{'、'.join(UNITS)}")
    return qty, unit


def _choices(name: str, known: Iterable[str], usual: Iterable[str]) -> str:
    """A few names a user may have meant by ``name``: the closest known ones, then the
    ``usual`` ones (the city's districts, the chains) that are known."""
    names = list(known)
    near = difflib.get_close_matches(name, names, n=_HINTS, cutoff=0.3)
    shown = (near + [u for u in usual if u in names and u not in near])[:_HINTS]
    return f"（可填 {'、'.join(shown)} 等）" if shown else ""


def _region(c: _Cells, side: str, ctx: _Context) -> str | None:
    region = c.text("region") or None
    if region and ctx.regions and region not in ctx.regions:
        c.bad("region", f"未知区域 {region!r}{_choices(region, ctx.regions, HOME_AREA[1:])}")
    if side == "demand" and not region:
        c.bad("region", "需求必须填写所在区域")
    return region


def _chain(c: _Cells, ctx: _Context) -> tuple[str | None, str | None]:
    """The chain's id and tier (the name as written when the graph does not know it)."""
    name = c.text("chain")
    if not name:
        return None, None
    found = ctx.chains.get(name)
    if found is None and ctx.chains:
        names = [k for k in ctx.chains if ":" not in k]  # names and aliases, not ids
        c.bad("chain", f"未知产业链 {name!r}{_choices(name, names, names)}")
    return found if found else (name, None)


def _segment(c: _Cells, ctx: _Context) -> str | None:
    name = c.text("segment")
    if not name:
        return None
    segment = ctx.segments.get(name)
    if segment is None and ctx.segments:
        c.bad("segment", f"未知环节 {name!r}")
    return segment or name


def _validity(c: _Cells) -> tuple[date | None, date | None]:
    dates: list[date | None] = []
    for k in ("valid_from", "valid_to"):
        try:
            dates.append(_parse_date(c.raw.get(k)))
        except ValueError:
            c.bad(k, f"日期格式应为 YYYY-MM-DD：{c.text(k)!r}")
            dates.append(None)
    start, end = dates
    if start and end and start > end:
        c.bad("valid_to", "有效期止早于有效期起")
    return start, end


def _major(c: _Cells) -> bool:
    try:
        return yes_no(c.text("major"))
    except ValueError as exc:
        c.bad("major", str(exc))
        return False


def _capacity(c: _Cells) -> int | None:
    cap = c.parsed("capacity", lambda v: int(float(v)), "不是整数")
    if cap is not None and cap < 1:
        c.bad("capacity", "可服务需求数至少为 1")
    return cap


def _element(
    raw: dict[str, Any], side: str, ctx: _Context, row: int, file: str, headers: dict[str, str]
) -> tuple[Element | None, list[RowError]]:
    """One row as an element, or ``None`` and every problem of the row."""
    c = _Cells(raw, file, row, headers)
    kind, description = _kind(c), _description(c)
    quantity, unit = _quantity(c)
    region = _region(c, side, ctx)
    chain, tier = _chain(c, ctx)
    segment = _segment(c, ctx)
    valid_from, valid_to = _validity(c)
    major, capacity = _major(c), _capacity(c)
    if c.errors:
        return None, c.errors
    return Element(
        id=c.text("id") or f"{side[0]}{row}",
        side=side,
        kind=kind,
        description=description,
        quantity=quantity,
        unit=unit,
        region=region,
        chain=chain,
        segment=segment,
        valid_from=valid_from,
        valid_to=valid_to,
        major=major,
        capacity=capacity,
        provider=c.text("provider") or None,
        firm=c.text("firm") or None,
        row=row,
        tier=tier,
    ), []


def _check_header(columns: list[str], side: str, file: str) -> dict[str, str]:
    """Field → the header as the file writes it; ``ImportFailed`` at row 1 for an unknown
    column or a missing 需求类型/供给类型, before the list's body is read."""
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    for col in columns:
        f = _FIELDS.get(template_header(col))
        if f is None:
            errors.append(RowError(file, 1, col, "未知列"))
        else:
            headers[f] = col.rstrip("*")
    if "kind" not in headers:
        kind = "需求类型" if side == "demand" else "供给类型"
        errors.append(RowError(file, 1, kind, "缺少必填列"))
    if errors:
        raise ImportFailed(errors)
    return headers


def read_elements(
    path: Path, side: str, store: GraphStore | None = None
) -> tuple[list[Element], list[RowError]]:
    """Parse a demands or supplies list (xlsx/csv, template headers); bad rows are returned,
    a bad header (an unknown column, no 需求类型/供给类型) raises ``ImportFailed``."""

    def check(columns: list[str]) -> None:
        _check_header(columns, side, path.name)

    # a wrong header refuses the list (ImportFailed) before its body is read
    df = read_table(path, header=check)
    headers = _check_header(list(df.columns), side, path.name)
    errors: list[RowError] = []
    ctx = _Context(store)
    out = []
    seen: set[str] = set()
    for row in template_rows(df, _FIELDS):
        el, errs = _element(row.values, side, ctx, row.line, path.name, headers)
        if el is not None and el.id in seen:
            errs = [RowError(path.name, row.line, headers.get("id", "编号"), f"编号 {el.id} 重复")]
            el = None
        errors.extend(errs)
        if el is not None:
            seen.add(el.id)
            out.append(el)
    return out, errors


def elements_from_dicts(
    rows: list[dict[str, Any]], side: str, store: GraphStore | None = None
) -> tuple[list[Element], list[RowError]]:
    """The same from JSON objects with the English field names (kind, description, …)."""
    ctx = _Context(store)
    out, errors = [], []
    name = "demands" if side == "demand" else "supplies"
    for i, raw in enumerate(rows):
        el, errs = _element(raw, side, ctx, i + 1, name, {})
        errors.extend(errs)
        if el is not None:
            out.append(el)
    return out, errors


def _stored_row(store: GraphStore, node: Node) -> dict[str, Any]:
    """A stored Demand or Supply as the row :func:`_element` reads: its properties, its chain
    and segment (ids), its region (name) and its firm, from its links."""
    links: dict[str, list[Node]] = {}
    for link, other in store.neighbours(node.id, _STORED_LINKS, "out"):
        links.setdefault(link.type, []).append(other)
    row: dict[str, Any] = {k: v for k, v in node.props.items() if k in _STORED_FIELDS}
    row["id"] = node.id
    for key, rel in (("chain", "IN_CHAIN"), ("segment", "IN_SEGMENT"), ("firm", "FOR_FIRM")):
        if links.get(rel):
            row[key] = links[rel][0].id
    if not row.get("region") and links.get("LOCATED_IN"):
        row["region"] = links["LOCATED_IN"][0].name
    if isinstance(row.get("major"), bool):
        row["major"] = "是" if row["major"] else "否"
    return row


_STORED_LINKS = ("IN_CHAIN", "IN_SEGMENT", "FOR_FIRM", "LOCATED_IN")
_STORED_FIELDS = frozenset(
    ("kind", "description", "quantity", "unit", "region", "valid_from", "valid_to", "major")
    + ("capacity", "provider")
)


def elements_from_store(
    store: GraphStore, side: str, nodes: list[Node] | None = None
) -> tuple[list[Element], list[RowError]]:
    """The 关键需求清单 (``side="demand"``) or 核心供给清单 (``"supply"``) kept in the graph as
    elements: every stored Demand or Supply, or only ``nodes``; a stored row the matcher cannot
    read is named by its id."""
    label = "Demand" if side == "demand" else "Supply"
    ctx = _Context(store)
    out, errors = [], []
    for i, node in enumerate(nodes if nodes is not None else store.iter_nodes(label)):
        el, errs = _element(_stored_row(store, node), side, ctx, i + 1, node.id, {})
        errors.extend(errs)
        if el is not None:
            out.append(el)
    return out, errors


def load_lists(
    demands: Path, supplies: Path, store: GraphStore | None, *, skip_bad: bool
) -> tuple[list[Element], list[Element], list[RowError]]:
    """Both lists; :class:`ImportFailed` with every bad row unless ``skip_bad``."""
    ds, e1 = read_elements(demands, "demand", store)
    ss, e2 = read_elements(supplies, "supply", store)
    errors = e1 + e2
    if errors and not skip_bad:
        raise ImportFailed(errors)
    return ds, ss, errors
