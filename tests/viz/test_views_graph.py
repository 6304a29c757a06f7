"""The vis-network pages' data: legend kinds on every node, communities above the threshold."""

from __future__ import annotations

import json
import re

from chainatlas.graph.model import LABELS, Node, Relationship
from chainatlas.graph.store.contract import Subgraph
from chainatlas.viz.bigview import big_page
from chainatlas.viz.html import CLUSTER_ABOVE, render_page
from chainatlas.viz.neighbourhood import Neighbourhood
from chainatlas.viz.views import LABEL_COLOURS, LABEL_ZH, subgraph_page


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
    assert {n["kind"] for n in data["nodes"]} == {"企业", "环节"}  # the legend's entries


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
    assert all(c["kind"] == "企业" and " 等 " in c["label"] for c in clusters)


def _every_label() -> Subgraph:
    """One node of each label of the model, all linked to the first."""
    nodes = {f"x{i}": Node(f"x{i}", label, {"name": f"节点{i}"}) for i, label in enumerate(LABELS)}
    rels = [Relationship("x0", "LINKS", nid) for nid in list(nodes)[1:]]
    return Subgraph(nodes, rels)


def test_every_label_has_a_chinese_name_and_its_own_colour() -> None:
    assert set(LABEL_ZH) == set(LABELS) and set(LABEL_COLOURS) == set(LABELS)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", name) for name in LABEL_ZH.values())
    assert len(set(LABEL_COLOURS.values())) == len(LABELS)  # the legend maps colour to label


def test_small_page_names_labels_in_chinese() -> None:
    """The review found 「Chain, Firm, FollowUp …」 in the legend of a firm's neighbourhood."""
    text = render_page(subgraph_page("全部类别", _every_label()))
    legend = re.findall(r'<button type="button" class="key" data-kind="([^"]+)"', text)
    assert sorted(legend) == sorted(LABEL_ZH.values())
    nodes = _data(text)["nodes"]
    assert {n["kind"] for n in nodes} == set(LABEL_ZH.values())
    assert all(n["title"].split(" ")[0] in LABEL_ZH.values() for n in nodes)  # tooltips


def test_large_page_names_labels_in_chinese() -> None:
    sg = _every_label()
    nodes = list(sg.nodes.values())
    nb = Neighbourhood(nodes, [0] * len(nodes), sg.relationships, "x0", None, 100, False)
    m = re.search(
        r'<script type="application/json" id="view-data">(.*?)</script>',
        big_page(nb, "大图", ""),
        re.S,
    )
    assert m
    data = json.loads(m.group(1))
    assert data["kindZh"] == [LABEL_ZH[k] for k in data["kinds"]]
    assert set(data["kinds"]) == set(LABELS)
