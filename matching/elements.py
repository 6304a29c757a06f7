"""Cross-domain element matching (跨域跨链要素匹配): demand lists against supply lists.

Hard constraints first — same kind, quantity fits (units converted), region compatible
(functional zones overlay districts; a city-wide supply serves every district), chain/segment
compatible (sub-segments, chains sharing the segment, lineage), validity dates overlap — then a
score: description similarity (char n-gram TF-IDF fitted on the two lists), segment proximity
in the graph, and priority (major projects, chain tier). Top-k candidates per demand come from
blocked sparse products; the allocation under capacities is an optimal weighted bipartite
matching (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) with major projects
weighted so they are served first; quantities are then checked per supply so that no
allocation breaks a constraint. 配套 (supplier) demands also search the graph for firms in the
needed segment or its sub-segments, local firms first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from sklearn.feature_extraction.text import TfidfVectorizer

from chainatlas.graph.errors import ImportFailed, RowError
from chainatlas.graph.model import ELEMENT_KINDS
from chainatlas.graph.readers import read_table, yes_no
from chainatlas.graph.settings import HOME_AREA, is_local
from chainatlas.graph.store import GraphStore
from chainatlas.graph.templates import TEMPLATES
from chainatlas.matching.units import UNITS, dimension, to_base

__all__ = ["Element", "Match", "MatchResult", "match", "read_elements", "elements_from_dicts"]

TIER_BONUS = {"先导": 3.0, "特色": 2.0, "新兴": 2.0, "未来": 1.0}
MAJOR_BONUS = 10.0
_FAR = 10_000


@dataclass
class Element:
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
        if self.quantity is None:
            return None
        return to_base(self.quantity, self.unit) if self.unit else self.quantity

    def label(self) -> str:
        q = f" {self.quantity:g}{self.unit or ''}" if self.quantity is not None else ""
        return f"{self.description}{q}"


@dataclass
class Match:
    demand: str
    supply: str
    supply_label: str
    score: float
    text: float
    proximity: float
    priority: float
    passed: list[str]
    rank: int = 0
    from_graph: bool = False
    fit: float = 0.0  # demand quantity / supply quantity: tight fits first


@dataclass
class MatchResult:
    assigned: list[Match]
    candidates: list[Match]
    unmatched: list[tuple[str, str]]  # (demand id, reason)
    errors: list[RowError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    demands: dict[str, Element] = field(default_factory=dict)
    supplies: dict[str, Element] = field(default_factory=dict)


# ---- reading ----------------------------------------------------------------------------------
_FIELDS = {c.header: c.field for side in ("demands", "supplies") for c in TEMPLATES[side]}
_FIELDS.update(
    {
        "供给描述": "description",
        "需求描述": "description",
        "需求类型": "kind",
        "供给类型": "kind",
        "需求编号": "id",
        "供给编号": "id",
    }
)


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


def _parse_date(v: Any) -> date | None:
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v).strip()[:10])


def _element(
    raw: dict[str, Any], side: str, ctx: _Context, row: int, file: str, headers: dict[str, str]
) -> tuple[Element | None, list[RowError]]:
    errs: list[RowError] = []

    def bad(field_: str, why: str) -> None:
        errs.append(RowError(file, row, headers.get(field_, field_), why))

    def get(k: str) -> str:
        v = raw.get(k)
        return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()

    kind = get("kind")
    if not kind:
        bad("kind", "需求/供给类型为空")
    elif kind not in ELEMENT_KINDS:
        bad("kind", f"未知类型 {kind!r}，可选：{'、'.join(ELEMENT_KINDS)}")
    desc = get("description")
    if not desc:
        bad("description", "描述为空")
    qty: float | None = None
    if get("quantity"):
        try:
            qty = float(get("quantity").replace(",", ""))
            if qty < 0:
                bad("quantity", "数量不能为负")
        except ValueError:
            bad("quantity", f"数量无法解析：{get('quantity')!r}")
    unit = get("unit") or None
    if unit and unit not in UNITS:
        bad("unit", f"未知单位 {unit!r}，可用：{'、'.join(UNITS)}")
    region = get("region") or None
    if region and ctx.regions and region not in ctx.regions:
        bad("region", f"未知区域 {region!r}")
    if side == "demand" and not region:
        bad("region", "需求必须填写所在区域")
    chain = tier = None
    if get("chain"):
        found = ctx.chains.get(get("chain"))
        if found is None and ctx.chains:
            bad("chain", f"未知产业链 {get('chain')!r}")
        chain, tier = found if found else (get("chain"), None)
    segment = None
    if get("segment"):
        segment = ctx.segments.get(get("segment"))
        if segment is None and ctx.segments:
            bad("segment", f"未知环节 {get('segment')!r}")
        segment = segment or get("segment")
    dates = []
    for k in ("valid_from", "valid_to"):
        try:
            dates.append(_parse_date(raw.get(k)))
        except ValueError:
            bad(k, f"日期格式应为 YYYY-MM-DD：{get(k)!r}")
            dates.append(None)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        bad("valid_to", "有效期止早于有效期起")
    major = False
    try:
        major = yes_no(get("major"))
    except ValueError as exc:
        bad("major", str(exc))
    cap = None
    if get("capacity"):
        try:
            cap = int(float(get("capacity")))
            if cap < 1:
                bad("capacity", "可服务需求数至少为 1")
        except ValueError:
            bad("capacity", f"不是整数：{get('capacity')!r}")
    if errs:
        return None, errs
    eid = get("id") or f"{side[0]}{row}"
    return Element(
        eid,
        side,
        kind,
        desc,
        qty,
        unit,
        region,
        chain,
        segment,
        dates[0],
        dates[1],
        major,
        cap,
        get("provider") or None,
        get("firm") or None,
        row,
        tier,
    ), []


def read_elements(
    path: Path, side: str, store: GraphStore | None = None
) -> tuple[list[Element], list[RowError]]:
    """Parse a demands or supplies list (xlsx/csv, template headers); bad rows are returned."""
    df = read_table(path)
    cols = {c: _FIELDS.get(c.rstrip("*").strip()) for c in df.columns}
    unknown = [c for c, f in cols.items() if f is None]
    headers = {f: c.rstrip("*") for c, f in cols.items() if f}
    errors = [RowError(path.name, 1, c, "未知列") for c in unknown]
    if "kind" not in headers.values() and "kind" not in headers:
        errors.append(
            RowError(path.name, 1, "需求类型" if side == "demand" else "供给类型", "缺少必填列")
        )
        return [], errors
    ctx = _Context(store)
    out = []
    seen: set[str] = set()
    for k, rec in enumerate(df.to_dict("records")):
        if str(next(iter(rec.values()), "")).startswith("#"):
            continue
        raw = {str(cols[str(c)]): v for c, v in rec.items() if cols.get(str(c))}
        if not any(str(v).strip() for v in raw.values()):
            continue
        el, errs = _element(raw, side, ctx, k + 2, path.name, headers)
        if el is not None and el.id in seen:
            errs = [RowError(path.name, k + 2, headers.get("id", "编号"), f"编号 {el.id} 重复")]
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


# ---- graph relations ------------------------------------------------------------------------
class _Graph:
    """Region compatibility, chain/segment families and segment firms, from the store."""

    def __init__(self, store: GraphStore | None, home: tuple[str, ...]) -> None:
        self.store = store
        self.home = home
        self.region_ok: dict[str, set[str]] = {}
        self.families: dict[tuple[str | None, str | None], dict[str, float]] = {}
        if store is None:
            return
        regions = store.find_nodes("Region")
        names = {n.id: n.name for n in regions}
        for n in regions:
            ok = {n.name}
            for r, m in store.neighbours(n.id, ["OVERLAPS", "PART_OF"], "both"):
                if r.type == "OVERLAPS":
                    ok.add(m.name)
                elif r.start == n.id:  # n is part of m: a supply of the larger area serves n
                    ok.add(m.name)
            self.region_ok[n.name] = ok
        self._names = names

    def region_compatible(self, demand: str | None, supply: str | None) -> bool:
        if not supply or not demand:
            return True
        if supply == demand:
            return True
        return supply in self.region_ok.get(demand, set())

    def family(self, chain: str | None, segment: str | None) -> dict[str, float]:
        """Keys (chain and segment ids) a supply may carry, with a proximity for each."""
        key = (chain, segment)
        if key in self.families:
            return self.families[key]
        fam: dict[str, float] = {}
        store = self.store
        if segment:
            fam[segment] = 1.0
            if store is not None:
                for s in self._walk(segment, "out"):
                    fam.setdefault(s, 0.7)
                for s in self._walk(segment, "in"):
                    fam.setdefault(s, 0.7)
                for seg in [segment, *self._walk(segment, "out")]:
                    for _, c in store.neighbours(seg, ["HAS_SEGMENT"], "in"):
                        fam.setdefault(c.id, 0.6)  # chains that have the segment (cross-chain)
        if chain:
            fam.setdefault(chain, 1.0 if not segment else 0.8)
            if store is not None:
                for _, c in store.neighbours(chain, ["EVOLVED_INTO"], "both"):
                    fam.setdefault(c.id, 0.5)
                if not segment:
                    for _, seg_node in store.neighbours(chain, ["HAS_SEGMENT"], "out"):
                        fam.setdefault(seg_node.id, 0.8)
                        for sub in self._walk(seg_node.id, "in"):
                            fam.setdefault(sub, 0.7)
        self.families[key] = fam
        return fam

    def _walk(self, seg: str, direction: str) -> list[str]:
        assert self.store is not None
        out, todo, seen = [], [seg], {seg}
        while todo:
            s = todo.pop()
            for _, n in self.store.neighbours(s, ["SUBSEGMENT_OF"], direction):  # type: ignore[arg-type]
                if n.id not in seen:
                    seen.add(n.id)
                    out.append(n.id)
                    todo.append(n.id)
        return out

    def segment_firms(self, segment: str) -> list[tuple[str, str, bool, float]]:
        """(firm id, name, local, output) of firms in the segment or its sub-segments."""
        if self.store is None:
            return []
        out = {}
        for s in [segment, *self._walk(segment, "in")]:
            for _, f in self.store.neighbours(s, ["OPERATES_IN"], "in"):
                out[f.id] = (
                    f.id,
                    f.name,
                    is_local(f.props.get("region"), self.home),
                    float(f.props.get("output") or 0),
                )
        return sorted(out.values(), key=lambda x: (not x[2], -x[3], x[0]))


# ---- matching -------------------------------------------------------------------------------
def _ordinal(d: date | None, default: int) -> int:
    return d.toordinal() if d else default


def match(
    demands: list[Element],
    supplies: list[Element],
    *,
    store: GraphStore | None = None,
    top: int = 5,
    home_area: tuple[str, ...] = HOME_AREA,
    block: int = 256,
    graph_suppliers: bool = True,
) -> MatchResult:
    """Candidates, an optimal allocation and the unmatched demands with their reasons."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    g = _Graph(store, home_area)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    vec.fit([e.description for e in demands] + [e.description for e in supplies] or ["-"])
    timings["prepare"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    candidates: list[Match] = []
    unmatched: dict[str, str] = {}
    by_kind_s: dict[str, list[Element]] = {}
    for s in supplies:
        by_kind_s.setdefault(s.kind, []).append(s)
    by_kind_d: dict[str, list[Element]] = {}
    for d in demands:
        by_kind_d.setdefault(d.kind, []).append(d)
    for kind, ds in by_kind_d.items():
        ss = by_kind_s.get(kind, [])
        cands = _kind_candidates(ds, ss, g, vec, top, block) if ss else {d.id: [] for d in ds}
        for d in ds:
            found = cands.get(d.id, [])
            if kind == "配套" and graph_suppliers and d.segment and store is not None:
                found = found + _graph_candidates(d, g, top)
                found.sort(key=lambda m: -m.score)
                found = found[:top]
            for r, m in enumerate(found, 1):
                m.rank = r
            candidates.extend(found)
            if not found:
                why = _why_none(d, ss, g)
                if kind == "配套" and d.segment:
                    why += f"；图谱中环节「{d.segment}」及其子环节也没有企业"
                unmatched[d.id] = why
    timings["candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    assigned = _assign(demands, supplies, candidates, unmatched)
    timings["assignment"] = time.perf_counter() - t0
    dmap = {d.id: d for d in demands}
    return MatchResult(
        assigned,
        candidates,
        [(k, v) for k, v in unmatched.items()],
        [],
        timings,
        dmap,
        {s.id: s for s in supplies},
    )


def _kind_candidates(
    ds: list[Element], ss: list[Element], g: _Graph, vec: TfidfVectorizer, top: int, block: int
) -> dict[str, list[Match]]:
    S = vec.transform([s.description for s in ss]).T.tocsr()  # grams × supplies
    n = len(ss)
    s_qty = np.array([s.base_quantity if s.base_quantity is not None else np.inf for s in ss])
    s_dim = np.array([dimension(s.unit) if s.unit else "" for s in ss])
    s_from = np.array([_ordinal(s.valid_from, -(10**9)) for s in ss])
    s_to = np.array([_ordinal(s.valid_to, 10**9) for s in ss])
    regions = sorted({s.region or "" for s in ss})
    r_code = {r: i for i, r in enumerate(regions)}
    s_region = np.array([r_code[s.region or ""] for s in ss])
    keys = sorted({(s.segment or s.chain or "") for s in ss})
    k_code = {k: i for i, k in enumerate(keys)}
    s_key = np.array([k_code[s.segment or s.chain or ""] for s in ss])
    out: dict[str, list[Match]] = {}
    # per-demand attributes as arrays, so that a block of demands is checked at once
    dims = sorted({dimension(x.unit) for x in [*ds, *ss] if x.unit} | {""})
    dim_code = {x: i for i, x in enumerate(dims)}
    s_dimc = np.array([dim_code[x] for x in s_dim])
    d_qty = np.array([np.nan if d.base_quantity is None else d.base_quantity for d in ds])
    d_dimc = np.array([dim_code[dimension(d.unit)] if d.unit else 0 for d in ds])
    d_from = np.array([_ordinal(d.valid_from, -(10**9)) for d in ds])
    d_to = np.array([_ordinal(d.valid_to, 10**9) for d in ds])
    d_regions = sorted({d.region or "" for d in ds})
    R = np.array(
        [[g.region_compatible(dr or None, sr or None) for sr in regions] for dr in d_regions]
    )
    d_rc = np.array([d_regions.index(d.region or "") for d in ds])
    fams = sorted({(d.chain, d.segment) for d in ds}, key=str)
    P = np.zeros((len(fams), len(keys)))
    for fi, (chain, segment) in enumerate(fams):
        if chain or segment:
            for kk, v in g.family(chain, segment).items():
                if kk in k_code:
                    P[fi, k_code[kk]] = v
            if "" in k_code:
                P[fi, k_code[""]] = 0.3
        else:
            P[fi, :] = 0.3
    fam_ix = {f: i for i, f in enumerate(fams)}
    s_label = [x.label() for x in ss]
    d_fam = np.array([fam_ix[(d.chain, d.segment)] for d in ds])
    D = vec.transform([d.description for d in ds])
    for b0 in range(0, len(ds), block):
        sl = slice(b0, b0 + block)
        text = (D[sl] @ S).toarray()
        q = d_qty[sl][:, None]
        mask = np.isnan(q) | (
            ((s_dimc[None, :] == d_dimc[sl][:, None]) | (s_dimc[None, :] == 0))
            & (s_qty[None, :] >= q - 1e-9)
        )
        mask &= R[d_rc[sl][:, None], s_region[None, :]]
        prox = P[d_fam[sl][:, None], s_key[None, :]]
        mask &= prox > 0
        mask &= (s_from[None, :] <= d_to[sl][:, None]) & (d_from[sl][:, None] <= s_to[None, :])
        score = np.where(mask, 0.6 * text + 0.4 * prox, -np.inf)
        k = min(top, n)
        part = (
            np.argpartition(-score, k - 1, axis=1)[:, :k]
            if n > k
            else np.tile(np.arange(n), (score.shape[0], 1))
        )
        for i, d in enumerate(ds[sl]):
            cols = part[i][np.isfinite(score[i, part[i]])]
            if len(cols) == 0:
                continue
            cols = cols[np.argsort(-score[i, cols], kind="stable")]
            dq = d.base_quantity
            matches = []
            for j in cols:
                s = ss[int(j)]
                tj = float(text[i, j])
                pj = float(prox[i, j])
                fit = 0.0
                if dq is not None and s.base_quantity:
                    fit = float(min(dq / s.base_quantity, 1.0))
                matches.append(
                    Match(
                        d.id,
                        s.id,
                        s_label[int(j)],
                        round(0.6 * tj + 0.4 * pj, 4),
                        round(tj, 4),
                        pj,
                        _priority(d),
                        _passed(d, s),
                        fit=round(fit, 4),
                    )
                )
            out[d.id] = matches
    return out


def _priority(d: Element) -> float:
    return (MAJOR_BONUS if d.major else 0.0) + TIER_BONUS.get(d.tier or "", 0.0)


def _passed(d: Element, s: Element) -> list[str]:
    out = ["类型一致"]
    if d.quantity is not None:
        sq = "不限" if s.quantity is None else f"{s.quantity:g}{s.unit or ''}"
        out.append(f"数量满足：需 {d.quantity:g}{d.unit or ''} ≤ 供 {sq}")
    if d.region:
        out.append(f"区域相容：{d.region} ~ {s.region or '全市'}")
    if d.chain or d.segment:
        out.append(f"产业链/环节相容：{d.segment or d.chain} ~ {s.segment or s.chain or '不限'}")
    out.append("有效期重叠")
    return out


def _graph_candidates(d: Element, g: _Graph, top: int) -> list[Match]:
    out = []
    for fid, name, local, output in g.segment_firms(d.segment or "")[: top * 3]:
        score = round(0.5 + (0.4 if local else 0.0) + min(output, 100) / 1000, 4)
        out.append(
            Match(
                d.id,
                fid,
                f"{name}（{'本地' if local else '外地'}企业，图谱）",
                score,
                0.0,
                1.0,
                _priority(d),
                [
                    "类型一致（配套）",
                    f"企业在环节 {d.segment} 或其子环节经营",
                    "本地企业优先" if local else "外地企业",
                ],
                from_graph=True,
            )
        )
    return out[:top]


def _why_none(d: Element, ss: list[Element], g: _Graph) -> str:
    """The first hard constraint that no supply passed, in the order they are checked."""
    if not ss:
        return f"无「{d.kind}」类供给"
    pool = ss
    dq = d.base_quantity
    if dq is not None:
        dd = dimension(d.unit) if d.unit else ""
        same = [s for s in pool if not s.unit or dimension(s.unit) == dd]
        if not same:
            return f"单位不可换算：需求单位 {d.unit}，供给单位均为其他量纲"
        fit = [s for s in same if s.base_quantity is None or s.base_quantity >= dq - 1e-9]
        if not fit:
            most = max(same, key=lambda s: s.base_quantity or 0)
            have = f"{most.quantity or 0:g}{most.unit or ''}"
            return f"数量不足：需 {d.quantity:g}{d.unit or ''}，最大供给 {have}"
        pool = fit
    pool2 = [s for s in pool if g.region_compatible(d.region, s.region)]
    if not pool2:
        return f"区域不符：无 {d.region} 可用的供给"
    pool = pool2
    if d.chain or d.segment:
        fam = g.family(d.chain, d.segment)
        pool2 = [s for s in pool if not (s.segment or s.chain) or (s.segment or s.chain) in fam]
        if not pool2:
            return f"产业链/环节不符：无与 {d.segment or d.chain} 相容的供给"
        pool = pool2
    return "有效期不重叠"


def _assign(
    demands: list[Element],
    supplies: list[Element],
    candidates: list[Match],
    unmatched: dict[str, str],
) -> list[Match]:
    """Optimal allocation: a minimum-cost full bipartite matching of demands to capacity slots
    (each demand also has a private "unmatched" slot that costs more than any real one), with
    weight = score + priority + 0.1 × tightness of fit. A supply gets as many slots as its
    capacity allows and no more than the most of its candidates that fit in its quantity
    together; supplies limited by quantity are then checked, an overflowing one loses its
    weakest demands (those with an alternative first) and the matching is solved again."""
    if not candidates:
        for d in demands:
            unmatched.setdefault(d.id, "无候选供给")
        return []
    smap = {s.id: s for s in supplies}
    dmap = {d.id: d for d in demands}
    d_ids = sorted({c.demand for c in candidates})
    d_ix = {d: i for i, d in enumerate(d_ids)}
    s_ids = sorted({c.supply for c in candidates})
    s_ix = {x: i for i, x in enumerate(s_ids)}
    n_d, n_s = len(d_ids), len(s_ids)
    c_d = np.array([d_ix[c.demand] for c in candidates])
    c_s = np.array([s_ix[c.supply] for c in candidates])
    c_w = np.array([c.score + c.priority + 0.1 * c.fit for c in candidates])
    c_q = np.array([dmap[c.demand].base_quantity or 0.0 for c in candidates])
    cap_explicit = np.full(n_s, -1)
    qty = np.full(n_s, np.inf)
    single = np.zeros(n_s, dtype=bool)
    for x, i in s_ix.items():
        sup = smap.get(x)
        if sup is None:
            continue  # a firm from the graph (配套): serves any number of demands
        if sup.capacity is not None:
            cap_explicit[i] = sup.capacity
        if sup.base_quantity is not None:
            qty[i] = sup.base_quantity
        elif sup.capacity is None:
            single[i] = True
    active = np.ones(len(candidates), dtype=bool)
    pair_all = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(c_d, c_s, strict=True))}
    big = float(c_w.max()) + 1.0
    chosen_idx = np.zeros(0, dtype=int)
    for _round in range(2):
        act = np.flatnonzero(active)
        n_c = np.bincount(c_s[act], minlength=n_s)
        cap = n_c.copy()
        cap = np.where(cap_explicit >= 0, np.minimum(cap_explicit, cap), cap)
        cap = np.where(single, np.minimum(cap, 1), cap)
        # quantity bound: how many of its candidates fit together (smallest first)
        order = act[np.lexsort((c_q[act], c_s[act]))]
        grp = c_s[order]
        csum = np.cumsum(c_q[order])
        starts = np.searchsorted(grp, np.arange(n_s))
        base = np.where(starts > 0, csum[np.maximum(starts - 1, 0)], 0.0)
        within = csum - base[grp]
        fits = np.bincount(grp[within <= qty[grp] + 1e-9], minlength=n_s)
        cap = np.where(np.isfinite(qty), np.maximum(np.minimum(cap, fits), np.minimum(n_c, 1)), cap)
        slot_start = np.cumsum(cap) - cap
        n_slots = int(cap.sum())
        reps = cap[c_s[act]]
        rows = np.repeat(c_d[act], reps)
        first = np.cumsum(reps) - reps
        cols = np.repeat(slot_start[c_s[act]] - first, reps) + np.arange(int(reps.sum()))
        vals = np.repeat(big - c_w[act], reps)
        rows = np.concatenate([rows, np.arange(n_d)])
        cols = np.concatenate([cols, n_slots + np.arange(n_d)])
        vals = np.concatenate([vals, np.full(n_d, big + _FAR)])
        M = sp.csr_matrix((vals, (rows, cols)), shape=(n_d, n_slots + n_d))
        _, col = min_weight_full_bipartite_matching(M)
        slot_supply = np.repeat(np.arange(n_s), cap)
        pair_to_c = {pair: k for pair, k in pair_all.items() if active[k]}
        chosen_idx = np.array(
            [pair_to_c[(i, int(slot_supply[j]))] for i, j in enumerate(col) if j < n_slots],
            dtype=int,
        )
        used = np.bincount(c_s[chosen_idx], weights=c_q[chosen_idx], minlength=n_s)
        over = np.flatnonzero(used > qty + 1e-9)
        if len(over) == 0:
            break
        n_opts = np.bincount(c_d[act], minlength=n_d)
        over_set = set(over.tolist())
        by_supply: dict[int, list[int]] = {}
        for k in chosen_idx.tolist():
            if int(c_s[k]) in over_set:
                by_supply.setdefault(int(c_s[k]), []).append(k)
        for sidx, ks in by_supply.items():
            ks.sort(key=lambda k: (n_opts[c_d[k]] <= 1, c_w[k]))
            total = float(used[sidx])
            for k in ks:
                if total <= qty[sidx] + 1e-9:
                    break
                active[k] = False
                total -= c_q[k]
    # greedy repair after the last solve: no supply above its quantity or capacity, then the
    # demands left out take what remains, strongest first
    chosen_list = chosen_idx.tolist()
    left = np.maximum(qty, 0.0).astype(float)
    slots_left = np.where(cap_explicit >= 0, cap_explicit, np.iinfo(np.int64).max)
    slots_left = np.where(single, 1, slots_left)
    keep = []
    for k in sorted(chosen_list, key=lambda k: -c_w[k]):
        si = int(c_s[k])
        if c_q[k] <= left[si] + 1e-9 and slots_left[si] > 0:
            left[si] -= c_q[k]
            slots_left[si] -= 1
            keep.append(k)
    served_ix = {int(c_d[k]) for k in keep}
    for k in np.argsort(-c_w, kind="stable").tolist():
        di, si = int(c_d[k]), int(c_s[k])
        if di in served_ix or not active[k]:
            continue
        if c_q[k] <= left[si] + 1e-9 and slots_left[si] > 0:
            left[si] -= c_q[k]
            slots_left[si] -= 1
            keep.append(k)
            served_ix.add(di)
    chosen = [candidates[int(k)] for k in keep]
    served = {m.demand for m in chosen}
    for d in demands:
        if d.id not in served and d.id not in unmatched:
            unmatched[d.id] = "候选供给已分配给优先级或匹配度更高的需求，或剩余数量不足"
    return sorted(chosen, key=lambda m: m.demand)


