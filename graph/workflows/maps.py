"""两图两库 from the graph: the fishbone map, the investment-attraction map, the chain-master
library and the key-project library. Every number carries what it was computed from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chainatlas.graph.errors import UnknownChain
from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import STAGES, Node
from chainatlas.graph.rules import Thresholds
from chainatlas.graph.store.contract import GraphStore

__all__ = [
    "AttractionMap",
    "Fishbone",
    "MasterEntry",
    "SegmentView",
    "attraction_map",
    "fishbone",
    "masters_library",
    "closest_chains",
    "parks_elsewhere",
    "projects_library",
    "record_chains",
    "resolve_chain",
    "segment_in_chain",
]


@dataclass
class FirmBrief:
    id: str
    name: str
    region: str | None
    output: float | None
    tags: list[str]
    local: bool
    sample: bool = False

    @classmethod
    def of(cls, n: Node, home: tuple[str, ...]) -> FirmBrief:
        return cls(
            n.id,
            n.name,
            n.props.get("region"),
            n.props.get("output"),
            list(n.props.get("tags", [])),
            is_local(n.props.get("region"), home),
            bool(n.props.get("sample", False)),
        )


@dataclass
class Ref:
    id: str
    name: str
    label: str
    detail: str = ""


@dataclass
class SegmentView:
    id: str
    name: str
    stage: str
    key: bool
    order: int
    parent: str | None
    local_firms: list[FirmBrief]
    outside_firms: int
    local_output: float
    tiers: dict[str, int]
    chain_masters: list[Ref]
    serving: list[Ref]
    verdict: str
    reason: str
    shared_with: list[Ref]
    cross_chain: bool
    subsegments: list[SegmentView] = field(default_factory=list)
    #: the outside firms themselves (``outside_firms`` counts them), largest output first
    outside: list[FirmBrief] = field(default_factory=list)


@dataclass
class Fishbone:
    chain: Ref
    layout: str
    tier: str | None
    thresholds: Thresholds
    segments: list[SegmentView]  # top-level segments by stage and order; sub-segments inside
    serving: list[Ref]  # platforms, funds, talent pools serving the whole chain
    chain_masters: list[Ref]
    evolved_into: list[Ref]
    evolved_from: list[Ref]
    focus_regions: list[str]

    def all_segments(self) -> list[SegmentView]:
        out: list[SegmentView] = []

        def walk(s: SegmentView) -> None:
            out.append(s)
            for c in s.subsegments:
                walk(c)

        for s in self.segments:
            walk(s)
        return out

    def summary(self) -> dict[str, int]:
        c = Counter(s.verdict for s in self.all_segments())
        return {v: c.get(v, 0) for v in ("strong", "weak", "missing")}


def resolve_chain(store: GraphStore, key: str) -> Node:
    """A chain by id, or by name (current layout first), or by an alias.

    Raises
    ------
    UnknownChain
        When nothing matches; it names the closest chains (:func:`closest_chains`).
    """
    node = store.get_node(key)
    if node is not None and node.label == "Chain":
        return node
    chains = store.find_nodes("Chain")
    chains.sort(key=lambda n: (n.props.get("layout") != "1366", n.id))
    for n in chains:
        if n.name == key:
            return n
    for n in chains:
        if key in n.props.get("aliases", []):
            return n
    raise UnknownChain(key, closest_chains(chains, key))


def segment_in_chain(store: GraphStore, segment: str, chain: str) -> bool:
    """True when ``segment`` is one of the chain's segments or below one (SUBSEGMENT_OF)."""
    ch = resolve_chain(store, chain)
    todo = [n.id for _, n in store.neighbours(ch.id, ["HAS_SEGMENT"], "out")]
    seen = set(todo)
    while todo:
        s = todo.pop()
        if s == segment:
            return True
        for _, c in store.neighbours(s, ["SUBSEGMENT_OF"], "in"):
            if c.id not in seen:
                seen.add(c.id)
                todo.append(c.id)
    return False


def record_chains(store: GraphStore, node_id: str) -> set[str]:
    """The chains a project or firm is in: its IN_CHAIN links, the chains it is 链主 of, and
    the chains of the segments it is in or operates in."""
    out = {c.id for _, c in store.neighbours(node_id, ["IN_CHAIN", "CHAIN_MASTER_OF"], "out")}
    for _, s in store.neighbours(node_id, ["OPERATES_IN", "IN_SEGMENT"], "out"):
        out |= {c.id for _, c in store.neighbours(s.id, ["HAS_SEGMENT"], "in")}
    return out


