"""What the CLI and the API call for target lists: one segment's ranked targets as plain data,
and the target function the investment-attraction map uses. Rendering them (json, xlsx) is
:mod:`chainatlas.viz.reports`'s job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import Target, resolve_chain, segment_in_chain

if TYPE_CHECKING:  # the ranking pulls in scikit-learn and scipy: imported where it is used
    from chainatlas.matching.targets import TargetIndex

__all__ = ["map_target_fn", "segment_in_chain", "targets_for"]


def targets_for(
    store: GraphStore,
    index: TargetIndex,
    segment: str,
    *,
    chain: str | None = None,
    top: int = 20,
    inferred_only: bool = False,
) -> dict[str, Any]:
    """``{"segment", "name", "chain", "targets": [...]}`` for one segment (id or name)."""
    from chainatlas.matching.targets import resolve_segment

    sid = resolve_segment(store, segment)
    if chain is not None and not segment_in_chain(store, sid, chain):
        raise NodeNotFound(segment, "环节", f"不在产业链 {chain} 中")
    ranked = index.rank(sid, top=top, inferred_only=inferred_only)
    node = store.get_node(sid)
    return {
        "segment": sid,
        "name": node.name if node else sid,
        "chain": resolve_chain(store, chain).id if chain else None,
        "targets": [
            {
                "firm": t.firm,
                "name": t.name,
                "region": t.region,
                "score": t.score,
                "tier": t.tier,
                "known": t.known,
                "reasons": t.reasons,
            }
            for t in ranked
        ],
    }


def map_target_fn(index: TargetIndex):  # type: ignore[no-untyped-def]
    """A target function for :func:`chainatlas.graph.workflows.maps.attraction_map` backed by the
    ranking."""

    def pick(store: GraphStore, segment: str, chain: str, top: int) -> list[Target]:
        if segment not in index.sidx:
            return []
        return index.rank(segment, top=top)

    return pick
