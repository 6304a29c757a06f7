"""Tiny graphs for the docstring examples, as networkx's ``path_graph`` serves its own: each
public algorithm shows its answer on a graph a reader can hold in mind, built the same way.

>>> store = tiny_chain("正极材料", "电芯", local_in="电芯", local_output=8.0)
>>> store.counts().labels
{'Chain': 1, 'Firm': 2, 'Segment': 2}
"""

from __future__ import annotations

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore

__all__ = ["tiny_chain"]


def tiny_chain(
    upstream: str, midstream: str, *, local_in: str, local_output: float
) -> EmbeddedStore:
    """The chain 储能 (id ``c``, layout 1366) in an in-memory store: segment ``s1``
    ``upstream`` feeding ``s2`` ``midstream`` (``UPSTREAM_OF``); a local firm ``f1`` (甲公司,
    长兴县, ``local_output`` 亿元) in the segment named ``local_in``, an outside firm ``f2``
    (乙公司, 上海市, 5 亿元) in the other one.

    Parameters
    ----------
    upstream, midstream : str
        The names of the two segments.
    local_in : str
        The segment (``upstream`` or ``midstream``) of the local firm.
    local_output : float
        The local firm's output (产值, 亿元).

    Returns
    -------
    EmbeddedStore
        The graph, in memory.
    """
    if local_in not in (upstream, midstream):
        raise ValueError(f"local_in must name one of the two segments, not {local_in!r}")
    local, outside = ("s1", "s2") if local_in == upstream else ("s2", "s1")
    store = EmbeddedStore(":memory:")
    store.apply(
        Batch()
        .upsert_nodes(
            [
                Node("c", "Chain", {"name": "储能", "layout": "1366"}),
                Node("s1", "Segment", {"name": upstream}),
                Node("s2", "Segment", {"name": midstream}),
                Node("f1", "Firm", {"name": "甲公司", "region": "长兴县", "output": local_output}),
                Node("f2", "Firm", {"name": "乙公司", "region": "上海市", "output": 5.0}),
            ]
        )
        .upsert_relationships(
            [
                Relationship("c", "HAS_SEGMENT", "s1", {"stage": "upstream"}),
                Relationship("c", "HAS_SEGMENT", "s2", {"stage": "midstream"}),
                Relationship("s1", "UPSTREAM_OF", "s2"),
                Relationship("f1", "OPERATES_IN", local),
                Relationship("f2", "OPERATES_IN", outside),
            ]
        )
    )
    return store