def parks_elsewhere(store: GraphStore, node_id: str, region: str) -> list[tuple[str, str, str]]:
    """The IN_PARK links of a firm or project to parks of another region than ``region`` (a
    region's name): what a move to ``region`` drops (a project moved to 吴兴区 is no longer in
    a 长兴县 park). A park of no known region is kept."""
    out = []
    for r, park in store.neighbours(node_id, ["IN_PARK"], "out"):
        regions = {n.name for _, n in store.neighbours(park.id, ["LOCATED_IN"], "out")}
        if park.props.get("region"):
            regions.add(str(park.props["region"]))
        if regions and region not in regions:
            out.append(r.key)
    return out


def closest_chains(chains: list[Node], key: str, n: int = 3) -> list[str]:
    """Up to ``n`` chains that ``key`` may have meant, as "name（id）": names or aliases that
    contain it or that it contains first, then the most similar (:mod:`difflib`).

    >>> c = [Node("1366:icv", "Chain", {"name": "智能网联新能源汽车"}),
    ...      Node("1366:storage", "Chain", {"name": "新能源与新型储能"})]
    >>> closest_chains(c, "智能网联汽车")
    ['智能网联新能源汽车（1366:icv）']
    """
    import difflib

    names: dict[str, Node] = {}
    for c in chains:
        for name in [c.name, c.id, *c.props.get("aliases", [])]:
            names.setdefault(str(name), c)
    if not key:
        return []
    hits = [x for x in names if x and (key in x or x in key)]
    hits += difflib.get_close_matches(key, list(names), n=n, cutoff=0.5)
    out: list[str] = []
    for x in hits:
        label = f"{names[x].name}（{names[x].id}）"
        if label not in out:
            out.append(label)
    return out[:n]


def _ref(n: Node, detail: str = "") -> Ref:
    return Ref(n.id, n.name, n.label, detail)


def _segment_view(
    store: GraphStore,
    seg: Node,
    stage: str,
    key: bool,
    order: int,
    parent: str | None,
    chain_id: str,
    layout: str,
    th: Thresholds,
    home: tuple[str, ...],
    seen: set[str],
) -> SegmentView:
    seen.add(seg.id)
    subs = [n for _, n in store.neighbours(seg.id, ["SUBSEGMENT_OF"], "in") if n.id not in seen]
    children = [
        _segment_view(store, s, stage, False, i, seg.id, chain_id, layout, th, home, seen)
        for i, s in enumerate(subs, 1)
    ]
    firms = [n for _, n in store.neighbours(seg.id, ["OPERATES_IN"], "in")]
    local = [FirmBrief.of(f, home) for f in firms if is_local(f.props.get("region"), home)]
    # a segment's presence includes its sub-segments'
    seen_f = {f.id for f in local}
    for c in children:
        for f in c.local_firms:
            if f.id not in seen_f:
                seen_f.add(f.id)
                local.append(f)
    local.sort(key=lambda f: -(f.output or 0))
    away = [FirmBrief.of(f, home) for f in firms if not is_local(f.props.get("region"), home)]
    seen_o = {f.id for f in away}
    for c in children:
        for f in c.outside:
            if f.id not in seen_o:
                seen_o.add(f.id)
                away.append(f)
    away.sort(key=lambda f: -(f.output or 0))
    outside = len(firms) - sum(1 for f in firms if is_local(f.props.get("region"), home))
    outside += sum(c.outside_firms for c in children)
    output = round(sum(f.output or 0 for f in local), 4)
    tiers = Counter(t for f in local for t in f.tags)
    masters = []
    for f in local:
        for _, ch in store.neighbours(f.id, ["CHAIN_MASTER_OF"], "out"):
            if ch.id == chain_id:
                masters.append(Ref(f.id, f.name, "Firm", "链主"))
    serving = [
        _ref(n, n.props.get("kind", "")) for _, n in store.neighbours(seg.id, ["SERVES"], "in")
    ]
    verdict, reason = th.verdict(len(local), output)
    shared = [
        _ref(c, c.props.get("layout", ""))
        for _, c in store.neighbours(seg.id, ["HAS_SEGMENT"], "in")
        if c.id != chain_id
    ]
    cross = any(r.detail == layout for r in shared)
    return SegmentView(
        seg.id,
        seg.name,
        stage,
        key,
        order,
        parent,
        local,
        outside,
        output,
        dict(tiers),
        masters,
        serving,
        verdict,
        reason,
        shared,
        cross,
        children,
        away,
    )


