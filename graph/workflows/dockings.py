"""对接 records: what the matching of the stored lists recommended, and what became of it.

Seed 000 §四.三 asks the office to "定期梳理排摸关键需求清单、核心供给清单，深入推进产业链供应链
创新链对接". Matching the lists kept in the graph proposes a supply (or a local firm) for each
demand; each proposal is kept as a ``Docking`` node linked to its demand (``DOCKS_DEMAND``) and
its supply (``DOCKS_SUPPLY``), so that users can follow it up: 推荐 → 对接中 → 已落实 / 未落实.
A met docking counts its demand as met, which is what the office reports per month.

Running the matching again keeps every docking already recorded (its state is the users'); only
new pairs are added as 推荐 (a recorded docking is linked again to its demand and supply where
they exist).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from chainatlas.graph.errors import ChainAtlasError, NodeNotFound, ValidationFailed
from chainatlas.graph.model import DOCKING_STATUSES, Node, Relationship
from chainatlas.graph.store.contract import GraphStore

__all__ = [
    "NEXT",
    "DockingStep",
    "Proposal",
    "docking_rows",
    "docking_summary",
    "save_dockings",
    "set_status",
]

#: The states a docking may move to from each state. 已落实 is final; a 未落实 docking may be
#: taken up again (对接中). The seed names the 对接 but not its states: the office's setting.
NEXT: dict[str, tuple[str, ...]] = {
    "推荐": ("对接中", "未落实"),
    "对接中": ("已落实", "未落实"),
    "已落实": (),
    "未落实": ("对接中",),
}
assert set(NEXT) == set(DOCKING_STATUSES)


class DockingStep(ChainAtlasError):
    """A state change the docking's present state does not allow (400)."""


@dataclass(frozen=True)
class Proposal:
    """One pair the matcher proposed (an allocated supply, or a firm from the graph)."""

    demand: str
    supply: str
    supply_label: str
    score: float
    from_graph: bool


def docking_id(demand: str, supply: str) -> str:
    return f"docking:{demand}:{supply}"


def save_dockings(store: GraphStore, proposals: list[Proposal], on: date) -> list[str]:
    """Record the proposals not recorded yet as 推荐; the ids of the new dockings. Looked up
    and written in one serialized write, so a docking another user has moved on meanwhile is
    never reset to 推荐.

    A docking recorded already keeps its state and history, but its links to the demand and
    the supply its id names are made again where both exist: a store may hold a docking left
    without its demand (deleted before deletes took their dockings along), and re-matching a
    re-created demand links it back."""
    ids = [docking_id(p.demand, p.supply) for p in proposals]
    with store.serialized() as b:
        have = store.get_nodes(ids)
        ends = store.get_nodes({e for p in proposals for e in (p.demand, p.supply)})
        new = [(i, p) for i, p in zip(ids, proposals, strict=True) if i not in have]
        b.upsert_nodes([Node(i, "Docking", _recommended(p, on)) for i, p in new])
        linked = [
            (i, p)
            for i, p in zip(ids, proposals, strict=True)
            if i not in have or {p.demand, p.supply} <= ends.keys()
        ]
        b.upsert_relationships(
            [
                rel
                for i, p in linked
                for rel in (
                    Relationship(i, "DOCKS_DEMAND", p.demand),
                    Relationship(i, "DOCKS_SUPPLY", p.supply),
                )
            ]
        )
    return [i for i, _ in new]


def _recommended(p: Proposal, on: date) -> dict[str, Any]:
    """The properties of a new docking recommended by matching on ``on``."""
    return {
        "status": "推荐",
        "score": round(p.score, 4),
        "supply_label": p.supply_label,
        "from_graph": p.from_graph,
        "created": on.isoformat(),
        "updated": on.isoformat(),
        "history": [f"{on.isoformat()} 推荐（要素匹配）"],
    }


def _require(store: GraphStore, docking: str) -> Node:
    node = store.get_node(docking)
    if node is None or node.label != "Docking":
        raise NodeNotFound(docking, "对接记录")
    return node


def demand_of(store: GraphStore, docking: str) -> str:
    """The demand a docking is for (its scope is the demand's)."""
    _require(store, docking)
    ends = store.neighbours(docking, ["DOCKS_DEMAND"], "out")
    return ends[0][1].id if ends else docking


