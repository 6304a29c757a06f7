"""Gap detection for a chain: which segments are missing (补链) or weak (强链) locally, which
adjacent products are not yet in the chain (延链), and how much each matters; plus a fishbone
derived automatically from core segments."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.rules import Thresholds
from chainatlas.graph.store.contract import Direction, GraphStore
from chainatlas.graph.workflows.maps import SegmentView, fishbone, resolve_chain

__all__ = ["ChainGaps", "DerivedFishbone", "SegmentGap", "derive_fishbone", "gaps"]

KIND_ZH = {"missing": "补链", "weak": "强链", "strong": "优势", "extend": "延链"}


@dataclass
class SegmentGap:
    segment: str
    name: str
    stage: str
    kind: str  # 补链 / 强链 / 优势 / 延链
    verdict: str
    local_firms: int
    national_firms: int
    local_output: float
    national_output: float
    lq_count: float | None  # location quotient on firm count
    lq_output: float | None
    dependents: int  # chain segments downstream of this one (UPSTREAM_OF)
    masters_depending: int  # local chain masters that depend on it
    priority: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class ChainGaps:
    chain: str
    name: str
    local_total: int
    national_total: int
    segments: list[SegmentGap]
    extensions: list[SegmentGap]


def _firms_under(store: GraphStore, seg: str) -> dict[str, dict[str, Any]]:
    """Firms operating in ``seg`` or any of its sub-segments (transitively)."""
    out: dict[str, dict[str, Any]] = {}
    todo, seen = [seg], {seg}
    while todo:
        s = todo.pop()
        for _, f in store.neighbours(s, ["OPERATES_IN"], "in"):
            out[f.id] = f.props
        for _, c in store.neighbours(s, ["SUBSEGMENT_OF"], "in"):
            if c.id not in seen:
                seen.add(c.id)
                todo.append(c.id)
    return out


def _lq(local: float, local_total: float, nat: float, nat_total: float) -> float | None:
    if not (local_total and nat and nat_total):
        return None
    return round((local / local_total) / (nat / nat_total), 3)


def gaps(
    store: GraphStore,
    chain: str,
    *,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
    extensions: int = 10,
) -> ChainGaps:
    """Gap scores for every segment of ``chain`` and the best 延链 candidates.

    A segment's priority grows with the chain segments it feeds (UPSTREAM_OF, directly or
    not), the local chain masters that depend on it, and how thin it is locally (its location
    quotient on firm count: the local share of firms in it over the national share); strong
    segments score 0 and key segments count 1.5 times.

    Parameters
    ----------
    store : GraphStore
        The graph.
    chain : str
        The chain's id, name or alias.
    thresholds : Thresholds, optional
        When a segment is strong, weak or missing
        (:class:`~chainatlas.graph.workflows.maps.Thresholds`).
    home_area : tuple of str
        The regions whose firms are local.
    extensions : int
        How many 延链 candidates to return.

    Returns
    -------
    ChainGaps
        ``segments``: every segment of the chain's fishbone, highest priority first, with its
        kind (补链, 强链, 优势), figures and reasons; ``extensions``: products next to the chain
        in the product graph that its fishbone does not hold yet.

    Raises
    ------
    UnknownChain
        When no chain has that id or name.

    Examples
    --------
    A chain whose upstream 正极材料 feeds its midstream 电芯; only 电芯 has a local firm
    (:func:`~chainatlas.graph.store.examples.tiny_chain`):

    >>> from chainatlas.graph.store.examples import tiny_chain
    >>> store = tiny_chain("正极材料", "电芯", local_in="电芯", local_output=8.0)
    >>> [(g.name, g.kind, g.priority) for g in gaps(store, "储能").segments]
    [('正极材料', '补链', 2.0), ('电芯', '强链', 0.0)]
    """
    ch = resolve_chain(store, chain)
    fb = fishbone(store, ch.id, thresholds=thresholds, home_area=home_area)
    segs = fb.all_segments()
    in_chain = {s.id for s in segs}
    pools = _Pools.of(store, home_area)
    down = _feeds(store, in_chain)
    master_segs = _master_segments(store, ch.id, home_area)
    out = [_segment_gap(store, sv, pools, _reachable(sv.id, down), master_segs) for sv in segs]
    out.sort(key=lambda g: (-g.priority, g.name))
    return ChainGaps(
        ch.id,
        ch.name,
        pools.local,
        pools.national,
        out,
        _extensions(store, in_chain, extensions, home_area, pools.local, pools.national),
    )


@dataclass(frozen=True)
class _Pools:
    """The national and local pools: every firm with at least one OPERATES_IN, counted and
    with its output summed."""

    national: int
    local: int
    national_output: float
    local_output: float

    @classmethod
    def of(cls, store: GraphStore, home: tuple[str, ...]) -> _Pools:
        firms_with_segment = {r.start for r in store.iter_relationships("OPERATES_IN")}
        nodes = store.get_nodes(firms_with_segment)
        local_ids = {i for i, n in nodes.items() if is_local(n.props.get("region"), home)}
        return cls(
            national=len(nodes),
            local=len(local_ids),
            national_output=sum(float(n.props.get("output") or 0) for n in nodes.values()),
            local_output=sum(float(nodes[i].props.get("output") or 0) for i in local_ids),
        )


def _feeds(store: GraphStore, in_chain: set[str]) -> dict[str, set[str]]:
    """The flows inside the chain: the chain segments each one feeds directly."""
    down: dict[str, set[str]] = {s: set() for s in in_chain}
    for s in in_chain:
        for _, n in store.neighbours(s, ["UPSTREAM_OF"], "out"):
            if n.id in in_chain:
                down[s].add(n.id)
    return down


def _master_segments(store: GraphStore, chain: str, home: tuple[str, ...]) -> list[set[str]]:
    """The segments of each local chain master of the chain."""
    masters = {
        m.id: m
        for _, m in store.neighbours(chain, ["CHAIN_MASTER_OF"], "in")
        if is_local(m.props.get("region"), home)
    }
    return [{n.id for _, n in store.neighbours(m, ["OPERATES_IN"], "out")} for m in masters]


def _segment_gap(
    store: GraphStore,
    sv: SegmentView,
    pools: _Pools,
    reach: set[str],
    master_segs: list[set[str]],
) -> SegmentGap:
    """One segment's figures, priority and reasons."""
    firms = _firms_under(store, sv.id)
    nat = len(firms)
    nat_out = sum(float(p.get("output") or 0) for p in firms.values())
    loc = len(sv.local_firms)
    depending = sum(1 for ms in master_segs if ms & (reach | {sv.id}))
    lq_c = _lq(loc, pools.local, nat, pools.national)
    lq_o = _lq(sv.local_output, pools.local_output, nat_out, pools.national_output)
    strength = min(lq_c if lq_c is not None else 0.0, 1.0)
    priority = (
        0.0
        if sv.verdict == "strong"
        else round(
            (1 + depending) * (1 + len(reach)) * (1 - strength) * (1.5 if sv.key else 1.0), 3
        )
    )
    reasons = [sv.reason]
    if lq_c is not None:
        reasons.append(
            f"区位熵（企业数）{lq_c:g}：本地 {loc}/{pools.local}，全国 {nat}/{pools.national}"
        )
    if reach:
        reasons.append(f"为本链 {len(reach)} 个下游环节提供投入")
    if depending:
        reasons.append(f"{depending} 家本地链主依赖此环节")
    return SegmentGap(
        sv.id,
        sv.name,
        sv.stage,
        KIND_ZH[sv.verdict],
        sv.verdict,
        loc,
        nat,
        sv.local_output,
        round(nat_out, 4),
        lq_c,
        lq_o,
        len(reach),
        depending,
        priority,
        reasons,
    )


