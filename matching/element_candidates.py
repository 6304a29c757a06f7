"""The top-k candidate supplies of each demand, with the constraints they passed.

Hard constraints first — same kind, quantity fits (units converted), region compatible,
chain/segment compatible, validity dates overlap — then a score: 0.6 × description similarity
(char n-gram TF-IDF fitted on the two lists) + 0.4 × segment proximity in the graph. The
supplies of a kind are held as arrays and a block of demands is checked against all of them at
once (sparse products, boolean masks, ``argpartition`` for the top k): 10,000 × 10,000 in about
a second where checking pair by pair in Python takes minutes. 配套 (supplier) demands also get
firms of the needed segment from the graph, local firms first. A demand without candidates gets
the first hard constraint that no supply passed as its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from chainatlas.matching.element_graph import ElementGraph
from chainatlas.matching.element_reading import Element
from chainatlas.matching.units import dimension

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["MAJOR_BONUS", "TIER_BONUS", "Match", "find_candidates"]

TIER_BONUS = {"先导": 3.0, "特色": 2.0, "新兴": 2.0, "未来": 1.0}
MAJOR_BONUS = 10.0
#: Validity bounds of an element without dates (day ordinals): open on both sides.
_OPEN = 10**9


@dataclass
class Match:
    """A supply (or a firm from the graph) proposed for a demand, and why."""

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


def find_candidates(
    demands: list[Element],
    supplies: list[Element],
    g: ElementGraph,
    vec: TfidfVectorizer,
    *,
    top: int,
    block: int,
    graph_suppliers: bool,
) -> tuple[list[Match], dict[str, str]]:
    """Every demand's candidates, ranked (``rank`` from 1), and the reason of each demand that
    has none."""
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
        cands = _kind_candidates(ds, ss, g, vec, top, block) if ss else {}
        for d in ds:
            found = cands.get(d.id, [])
            if kind == "配套" and graph_suppliers and d.segment and g.store is not None:
                found = sorted(found + _graph_candidates(d, g, top), key=lambda m: -m.score)[:top]
            for r, m in enumerate(found, 1):
                m.rank = r
            candidates.extend(found)
            if not found:
                unmatched[d.id] = _why_none(d, ss, g)
                if kind == "配套" and d.segment:
                    unmatched[d.id] += f"；图谱中环节「{d.segment}」及其子环节也没有企业"
    return candidates, unmatched


def _ordinal(d: date | None, default: int) -> int:
    return d.toordinal() if d else default


def _codes(values: set[str]) -> dict[str, int]:
    """Each value's index in sorted order."""
    return {v: i for i, v in enumerate(sorted(values))}


class _Side:
    """One side of a kind (its demands or its supplies) as arrays, one entry per element;
    ``no_quantity`` stands for an element without a quantity."""

    def __init__(self, items: list[Element], dim_code: dict[str, int], no_quantity: float) -> None:
        self.items = items
        self.qty = np.array(
            [no_quantity if x.base_quantity is None else x.base_quantity for x in items]
        )
        self.dim = np.array([dim_code[dimension(x.unit)] if x.unit else 0 for x in items])
        self.start = np.array([_ordinal(x.valid_from, -_OPEN) for x in items])
        self.end = np.array([_ordinal(x.valid_to, _OPEN) for x in items])
        self.region_code = _codes({x.region or "" for x in items})
        self.region = np.array([self.region_code[x.region or ""] for x in items])


def _region_matrix(ds: _Side, ss: _Side, g: ElementGraph) -> np.ndarray[Any, Any]:
    """[demand region, supply region]: may a supply there serve a demand here."""
    return np.array(
        [
            [g.region_compatible(dr or None, sr or None) for sr in ss.region_code]
            for dr in ds.region_code
        ]
    )


def _proximity_matrix(
    families: list[tuple[str | None, str | None]], keys: dict[str, int], g: ElementGraph
) -> np.ndarray[Any, Any]:
    """[demand family, supply key]: how close a supply's segment (or chain) is to what the
    demand names; 0 is incompatible, 0.3 a supply (or a demand) that names neither."""
    P = np.zeros((len(families), len(keys)))
    for fi, (chain, segment) in enumerate(families):
        if not (chain or segment):
            P[fi, :] = 0.3
            continue
        for kk, v in g.family(chain, segment).items():
            if kk in keys:
                P[fi, keys[kk]] = v
        if "" in keys:
            P[fi, keys[""]] = 0.3
    return P


def _top_columns(score: np.ndarray[Any, Any], top: int) -> list[np.ndarray[Any, Any]]:
    """For each row, the columns of its best ``top`` finite scores, best first."""
    n = score.shape[1]
    k = min(top, n)
    part = (
        np.argpartition(-score, k - 1, axis=1)[:, :k]
        if n > k
        else np.tile(np.arange(n), (score.shape[0], 1))
    )
    out = []
    for i in range(score.shape[0]):
        cols = part[i][np.isfinite(score[i, part[i]])]
        out.append(cols[np.argsort(-score[i, cols], kind="stable")])
    return out