def set_status(
    store: GraphStore, docking: str, status: str, *, on: date, by: str = "", note: str = ""
) -> dict[str, Any]:
    """Move a docking to ``status`` (checked against :data:`NEXT`); its row afterwards. The
    check and the change are one serialized write: of two changes at once the second is
    checked against the state the first left, and both are in the history."""
    with store.serialized() as b:
        node = _require(store, docking)
        b.upsert_nodes([Node(docking, "Docking", _moved(node, status, on, by, note))])
    return docking_rows(store, [store.require_node(docking)])[0]


def _moved(node: Node, status: str, on: date, by: str, note: str) -> dict[str, Any]:
    """The properties that move ``node`` to ``status``; :class:`DockingStep` or
    :class:`ValidationFailed` for a change its state or the date does not allow."""
    docking = node.id
    now = node.props.get("status", "推荐")
    if status not in DOCKING_STATUSES:
        raise ValidationFailed(
            f"对接状态应为 {'、'.join(DOCKING_STATUSES)} 之一，而不是 {status!r}"
        )
    if on.isoformat() < str(node.props.get("created", "")) or on > date.today():
        raise ValidationFailed(f"对接状态变更日期 {on.isoformat()} 应在推荐之日与今天之间")
    if status not in NEXT[now]:
        allowed = "、".join(NEXT[now]) or "无（已落实为最终状态）"
        raise DockingStep(
            f"对接 {docking} 当前为「{now}」，不能改为「{status}」；可改为：{allowed}"
        )
    entry = (
        f"{on.isoformat()} {status}" + (f"（{by}）" if by else "") + (f"：{note}" if note else "")
    )
    history = [*node.props.get("history", []), entry]
    return {"status": status, "updated": on.isoformat(), "history": history}


def docking_rows(store: GraphStore, nodes: list[Node] | None = None) -> list[dict[str, Any]]:
    """Dockings (all, or ``nodes``) with their demand's and supply's names, by id."""
    rows = []
    for n in sorted(
        nodes if nodes is not None else store.iter_nodes("Docking"), key=lambda n: n.id
    ):
        ends = {r.type: o for r, o in store.neighbours(n.id, ["DOCKS_DEMAND", "DOCKS_SUPPLY"])}
        d, s = ends.get("DOCKS_DEMAND"), ends.get("DOCKS_SUPPLY")
        rows.append(
            {"id": n.id}
            | n.props
            | {
                "demand": d.id if d else None,
                "demand_label": d.props.get("description") if d else None,
                "demand_kind": d.props.get("kind") if d else None,
                "region": d.props.get("region") if d else None,
                "supply": s.id if s else None,
                "supply_kind": s.label if s else None,
            }
        )
    return rows


def _month_end(month: str) -> str:
    y, m = (int(x) for x in month.split("-"))
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}-01"


def docking_summary(store: GraphStore, month: str) -> dict[str, Any]:
    """How many needs were met: the stored demands, the dockings by state at the month's end,
    the demands met by then and those met in the month (a demand is met when one of its
    dockings is 已落实, dated by the change)."""
    end = _month_end(month)
    rows = [r for r in docking_rows(store) if str(r.get("created", "")) < end]
    states = Counter(_status_at(r, end) for r in rows)
    met: dict[str, str] = {}
    for r in rows:
        on = _met_on(r)
        if on and on < end and r["demand"]:
            met[r["demand"]] = min(on, met.get(r["demand"], on))
    demands = sum(1 for n in store.iter_nodes("Demand"))
    return {
        "month": month,
        "demands": demands,
        "demands_docked": len({r["demand"] for r in rows if r["demand"]}),
        "dockings": len(rows),
        "by_status": {s: states.get(s, 0) for s in DOCKING_STATUSES},
        "demands_met": len(met),
        "demands_met_in_month": sum(1 for on in met.values() if on.startswith(month)),
        "met_share": round(len(met) / demands, 4) if demands else None,
    }


def _changes(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(date, state) of each entry of a docking's history."""
    out = []
    for h in row.get("history", []):
        day, _, rest = str(h).partition(" ")
        state = next((s for s in DOCKING_STATUSES if rest.startswith(s)), None)
        if state:
            out.append((day, state))
    return out


def _status_at(row: dict[str, Any], end: str) -> str:
    states = [s for day, s in _changes(row) if day < end]
    return states[-1] if states else "推荐"


def _met_on(row: dict[str, Any]) -> str | None:
    return next((day for day, s in _changes(row) if s == "已落实"), None)
