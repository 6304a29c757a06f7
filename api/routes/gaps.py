"""Gap detection and ranked, explained target lists (补链 延链 强链)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.downloads import XLSX, download, downloads
from chainatlas.api.schemas import ChainPath
from chainatlas.graph.store import GraphStore
from chainatlas.matching.service import targets_for
from chainatlas.viz.reports import gaps_report, targets_report

if TYPE_CHECKING:  # scikit-learn and scipy load when the first target list is asked for
    from chainatlas.matching.targets import TargetIndex

router = APIRouter(tags=["gaps and targets"])
_lock = threading.Lock()


def target_index(request: Request, store: GraphStore, home: tuple[str, ...]) -> TargetIndex:
    """The ranking index, rebuilt when the graph's counts have changed since it was built."""
    from chainatlas.matching.targets import TargetIndex

    c = store.counts()
    key = (tuple(sorted(c.labels.items())), tuple(sorted(c.types.items())), home)
    with _lock:
        cached = getattr(request.app.state, "target_index", None)
        if cached is None or cached[0] != key:
            cached = (key, TargetIndex.from_store(store, home_area=home))
            request.app.state.target_index = cached
        return cached[1]


@router.get("/gaps/{chain}", responses=downloads(XLSX))
def chain_gaps(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    format: Literal["json", "xlsx"] = Query("json"),
) -> Response:
    """Per segment: 补链/强链/优势, location quotients, weight in the chain, priority, reasons;
    plus 延链 candidates adjacent in the product graph."""
    g, data = gaps_report(
        store, chain, format, thresholds=settings.thresholds(), home_area=settings.home_area
    )
    return download(data, format, f"缺链分析-{g.name}.{format}")


@router.get("/targets", responses=downloads(XLSX))
def targets(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    segment: str = Query(..., description="环节编号或名称"),
    chain: str | None = Query(None),
    top: int = Query(20, ge=1, le=500),
    inferred_only: bool = Query(False),
    format: Literal["json", "xlsx"] = Query("json"),
) -> Response:
    """Ranked target firms for a segment, each with score, known/inferred and reasons."""
    index = target_index(request, store, settings.home_area)
    result: dict[str, Any] = targets_for(
        store, index, segment, chain=chain, top=top, inferred_only=inferred_only
    )
    return download(targets_report([result], format), format, f"招商目标-{result['name']}.{format}")
