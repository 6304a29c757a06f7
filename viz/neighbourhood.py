"""The part of the graph a view shows: a node's neighbourhood (breadth-first, nearest first) or
the whole graph, capped at a number of nodes.

Both walks are linear in what they visit: every chosen node is expanded once (one
``neighbours`` call around a node, or one pass over the relationships for the whole graph),
membership is tested in dicts and sets, and each relationship is kept once by its key. The
result is the subgraph *induced* by the chosen nodes — every relationship between two of them,
including those between two nodes of the last ring, which are expanded only to find the
relationships among the chosen, never to add nodes.

The earlier page builder checked each node against a list of all earlier ones (quadratic): 25k
nodes took 44 s to build.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore, read_scope

__all__ = ["Neighbourhood", "around", "whole_graph"]


@dataclass
class Neighbourhood:
    """Chosen nodes in breadth-first order (``hops`` from the root, or from the component's
    hub for the whole graph), the relationships among them, and whether the cap cut it."""

    nodes: list[Node]
    hops: list[int]
    relationships: list[Relationship]
    root: str | None
    depth: int | None
    max_nodes: int
    capped: bool

    def notice(self) -> str:
        """One Chinese sentence for the user when the cap cut the view, else ``""``."""
        if not self.capped:
            return ""
        if self.root is None:
            return (
                f"图谱超过 {self.max_nodes} 个节点上限：只显示从连接最多的节点起"
                f"广度优先的前 {self.max_nodes} 个（可调大节点上限）"
            )
        return (
            f"已达 {self.max_nodes} 个节点上限：只显示离 {self.root} 最近的 {self.max_nodes} 个"
            f"节点，更远的未显示（可调大节点上限或减小深度）"
        )


def around(
    store: GraphStore, node_id: str, *, depth: int | None = None, max_nodes: int
) -> Neighbourhood:
    """The nodes within ``depth`` relationships of ``node_id`` in either direction (no limit
    when ``None``), nearest first, at most ``max_nodes``; :class:`NodeNotFound` if absent.

    One ``store.neighbours`` call per chosen node, all in one read scope (one state of the
    graph, looked up once)."""
    with read_scope():
        return _around(store, node_id, depth, max_nodes)


def _around(store: GraphStore, node_id: str, depth: int | None, max_nodes: int) -> Neighbourhood:
    root = store.require_node(node_id)
    chosen: dict[str, int] = {root.id: 0}  # id -> position in ``nodes``
    nodes, hops = [root], [0]
    rels: dict[tuple[str, str, str], Relationship] = {}
    capped = False
    queue = deque([root.id])
    while queue:
        u = queue.popleft()
        grow = depth is None or hops[chosen[u]] < depth
        for rel, v in store.neighbours(u, direction="both"):
            if v.id not in chosen:
                if not grow:
                    continue
                if len(nodes) >= max_nodes:
                    capped = True
                    continue
                chosen[v.id] = len(nodes)
                nodes.append(v)
                hops.append(hops[chosen[u]] + 1)
                queue.append(v.id)
            rels.setdefault(rel.key, rel)
    return Neighbourhood(nodes, hops, list(rels.values()), root.id, depth, max_nodes, capped)


def whole_graph(store: GraphStore, *, max_nodes: int) -> Neighbourhood:
    """Every node and relationship when the graph has at most ``max_nodes`` nodes; else the
    first ``max_nodes`` met breadth-first from the best-connected node of each component in
    turn (components by their hub's degree), so that the view stays connected.

    One pass over the relationships (an adjacency of indices), one over the nodes."""
    with read_scope():
        return _whole_graph(store, max_nodes)


def _whole_graph(store: GraphStore, max_nodes: int) -> Neighbourhood:
    all_nodes = list(store.iter_nodes())
    index = {n.id: i for i, n in enumerate(all_nodes)}
    all_rels = list(store.iter_relationships())
    if len(all_nodes) <= max_nodes:
        return Neighbourhood(
            all_nodes, [0] * len(all_nodes), all_rels, None, None, max_nodes, capped=False
        )
    adj: list[list[int]] = [[] for _ in all_nodes]
    for r in all_rels:
        s, e = index[r.start], index[r.end]
        adj[s].append(e)
        adj[e].append(s)
    order, hops = _breadth_first(
        adj, sorted(range(len(adj)), key=lambda i: -len(adj[i])), max_nodes
    )
    keep = bytearray(len(all_nodes))
    for i in order:
        keep[i] = 1
    return Neighbourhood(
        [all_nodes[i] for i in order],
        hops,
        [r for r in all_rels if keep[index[r.start]] and keep[index[r.end]]],
        None,
        None,
        max_nodes,
        capped=True,
    )


def _breadth_first(
    adj: list[list[int]], starts: Iterable[int], limit: int
) -> tuple[list[int], list[int]]:
    """Indices met breadth-first from each start not yet met, in order, up to ``limit``, with
    their distance from the start they were met from."""
    hop = [-1] * len(adj)
    order: list[int] = []
    for s in starts:
        if len(order) >= limit:
            break
        if hop[s] >= 0:
            continue
        hop[s] = 0
        order.append(s)
        head = len(order) - 1
        while head < len(order) and len(order) < limit:
            u = order[head]
            head += 1
            for v in adj[u]:
                if hop[v] < 0:
                    hop[v] = hop[u] + 1
                    order.append(v)
                    if len(order) >= limit:
                        break
    return order, [hop[i] for i in order]
