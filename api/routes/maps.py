"""两图两库: the fishbone and investment-attraction maps and the chain-master library, as JSON
or as downloads (xlsx, html, svg); :func:`view_response` renders those views and the project
library (:mod:`chainatlas.api.routes.projects`)."""

from __future__ import annotations

import json
from typing import Any, Literal

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
    segment: str | None = Query(
        None, max_length=200, description="只含这一个弱、缺环节（编号或名称）的目标"
    ),
) -> Response:
    """产业链招商图: weak and missing segments, ranked targets, landing regions and parks;
    with ``segment``, that segment's targets only (the interactive view, one segment at a
    time, stays readable)."""
    from chainatlas.matching.index_cache import one_thread

    with one_thread():  # the ranker's trees on one thread: see one_thread
        if segment is None:
            return view_response(store, settings, "map", format, chain, index=index)
        return _one_segment(store, settings, chain, segment, format, index)


def _one_segment(
    store: StoreDep, settings: SettingsDep, chain: str, segment: str, fmt: str, index: Any
) -> Response:
    """The attraction map of ``chain`` cut down to one weak or missing segment."""
    import dataclasses

    from chainatlas.graph.errors import NodeNotFound
    from chainatlas.graph.workflows.maps import attraction_map, resolve_chain
    from chainatlas.matching.service import map_target_fn
    from chainatlas.viz.export import TITLES

    ch = resolve_chain(store, chain)
    am = attraction_map(
        store,
        ch.id,
        thresholds=settings.thresholds(),
        home_area=settings.home_area,
        targets=map_target_fn(index) if index is not None else None,
    )
    one = [s for s in am.segments if segment in (s.segment, s.name)]
    if not one:
        raise NodeNotFound(segment, "环节", f"不是{ch.name}的弱、缺环节")
    am = dataclasses.replace(am, segments=one[:1])
    name = f"{TITLES['map']}-{ch.name}-{one[0].name}.{fmt}"
    if fmt == "html":
        from chainatlas.viz.html import render_page
        from chainatlas.viz.views import attraction_page

        data = render_page(attraction_page(am)).encode("utf-8")
    elif fmt == "xlsx":
        from chainatlas.viz.tables import attraction_tables, xlsx_bytes

        data = xlsx_bytes(attraction_tables(am))
    else:
        data = json.dumps(dataclasses.asdict(am), ensure_ascii=False, indent=2).encode("utf-8")
    return download(data, fmt, name)


@router.get("/masters/{chain}", responses=downloads(XLSX, HTML))
def masters(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    format: Fmt = Query("json", description="json|xlsx|html"),
) -> Response:
    """链主型企业库: chain masters and partners, suppliers, customers, local supporting ratio."""
    return view_response(store, settings, "masters", format, chain)