def _kind_candidates(
    ds: list[Element],
    ss: list[Element],
    g: ElementGraph,
    vec: TfidfVectorizer,
    top: int,
    block: int,
) -> dict[str, list[Match]]:
    """The candidates of demands of one kind among supplies of that kind, ``block`` demands
    at a time."""
    dim_code = _codes({dimension(x.unit) for x in [*ds, *ss] if x.unit} | {""})
    dem = _Side(ds, dim_code, no_quantity=np.nan)  # a demand without quantity: any supply
    sup = _Side(ss, dim_code, no_quantity=np.inf)  # a supply without quantity: any demand
    keys = _codes({s.segment or s.chain or "" for s in ss})
    s_key = np.array([keys[s.segment or s.chain or ""] for s in ss])
    families = sorted({(d.chain, d.segment) for d in ds}, key=str)
    fam_ix = {f: i for i, f in enumerate(families)}
    d_fam = np.array([fam_ix[(d.chain, d.segment)] for d in ds])
    R = _region_matrix(dem, sup, g)
    P = _proximity_matrix(families, keys, g)
    S = vec.transform([s.description for s in ss]).T.tocsr()  # grams × supplies
    D = vec.transform([d.description for d in ds])
    labels = [s.label() for s in ss]
    names = _names(g, {k for f in families for k in f if k} | (set(keys) - {""}))
    out: dict[str, list[Match]] = {}
    for b0 in range(0, len(ds), block):
        sl = slice(b0, b0 + block)
        text = (D[sl] @ S).toarray()
        q = dem.qty[sl][:, None]
        mask = np.isnan(q) | (
            ((sup.dim[None, :] == dem.dim[sl][:, None]) | (sup.dim[None, :] == 0))
            & (sup.qty[None, :] >= q - 1e-9)
        )
        mask &= R[dem.region[sl][:, None], sup.region[None, :]]
        prox = P[d_fam[sl][:, None], s_key[None, :]]
        mask &= prox > 0
        mask &= (sup.start[None, :] <= dem.end[sl][:, None]) & (
            dem.start[sl][:, None] <= sup.end[None, :]
        )
        score = np.where(mask, 0.6 * text + 0.4 * prox, -np.inf)
        for i, cols in enumerate(_top_columns(score, top)):
            if len(cols):
                d = ds[b0 + i]
                out[d.id] = [
                    _match(
                        d, ss[int(j)], labels[int(j)], float(text[i, j]), float(prox[i, j]), names
                    )
                    for j in cols
                ]
    return out


def _match(
    d: Element, s: Element, label: str, text: float, prox: float, names: dict[str, str]
) -> Match:
    fit = 0.0
    if d.base_quantity is not None and s.base_quantity:
        fit = float(min(d.base_quantity / s.base_quantity, 1.0))
    return Match(
        d.id,
        s.id,
        label,
        round(0.6 * text + 0.4 * prox, 4),
        round(text, 4),
        prox,
        _priority(d),
        _passed(d, s, names),
        fit=round(fit, 4),
    )


def _priority(d: Element) -> float:
    return (MAJOR_BONUS if d.major else 0.0) + TIER_BONUS.get(d.tier or "", 0.0)


def _names(g: ElementGraph, keys: set[str]) -> dict[str, str]:
    """The names of chain and segment ids, as the constraints are explained to an officer (an
    id the graph does not know stays as written)."""
    known = g.store.get_nodes(keys) if g.store is not None else {}
    return {k: known[k].name if k in known else k for k in keys}


def _passed(d: Element, s: Element, names: dict[str, str]) -> list[str]:
    """The hard constraints a supply passed, in words (chains and segments by name)."""
    out = ["类型一致"]
    if d.quantity is not None:
        sq = "不限" if s.quantity is None else f"{s.quantity:g}{s.unit or ''}"
        out.append(f"数量满足：需 {d.quantity:g}{d.unit or ''} ≤ 供 {sq}")
    if d.region:
        out.append(f"区域相容：{d.region} ~ {s.region or '全市'}")
    if d.chain or d.segment:
        need, have = d.segment or d.chain or "", s.segment or s.chain or ""
        out.append(f"产业链/环节相容：{names.get(need, need)} ~ {names.get(have, have) or '不限'}")
    out.append("有效期重叠")
    return out


def _graph_candidates(d: Element, g: ElementGraph, top: int) -> list[Match]:
    """Firms of the demand's segment (or below it) as candidates of a 配套 demand."""
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


def _why_none(d: Element, ss: list[Element], g: ElementGraph) -> str:
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
            need = d.segment or d.chain or ""
            return f"产业链/环节不符：无与 {_names(g, {need})[need]} 相容的供给"
        pool = pool2
    return "有效期不重叠"
