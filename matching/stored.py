"""Matching the 关键需求清单 and 核心供给清单 kept in the graph, saved as 对接 records.

Uploaded lists are matched and forgotten (:func:`chainatlas.matching.elements.match` on files);
the lists stored in the graph (Demand and Supply nodes, entered through the templates or the
records API) are matched the same way, and each proposal is kept as a docking
(:mod:`chainatlas.graph.workflows.dockings`) that users follow up. A chain or a region narrows the
demands; the supplies are all stored supplies (the matcher checks which may serve a demand's
region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chainatlas.graph.errors import RowError
from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dockings import Proposal, save_dockings
from chainatlas.graph.workflows.maps import resolve_chain
from chainatlas.matching.element_reading import elements_from_store

__all__ = ["StoredMatch", "match_stored", "stored_demands"]


@dataclass
class StoredMatch:
    """What one run matched and recorded."""

    demands: int
    supplies: int
    assigned: list[dict[str, Any]]
    unmatched: list[dict[str, str]]
    new_dockings: list[str]
    skipped: list[RowError] = field(default_factory=list)


def stored_demands(
    store: GraphStore, chain: str | None = None, region: str | None = None
) -> list[Node]:
    """The stored demands of a chain (id or name, any layout's chain by its id) and/or a
    region (name or id)."""
    nodes = list(store.iter_nodes("Demand"))
    if chain:
        cid = resolve_chain(store, chain).id
        nodes = [n for n in nodes if _linked(store, n.id, "IN_CHAIN", cid)]
    if region:
        nodes = [n for n in nodes if _in_region(store, n, region)]
    return nodes


def _linked(store: GraphStore, node: str, rel: str, end: str) -> bool:
    return any(o.id == end for _, o in store.neighbours(node, [rel], "out"))


def _in_region(store: GraphStore, node: Node, region: str) -> bool:
    if node.props.get("region") == region:
        return True
    return any(region in (o.id, o.name) for _, o in store.neighbours(node.id, ["LOCATED_IN"]))


def match_stored(
    store: GraphStore,
    *,
    demands: list[Node],
    top: int = 5,
    home_area: tuple[str, ...] = HOME_AREA,
    today: date | None = None,
) -> StoredMatch:
    """Match ``demands`` against every stored supply and record each allocated pair as a
    docking (推荐) unless it is recorded already."""
    from chainatlas.matching.elements import match  # scipy, sklearn

    ds, e1 = elements_from_store(store, "demand", demands)
    ss, e2 = elements_from_store(store, "supply")
    res = match(ds, ss, store=store, top=top, home_area=home_area)
    proposals = [
        Proposal(m.demand, m.supply, m.supply_label, m.score, m.from_graph)
        for m in res.assigned
        if store.get_node(m.supply) is not None
    ]
    new = save_dockings(store, proposals, today or date.today())
    assigned = [
        {"demand": p.demand, "supply": p.supply, "supply_label": p.supply_label,
         "score": round(p.score, 4), "from_graph": p.from_graph,
         "docking": f"docking:{p.demand}:{p.supply}"}
        for p in proposals
    ]  # fmt: skip
    unmatched = [{"demand": d, "reason": r} for d, r in res.unmatched]
    return StoredMatch(len(ds), len(ss), assigned, unmatched, new, e1 + e2)
