"""Neighbourhood and whole-graph views: JSON, or an HTML page that stays interactive at 25k
nodes.

Small views (up to :data:`SMALL_VIEW` nodes) keep the vis-network page of
:mod:`chainatlas.viz.html`. Larger ones are drawn with WebGL by sigma.js over a graphology graph
(both vendored under ``viz/static/vendor/sigma`` and inlined, so the file works offline): the
positions come from :func:`chainatlas.viz.layout.cluster_layout`, computed here, so the browser
only draws — no force simulation blocks its main thread. Nodes are coloured by label, laid out
as community discs, labelled only when big or zoomed in (the biggest node of each big cluster
always), with a search box, neighbour highlight on click and legend toggles per label.

Each page sets ``data-ready="1"`` (with ``data-nodes`` and ``data-edges``) on ``<body>`` once it
is interactive; the large page also exposes ``window.chainatlasBig = {renderer, graph, search,
select}`` (used by tests).
"""

from __future__ import annotations

import gc
import html
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from chainatlas.graph.store.contract import GraphStore, Subgraph
from chainatlas.viz.html import CJK_FONTS, render_page, script_json
from chainatlas.viz.layout import cluster_layout
from chainatlas.viz.neighbourhood import Neighbourhood, around, whole_graph
from chainatlas.viz.views import LABEL_COLOURS, LABEL_ZH, subgraph_page

__all__ = [
    "AROUND_DEPTH",
    "LABEL_ZH",
    "SMALL_VIEW",
    "ViewResult",
    "big_page",
    "neighbourhood_view",
    "paused_gc",
    "sigma_js",
    "view_json",
]

#: up to this many nodes a view uses the vis-network page (physics, boxes, tooltips)
SMALL_VIEW = 2000
#: how many relationships deep a node's view goes unless told: two reach a firm's segments and
#: their chains, partners and projects; unlimited, a firm's view was the whole graph
AROUND_DEPTH = 2
_OTHER_COLOUR = "#cbd2d9"
_NO_WEBGL = (
    "此浏览器无法使用 WebGL，不能显示大图；请换用新版浏览器，"
    f"或把节点数减到 {SMALL_VIEW} 以内使用普通视图。"
)
#: cluster colours (the 12 of ColorBrewer's Paired, in an order that separates neighbours)
_PALETTE = [
    "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928",
    "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#d4c84a",
]  # fmt: skip
_FORCED_LABELS = 40  # clusters whose hub is always labelled


@dataclass
class ViewResult:
    data: bytes
    filename: str
    notice: str  # Chinese, "" unless the cap cut the view
    nodes: int
    edges: int


def neighbourhood_view(
    store: GraphStore,
    *,
    node: str | None,
    depth: int | None,
    max_nodes: int,
    fmt: Literal["json", "html"],
) -> ViewResult:
    """The view around ``node`` (or of the whole graph when ``None``) as JSON or HTML,
    :data:`AROUND_DEPTH` deep around a node when ``depth`` is ``None``;
    :class:`NodeNotFound` for an unknown node."""
    if node is not None and depth is None:
        depth = AROUND_DEPTH
    with paused_gc():
        nb = (
            around(store, node, depth=depth, max_nodes=max_nodes)
            if node is not None
            else whole_graph(store, max_nodes=max_nodes)
        )
        title = _title(nb)
        data = view_json(nb) if fmt == "json" else _html(nb, title)
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", title)[:80]
    return ViewResult(
        data.encode("utf-8"), f"{name}.{fmt}", nb.notice(), len(nb.nodes), len(nb.relationships)
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a view is built: it allocates only acyclic objects,
    and with a loaded store in memory each full collection cost ~1 s at 25k nodes."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _title(nb: Neighbourhood) -> str:
    if nb.root is None:
        return "图谱全貌"
    name = nb.nodes[0].name
    return f"{name} 的关系网络" + (f"（{nb.depth} 度以内）" if nb.depth is not None else "")


def view_json(nb: Neighbourhood) -> str:
    """The view's data: root, depth, cap, nodes (with hops) and relationships."""
    return json.dumps(
        {
            "root": nb.root,
            "depth": nb.depth,
            "max_nodes": nb.max_nodes,
            "capped": nb.capped,
            "notice": nb.notice(),
            "nodes": [
                {"id": n.id, "label": n.label, "name": n.name, "hops": h}
                for n, h in zip(nb.nodes, nb.hops, strict=True)
            ],
            "relationships": [
                {"start": r.start, "type": r.type, "end": r.end} for r in nb.relationships
            ],
        },
        ensure_ascii=False,
    )


def _html(nb: Neighbourhood, title: str) -> str:
    sub = f"节点 {len(nb.nodes)}，关系 {len(nb.relationships)}"
    if nb.notice():
        sub += "\n" + nb.notice()
    if len(nb.nodes) > SMALL_VIEW:
        return big_page(nb, title, sub)
    page = subgraph_page(
        title, Subgraph({n.id: n for n in nb.nodes}, nb.relationships), root=nb.root
    )
    page.subtitle = sub
    return render_page(page)


# ---- the large page ----------------------------------------------------------------------


def _read_vendor(name: str) -> str:
    sigma = resources.files("chainatlas.viz") / "static" / "vendor" / "sigma"
    text = (sigma / name).read_text("utf-8")
    # the source map is not shipped: drop the comment that points to it
    return re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "", text)