def _reachable(start: str, down: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(down.get(start, ()))
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(down.get(s, ()))
    seen.discard(start)
    return seen


#: Characters no product name starts with: a name starting with one is the tail of a longer
#: name cut in the source (「者吸塑盒」 from 「患者吸塑盒」).
FRAGMENT_START = frozenset("者的等及与和或之其并以")
#: A name this short (in characters) that many other product names contain is a category
#: word (产品, 生物, 医疗), not a product ...
GENERIC_MAX_LEN = 2
#: ... when at least this many other product names contain it.
GENERIC_CONTAINED = 100


def _noise(store: GraphStore, names: dict[str, str]) -> set[str]:
    """The candidates (id → name) that are not product segments an officer can work on.

    - *fragments*: names that start with a character no product name starts with
      (:data:`FRAGMENT_START`);
    - *category words*: names of at most :data:`GENERIC_MAX_LEN` characters that at least
      :data:`GENERIC_CONTAINED` other product names contain. The rule is read from the graph,
      not from a stop-list: on the ckg data (75,000 product names) it drops 产品 (in 419 other
      names), 生物 (230), 医疗 (112), 设备, 材料, 服务, 塑料, and keeps 疫苗 (27), 芯片 (60), 钢材
      (62), 中药 (85). The product names are read only when a short candidate is left.
    """
    out = {sid for sid, name in names.items() if name[:1] in FRAGMENT_START}
    short = {sid: n for sid, n in names.items() if len(n) <= GENERIC_MAX_LEN and sid not in out}
    if short:
        counts = dict.fromkeys(short, 0)
        for node in store.iter_nodes("Segment"):
            for sid, name in short.items():
                if name in node.name and name != node.name:
                    counts[sid] += 1
        out |= {sid for sid, n in counts.items() if n >= GENERIC_CONTAINED}
    return out


def _extensions(
    store: GraphStore,
    in_chain: set[str],
    k: int,
    home: tuple[str, ...],
    local_total: int,
    nat_total: int,
) -> list[SegmentGap]:
    """Products adjacent to the chain in the product graph but not in its fishbone, made by at
    least one firm and not noise (:func:`_noise`: fragments and category words), ranked by
    the chain segments they touch times (1 + their firms); a product next to several chain
    segments takes its side (upstream or downstream) from the first of them by id, so the
    report is the same on every run."""
    links: dict[str, list[str]] = {}
    stage: dict[str, str] = {}
    names: dict[str, str] = {}
    for s in sorted(in_chain):
        for r, n in store.neighbours(s, ["UPSTREAM_OF", "SUBSEGMENT_OF"], "both"):
            if n.id in in_chain or n.label != "Segment":
                continue
            if r.type == "SUBSEGMENT_OF" and r.start == n.id:
                continue  # sub-segments of chain segments are already in the fishbone
            links.setdefault(n.id, []).append(s)
            names[n.id] = n.name
            stage.setdefault(n.id, "upstream" if r.end == s else "downstream")
    scored = []
    for sid, via in links.items():
        firms = _firms_under(store, sid)
        if not firms:
            continue  # no firm makes it anywhere: nothing to attract
        loc = sum(1 for p in firms.values() if is_local(p.get("region"), home))
        scored.append((len(set(via)) * (1 + len(firms)), sid, via, firms, loc))
    noise = _noise(store, {sid: names[sid] for _, sid, *_ in scored})
    scored = [x for x in scored if x[1] not in noise]
    scored.sort(key=lambda x: (-x[0], x[1]))
    out = []
    for score, sid, via, firms, loc in scored[:k]:
        via_names = "、".join(sorted({store.get_node(v).name for v in via if store.get_node(v)}))  # type: ignore[union-attr]
        out.append(
            SegmentGap(
                sid,
                names[sid],
                stage[sid],
                "延链",
                "missing" if loc == 0 else "weak",
                loc,
                len(firms),
                0.0,
                0.0,
                _lq(loc, local_total, len(firms), nat_total),
                None,
                0,
                0,
                float(score),
                [
                    f"在产品图中与本链环节「{via_names}」相连，尚未列入鱼骨图",
                    f"全国有 {len(firms)} 家企业、本地 {loc} 家",
                ],
            )
        )
    return out


@dataclass
class DerivedFishbone:
    core: list[str]
    stages: dict[str, list[tuple[str, str, int]]]  # stage → (segment id, name, distance)
    sub: dict[str, list[str]]


def derive_fishbone(
    store: GraphStore, core: list[str], *, depth: int = 2, per_stage: int = 12
) -> DerivedFishbone:
    """Propose a fishbone from core segments: inputs (walking UPSTREAM_OF backwards) are the
    upstream, the core and its sub-segments the midstream, outputs the downstream; within a
    stage, nearer and more populated segments first."""

    def walk(direction: Direction) -> dict[str, int]:
        dist: dict[str, int] = {}
        q = deque((c, 0) for c in core)
        seen = set(core)
        while q:
            s, d = q.popleft()
            if d == depth:
                continue
            for _, n in store.neighbours(s, ["UPSTREAM_OF"], direction):
                if n.id not in seen:
                    seen.add(n.id)
                    dist[n.id] = d + 1
                    q.append((n.id, d + 1))
        return dist

    def pick(dist: dict[str, int]) -> list[tuple[str, str, int]]:
        rows = []
        for s, d in dist.items():
            n = store.get_node(s)
            if n is not None:
                rows.append((d, -len(_firms_under(store, s)), s, n.name))
        rows.sort()
        return [(s, name, d) for d, _, s, name in rows[:per_stage]]

    ups, downs = walk("in"), walk("out")
    both = set(ups) & set(downs)
    for s in both:  # a cycle: keep the nearer side
        if ups[s] <= downs[s]:
            downs.pop(s)
        else:
            ups.pop(s)
    mids = []
    sub: dict[str, list[str]] = {}
    for c in core:
        n = store.get_node(c)
        if n is not None:
            mids.append((c, n.name, 0))
            sub[c] = [x.name for _, x in store.neighbours(c, ["SUBSEGMENT_OF"], "in")][:per_stage]
    return DerivedFishbone(
        core, {"upstream": pick(ups), "midstream": mids, "downstream": pick(downs)}, sub
    )
