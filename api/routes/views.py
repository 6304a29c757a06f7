"""Relationship views: the neighbourhood of any node, or the whole graph, capped at the
settings' ``view_max_nodes`` — the HTTP side of ``chainatlas view``.

Like every read under ``/api/v1`` they need a token (any role: the graph views of
:mod:`chainatlas.api.routes.maps` and :mod:`chainatlas.api.routes.chains` are not scoped
either). A capped view says so: ``notice`` in JSON, the page's subtitle in HTML and the
``X-Chainatlas-Notice`` header (percent-encoded UTF-8) in both.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.downloads import HTML, download, downloads
from chainatlas.api.schemas import NodeIdPath
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore

router = APIRouter(prefix="/views", tags=["views"])

Fmt = Literal["json", "html"]
NOTICE_HEADER = "X-Chainatlas-Notice"


@router.get("/around/{node_id}", responses=downloads(HTML))
def around_view(
    node_id: NodeIdPath,
    store: StoreDep,
    settings: SettingsDep,
    depth: int | None = Query(None, ge=1, description="只要这么多度以内的节点；缺省不限"),
    max_nodes: int | None = Query(
        None, ge=1, description="最多节点数，近的优先；缺省且不能超过设置 view_max_nodes"
    ),
    format: Fmt = Query("json", description="json|html"),
) -> Response:
    """The nodes around ``node_id`` breadth-first (either direction, nearest first) with the
    relationships among them; an unknown node is 404."""
    return _view(store, settings, node_id, depth, max_nodes, format)


@router.get("/graph", responses=downloads(HTML))
def graph_view(
    store: StoreDep,
    settings: SettingsDep,
    max_nodes: int | None = Query(
        None, ge=1, description="最多节点数；缺省且不能超过设置 view_max_nodes"
    ),
    format: Fmt = Query("json", description="json|html"),
) -> Response:
    """The whole graph, or breadth-first from its best-connected nodes when it is larger than
    ``max_nodes``."""
    return _view(store, settings, None, None, max_nodes, format)


def _view(
    store: GraphStore,
    settings: Settings,
    node: str | None,
    depth: int | None,
    max_nodes: int | None,
    fmt: Fmt,
) -> Response:
    from chainatlas.viz.bigview import neighbourhood_view

    cap = settings.view_max_nodes
    if max_nodes is not None and max_nodes > cap:
        raise HTTPException(422, f"max_nodes {max_nodes} 超过上限 {cap}（设置 view_max_nodes）")
    r = neighbourhood_view(store, node=node, depth=depth, max_nodes=max_nodes or cap, fmt=fmt)
    response = download(r.data, fmt, r.filename, fallback="view")
    if r.notice:
        response.headers[NOTICE_HEADER] = quote(r.notice)
    return response
