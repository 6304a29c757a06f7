"""Render any of the two maps and two libraries to json, xlsx, html (or svg for the fishbone)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.rules import Thresholds
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import (
    AttractionMap,
    Fishbone,
    attraction_map,
    fishbone,
    masters_library,
    projects_library,
    resolve_chain,
)
from chainatlas.viz.fishbone_page import render_fishbone
from chainatlas.viz.html import render_page
from chainatlas.viz.svg import fishbone_svg
from chainatlas.viz.tables import (
    attraction_tables,
    fishbone_tables,
    masters_tables,
    projects_tables,
    xlsx_bytes,
)
from chainatlas.viz.views import attraction_page, fishbone_page, masters_page, projects_page

__all__ = ["FORMATS", "KINDS", "Rendered", "render_view"]

KINDS = ("fishbone", "map", "masters", "projects")
FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "svg": "image/svg+xml",
}
TITLES = {
    "fishbone": "产业链鱼骨图",
    "map": "产业链招商图",
    "masters": "链主型企业库",
    "projects": "重点项目库",
}


@dataclasses.dataclass
class Rendered:
    data: bytes
    media_type: str
    filename: str


def _json(obj: Any) -> bytes:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    elif isinstance(obj, list):
        obj = [dataclasses.asdict(x) if dataclasses.is_dataclass(x) else x for x in obj]  # type: ignore[arg-type]
    return json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")


def render_view(
    store: GraphStore,
    kind: str,
    fmt: str,
    *,
    chain: str | None = None,
    filters: dict[str, str | None] | None = None,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
    index: Any = None,
) -> Rendered:
    """Build the ``kind`` view of ``chain`` and render it as ``fmt``.

    Raises
    ------
    NodeNotFound
        For an unknown chain.
    ValueError
        For a kind or format that does not exist (svg exists for the fishbone only).
    """
    if kind not in KINDS:
        raise ValueError(f"未知视图 {kind!r}，可选 {', '.join(KINDS)}")
    if fmt not in FORMATS or (fmt == "svg" and kind != "fishbone"):
        raise ValueError(f"视图 {kind} 不支持格式 {fmt!r}")
    name = ""
    obj: Any
    if kind == "projects":
        obj = projects_library(store, chain=chain, **(filters or {}))
        name = resolve_chain(store, chain).name if chain else "全部"
    else:
        if chain is None:
            raise ValueError("需要指定产业链")
        name = resolve_chain(store, chain).name
        if kind == "fishbone":
            obj = fishbone(store, chain, thresholds=thresholds, home_area=home_area)
        elif kind == "map":
            from chainatlas.matching.service import map_target_fn

            fn = map_target_fn(index) if index is not None else None
            obj = attraction_map(
                store, chain, thresholds=thresholds, home_area=home_area, targets=fn
            )
        else:
            obj = masters_library(store, chain, home_area=home_area)
    filename = f"{TITLES[kind]}-{name}.{fmt}"
    if fmt == "json":
        data = _json(obj)
    elif fmt == "svg":
        data = fishbone_svg(obj).encode("utf-8")
    elif fmt == "html":
        if kind == "fishbone":
            data = render_fishbone(fishbone_page(obj)).encode("utf-8")
            return Rendered(data, FORMATS[fmt], filename)
        if kind == "map":
            page = attraction_page(obj)
        elif kind == "masters":
            page = masters_page(name, obj)
        else:
            page = projects_page(f"重点项目库 · {name}", obj)
        data = render_page(page).encode("utf-8")
    else:
        if isinstance(obj, Fishbone):
            sheets = fishbone_tables(obj)
        elif isinstance(obj, AttractionMap):
            sheets = attraction_tables(obj)
        elif kind == "masters":
            sheets = masters_tables(obj)
        else:
            sheets = projects_tables(obj)
        data = xlsx_bytes(sheets)
    return Rendered(data, FORMATS[fmt], filename)
