"""两图两库: the fishbone and investment-attraction maps, the chain-master and project libraries,
as JSON or as downloads (xlsx, html, svg)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep, TargetIndexOrNoneDep
from chainatlas.api.downloads import HTML, SVG, XLSX, download, downloads
from chainatlas.api.schemas import ChainPath
from chainatlas.viz.export import render_view

router = APIRouter(tags=["maps"])

Fmt = Literal["json", "xlsx", "html"]
FishboneFmt = Literal["json", "xlsx", "html", "svg"]


def _render(
    store: StoreDep,
    settings: SettingsDep,
    kind: str,
    fmt: str,
    chain: str | None,
    filters: dict[str, str | None] | None = None,
    index: object = None,
) -> Response:
    try:
        r = render_view(
            store,
            kind,
            fmt,
            chain=chain,
            filters=filters,
            thresholds=settings.thresholds(),
            home_area=settings.home_area,
            index=index,
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return download(r.data, fmt, r.filename)


@router.get("/maps/fishbone/{chain}", responses=downloads(XLSX, HTML, SVG))
def fishbone_map(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    format: FishboneFmt = Query("json", description="json|xlsx|html|svg"),
) -> Response:
    """产业链鱼骨图 of a chain (id or name): segments by stage, local presence, verdicts."""
    return _render(store, settings, "fishbone", format, chain)


@router.get("/maps/attraction/{chain}", responses=downloads(XLSX, HTML))
def attraction(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    index: TargetIndexOrNoneDep,
    format: Fmt = Query("json", description="json|xlsx|html"),
) -> Response:
    """产业链招商图: weak and missing segments, ranked targets, landing regions and parks."""
    return _render(store, settings, "map", format, chain, index=index)


@router.get("/maps/masters/{chain}", responses=downloads(XLSX, HTML))
def masters(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    format: Fmt = Query("json", description="json|xlsx|html"),
) -> Response:
    """链主型企业库: chain masters and partners, suppliers, customers, local supporting ratio."""
    return _render(store, settings, "masters", format, chain)


@router.get("/projects", responses=downloads(XLSX, HTML))
def projects(
    store: StoreDep,
    settings: SettingsDep,
    chain: str | None = None,
    segment: str | None = None,
    region: str | None = None,
    stage: str | None = None,
    format: Fmt = Query("json", description="json|xlsx|html"),
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=5000),
) -> Response:
    """重点项目库, filtered by chain, segment, region and stage; JSON as ``{data, count}``
    (paged with ``skip``/``limit``), xlsx and html with every project that matches."""
    filters = {"segment": segment, "region": region, "stage": stage}
    if format == "json":
        import json

        from chainatlas.graph.maps import projects_library

        rows = projects_library(store, chain=chain, **filters)
        body = {"data": rows[skip : skip + limit], "count": len(rows)}
        return download(json.dumps(body, ensure_ascii=False), "json")
    return _render(store, settings, "projects", format, chain, filters)
