"""Relationship views: the neighbourhood of any node, or the whole graph, capped at the
settings' ``view_max_nodes`` — the HTTP side of ``chainatlas view``.

Like every read under ``/api/v1`` they need a token (any role: the graph views of
:mod:`chainatlas.api.routes.maps` and :mod:`chainatlas.api.routes.chains` are not scoped
either). A capped view says so: ``notice`` in JSON, the page's subtitle in HTML and the
``X-Chainatlas-Notice`` header (percent-encoded UTF-8) in both.

A node's neighbourhood is :data:`~chainatlas.viz.bigview.AROUND_DEPTH` (2) relationships deep
unless ``depth`` says otherwise: unlimited, a firm's "neighbourhood" was the whole graph. Without
``format`` the answer follows the request's ``Accept``: a browser (which prefers ``text/html``)
gets the page, API clients (``application/json``, ``*/*``) get JSON.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.downloads import HTML, download, downloads
from chainatlas.api.schemas import NodeIdPath
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore

router = APIRouter(prefix="/views", tags=["views"])

Fmt = Literal["json", "html"]
NOTICE_HEADER = "X-Chainatlas-Notice"
FORMAT_HELP = "json|html；缺省时浏览器（Accept 优先 text/html）得到 html，其余得到 json"


@router.get("/around/{node_id}", responses=downloads(HTML))
def around_view(
    request: Request,
    node_id: NodeIdPath,
    store: StoreDep,
    settings: SettingsDep,
    depth: int | None = Query(None, ge=1, description="只要这么多度以内的节点；缺省 2 度"),
    max_nodes: int | None = Query(
        None, ge=1, description="最多节点数，近的优先；缺省且不能超过设置 view_max_nodes"
    ),
    format: Fmt | None = Query(None, description=FORMAT_HELP),
) -> Response:
    """The nodes around ``node_id`` breadth-first (either direction, nearest first, 2
    relationships deep unless ``depth`` is given) with the relationships among them; an
    unknown node is 404."""
    return _view(store, settings, node_id, depth, max_nodes, format, request)


@router.get("/graph", responses=downloads(HTML))
def graph_view(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    max_nodes: int | None = Query(
        None, ge=1, description="最多节点数；缺省且不能超过设置 view_max_nodes"
    ),
    format: Fmt | None = Query(None, description=FORMAT_HELP),
) -> Response:
    """The whole graph, or breadth-first from its best-connected nodes when it is larger than
    ``max_nodes``."""
    return _view(store, settings, None, None, max_nodes, format, request)


def _quality(accept: str, kinds: tuple[str, ...]) -> float:
    """The q-value ``accept`` gives the first of ``kinds`` it names (``0`` when none)."""
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        kind, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.setdefault(kind.lower(), q)
    return next((ranges[k] for k in kinds if k in ranges), 0.0)


def prefers_html(accept: str | None) -> bool:
    """Whether an ``Accept`` header asks for HTML before JSON: a browser's does
    (``text/html,…,*/*;q=0.8``); ``*/*`` alone, ``application/json`` or none does not.

    >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    True
    >>> prefers_html("*/*"), prefers_html("application/json"), prefers_html(None)
    (False, False, False)
    """
    if not accept:
        return False
    html = _quality(accept, ("text/html",))
    return html > 0 and html > _quality(accept, ("application/json", "application/*", "*/*"))


def _view(
    store: GraphStore,
    settings: Settings,
    node: str | None,
    depth: int | None,
    max_nodes: int | None,
    fmt: Fmt | None,
    request: Request,
) -> Response:
    from chainatlas.viz.bigview import neighbourhood_view

    cap = settings.view_max_nodes
    if max_nodes is not None and max_nodes > cap:
        raise HTTPException(422, f"max_nodes {max_nodes} 超过上限 {cap}（设置 view_max_nodes）")
    chosen: Fmt = fmt or ("html" if prefers_html(request.headers.get("accept")) else "json")
    r = neighbourhood_view(store, node=node, depth=depth, max_nodes=max_nodes or cap, fmt=chosen)
    response = download(r.data, chosen, r.filename, fallback="view")
    if fmt is None:
        response.headers["Vary"] = "Accept"
    if r.notice:
        response.headers[NOTICE_HEADER] = quote(r.notice)
    return response
