"""The scripts and stylesheets the views inline, so that a view is one self-contained file that
works with no network at all: vis-network from the copy that ships inside pyvis, Apache ECharts
from the copy the web UI serves (``viz/static/vendor/echarts``, with its licence and version in
the README there; read as a file, not imported), and the views' own script and stylesheet
(``viz/static``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["VIS_VERSION", "echarts_js", "view_asset", "vis_css", "vis_js"]

VIS_VERSION = "9.1.2"


def _read(name: str) -> str:
    return (resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}" / name).read_text("utf-8")


@cache
def vis_js() -> str:
    return _read("vis-network.min.js")


@cache
def vis_css() -> str:
    return _read("vis-network.css")


@cache
def echarts_js() -> str:
    """Apache ECharts 6.1.0, the full minified build (about 1.1 MB)."""
    path = resources.files("chainatlas.viz") / "static" / "vendor" / "echarts"
    return (path / "echarts.min.js").read_text("utf-8")


@cache
def view_asset(name: str) -> str:
    """One of the views' own scripts or stylesheets, e.g. ``fishbone.js``."""
    return (resources.files("chainatlas.viz") / "static" / name).read_text("utf-8")
