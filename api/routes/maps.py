"""两图两库: the fishbone and investment-attraction maps and the chain-master library, as JSON
or as downloads (xlsx, html, svg); :func:`view_response` renders those views and the project
library (:mod:`chainatlas.api.routes.projects`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep, TargetIndexOrNoneDep
from chainatlas.api.downloads import HTML, SVG, XLSX, download, downloads
from chainatlas.api.schemas import ChainPath
from chainatlas.viz.export import render_view

router = APIRouter(prefix="/maps", tags=["maps"])

Fmt = Literal["json", "xlsx", "html"]
FishboneFmt = Literal["json", "xlsx", "html", "svg"]


def view_response(
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


@router.get("/fishbone/{chain}", responses=downloads(XLSX, HTML, SVG))
def fishbone_map(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    format: FishboneFmt = Query("json", description="json|xlsx|html|svg"),
) -> Response:
    """产业链鱼骨图 of a chain (id or name): segments by stage, local presence, verdicts."""
    return view_response(store, settings, "fishbone", format, chain)


@router.get("/attraction/{chain}", responses=downloads(XLSX, HTML))
def attraction(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    index: TargetIndexOrNoneDep,
    format: Fmt = Query("json", description="json|xlsx|html"),
) -> Response:
    """产业链招商图: weak and missing segments, ranked targets, landing regions and parks."""
    return view_response(store, settings, "map", format, chain, index=index)


@router.get("/masters/{chain}", responses=downloads(XLSX, HTML))
def masters(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    format: Fmt = Query("json", description="json|xlsx|html"),
) -> Response:
    """链主型企业库: chain masters and partners, suppliers, customers, local supporting ratio."""
    return view_response(store, settings, "masters", format, chain)
