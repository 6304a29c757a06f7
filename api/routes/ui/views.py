"""The relationship view (关系网络) of a node inside the app: the page around the view, linked
from a firm's page and a chain's page.

The view itself is the API's HTML document (:mod:`chainatlas.api.routes.views`), framed here
as the chain page frames its fishbone: the frame's request carries the session cookie (GETs
under ``/api/v1`` accept it), and the document runs sandboxed under the API's policy. This
page adds the nav bar, the node's name, a choice of depth and a way back.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import get_store
from chainatlas.api.routes.ui.core import User, page
from chainatlas.viz.bigview import AROUND_DEPTH
from chainatlas.viz.views import LABEL_ZH

router = APIRouter(include_in_schema=False)

#: the depths the page offers (the API takes any)
DEPTHS = (1, 2, 3)
#: the page a node of these labels has, to go back to
_HOME = {"Firm": "/ui/firm/{}", "Chain": "/ui/chain/{}"}


@router.get("/ui/view/{node_id}", response_class=HTMLResponse)
def view_page(
    request: Request,
    who: User,
    node_id: str,
    depth: int = Query(AROUND_DEPTH, ge=1, le=max(DEPTHS)),
) -> Response:
    """关系网络 around ``node_id``, ``depth`` relationships deep; an unknown node is a 404
    page."""
    node = get_store(request).require_node(node_id)
    src = f"/api/v1/views/around/{quote(node.id, safe='')}?" + urlencode(
        {"depth": depth, "format": "html"}
    )
    home = _HOME.get(node.label)
    return page(
        request,
        who,
        "view.html",
        title=f"关系网络 · {node.name}",
        nav="firms" if node.label == "Firm" else "chains" if node.label == "Chain" else "",
        node=node,
        kind=LABEL_ZH.get(node.label, node.label),
        back=home.format(quote(node.id, safe="")) if home else None,
        depth=depth,
        depths=DEPTHS,
        src=src,
    )