def fishbone(
    store: GraphStore,
    chain: str,
    *,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
) -> Fishbone:
    """The fishbone map of ``chain`` with a verdict for every segment.

    Parameters
    ----------
    store : GraphStore
        The graph.
    chain : str
        The chain's id, name or alias (:func:`resolve_chain`).
    thresholds : Thresholds, optional
        When a segment counts as strong, weak or missing; the defaults otherwise.
    home_area : tuple of str
        The regions whose firms are local.

    Returns
    -------
    Fishbone
        The chain's segments by stage and order, sub-segments inside their segment, each with
        its local firms (a segment's include its sub-segments'), output, tiers, chain masters,
        what serves it and its verdict with the reason; the chain's services, masters, lineage
        and focus regions.

    Raises
    ------
    UnknownChain
        When no chain has that id or name (the closest names are suggested).

    Examples
    --------
    A chain of two segments: a local firm works in 电芯, an outside firm in 电池包
    (:func:`~chainatlas.graph.store.examples.tiny_chain`):

    >>> from chainatlas.graph.store.examples import tiny_chain
    >>> store = tiny_chain("电芯", "电池包", local_in="电芯", local_output=30.0)
    >>> fb = fishbone(store, "储能")
    >>> [(s.name, s.stage, s.verdict, s.outside_firms) for s in fb.segments]
    [('电芯', 'upstream', 'weak', 0), ('电池包', 'midstream', 'missing', 1)]
    >>> fb.segments[0].reason
    '本地企业1家，产值30亿元 → 弱（强：本地企业≥3家且产值≥20亿元；弱：≥1家；否则为缺）'
    """
    th = thresholds or Thresholds()
    ch = resolve_chain(store, chain)
    layout = str(ch.props.get("layout", ""))
    segments = _chain_segments(store, ch, layout, th, home_area)
    serving, masters, into, frm, focus = _chain_links(store, ch)
    return Fishbone(
        _ref(ch), layout, ch.props.get("tier"), th, segments, serving, masters, into, frm, focus
    )


def _chain_segments(
    store: GraphStore, ch: Node, layout: str, th: Thresholds, home_area: tuple[str, ...]
) -> list[SegmentView]:
    """The chain's segments in stage order, each with its verdict (:func:`_segment_view`)."""
    rels = store.neighbours(ch.id, ["HAS_SEGMENT"], "out")
    rels.sort(key=lambda p: (STAGES.index(p[0].props["stage"]), p[0].props.get("order", 0)))
    seen = {s.id for _, s in rels}
    segments = []
    for r, s in rels:
        seen.discard(s.id)
        segments.append(
            _segment_view(
                store,
                s,
                r.props["stage"],
                bool(r.props.get("key")),
                int(r.props.get("order", 0)),
                None,
                ch.id,
                layout,
                th,
                home_area,
                seen | {x.id for _, x in rels if x.id != s.id},
            )
        )
    return segments


def _chain_links(
    store: GraphStore, ch: Node
) -> tuple[list[Ref], list[Ref], list[Ref], list[Ref], list[str]]:
    """What serves the chain, its chain masters, the chains it evolved into and from, and its
    focus regions."""
    serving = [
        _ref(n, n.props.get("kind", n.label)) for _, n in store.neighbours(ch.id, ["SERVES"], "in")
    ]
    masters = [_ref(n, "链主") for _, n in store.neighbours(ch.id, ["CHAIN_MASTER_OF"], "in")]
    into = [
        _ref(n, r.props.get("basis", ""))
        for r, n in store.neighbours(ch.id, ["EVOLVED_INTO"], "out")
    ]
    frm = [
        _ref(n, r.props.get("basis", ""))
        for r, n in store.neighbours(ch.id, ["EVOLVED_INTO"], "in")
    ]
    focus = [n.name for _, n in store.neighbours(ch.id, ["FOCUS_REGION"], "out")]
    return serving, masters, into, frm, focus


