"""Self-contained interactive HTML pages around a vis-network graph.

Nodes and edges are assembled with pyvis's ``Network``; the page is our own: UTF-8, a CJK font
stack, vis-network inlined (no CDN), plain-text tooltips, and physics that switches off once the
layout is stable. The page's script (``viz/static/graph.js``) adds a search box, highlights a
clicked node's neighbours, hides and shows the nodes of a legend entry, and, above
:data:`CLUSTER_ABOVE` nodes, draws each community (Louvain, computed here) as one node that
opens on a click. The page sets ``data-ready="1"`` on ``<body>`` (``data-nodes``: all nodes)
and exposes ``window.chainatlasView = {network, nodes, edges, ...}`` (used by tests).
:mod:`chainatlas.viz.fishbone_page` draws the fishbone with ECharts instead.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chainatlas.viz.assets import view_asset, vis_css, vis_js

if TYPE_CHECKING:  # pyvis (and its jinja2 and IPython imports) loads when a view is drawn
    from pyvis.network import Network

__all__ = [
    "CLUSTER_ABOVE",
    "CJK_FONTS",
    "GraphPage",
    "new_network",
    "render_page",
    "script_json",
    "table_html",
]

CJK_FONTS = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", "Noto Sans", sans-serif'
)


def new_network() -> Network:
    """An empty pyvis network used only to assemble node and edge dicts."""
    from pyvis.network import Network

    return Network(directed=True, cdn_resources="in_line")


@dataclass
class GraphPage:
    title: str
    net: Network
    legend: list[tuple[str, str]]  # (colour, meaning)
    subtitle: str = ""
    tables: list[tuple[str, list[str], list[list[Any]]]] = field(default_factory=list)
    hierarchical: bool = False


def _options(page: GraphPage, n_nodes: int) -> dict[str, Any]:
    font = {"face": CJK_FONTS, "size": 14}
    opts: dict[str, Any] = {
        "nodes": {"font": font, "shape": "box", "borderWidth": 1},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False,
            "color": {"inherit": False, "color": "#9aa5b1"},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
    }
    if page.hierarchical:
        opts["layout"] = {
            "hierarchical": {
                "enabled": True,
                "direction": "LR",
                "sortMethod": "directed",
                "levelSeparation": 230,
                "nodeSpacing": 46,
                "shakeTowards": "roots",
            }
        }
        opts["physics"] = {"enabled": False}
    else:
        opts["layout"] = {"improvedLayout": n_nodes <= 300}
        # Stabilisation before the first drawing costs about O(n log n) per iteration: cap the
        # iterations so that big graphs still draw within seconds, then switch physics off.
        iterations = max(20, min(300, 60_000 // max(n_nodes, 1)))
        opts["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based" if n_nodes <= 1000 else "barnesHut",
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": True,
            },
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 120, "theta": 0.8},
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90},
            "minVelocity": 1.0,
        }
        if n_nodes > 2000:
            opts["nodes"]["font"] = {**font, "size": 10}
            opts["edges"]["arrows"] = {"to": {"enabled": False}}
            opts["interaction"]["hideEdgesOnDrag"] = True
    return opts


#: what :func:`script_json` escapes (``str.replace`` per character: ~10x faster than
#: ``str.translate`` on the megabytes of a large view)
_SCRIPT_SAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(data: Any) -> str:
    """``data`` as JSON text safe inside an HTML ``<script>`` element — every page that embeds
    JSON uses this.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (they occur only
    inside JSON strings, where the escapes mean the same character), so no ``</script>`` can
    end the element early and no ``<!--`` followed by ``<script`` can switch the HTML parser
    into the state where the element never ends (a firm named ``<!--<script>`` stopped every
    graph view of its chain). U+2028/U+2029 are escaped too (line ends in older JavaScript).

    >>> print(script_json({"name": "</script><!--"}))
    {"name": "\\u003c/script\\u003e\\u003c!--"}
    """
    text = json.dumps(data, ensure_ascii=False)
    for c, escaped in _SCRIPT_SAFE:
        text = text.replace(c, escaped)
    return text


def table_html(caption: str, header: list[str], rows: list[list[Any]], fold: int = 0) -> str:
    """A captioned table, every cell escaped; folded under its caption (``<details>``) when it
    has more than ``fold`` rows (``fold`` > 0)."""
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if fold and len(rows) > fold:
        return (
            f"<section><details><summary><h2>{e(caption)}（{len(rows)} 行，点击展开）</h2>"
            f"</summary>{table}</details></section>"
        )
    return f"<section><h2>{e(caption)}</h2>{table}</section>"


#: Pages with more nodes than this draw communities as single nodes (click one to open it):
#: a force layout of thousands of nodes is a grey disc no one can read.
CLUSTER_ABOVE = 2000


def _kinds(page: GraphPage, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The nodes, each with the ``kind`` (legend entry) its colour stands for, or its own."""
    meaning = {c: t for c, t in page.legend}
    return [{**n, "kind": n.get("kind") or meaning.get(str(n.get("color")), "")} for n in nodes]


