"""Firms."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import SettingsDep, StoreDep
from api.schemas import FirmPublic, Page, SubgraphPublic, neighbourhood
from graph.model import Node
from graph.settings import is_local

router = APIRouter(prefix="/firms", tags=["firms"])


def _public(n: Node, home: tuple[str, ...]) -> FirmPublic:
    return FirmPublic(
        id=n.id, label=n.label, props=n.props, local=is_local(n.props.get("region"), home)
    )


@router.get("", response_model=Page[FirmPublic])
def firms(
    store: StoreDep,
    settings: SettingsDep,
    q: str | None = Query(None, description="名称包含"),
    region: str | None = Query(None, description="所在区域包含"),
    tag: str | None = Query(None, description="梯度标签"),
    local: bool | None = Query(None, description="是否本地企业"),
    segment: str | None = Query(None, description="所在环节 id"),
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> Page[FirmPublic]:
    if segment:
        nodes = [n for _, n in store.neighbours(segment, ["OPERATES_IN"], "in")]
    else:
        nodes = store.find_nodes("Firm")
    home = settings.home_area
    if q:
        nodes = [n for n in nodes if q in n.name]
    if region:
        nodes = [n for n in nodes if region in str(n.props.get("region", ""))]
    if tag:
        nodes = [n for n in nodes if tag in n.props.get("tags", [])]
    if local is not None:
        nodes = [n for n in nodes if is_local(n.props.get("region"), home) == local]
    return Page(data=[_public(n, home) for n in nodes[skip : skip + limit]], count=len(nodes))


@router.get("/{firm_id}", response_model=SubgraphPublic)
def firm(firm_id: str, store: StoreDep) -> SubgraphPublic:
    """A firm with its segments, region, park, suppliers, customers, partners and chains."""
    return neighbourhood(store, store.require_node(firm_id, "Firm"))