# ---- investment-attraction map ------------------------------------------------------------------
@dataclass
class Target:
    """A firm to go after for a segment: the one shape of a target, whether the map records it
    or the ranking (:mod:`chainatlas.matching.targets`) infers it."""

    firm: str
    name: str
    region: str | None
    score: float  # 0–100 when ranked (calibrated; 100 for a firm recorded in the segment)
    known: bool  # recorded in the segment (已记录), not inferred
    reasons: list[str]
    tier: str | None = None  # 重点 / 推荐 / 备选, or 已记录; None where nothing ranked it


@dataclass
class AttractionSegment:
    segment: str
    name: str
    stage: str
    verdict: str
    reason: str
    targets: list[Target]
    by_region: dict[str, list[str]]


@dataclass
class LandingSite:
    region: str
    parks: list[dict[str, Any]]
    basis: str
    #: 本链 (the seed names it for this chain), 继承 (through a seed lineage) or 推断
    origin: str = "本链"


@dataclass
class AttractionMap:
    chain: Ref
    segments: list[AttractionSegment]
    landing: list[LandingSite]
    source: str


TargetFn = Callable[[GraphStore, str, str, int], list[Target]]


def outside_firms_in_segment(
    store: GraphStore, segment: str, chain: str, top: int, home: tuple[str, ...] = HOME_AREA
) -> list[Target]:
    """Outside firms recorded in the segment or its sub-segments, largest output first."""
    out: dict[str, Target] = {}
    frontier, seen = [segment], {segment}
    while frontier:
        nxt = []
        for sid in frontier:
            seg = store.get_node(sid)
            for r, f in store.neighbours(sid, ["OPERATES_IN"], "in"):
                if is_local(f.props.get("region"), home) or f.id in out:
                    continue
                w = r.props.get("weight")
                why = f"已记录在环节「{seg.name if seg else sid}」" + (
                    f"（业务占比 {w:.0%}）" if isinstance(w, int | float) else ""
                )
                out[f.id] = Target(
                    f.id,
                    f.name,
                    f.props.get("region"),
                    float(f.props.get("output") or 0),
                    True,
                    [why],
                )
            for _, s in store.neighbours(sid, ["SUBSEGMENT_OF"], "in"):
                if s.id not in seen:
                    seen.add(s.id)
                    nxt.append(s.id)
        frontier = nxt
    ranked = sorted(out.values(), key=lambda t: (-t.score, t.firm))
    return ranked[:top]


def attraction_map(
    store: GraphStore,
    chain: str,
    *,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
    top: int = 20,
    targets: TargetFn | None = None,
) -> AttractionMap:
    """产业链招商图: weak and missing segments, whom to target there, where they could land."""
    fb = fishbone(store, chain, thresholds=thresholds, home_area=home_area)
    pick: TargetFn = targets or (
        lambda s, seg, ch, k: outside_firms_in_segment(s, seg, ch, k, home_area)
    )
    segs = []
    for sv in fb.all_segments():
        if sv.verdict == "strong":
            continue
        ts = pick(store, sv.id, fb.chain.id, top)
        by_region: dict[str, list[str]] = {}
        for t in ts:
            by_region.setdefault(t.region or "未知", []).append(t.name)
        segs.append(
            AttractionSegment(sv.id, sv.name, sv.stage, sv.verdict, sv.reason, ts, by_region)
        )
    # landing sites: the chain's focus regions, else those of the chains it evolved from
    regions = [(r, "本链重点区域（种子文件 001）", "本链") for r in fb.focus_regions]
    if not regions:  # inherited, never the chain's own: 继承 (seed lineage) or 推断
        for edge, prev in store.neighbours(fb.chain.id, ["EVOLVED_INTO"], "in"):
            inferred = edge.props.get("partial") or str(edge.props.get("basis", "")).startswith(
                "推断"
            )
            how = "推断" if inferred else "继承"
            for _, n in store.neighbours(prev.id, ["FOCUS_REGION"], "out"):
                if n.name not in [r[0] for r in regions]:
                    basis = f"{how}：承接自「{prev.name}」的重点区域，非本链种子区域"
                    regions.append((n.name, basis, how))
    parks = store.find_nodes("Park")
    landing = []
    for name, basis, origin in regions:
        here = [
            {
                "id": p.id,
                "name": p.name,
                "vacancy": p.props.get("vacancy"),
                "area": p.props.get("area"),
            }
            for p in parks
            if p.props.get("region") == name
        ]
        here.sort(key=lambda p: -float(p["vacancy"] or 0))
        landing.append(LandingSite(name, here, basis, origin))
    source = "缺链补链排序" if targets else "本环节已记录的外地企业（按产值排序）"
    return AttractionMap(fb.chain, segs, landing, source)


