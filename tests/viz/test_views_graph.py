"""The vis-network pages' data: legend kinds on every node, communities above the threshold."""

from __future__ import annotations

import json
import re

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Subgraph
from chainatlas.viz.html import CLUSTER_ABOVE, render_page
from chainatlas.viz.views import subgraph_page


def _data(text: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', text, re.S)
    assert m
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def _rings(rings: int, size: int) -> Subgraph:
    """``rings`` separate rings of ``size`` nodes (firms, and one segment per ring)."""
    nodes, rels = {}, []
    for r in range(rings):
        for i in range(size):
            nid = f"n{r}-{i}"
            label = "Segment" if i == 0 else "Firm"
            nodes[nid] = Node(nid, label, {"name": f"节点{r}-{i}"})
            rels.append(Relationship(nid, "PARTNER_OF", f"n{r}-{(i + 1) % size}"))
    return Subgraph(nodes, rels)


def test_small_pages_draw_every_node() -> None:
    data = _data(render_page(subgraph_page("小图", _rings(4, 10))))
    assert data["clusters"] == [] and len(data["nodes"]) == 40
    assert {n["kind"] for n in data["nodes"]} == {"Firm", "Segment"}  # the legend's entries


def test_big_pages_draw_communities() -> None:
    text = render_page(subgraph_page("大图", _rings(60, 40)))
    data = _data(text)
    assert len(data["nodes"]) == 2400 > CLUSTER_ABOVE and 'data-nodes="2400"' in text
    clusters = data["clusters"]
    # each ring is one community or more, never mixed with another ring
    by_cid: dict[int, set[str]] = {}
    for n in data["nodes"]:
        by_cid.setdefault(n["cid"], set()).add(n["id"].split("-")[0])
    assert all(len(rings) == 1 for rings in by_cid.values())
    assert sum(c["size"] for c in clusters) == 2400 and 60 <= len(clusters) <= 240
    assert all(c["kind"] == "Firm" and " 等 " in c["label"] for c in clusters)
