"""Positions for large graph views in linear-ish time: clusters as discs.

A force layout of the whole graph is what made large views slow (vis-network needed 18.7 s
and a 12.6 s main-thread block at 25k nodes; networkx's ``spring_layout`` is quadratic per
iteration; even community detection costs seconds: Louvain 5.4 s, fast label propagation 0.9 s
at 25k nodes / 49k edges of the ckg graph). Here the graph is laid out at two levels instead:

1. clusters: up to :data:`MAX_CLUSTERS` hubs, taken by degree and never next to one already
   taken; each node joins the nearest hub (breadth-first from all hubs at once, one pass); two
   majority sweeps then move border nodes to the cluster most of their neighbours are in (a hub
   met first from a neighbouring cluster goes back to its own side); nodes no hub reaches
   (small separate components) form one more cluster;
2. the cluster graph — one node per cluster, weighted by the relationships between clusters —
   gets a force layout (at most ``MAX_CLUSTERS + 1`` nodes: milliseconds), weakly linked
   clusters thrown far out are pulled in, and the discs are pushed apart until they do not
   overlap;
3. inside its disc a cluster's nodes sit on a sunflower spiral, best-connected first, so that
   hubs are at the centre and the disc's area is proportional to its size.

Each step is a constant number of passes over the nodes and relationships (plus sorting nodes
by degree): 0.7–1.4 s for a whole 25k-node page at load (``bench/big_view.py``).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and networkx load when a large view is laid out
    import numpy as np

__all__ = ["MAX_CLUSTERS", "Layout", "cluster_layout"]

#: clusters that keep their own disc; smaller communities join their neighbours'
MAX_CLUSTERS = 120
_GOLDEN = math.pi * (3 - math.sqrt(5))
_SPACING = 10.0  # distance between neighbouring nodes inside a disc
_SWEEPS = 2  # majority sweeps that move border nodes to their neighbours' cluster


@dataclass
class Layout:
    """Coordinates per node, the cluster of each node, and each cluster's best-connected node
    (its hub, ``hubs[c]``)."""

    x: list[float]
    y: list[float]
    cluster: list[int]
    hubs: list[int]


def cluster_layout(n: int, edges: Sequence[tuple[int, int]], *, seed: int = 1) -> Layout:
    """Positions of nodes ``0..n-1`` joined by ``edges`` (pairs of indices, any direction).

    >>> lay = cluster_layout(4, [(0, 1), (1, 2), (2, 0)])
    >>> len(lay.x), lay.cluster[0] == lay.cluster[1], lay.cluster[3] != lay.cluster[0]
    (4, True, True)
    """
    adj: list[list[int]] = [[] for _ in range(n)]
    for s, e in edges:
        if s != e:
            adj[s].append(e)
            adj[e].append(s)
    cluster = _clusters(adj)
    k = max(cluster, default=-1) + 1
    members: list[list[int]] = [[] for _ in range(k)]
    for i in sorted(range(n), key=lambda i: -len(adj[i])):
        members[cluster[i]].append(i)
    centres = _place_clusters(adj, cluster, [len(m) for m in members], seed)
    x, y = [0.0] * n, [0.0] * n
    for c, nodes in enumerate(members):
        cx, cy = centres[c]
        for j, i in enumerate(nodes):
            r, a = _SPACING * math.sqrt(j + 0.5), j * _GOLDEN
            x[i], y[i] = cx + r * math.cos(a), cy + r * math.sin(a)
    return Layout(x, y, cluster, [m[0] for m in members])


def _clusters(adj: list[list[int]]) -> list[int]:
    """A cluster index per node: the nearest hub (breadth-first from all hubs at once, ties to
    the better connected). Hubs are taken by degree, skipping nodes next to a hub already
    taken, up to :data:`MAX_CLUSTERS` (about √n·0.8 for smaller graphs). Each node is
    visited once and each relationship looked at twice: linear time."""
    n = len(adj)
    want = max(1, min(MAX_CLUSTERS, round(math.sqrt(n) * 0.8)))
    cluster = [-1] * n
    near_hub = bytearray(n)
    queue: deque[int] = deque()
    for i in sorted(range(n), key=lambda i: -len(adj[i])):
        if len(queue) >= want or not adj[i]:
            break
        if near_hub[i]:
            continue
        cluster[i] = len(queue)
        queue.append(i)
        for v in adj[i]:
            near_hub[v] = 1
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if cluster[v] < 0:
                cluster[v] = cluster[u]
                queue.append(v)
    rest = max(cluster, default=-1) + 1  # nodes no hub reaches: one more cluster
    cluster = [rest if c < 0 else c for c in cluster]
    for _ in range(_SWEEPS):  # a node at a border joins the cluster most of its neighbours are in
        for u, vs in enumerate(adj):
            if len(vs) > 1:
                votes = Counter(cluster[v] for v in vs)
                best, count = votes.most_common(1)[0]
                if count > votes.get(cluster[u], 0):
                    cluster[u] = best
    return _renumbered(cluster)


def _renumbered(cluster: list[int]) -> list[int]:
    """Cluster indices 0, 1, … by decreasing size (clusters the sweeps emptied disappear)."""
    sizes = Counter(cluster)
    order = {c: i for i, (c, _) in enumerate(sorted(sizes.items(), key=lambda p: (-p[1], p[0])))}
    return [order[c] for c in cluster]


def _place_clusters(
    adj: list[list[int]], cluster: list[int], sizes: list[int], seed: int
) -> list[tuple[float, float]]:
    """Disc centres: a force layout of the quotient graph, then overlaps removed."""
    import networkx as nx
    import numpy as np

    k = len(sizes)
    if k <= 1:
        return [(0.0, 0.0)] * k
    links: Counter[tuple[int, int]] = Counter(
        (cluster[u], cluster[v]) for u, vs in enumerate(adj) for v in vs if cluster[u] < cluster[v]
    )
    q = nx.Graph()
    q.add_nodes_from(range(k))
    q.add_weighted_edges_from((a, b, w) for (a, b), w in links.items())
    pos = nx.spring_layout(q, weight="weight", seed=seed, iterations=80)
    xy = np.array([pos[c] for c in range(k)], dtype=float)
    radius = _SPACING * np.sqrt(np.asarray(sizes, dtype=float) + 0.5) + _SPACING
    # about the extent of the discs packed together, so that the push below has little to do;
    # clusters the force layout threw far out (weakly linked ones) are pulled in to that extent
    extent = float(np.sqrt((radius**2).sum()))
    xy -= xy.mean(0)
    xy *= extent / max(float(np.abs(xy).max()), 1e-9)
    dist = np.sqrt((xy**2).sum(1))
    far = dist > extent
    xy[far] *= (extent / dist[far])[:, None]
    return [(float(a), float(b)) for a, b in _separate(xy, radius)]


def _separate(p: np.ndarray, r: np.ndarray, rounds: int = 80) -> np.ndarray:
    """Push overlapping discs (centres ``p``, radii ``r``) apart; vectorised over pairs, as
    clusters are few."""
    import numpy as np

    need = r[:, None] + r[None, :]
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        d = p[:, None, :] - p[None, :, :]
        dist = np.sqrt((d**2).sum(-1)) + np.eye(len(p))
        overlap = np.clip(need - dist, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        if not overlap.any():
            break
        push = (d / dist[..., None] * overlap[..., None] / 2).sum(1)
        p += push
    return p
