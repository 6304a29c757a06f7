"""Layouts and chains: the layouts, the chains with their segments, a chain's subgraph, and the
chains' progress toward the 2026 targets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.schemas import (
    ChainDetail,
    ChainPath,
    NodePublic,
    Page,
    RelPublic,
    SegmentEntry,
    SubgraphPublic,
)
from chainatlas.graph.model import CHAIN_TIERS, STAGES

router = APIRouter(tags=["layouts and chains"])


@router.get("/layouts", response_model=Page[NodePublic])
def layouts(store: StoreDep) -> Page[NodePublic]:
    """Both layouts (1366, eight-2.0) and the earlier future-industry names."""
    data = [NodePublic.of(n) for n in store.find_nodes("Layout")]
    return Page(data=data, count=len(data))


@router.get("/chains", response_model=Page[NodePublic])
def chains(
    store: StoreDep,
    layout: str | None = Query(None, description="布局代码，如 1366、eight-2.0"),
    tier: str | None = Query(None, description="/".join(CHAIN_TIERS)),
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> Page[NodePublic]:
    props = {k: v for k, v in (("layout", layout), ("tier", tier)) if v is not None}
    nodes = store.find_nodes("Chain", props)
    nodes.sort(key=lambda n: (n.props.get("layout", ""), n.props.get("order", 0)))
    return Page(data=[NodePublic.of(n) for n in nodes[skip : skip + limit]], count=len(nodes))


@router.get("/chains/{chain_id}", response_model=ChainDetail)
def chain(chain_id: ChainPath, store: StoreDep) -> ChainDetail:
    """A chain with its fishbone segments by stage, focus regions and lineage."""
    node = store.require_node(chain_id, "Chain")
    segs = []
    for rel, seg in store.neighbours(chain_id, ["HAS_SEGMENT"], "out"):
        subs = [NodePublic.of(n) for _, n in store.neighbours(seg.id, ["SUBSEGMENT_OF"], "in")]
        segs.append(
            SegmentEntry(
                segment=NodePublic.of(seg),
                stage=rel.props["stage"],
                key=bool(rel.props.get("key")),
                order=rel.props.get("order"),
                subsegments=subs,
            )
        )
    segs.sort(key=lambda s: (STAGES.index(s.stage), s.order or 0))
    lay = store.neighbours(chain_id, ["IN_LAYOUT"], "out")
    return ChainDetail(
        chain=NodePublic.of(node),
        layout=NodePublic.of(lay[0][1]) if lay else None,
        segments=segs,
        focus_regions=[NodePublic.of(n) for _, n in store.neighbours(chain_id, ["FOCUS_REGION"])],
        evolved_into=[NodePublic.of(n) for _, n in store.neighbours(chain_id, ["EVOLVED_INTO"])],
        evolved_from=[
            NodePublic.of(n) for _, n in store.neighbours(chain_id, ["EVOLVED_INTO"], "in")
        ],
    )


@router.get("/chains/{chain_id}/subgraph", response_model=SubgraphPublic)
def chain_subgraph(chain_id: ChainPath, store: StoreDep) -> SubgraphPublic:
    """Everything hung on a chain: segments, firms, platforms, funds, regions, projects."""
    sg = store.chain_subgraph(chain_id)
    return SubgraphPublic(
        nodes=[NodePublic.of(n) for n in sg.nodes.values()],
        relationships=[RelPublic.of(r) for r in sg.relationships],
    )


@router.get("/progress")
def chain_progress(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Progress toward seed 001's 2026 targets and the 3566 goal, from local firm output."""
    from chainatlas.graph.workflows.progress import progress

    return progress(
        store, home_area=settings.home_area, industrial_output=settings.industrial_output
    )
