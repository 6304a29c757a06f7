"""Segments (环节) of the fishbones and the product graph."""

from __future__ import annotations

from fastapi import APIRouter, Query

from chainatlas.api.deps import StoreDep
from chainatlas.api.schemas import NodeIdPath, NodePublic, Page, SubgraphPublic, neighbourhood

router = APIRouter(prefix="/segments", tags=["segments"])


@router.get("", response_model=Page[NodePublic])
def segments(
    store: StoreDep,
    q: str | None = Query(None, description="名称包含"),
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> Page[NodePublic]:
    nodes = store.find_nodes("Segment")
    if q:
        nodes = [n for n in nodes if q in n.name]
    return Page(data=[NodePublic.of(n) for n in nodes[skip : skip + limit]], count=len(nodes))


@router.get("/{segment_id}", response_model=SubgraphPublic)
def segment(segment_id: NodeIdPath, store: StoreDep) -> SubgraphPublic:
    """A segment with its chains, sub- and parent segments, flows and firms."""
    return neighbourhood(store, store.require_node(segment_id, "Segment"))
