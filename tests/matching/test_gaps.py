"""Gap reports are the same on every run, and their 延链 candidates are products."""

from __future__ import annotations

import os
import subprocess
import sys

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.gaps import GENERIC_CONTAINED, gaps

#: A chain of two segments a and b; product x is downstream of a and upstream of b, so which
#: side of the chain it extends depends on the segment it is reached from first.
_SCRIPT = """
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Batch
from chainatlas.matching.gaps import gaps

store = EmbeddedStore(":memory:")
seg = lambda i: Node(i, "Segment", {"name": i})
store.apply(
    Batch()
    .upsert_nodes(
        [
            Node("c", "Chain", {"name": "C", "layout": "1366"}),
            Node("f", "Firm", {"name": "F", "region": "上海市"}),
            *map(seg, "abxyz"),
        ]
    )
    .upsert_relationships(
        [
            Relationship("f", "OPERATES_IN", "x"),
            Relationship("c", "HAS_SEGMENT", "a", {"stage": "upstream"}),
            Relationship("c", "HAS_SEGMENT", "b", {"stage": "downstream"}),
            Relationship("a", "UPSTREAM_OF", "x"),
            Relationship("x", "UPSTREAM_OF", "b"),
        ]
    )
)
print([(e.segment, e.stage) for e in gaps(store, "c").extensions])
"""


def test_extension_stages_do_not_depend_on_hash_order() -> None:
    """The stage of a 延链 candidate came from iterating a set of segment ids, so it changed
    with PYTHONHASHSEED from one run to the next."""
    runs = {
        subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert len(runs) == 1, runs
    assert runs.pop().strip() in ("[('x', 'downstream')]", "[('x', 'upstream')]")


def _product_graph(extra: list[str], firms_in: list[str]) -> EmbeddedStore:
    """Chain C with one segment 医疗器械包装袋; every name of ``extra`` is a product next to it
    (downstream) and one outside firm operates in each product of ``firms_in``."""
    store = EmbeddedStore(":memory:")
    nodes = [Node("c", "Chain", {"name": "C", "layout": "1366"})]
    nodes += [Node(f"seg:{n}", "Segment", {"name": n}) for n in ["医疗器械包装袋", *extra]]
    nodes += [Node(f"f{i}", "Firm", {"name": f"F{i}", "region": "上海市"}) for i in range(3)]
    rels = [Relationship("c", "HAS_SEGMENT", "seg:医疗器械包装袋", {"stage": "midstream"})]
    rels += [Relationship("seg:医疗器械包装袋", "UPSTREAM_OF", f"seg:{n}") for n in extra]
    rels += [
        Relationship(f"f{i}", "OPERATES_IN", f"seg:{n}")
        for n in firms_in
        for i in range(3 if n == "包装袋" else 1)
    ]
    store.apply(Batch().upsert_nodes(nodes).upsert_relationships(rels))
    return store


class TestExtensionNoise:
    """延链候选 on ckg were 产品, 生物, 医疗 (category words), 者吸塑盒 (a cut name) and products
    no firm makes; they are left out, the rest keep their order."""

    def test_no_candidate_without_a_firm(self) -> None:
        store = _product_graph(["包装袋", "袋子", "疫苗"], firms_in=["包装袋", "疫苗"])
        got = [(e.name, e.national_firms) for e in gaps(store, "c").extensions]
        assert got == [("包装袋", 3), ("疫苗", 1)]

    def test_fragments_are_left_out(self) -> None:
        store = _product_graph(["者吸塑盒", "吸塑盒"], firms_in=["者吸塑盒", "吸塑盒"])
        assert [e.name for e in gaps(store, "c").extensions] == ["吸塑盒"]

    def test_short_names_in_many_product_names_are_category_words(self) -> None:
        # 医疗 is in GENERIC_CONTAINED other product names, 疫苗 in one less
        many = [f"医疗{i}号" for i in range(GENERIC_CONTAINED)]
        some = [f"疫苗{i}号" for i in range(GENERIC_CONTAINED - 1)]
        store = _product_graph(["医疗", "疫苗"], firms_in=["医疗", "疫苗"])
        store.apply(
            Batch().upsert_nodes(Node(f"seg:{n}", "Segment", {"name": n}) for n in many + some)
        )
        assert [e.name for e in gaps(store, "c").extensions] == ["疫苗"]