def _clusters(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Communities of two nodes or more (Louvain, fixed seed), each named after its most
    connected node and coloured as most of its nodes; ``nodes`` get their ``cid``."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in nodes)
    g.add_edges_from((e["from"], e["to"]) for e in edges if e["from"] != e["to"])
    by_id = {n["id"]: n for n in nodes}
    out = []
    for cid, members in enumerate(nx.community.louvain_communities(g, seed=7)):
        if len(members) < 2:
            continue
        top = max(members, key=lambda m: (g.degree(m), str(m)))
        kinds = Counter(by_id[m]["kind"] for m in members)
        kind = kinds.most_common(1)[0][0]
        colour = next(by_id[m].get("color") for m in members if by_id[m]["kind"] == kind)
        for m in members:
            by_id[m]["cid"] = cid
        label = f"{by_id[top].get('label', top)} 等 {len(members)} 个"
        out.append(
            {"cid": cid, "label": label, "size": len(members), "kind": kind, "color": colour}
        )
    return out


def _legend(page: GraphPage) -> str:
    e = html.escape
    return "".join(
        f'<button type="button" class="key" data-kind="{e(t)}" aria-pressed="true" '
        f'title="显示 / 隐藏"><i style="background:{e(c)}"></i>{e(t)}</button>'
        for c, t in page.legend
    )


def render_page(page: GraphPage) -> str:
    """The whole HTML document as a string (write it with ``encoding="utf-8"``): the graph with
    a search box, neighbours highlighted on a click, legend entries that hide and show their
    nodes, and communities drawn as single nodes above :data:`CLUSTER_ABOVE` nodes."""
    nodes, edges = _kinds(page, page.net.nodes), page.net.edges
    e = html.escape
    tables = "".join(table_html(*t) for t in page.tables)
    clusters = _clusters(nodes, edges) if len(nodes) > CLUSTER_ABOVE else []
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": _options(page, len(clusters) + sum(1 for n in nodes if "cid" not in n)),
        "clusters": clusters,
    }
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(page.title)}</title>
<style>{vis_css()}</style>
<style>body, div.vis-tooltip {{ font-family: {CJK_FONTS}; }}</style>
<style>{view_asset("page.css")}{view_asset("graph.css")}</style>
</head>
<body data-ready="0" data-nodes="{len(nodes)}" data-edges="{len(edges)}">
<header><h1>{e(page.title)}</h1><div class="sub">{e(page.subtitle)}</div>
<div class="tools"><input type="search" id="graph-search" placeholder="搜索节点"
aria-label="搜索节点" autocomplete="off"><span id="graph-found" class="found"></span>
<span class="legend" role="group" aria-label="图例：点击显示或隐藏">{_legend(page)}</span></div>
{'<p class="sub">节点较多，已按社区聚合：点击聚合节点展开。</p>' if clusters else ""}</header>
<div id="graph"></div>
<main>{tables}</main>
<script id="graph-data" type="application/json">{script_json(data)}</script>
<script>{vis_js()}</script>
<script>{view_asset("graph.js")}</script>
</body>
</html>
"""