def result_tables(res: MatchResult) -> dict[str, Any]:
    """The workbook's sheets with Chinese headers."""
    import pandas as pd

    def row(m: Match) -> dict[str, Any]:
        d = res.demands.get(m.demand)
        return {
            "需求编号": m.demand,
            "需求": d.label() if d else "",
            "类型": d.kind if d else "",
            "供给编号": m.supply,
            "供给": m.supply_label,
            "候选排名": m.rank,
            "得分": m.score,
            "描述相似度": m.text,
            "环节接近度": m.proximity,
            "优先级": m.priority,
            "通过的约束": "；".join(m.passed),
            "来自图谱": "是" if m.from_graph else "",
        }

    unmatched = [
        {"需求编号": d, "需求": res.demands[d].label() if d in res.demands else "", "原因": why}
        for d, why in res.unmatched
    ]
    sheets = {
        "分配结果": pd.DataFrame([row(m) for m in res.assigned]),
        "候选": pd.DataFrame([row(m) for m in res.candidates]),
        "未匹配": pd.DataFrame(unmatched, columns=["需求编号", "需求", "原因"]),
    }
    if res.errors:
        sheets["错误行"] = pd.DataFrame(
            [{"文件": e.file, "行": e.row, "列": e.column, "原因": e.reason} for e in res.errors]
        )
    return sheets


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
