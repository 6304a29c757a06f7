"""Parks and their 主导产业 (seed 000 §三（六）"引导每个产业平台聚焦2—3个主导产业精准发力").

A park's 主导产业 are the chains it is declared to serve (``Park -SERVES-> Chain``, with their
basis). Where none is declared, the data still says something: the chains of the projects in
the park, most invested first, up to three — shown as 推断, never as the park's declaration.
Each park says whether its declared 主导产业 number two or three, as the seed asks.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from chainatlas.graph.errors import NodeNotFound, ValidationFailed
from chainatlas.graph.model import Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import resolve_chain

__all__ = ["FOCUS_SEED", "park_industries", "set_park_industries"]

#: seed 000 §三（六）, word for word
FOCUS_SEED = "引导每个产业平台聚焦2—3个主导产业精准发力"
FOCUS_RANGE = (2, 3)


def _declared(store: GraphStore, park: str) -> list[dict[str, Any]]:
    return [
        {"chain": n.id, "name": n.name, "basis": r.props.get("basis") or "登记"}
        for r, n in store.neighbours(park, ["SERVES"], "out")
        if n.label == "Chain"
    ]


def _inferred(store: GraphStore, park: str) -> list[dict[str, Any]]:
    invested: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for _, p in store.neighbours(park, ["IN_PARK"], "in"):
        if p.label != "Project":
            continue
        for _, ch in store.neighbours(p.id, ["IN_CHAIN"], "out"):
            invested[ch.id] += float(p.props.get("investment") or 0)
            names[ch.id] = ch.name
    top = sorted(invested, key=lambda c: (-invested[c], c))[: FOCUS_RANGE[1]]
    return [
        {"chain": c, "name": names[c], "basis": f"推断：园区内项目总投资 {invested[c]:g} 亿元"}
        for c in top
    ]


def park_industries(store: GraphStore) -> list[dict[str, Any]]:
    """Each park with its declared 主导产业, or (none declared) those its projects suggest."""
    rows = []
    for park in store.find_nodes("Park"):
        declared = _declared(store, park.id)
        n = len(declared)
        low, high = FOCUS_RANGE
        rows.append(
            {
                "park": park.id,
                "name": park.name,
                "region": park.props.get("region"),
                "declared": declared,
                "inferred": [] if declared else _inferred(store, park.id),
                "focus_ok": low <= n <= high if declared else None,
                "note": (
                    f"已登记 {n} 个主导产业"
                    + ("" if low <= n <= high else f"，种子要求聚焦 {low}—{high} 个")
                    if declared
                    else "未登记主导产业（以下为按园区项目推断）"
                ),
                "seed_text": FOCUS_SEED,
            }
        )
    return rows


def set_park_industries(
    store: GraphStore, park: str, chains: list[str], *, by: str, on: date
) -> dict[str, Any]:
    """Declare a park's 主导产业 (chain ids or names), replacing the declared ones; at most
    three (the seed's 2—3). Checked before anything is written; the declared ones are read and
    replaced in one serialized write, so of two declarations at once the second replaces the
    first (never both linked, over three)."""
    with store.serialized() as b:
        node = store.get_node(park)
        if node is None or node.label != "Park":
            raise NodeNotFound(park, "园区")
        ids = list(dict.fromkeys(resolve_chain(store, c).id for c in chains))
        if len(ids) > FOCUS_RANGE[1]:
            raise ValidationFailed(
                f"主导产业最多 {FOCUS_RANGE[1]} 个（种子：{FOCUS_SEED}），收到 {len(ids)} 个"
            )
        old = [(park, "SERVES", d["chain"]) for d in _declared(store, park)]
        basis = f"登记（{by}，{on.isoformat()}）"
        b.delete_relationships(old)
        b.upsert_relationships([Relationship(park, "SERVES", c, {"basis": basis}) for c in ids])
    return next(r for r in park_industries(store) if r["park"] == park)
