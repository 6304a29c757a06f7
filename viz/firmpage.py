"""One firm's page (企业档案): its facts and tags, the segments (products) it operates in and
the chains they belong to, the chains it is a master of, its projects, demands, supplies and
problems, its suppliers, customers and partners, and — for a firm outside Huzhou — the weak
and missing segments where the 招商图 lists it as a target.

The targets are read from :func:`chainatlas.graph.workflows.maps.attraction_map` (the recorded
targets, 200 per segment, as the 驾驶舱's China map counts them), so the firm page, the 招商图 and
the map agree on who is a target where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import Node
from chainatlas.graph.rules import VERDICT_ZH, Thresholds
from chainatlas.graph.store.contract import Direction, GraphStore
from chainatlas.graph.workflows.maps import attraction_map

__all__ = ["FirmPage", "firm_page"]

#: how many recorded targets per segment count (as the China map of the 驾驶舱)
TARGETS_PER_SEGMENT = 200


@dataclass
class FirmPage:
    firm: Node
    local: bool | None  # None: the region is not known
    segments: list[dict[str, Any]]  # id, name, chains [(id, name)]
    chains: list[tuple[str, str]]  # every chain of its segments, once
    masters_of: list[Node]
    projects: list[Node]
    demands: list[Node]
    supplies: list[Node]
    problems: list[Node]
    suppliers: list[Node]
    customers: list[Node]
    partners: list[Node]
    targets: list[dict[str, Any]] = field(default_factory=list)


def _roots(store: GraphStore, segment: str) -> list[str]:
    """The segment and every segment above it (SUBSEGMENT_OF), nearest first."""
    out, todo = [segment], [segment]
    while todo:
        for _, up in store.neighbours(todo.pop(), ["SUBSEGMENT_OF"], "out"):
            if up.id not in out:
                out.append(up.id)
                todo.append(up.id)
    return out


def _chains_of(store: GraphStore, segment: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for s in _roots(store, segment):
        for _, ch in store.neighbours(s, ["HAS_SEGMENT"], "in"):
            seen.setdefault(ch.id, ch.name)
    return sorted(seen.items())


def _linked(store: GraphStore, firm: str, rel: str, direction: Direction, label: str) -> list[Node]:
    nodes = {n.id: n for _, n in store.neighbours(firm, [rel], direction) if n.label == label}
    return sorted(nodes.values(), key=lambda n: n.name)


def _targets(
    store: GraphStore,
    firm: str,
    chains: list[tuple[str, str]],
    thresholds: Thresholds | None,
    home_area: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The weak and missing segments of the firm's chains where the 招商图 names it."""
    out = []
    for cid, cname in chains:
        am = attraction_map(
            store, cid, thresholds=thresholds, home_area=home_area, top=TARGETS_PER_SEGMENT
        )
        for seg in am.segments:
            for t in seg.targets:
                if t.firm == firm:
                    out.append(
                        {
                            "chain": cid,
                            "chain_name": cname,
                            "segment": seg.name,
                            "verdict": VERDICT_ZH[seg.verdict],
                            "score": t.score,
                            "reasons": t.reasons,
                        }
                    )
    return out


def firm_page(
    store: GraphStore,
    firm_id: str,
    *,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
) -> FirmPage:
    """What the firm page shows; an unknown firm raises ``NodeNotFound`` (a 404 page)."""
    firm = store.require_node(firm_id, "Firm")
    region = firm.props.get("region")
    local = is_local(region, home_area) if region else None
    segments: list[dict[str, Any]] = []
    chains: dict[str, str] = {}
    for _, seg in store.neighbours(firm.id, ["OPERATES_IN"], "out"):
        of = _chains_of(store, seg.id)
        chains.update(of)
        segments.append({"id": seg.id, "name": seg.name, "chains": of})
    segments.sort(key=lambda s: s["name"])
    chain_list = sorted(chains.items(), key=lambda c: c[1])
    about = {
        label: _linked(store, firm.id, "FOR_FIRM", "in", label)
        for label in ("Project", "Demand", "Supply", "Problem")
    }
    return FirmPage(
        firm=firm,
        local=local,
        segments=segments,
        chains=chain_list,
        masters_of=_linked(store, firm.id, "CHAIN_MASTER_OF", "out", "Chain"),
        projects=about["Project"],
        demands=about["Demand"],
        supplies=about["Supply"],
        problems=about["Problem"],
        suppliers=_linked(store, firm.id, "SUPPLIES", "in", "Firm"),
        customers=_linked(store, firm.id, "SUPPLIES", "out", "Firm"),
        partners=_linked(store, firm.id, "PARTNER_OF", "both", "Firm"),
        targets=[]
        if local is not False
        else _targets(store, firm.id, chain_list, thresholds, home_area),
    )
