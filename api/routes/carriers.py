"""What the seeds name beyond chains: carriers (载体), the firm ladder, parks' 主导产业.

- ``GET /carriers?chain=`` — the platforms and carriers the seeds name (先导区, 大科学装置,
  试验区, 产业区块, 基地, 氢走廊节点 …) with the seed's words (``quote``) and, per chain served,
  the basis (the seed, or 推断).
- ``GET /firm-ladder?chain=`` — local firms per rung of seed 000's ladder, and per programme.
- ``GET /parks/industries`` and ``PUT /parks/{park}/industries`` — each park's 主导产业 (the seed
  asks for 2—3); declaring them is a records write, by whoever may edit the park, audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request

from chainatlas.api.auth import check_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.schemas import ParkIndustries
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.ladder import firm_ladder
from chainatlas.graph.workflows.maps import resolve_chain
from chainatlas.graph.workflows.parks import park_industries, set_park_industries

router = APIRouter(tags=["chains"])


def carriers(store: GraphStore, chain: str | None = None) -> list[dict[str, Any]]:
    """The seed-named platforms and carriers (those with the seed's words), by id."""
    cid = resolve_chain(store, chain).id if chain else None
    rows = []
    for p in store.find_nodes("Platform"):
        if not p.props.get("quote"):
            continue
        serves = [
            {"chain": n.id, "name": n.name, "basis": r.props.get("basis")}
            for r, n in store.neighbours(p.id, ["SERVES"], "out")
        ]
        if cid and cid not in [s["chain"] for s in serves]:
            continue
        rows.append({"id": p.id} | p.props | {"serves": serves})
    return rows


@router.get("/carriers")
def list_carriers(
    store: StoreDep, chain: str | None = Query(None, description="只列服务这条产业链的载体")
) -> list[dict[str, Any]]:
    """Platforms and carriers named by the seeds, with the seed's words and their basis."""
    return carriers(store, chain)


@router.get("/firm-ladder")
def ladder(
    store: StoreDep,
    settings: SettingsDep,
    chain: str | None = Query(None, description="产业链编号或名称；不填为全市"),
) -> dict[str, Any]:
    """Local firms per rung of the ladder (seed order) and per 培育工程."""
    return firm_ladder(store, chain, settings.home_area)


@router.get("/parks/industries")
def parks(store: StoreDep) -> list[dict[str, Any]]:
    """Each park's 主导产业: declared, or inferred from its projects (labelled 推断)."""
    return park_industries(store)


@router.put("/parks/{park:path}/industries")
def put_park(
    park: str,
    body: ParkIndustries,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> dict[str, Any]:
    """Declare a park's 主导产业 (replacing those declared before)."""
    store.require_node(park, "Park")
    check_scope(store, who, node=park)
    row = next(r for r in park_industries(store) if r["park"] == park)
    before = [d["chain"] for d in row["declared"]]
    with auth.audited(who, request, park, before, {"chains": body.chains}) as entry:
        row = set_park_industries(store, park, body.chains, by=who.name, on=date.today())
        entry.after = [d["chain"] for d in row["declared"]]
    return row
