"""Every view renders, offline and in UTF-8; Excel is safe; the SVG is valid XML."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.io.sources.ckg import ckg_to_bundle
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import fishbone
from chainatlas.viz.export import render_view
from chainatlas.viz.tables import write_xlsx
from tests.conftest import shared_or_skip

REMOTE = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.I)


def _check_html(data: bytes, kind: str = "") -> str:
    text = data.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert not REMOTE.search(text), "the page loads something from the network"
    library = "echarts.init" if kind == "fishbone" else "vis.Network"
    assert library in text and "Noto Sans CJK SC" in text
    return text


@pytest.mark.parametrize("kind", ["fishbone", "map", "masters", "projects"])
def test_every_view_every_chain_every_format(seeded: EmbeddedStore, kind: str) -> None:
    chains = [c.id for c in seeded.find_nodes("Chain")]
    for cid in chains:
        for fmt in ("json", "html", "xlsx") + (("svg",) if kind == "fishbone" else ()):
            r = render_view(seeded, kind, fmt, chain=cid)
            assert r.data and r.filename.endswith(fmt)
            if fmt == "html":
                _check_html(r.data, kind)
            elif fmt == "json":
                json.loads(r.data)
            elif fmt == "svg":
                ET.fromstring(r.data)
            else:
                assert openpyxl.load_workbook(io.BytesIO(r.data)).sheetnames


def test_fishbone_html_has_every_segment(seeded: EmbeddedStore) -> None:
    fb = fishbone(seeded, "1366:icv")
    text = _check_html(render_view(seeded, "fishbone", "html", chain="1366:icv").data, "fishbone")
    nodes = int(re.search(r'data-nodes="(\d+)"', text).group(1))  # type: ignore[union-attr]
    assert nodes == len({s.id for s in fb.all_segments()}) + 1


def test_script_breakout_is_escaped(memory_store: EmbeddedStore) -> None:
    with memory_store.batch() as b:
        b.upsert_nodes(
            [
                Node("L", "Layout", {"name": "x", "code": "x"}),
                Node("C", "Chain", {"name": "</script><script>alert(1)</script>", "layout": "x"}),
                Node("seg:s", "Segment", {"name": "<b>s</b>"}),
            ]
        )
        b.upsert_relationships([Relationship("C", "HAS_SEGMENT", "seg:s", {"stage": "upstream"})])
    text = render_view(memory_store, "fishbone", "html", chain="C").data.decode()
    assert "</script><script>alert(1)" not in text
    assert "<b>s</b>" not in text.split("<script>")[0]


def test_excel_writes_formula_like_text_as_text(tmp_path: Path) -> None:
    """Formula-like text stays exactly as stored, typed as quote-prefixed text (never
    evaluated); control characters become U+FFFD; numbers, negative ones too, stay numbers."""
    texts = ['=HYPERLINK("x")', "+1", "-减", "@SUM(A1)", "\t=1", "\r=1"]
    path = write_xlsx(
        {"表": pd.DataFrame({"企业": [*texts, "甲\x00乙\x1f"], "产值": [-5.5] + [1] * 6})},
        tmp_path / "x.xlsx",
    )
    ws = openpyxl.load_workbook(path)["表"]
    cells = [ws.cell(r, 1) for r in range(2, 2 + len(texts))]
    # (a carriage return reads back as a line feed: XML normalises line ends)
    assert [c.value for c in cells] == [*texts[:-1], "\n=1"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert ws["A8"].value == "甲\ufffd乙\ufffd" and not ws["A8"].quotePrefix
    assert ws["B2"].value == -5.5 and ws["B2"].data_type == "n"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


@pytest.mark.slow
def test_views_on_seeds_plus_ckg(seeded: EmbeddedStore, tmp_path: Path) -> None:
    ckg_to_bundle(shared_or_skip("data", "ckg"), tmp_path / "ckg")
    import_bundle(seeded, tmp_path / "ckg", progress=False)
    fb = fishbone(seeded, "1366:storage")
    # ckg products named like authored segments bring real listed firms into the fishbone
    assert any(s.outside_firms for s in fb.all_segments())
    for kind in ("fishbone", "map", "masters", "projects"):
        for fmt in ("html", "xlsx", "json"):
            assert render_view(seeded, kind, fmt, chain="1366:storage").data