@cache
def _asset(name: str) -> str:
    return (resources.files("chainatlas.viz") / "static" / name).read_text("utf-8")


@cache
def sigma_js() -> str:
    """graphology's and sigma's browser bundles (the files in ``viz/static/vendor/sigma``),
    as one script."""
    return _read_vendor("graphology.umd.min.js") + "\n;\n" + _read_vendor("sigma.min.js")


def _payload(nb: Neighbourhood) -> dict[str, Any]:
    """Columns, not objects: the browser parses 25k nodes of this in tens of milliseconds."""
    index = {n.id: i for i, n in enumerate(nb.nodes)}
    # one line per pair: relationships of several types between two nodes draw as one
    edges = list(dict.fromkeys((index[r.start], index[r.end]) for r in nb.relationships))
    lay = cluster_layout(len(nb.nodes), edges)
    degree = [0] * len(nb.nodes)
    for s, e in edges:
        degree[s] += 1
        degree[e] += 1
    kinds = sorted({n.label for n in nb.nodes}, key=lambda k: (k not in LABEL_ZH, k))
    kind_index = {k: i for i, k in enumerate(kinds)}
    force = [0] * len(nb.nodes)
    for h in lay.hubs[:_FORCED_LABELS]:
        force[h] = 1
    if nb.root is not None:
        force[0] = 1
    return {
        "ids": [n.id for n in nb.nodes],
        "names": [n.name for n in nb.nodes],
        "kind": [kind_index[n.label] for n in nb.nodes],
        "x": [round(v, 1) for v in lay.x],
        "y": [round(-v, 1) for v in lay.y],
        "size": [round(1.2 + 1.1 * math.log2(1 + d), 2) for d in degree],
        "force": force,
        "edges": [i for pair in edges for i in pair],
        "kinds": kinds,
        "kindZh": [LABEL_ZH.get(k, k) for k in kinds],
        "colours": [LABEL_COLOURS.get(k, _OTHER_COLOUR) for k in kinds],
        "cluster": lay.cluster,
        "palette": _PALETTE,
        "root": 0 if nb.root is not None else None,
    }


def big_page(nb: Neighbourhood, title: str, subtitle: str) -> str:
    """The WebGL page (sigma.js) of a neighbourhood, as one self-contained HTML document."""
    e = html.escape
    data = script_json(_payload(nb))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>{_asset("bigview.css").replace("FONTS", CJK_FONTS)}</style>
</head>
<body data-ready="0" data-nodes="{len(nb.nodes)}" data-edges="{len(nb.relationships)}">
<header>
<h1>{e(title)}</h1><div class="sub">{e(subtitle)}</div>
<div class="tools">
<input id="q" type="search" placeholder="搜索节点名称或编号" aria-label="搜索节点"
 autocomplete="off">
<span id="legend"></span>
<label class="opt"><input id="bycluster" type="checkbox">按聚类着色</label>
</div>
<ul id="hits" hidden></ul>
</header>
<div id="graph"><p id="nogl" hidden>{_NO_WEBGL}</p></div>
<aside id="info" hidden></aside>
<script>{sigma_js()}</script>
<script type="application/json" id="view-data">{data}</script>
<script>{_asset("bigview.js").replace("FONTS", json.dumps(CJK_FONTS))}</script>
</body>
</html>
"""
