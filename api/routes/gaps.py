"""Gap detection and ranked, explained target lists (补链 延链 强链)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep, TargetIndexDep, target_index
from chainatlas.api.downloads import XLSX, download, downloads
from chainatlas.api.schemas import ChainPath
from chainatlas.matching.service import targets_for
from chainatlas.viz.reports import gaps_report, targets_report

__all__ = ["router", "target_index"]  # target_index: for the web pages (api/routes/ui)

router = APIRouter(tags=["gaps and targets"])


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
    store: StoreDep,
    index: TargetIndexDep,
    segment: str = Query(..., description="环节编号或名称"),
    chain: str | None = Query(None),
    top: int = Query(20, ge=1, le=500),
    inferred_only: bool = Query(False),
    format: Literal["json", "xlsx"] = Query("json"),
) -> Response:
    """Ranked target firms for a segment, each with score, known/inferred and reasons."""
    result: dict[str, Any] = targets_for(
        store, index, segment, chain=chain, top=top, inferred_only=inferred_only
    )
    return download(targets_report([result], format), format, f"招商目标-{result['name']}.{format}")
