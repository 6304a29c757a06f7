"""Neighbourhood views (#19): the walk (nearest first, capped, induced), the layout and the
choice of page — against the seeded store on both backends where a store is needed."""

from __future__ import annotations

import json

import pytest

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.viz.bigview import SMALL_VIEW, neighbourhood_view
from chainatlas.viz.layout import cluster_layout
from chainatlas.viz.neighbourhood import Neighbourhood, around, whole_graph

ROOT = "seg:动力电池"


def _keys(rels: list[Relationship]) -> set[tuple[str, str, str]]:
    return {r.key for r in rels}


class TestAround:
    def test_depth_one_is_the_node_and_its_neighbours(self, seeded: EmbeddedStore) -> None:
        nb = around(seeded, ROOT, depth=1, max_nodes=10_000)
        near = {n.id for _, n in seeded.neighbours(ROOT, direction="both")}
        assert nb.nodes[0].id == ROOT and nb.hops[0] == 0
        assert {n.id for n in nb.nodes} == near | {ROOT}
        assert all(h == 1 for h in nb.hops[1:])
        assert not nb.capped and nb.notice() == ""

    def test_relationships_are_those_among_the_chosen(self, seeded: EmbeddedStore) -> None:
        nb = around(seeded, ROOT, depth=2, max_nodes=10_000)
        ids = {n.id for n in nb.nodes}
        expected = {r.key for r in seeded.iter_relationships() if r.start in ids and r.end in ids}
        assert _keys(nb.relationships) == expected
        assert len(nb.relationships) == len(expected)  # each once
        # including those between two nodes of the last ring
        last = {n.id for n, h in zip(nb.nodes, nb.hops, strict=True) if h == 2}
        assert any(r.start in last and r.end in last for r in nb.relationships)

    def test_nearest_first_and_capped(self, seeded: EmbeddedStore) -> None:
        full = around(seeded, ROOT, max_nodes=10_000)
        nb = around(seeded, ROOT, max_nodes=7)
        assert len(nb.nodes) == 7 and nb.capped
        assert nb.hops == sorted(nb.hops)
        assert [n.id for n in nb.nodes] == [n.id for n in full.nodes[:7]]
        assert "7 个节点上限" in nb.notice() and ROOT in nb.notice()

    def test_unknown_node(self, seeded: EmbeddedStore) -> None:
        with pytest.raises(NodeNotFound, match="节点不存在"):
            around(seeded, "seg:没有这个", max_nodes=10)


def test_around_on_every_backend(store: GraphStore) -> None:
    store.upsert_nodes([Node(f"seg:{i}", "Segment", {"name": f"环节{i}"}) for i in range(6)])
    store.upsert_relationships(
        [Relationship(f"seg:{i}", "UPSTREAM_OF", f"seg:{i + 1}") for i in range(5)]
    )
    nb = around(store, "seg:2", depth=2, max_nodes=100)
    assert [n.id for n in nb.nodes][:1] == ["seg:2"]
    assert {n.id for n in nb.nodes} == {"seg:0", "seg:1", "seg:2", "seg:3", "seg:4"}
    assert sorted(nb.hops) == [0, 1, 1, 2, 2]
    assert len(nb.relationships) == 4


def test_whole_graph_all_or_connected_slice(seeded: EmbeddedStore) -> None:
    n = seeded.count_nodes()
    assert len(whole_graph(seeded, max_nodes=n).nodes) == n
    nb = whole_graph(seeded, max_nodes=50)
    assert len(nb.nodes) == 50 and nb.capped and "50 个节点上限" in nb.notice()
    # breadth-first from the best-connected node: the first node is that hub
    degree: dict[str, int] = {}
    for r in seeded.iter_relationships():
        degree[r.start] = degree.get(r.start, 0) + 1
        degree[r.end] = degree.get(r.end, 0) + 1
    assert degree[nb.nodes[0].id] == max(degree.values())
    ids = {x.id for x in nb.nodes}
    assert all(r.start in ids and r.end in ids for r in nb.relationships)


def test_layout_clusters_and_discs() -> None:
    # two cliques of 30 joined by one edge: two clusters, far apart
    edges = [(i, j) for i in range(30) for j in range(i + 1, 30)]
    edges += [(30 + i, 30 + j) for i in range(30) for j in range(i + 1, 30)]
    edges.append((0, 30))
    lay = cluster_layout(60, edges)
    assert len(set(lay.cluster[:30])) == 1 and len(set(lay.cluster[30:])) == 1
    assert lay.cluster[0] != lay.cluster[30]
    cx = [sum(lay.x[k * 30 : k * 30 + 30]) / 30 for k in (0, 1)]
    cy = [sum(lay.y[k * 30 : k * 30 + 30]) / 30 for k in (0, 1)]
    gap = ((cx[0] - cx[1]) ** 2 + (cy[0] - cy[1]) ** 2) ** 0.5
    spread = max(((lay.x[i] - cx[0]) ** 2 + (lay.y[i] - cy[0]) ** 2) ** 0.5 for i in range(30))
    assert gap > 2 * spread * 0.9  # discs do not overlap
    assert len({(round(x, 3), round(y, 3)) for x, y in zip(lay.x, lay.y, strict=True)}) == 60


def test_layout_of_isolated_nodes_and_empty() -> None:
    assert cluster_layout(0, []).x == []
    lay = cluster_layout(3, [])
    assert len(lay.x) == 3 and len(set(zip(lay.x, lay.y, strict=True))) == 3


def _chain(n: int) -> Neighbourhood:
    nodes = [Node(f"seg:{i}", "Segment", {"name": f"环节{i}"}) for i in range(n)]
    rels = [Relationship(f"seg:{i}", "UPSTREAM_OF", f"seg:{i + 1}") for i in range(n - 1)]
    return Neighbourhood(nodes, list(range(n)), rels, "seg:0", None, n, capped=False)


def test_large_pages_never_use_pyvis(
    monkeypatch: pytest.MonkeyPatch, seeded: EmbeddedStore
) -> None:
    """The old builder's quadratic step was pyvis's ``add_node`` (each id checked against a
    list of all earlier ones): a large view must not call it, a small one still does."""
    from pyvis.network import Network

    from chainatlas.viz import bigview

    calls: list[int] = []
    original = Network.add_node

    def counting(self, *a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, *a, **k)

    monkeypatch.setattr(Network, "add_node", counting)
    big = bigview._html(_chain(SMALL_VIEW + 1), "大图")
    assert calls == [] and "new Sigma(" in big and f'data-nodes="{SMALL_VIEW + 1}"' in big
    small = bigview._html(_chain(20), "小图")
    assert len(calls) == 20 and "vis.Network" in small and 'data-nodes="20"' in small


def test_view_json_and_html(seeded: EmbeddedStore) -> None:
    r = neighbourhood_view(seeded, node=ROOT, depth=1, max_nodes=3, fmt="json")
    data = json.loads(r.data)
    assert data["root"] == ROOT and data["capped"] and len(data["nodes"]) == 3 == r.nodes
    assert data["notice"] == r.notice and r.filename.endswith(".json")
    assert {"id", "label", "name", "hops"} <= set(data["nodes"][0])
    page = neighbourhood_view(seeded, node=ROOT, depth=1, max_nodes=3, fmt="html")
    text = page.data.decode()
    assert page.filename.endswith(".html") and "data-ready" in text and r.notice in text
