"""Self-contained interactive HTML pages around a vis-network graph.

Nodes and edges are assembled with pyvis's ``Network``; the page is our own: UTF-8, a CJK font
stack, vis-network inlined (no CDN), a legend, plain-text tooltips, and physics that switches off
once the layout is stable. The page sets ``data-ready="1"`` on ``<body>`` and exposes
``window.chainatlasView = {network, nodes, edges}`` after the first drawing (used by tests).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chainatlas.viz.assets import vis_css, vis_js

if TYPE_CHECKING:  # pyvis (and its jinja2 and IPython imports) loads when a view is drawn
    from pyvis.network import Network

__all__ = ["CJK_FONTS", "GraphPage", "new_network", "render_page", "script_json", "table_html"]

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


_SCRIPT_SAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
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
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


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


def render_page(page: GraphPage) -> str:
    """The whole HTML document as a string (write it with ``encoding="utf-8"``)."""
    nodes, edges = page.net.nodes, page.net.edges
    e = html.escape
    legend = "".join(
        f'<span class="key"><i style="background:{e(c)}"></i>{e(t)}</span>' for c, t in page.legend
    )
    tables = "".join(table_html(*t) for t in page.tables)
    options = _options(page, len(nodes))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(page.title)}</title>
<style>{vis_css()}</style>
<style>
body {{ font-family: {CJK_FONTS}; margin: 0; color: #1f2933; background: #fff; }}
header {{ padding: 12px 20px; border-bottom: 1px solid #e4e7eb; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} h2 {{ font-size: 16px; margin: 18px 0 8px; }}
.sub {{ color: #52606d; font-size: 13px; white-space: pre-line; }}
.legend {{ margin-top: 6px; font-size: 13px; }}
.key {{ margin-right: 14px; white-space: nowrap; }}
.key i {{ display: inline-block; width: 12px; height: 12px; border-radius: 2px;
          margin-right: 4px; vertical-align: -1px; border: 1px solid #7b8794; }}
#graph {{ width: 100%; height: 72vh; border-bottom: 1px solid #e4e7eb; }}
main {{ padding: 0 20px 24px; }}
table {{ border-collapse: collapse; font-size: 13px; width: 100%; }}
th, td {{ border: 1px solid #e4e7eb; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f5f7fa; }}
div.vis-tooltip {{ white-space: pre-line; font-family: {CJK_FONTS}; max-width: 420px; }}
</style>
</head>
<body data-ready="0" data-nodes="{len(nodes)}" data-edges="{len(edges)}">
<header><h1>{e(page.title)}</h1><div class="sub">{e(page.subtitle)}</div>
<div class="legend">{legend}</div></header>
<div id="graph"></div>
<main>{tables}</main>
<script>{vis_js()}</script>
<script>
(function () {{
  var nodes = new vis.DataSet({script_json(nodes)});
  var edges = new vis.DataSet({script_json(edges)});
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {{nodes: nodes, edges: edges}}, {script_json(options)});
  window.chainatlasView = {{network: network, nodes: nodes, edges: edges}};
  network.fit();
  network.once("stabilizationIterationsDone", function () {{
    network.setOptions({{physics: {{enabled: false}}}});
  }});
  network.once("afterDrawing", function () {{
    network.fit();
    document.body.dataset.ready = "1";
  }});
}})();
</script>
</body>
</html>
"""