# ---- chain-master library ---------------------------------------------------------------------
@dataclass
class Link:
    firm: str
    name: str
    region: str | None
    local: bool
    value: float | None


@dataclass
class MasterEntry:
    firm: Ref
    role: str  # 链主 / 链主伙伴
    region: str | None
    suppliers: list[Link]
    customers: list[Link]
    local_ratio: float | None  # share of supplier relationships that are local
    local_ratio_value: float | None  # value-weighted, over suppliers with a value
    candidates: list[Link]  # outside suppliers: 以商引商


def _links(store: GraphStore, firm: str, direction: str, home: tuple[str, ...]) -> list[Link]:
    out = []
    for r, n in store.neighbours(firm, ["SUPPLIES"], direction):  # type: ignore[arg-type]
        v = r.props.get("value")
        out.append(
            Link(
                n.id,
                n.name,
                n.props.get("region"),
                is_local(n.props.get("region"), home),
                float(v) if v is not None else None,
            )
        )
    return out


def local_ratios(suppliers: list[Link]) -> tuple[float | None, float | None]:
    """(count share of local suppliers, value-weighted share over suppliers with a value)."""
    if not suppliers:
        return None, None
    count = sum(1 for s in suppliers if s.local) / len(suppliers)
    valued = [s for s in suppliers if s.value is not None]
    total = sum(s.value or 0 for s in valued)
    value = sum(s.value or 0 for s in valued if s.local) / total if valued and total > 0 else None
    return round(count, 4), (round(value, 4) if value is not None else None)


def masters_library(
    store: GraphStore, chain: str, *, home_area: tuple[str, ...] = HOME_AREA
) -> list[MasterEntry]:
    """链主型企业库 of ``chain``: chain masters and their partners with supply links."""
    ch = resolve_chain(store, chain)
    masters = [n for _, n in store.neighbours(ch.id, ["CHAIN_MASTER_OF"], "in")]
    entries: list[tuple[Node, str]] = [(m, "链主") for m in masters]
    seen = {m.id for m in masters}
    for m in masters:
        for _, p in store.neighbours(m.id, ["PARTNER_OF"], "both"):
            if p.id not in seen:
                seen.add(p.id)
                entries.append((p, "链主伙伴"))
    out = []
    for n, role in entries:
        sup = _links(store, n.id, "in", home_area)
        cus = _links(store, n.id, "out", home_area)
        ratio, vratio = local_ratios(sup)
        out.append(
            MasterEntry(
                _ref(n, role),
                role,
                n.props.get("region"),
                sup,
                cus,
                ratio,
                vratio,
                [s for s in sup if not s.local],
            )
        )
    return out


# ---- key-project library ------------------------------------------------------------------
def projects_library(
    store: GraphStore,
    *,
    chain: str | None = None,
    segment: str | None = None,
    region: str | None = None,
    stage: str | None = None,
) -> list[dict[str, Any]]:
    """重点项目库: one record per project with its chain, segment, region, park and firm."""
    chain_id = resolve_chain(store, chain).id if chain else None
    out = []
    for p in store.find_nodes("Project"):
        links: dict[str, list[Node]] = {}
        for r, n in store.neighbours(p.id, None, "out"):
            links.setdefault(r.type, []).append(n)
        chains = links.get("IN_CHAIN", [])
        segs = links.get("IN_SEGMENT", [])
        if chain_id and chain_id not in [c.id for c in chains]:
            continue
        if segment and segment not in [s.id for s in segs] + [s.name for s in segs]:
            continue
        reg = p.props.get("region") or ", ".join(n.name for n in links.get("LOCATED_IN", []))
        if region and region not in str(reg):
            continue
        if stage and p.props.get("stage") != stage:
            continue
        out.append(
            {
                "id": p.id,
                **p.props,
                "region": reg,
                "chain": ", ".join(c.name for c in chains),
                "segment": ", ".join(s.name for s in segs),
                "park": ", ".join(n.name for n in links.get("IN_PARK", [])),
                "firm": ", ".join(n.name for n in links.get("FOR_FIRM", [])),
            }
        )
    return out
