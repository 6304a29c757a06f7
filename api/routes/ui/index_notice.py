"""The notice a page that needs the ranking index answers with while the index is being
computed (「正在计算招商目标」), and the status it polls to reload itself when it is ready.

Only a served app warms the index in the background (:mod:`chainatlas.api.warmup`); there the
招商图 page (``/ui/chain/<chain>/map``) answers at once, with 200 — a normal warm-up is no
error — instead of keeping the browser waiting half a minute. The notice polls
``/ui/index-status`` (a small script of our own, no CDN; without scripts a meta refresh) and
reloads the page once the index is ready. An app without the warm-up builds in the request,
as before; the API and the CLI always wait for the index.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from chainatlas.api.deps import get_settings, get_store
from chainatlas.api.routes.ui.core import User, page
from chainatlas.api.warmup import IndexWarmer
from chainatlas.graph.model import Node

__all__ = ["index_notice", "router"]

router = APIRouter(include_in_schema=False)


def _warmer(request: Request) -> IndexWarmer | None:
    warmer: IndexWarmer | None = getattr(request.app.state, "index_warmer", None)
    return warmer


def index_notice(request: Request, who: User, title: str, chain: Node) -> Response | None:
    """The notice page (``title``, a way back to ``chain``) when the index of the graph as it
    is now is not ready and is being warmed; None when the page can be rendered now."""
    warmer = _warmer(request)
    store, home = get_store(request), get_settings(request).home_area
    if warmer is None or not warmer.pending(store, home):
        return None
    status = warmer.status(store, home)
    resp = page(
        request,
        who,
        "index_warming.html",
        title=title,
        nav="chains",
        chain=chain,
        seconds=status["seconds"],
    )
    resp.headers["Cache-Control"] = "no-store"  # the page itself once the index is ready
    return resp


@router.get("/ui/index-status")
def index_status(request: Request, who: User) -> Response:
    """Whether the ranking index of the graph as it is now is ready (JSON: ``ready``,
    ``building``, ``seconds`` since the build started, ``failed``)."""
    warmer = _warmer(request)
    store, home = get_store(request), get_settings(request).home_area
    if warmer is None:  # no warm-up: a page builds the index itself
        body = {"ready": True, "building": False, "seconds": None, "failed": False}
    else:
        body = warmer.status(store, home)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
