"""The vis-network script and stylesheet, read from the copy that ships inside pyvis, so that
views are self-contained and work with no network at all."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["VIS_VERSION", "vis_css", "vis_js"]

VIS_VERSION = "9.1.2"


def _read(name: str) -> str:
    return (resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}" / name).read_text("utf-8")


@cache
def vis_js() -> str:
    return _read("vis-network.min.js")


@cache
def vis_css() -> str:
    return _read("vis-network.css")
