"""The stored lists matched, and their 对接 records (``/match/stored``, ``/dockings``).

``POST /match/stored`` matches the 关键需求清单 kept in the graph (narrowed by chain or region)
against the 核心供给清单 kept there and records each proposal as a docking (推荐). Users move a
docking on (推荐 → 对接中 → 已落实 / 未落实) with ``PUT /dockings/{id}/status``; the caller must
write records and reach the demand's chain or region (like editing the demand), and each change
is audited ahead. ``GET /dockings/summary?month=`` says how many needs were met.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request

from chainatlas.api.auth import Forbidden, Principal, check_scope, check_writer, in_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.roles import scoped_by
from chainatlas.api.schemas import Status, StatusChange, StoredMatchRequest
from chainatlas.graph.errors import ValidationFailed
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dockings import demand_of, docking_rows, docking_summary, set_status
from chainatlas.graph.workflows.maps import resolve_chain

router = APIRouter(tags=["matching"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
#: the docking states that keep a demand, a supply or a firm from being deleted: work under
#: way (对接中) and results the monthly report counts (已落实)
KEPT = ("对接中", "已落实")


def dockings_of(store: GraphStore, node_id: str) -> tuple[list[Node], list[Node]]:
    """The dockings of a demand, a supply or a firm, split in two: those that keep it from
    being deleted (:data:`KEPT`), and those that go with it (推荐, 未落实: a proposal nobody
    took up, or one that came to nothing), so that no docking is left pointing at nothing."""
    docks = [n for _, n in store.neighbours(node_id, ["DOCKS_DEMAND", "DOCKS_SUPPLY"], "in")]
    kept = [n for n in docks if n.props.get("status") in KEPT]
    return kept, [n for n in docks if n.props.get("status") not in KEPT]


def demands_in_reach(store: GraphStore, who: Principal, demands: list[Node]) -> list[Node]:
    """The demands a caller may match (and so record dockings for): a writer's own scope."""
    check_writer(who)
    mine = [d for d in demands if in_scope(store, who, node=d.id)]
    if demands and not mine:
        raise Forbidden(f"{who.describe()}范围内没有可匹配的需求")
    return mine


def check_filters(store: GraphStore, who: Principal, chain: str | None, region: str | None) -> None:
    """A district (for a district's team) or a chain (for a chain's department) named as the
    filter must be the caller's own: one outside is refused by its name (review R, B5),
    not matched to nothing and then told 「范围内没有可匹配的需求」."""
    check_writer(who)
    kind = scoped_by(who.role)
    if region and kind == "region":
        node = store.get_node(region)
        name = node.name if node is not None and node.label == "Region" else region
        if not in_scope(store, who, region=name):
            raise Forbidden(f"{name}不在您的范围（{'、'.join(who.scope)}）内")
    if chain and kind == "chain":
        named = resolve_chain(store, chain)
        if not in_scope(store, who, chain=named.id):
            yours = "、".join(_chain_name(store, c) for c in who.scope)
            raise Forbidden(f"产业链「{named.name}」不在您的范围（{yours}）内")


def _chain_name(store: GraphStore, chain_id: str) -> str:
    node = store.get_node(chain_id)
    return node.name if node is not None else chain_id


@router.post("/match/stored")
def run_stored_match(
    body: StoredMatchRequest,
    store: StoreDep,
    settings: SettingsDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> dict[str, Any]:
    """Match the stored demand list against the stored supply list; new pairs become 推荐."""
    from chainatlas.matching.stored import match_stored, stored_demands

    check_filters(store, who, body.chain, body.region)
    demands = demands_in_reach(store, who, stored_demands(store, body.chain, body.region))
    intended = {"chain": body.chain, "region": body.region, "demands": len(demands)}
    with auth.audited(who, request, "对接", None, intended) as entry:
        res = match_stored(store, demands=demands, top=body.top, home_area=settings.home_area)
        entry.after = {"new_dockings": res.new_dockings}
    return {
        "demands": res.demands,
        "supplies": res.supplies,
        "assigned": res.assigned,
        "unmatched": res.unmatched,
        "new_dockings": res.new_dockings,
        "skipped": [e.__dict__ for e in res.skipped],
    }


@router.get("/dockings")
def list_dockings(
    store: StoreDep,
    status: Status | None = Query(None, description="只列这个状态"),  # type: ignore[valid-type]
    demand: str | None = Query(None, description="只列这个需求的对接"),
) -> list[dict[str, Any]]:
    """对接 records with their demand and supply."""
    rows = docking_rows(store)
    return [
        r
        for r in rows
        if (status is None or r["status"] == status) and (demand is None or r["demand"] == demand)
    ]


@router.get("/dockings/summary")
def dockings_summary(
    store: StoreDep, month: str = Query(..., examples=["2026-11"], pattern=MONTH)
) -> dict[str, Any]:
    """How many needs were met by the month's end and in the month."""
    return docking_summary(store, month)


@router.put("/dockings/{docking:path}/status")
def change_status(
    docking: str,
    body: StatusChange,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> dict[str, Any]:
    """Move a docking on (推荐 → 对接中 → 已落实 / 未落实), by whoever may edit its demand."""
    demand = demand_of(store, docking)
    check_scope(store, who, node=demand)
    try:
        on = date.fromisoformat(body.date) if body.date else date.today()
    except ValueError:
        raise ValidationFailed(f"日期无效：{body.date!r}") from None
    before = store.require_node(docking).props
    with auth.audited(who, request, docking, before, {"status": body.status}) as entry:
        row = set_status(store, docking, body.status, on=on, by=who.name, note=body.note)
        entry.after = {"status": row["status"]}
    return row
