"""The fishbone as one self-contained HTML page drawn by Apache ECharts.

The layout (:mod:`chainatlas.viz.fishbone`) travels as JSON in a ``<script
type="application/json">`` element (escaped with :func:`~chainatlas.viz.html.script_json`);
ECharts and the page's own script (``viz/static/fishbone.js``) are inlined, so the file works
from a disk with no server and no network. ECharts was chosen over vis-network for this page:
a graph series on a hidden cartesian grid puts every box at a fixed pixel, its ``graphic``
component draws the bands, spine and bones, and ``getDataURL`` exports the whole drawing as a
PNG. It costs about 1.1 MB per file (vis-network pages are about 0.7 MB).

Like the vis-network pages, the body carries ``data-ready="1"`` once drawn and ``data-nodes``
(segments and sub-segments, plus the chain's head); ``window.chainatlasView`` exposes the chart
and the page's state for tests.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.viz.assets import echarts_js, view_asset
from chainatlas.viz.fishbone import VERDICT_ORDER, FishboneLayout
from chainatlas.viz.html import CJK_FONTS, script_json, table_html

__all__ = ["FishbonePage", "render_fishbone"]


@dataclass
class FishbonePage:
    title: str
    layout: FishboneLayout
    subtitle: str = ""
    summary: dict[str, int] = field(default_factory=dict)  # verdict → segments
    tables: list[tuple[str, list[str], list[list[Any]]]] = field(default_factory=list)

    @property
    def nodes(self) -> int:
        """Segments and sub-segments (each once), and the chain's head."""
        return len(self.layout.info) + 1


def _toolbar(page: FishbonePage) -> str:
    boxes = "".join(
        f'<label class="vf"><input type="checkbox" name="verdict" value="{v}" checked>'
        f'<i class="sw {v}"></i>{VERDICT_ZH[v]} <span class="n">{page.summary.get(v, 0)}</span>'
        "</label>"
        for v in VERDICT_ORDER
    )
    return (
        '<div class="bar" role="toolbar" aria-label="鱼骨图工具">'
        '<input type="search" id="fb-search" placeholder="搜索环节或子环节" '
        'aria-label="搜索环节" autocomplete="off"><span id="fb-found" class="found"></span>'
        f'<span class="verdicts" role="group" aria-label="按判定筛选">{boxes}</span>'
        '<button type="button" id="fb-unfold">全部展开</button>'
        '<button type="button" id="fb-fold">全部收起</button>'
        '<button type="button" id="fb-fit" hidden aria-pressed="false">原始大小</button>'
        '<button type="button" id="fb-png">导出 PNG</button></div>'
    )


def render_fishbone(page: FishbonePage) -> str:
    """The whole HTML document as a string (write it with ``encoding="utf-8"``)."""
    e = html.escape
    data = {**page.layout.as_json(), "png": f"{page.title}.png", "font": CJK_FONTS}
    tables = "".join(table_html(*t, fold=40) for t in page.tables)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(page.title)}</title>
<style>body {{ font-family: {CJK_FONTS}; }}</style>
<style>{view_asset("page.css")}{view_asset("fishbone.css")}</style>
</head>
<body data-ready="0" data-nodes="{page.nodes}" data-view="fishbone">
<header><h1>{e(page.title)}</h1><div class="sub">{e(page.subtitle)}</div></header>
{_toolbar(page)}
<div class="stage"><div id="fb-scroll"><div id="graph"></div></div>
<aside id="fb-panel" hidden aria-live="polite"></aside></div>
<main>{tables}</main>
<script id="fb-data" type="application/json">{script_json(data)}</script>
<script>{echarts_js()}</script>
<script>{view_asset("fishbone.js")}</script>
</body>
</html>
"""
