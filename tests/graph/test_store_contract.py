"""The store contract, run unchanged on every backend (test ids carry the backend name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.errors import (
    ChainAtlasError,
    NodeNotFound,
    SchemaViolation,
    ValidationFailed,
)
from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Batch, GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore


def seg(i: str, **props: object) -> Node:
    return Node(f"seg:{i}", "Segment", {"name": i, **props})


def firm(i: str, **props: object) -> Node:
    return Node(f"firm:{i}", "Firm", {"name": i, **props})


class TestUpsertAndGet:
    def test_roundtrip_properties(self, store: GraphStore) -> None:
        store.upsert_nodes(
            [firm("a", tags=["规上", "上市"], output=12.5, employees=30, region="长兴县")]
        )
        got = store.get_node("firm:a")
        assert got is not None
        assert got.label == "Firm"
        assert got.props == {
            "name": "a",
            "tags": ["规上", "上市"],
            "output": 12.5,
            "employees": 30,
            "region": "长兴县",
        }

    def test_missing_node_is_none(self, store: GraphStore) -> None:
        assert store.get_node("nope") is None
        with pytest.raises(NodeNotFound):
            store.require_node("nope")

    def test_upsert_merges_and_none_removes(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a", output=1.0, employees=5)])
        store.upsert_nodes([firm("a", output=2.0, employees=None)])
        got = store.get_node("firm:a")
        assert got is not None and got.props == {"name": "a", "output": 2.0}

    def test_label_cannot_change(self, store: GraphStore) -> None:
        store.upsert_nodes([seg("x")])
        with pytest.raises(SchemaViolation):
            store.upsert_nodes([Node("seg:x", "Firm", {"name": "x"})])

    def test_invalid_properties_rejected(self, store: GraphStore) -> None:
        with pytest.raises(ValidationFailed, match="output"):
            store.upsert_nodes([firm("a", output=-1)])
        with pytest.raises(SchemaViolation):
            store.upsert_nodes([Node("x", "NoSuchLabel", {"name": "x"})])
        assert store.count_nodes() == 0

    def test_relationship_roundtrip_and_merge(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a"), seg("s")])
        store.upsert_relationships(
            [Relationship("firm:a", "OPERATES_IN", "seg:s", {"weight": 0.4})]
        )
        store.upsert_relationships([Relationship("firm:a", "OPERATES_IN", "seg:s", {"note": "x"})])
        rels = store.get_relationships([("firm:a", "OPERATES_IN", "seg:s")])
        assert rels[("firm:a", "OPERATES_IN", "seg:s")].props == {"weight": 0.4, "note": "x"}

    def test_relationship_needs_existing_endpoints(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a")])
        with pytest.raises(NodeNotFound):
            store.upsert_relationships([Relationship("firm:a", "OPERATES_IN", "seg:none")])

    def test_relationship_endpoint_labels_checked(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a"), firm("b")])
        with pytest.raises(SchemaViolation, match="OPERATES_IN"):
            store.upsert_relationships([Relationship("firm:a", "OPERATES_IN", "firm:b")])
        with pytest.raises(SchemaViolation):
            store.upsert_relationships([Relationship("firm:a", "LIKES", "firm:b")])


class TestFind:
    def test_find_by_label_and_props_in_id_order(self, store: GraphStore) -> None:
        store.upsert_nodes(
            [
                firm("b", region="长兴县"),
                firm("a", region="长兴县"),
                firm("c", region="上海市"),
                seg("s"),
            ]
        )
        assert [n.id for n in store.find_nodes("Firm")] == ["firm:a", "firm:b", "firm:c"]
        assert [n.id for n in store.find_nodes("Firm", {"region": "长兴县"})] == [
            "firm:a",
            "firm:b",
        ]
        assert [n.id for n in store.find_nodes("Firm", skip=1, limit=1)] == ["firm:b"]
        assert store.count_nodes("Firm", {"region": "长兴县"}) == 2
        assert store.count_nodes() == 4

    def test_neighbours_by_type_and_direction(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a"), firm("b"), seg("s"), seg("t")])
        store.upsert_relationships(
            [
                Relationship("firm:a", "OPERATES_IN", "seg:s"),
                Relationship("firm:b", "OPERATES_IN", "seg:s"),
                Relationship("firm:b", "SUPPLIES", "firm:a", {"value": 1.5}),
                Relationship("seg:t", "UPSTREAM_OF", "seg:s"),
            ]
        )
        ins = store.neighbours("seg:s", ["OPERATES_IN"], "in")
        assert sorted(n.id for _, n in ins) == ["firm:a", "firm:b"]
        assert [n.id for _, n in store.neighbours("seg:s", ["UPSTREAM_OF"], "in")] == ["seg:t"]
        out = store.neighbours("firm:b", None, "out")
        assert sorted((r.type, n.id) for r, n in out) == [
            ("OPERATES_IN", "seg:s"),
            ("SUPPLIES", "firm:a"),
        ]
        both = store.neighbours("firm:a", ["SUPPLIES"], "both")
        assert [(r.start, r.props) for r, _ in both] == [("firm:b", {"value": 1.5})]
        assert store.neighbours("nope") == []

    def test_counts(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a"), seg("s"), seg("t")])
        store.upsert_relationships([Relationship("seg:t", "UPSTREAM_OF", "seg:s")])
        c = store.counts()
        assert c.labels == {"Firm": 1, "Segment": 2}
        assert c.types == {"UPSTREAM_OF": 1}
        assert (c.nodes, c.relationships) == (3, 1)


class TestBatches:
    def test_batch_is_all_or_nothing(self, store: GraphStore) -> None:
        store.upsert_nodes([seg("keep")])
        b = Batch().upsert_nodes([seg(f"n{i}") for i in range(50)])
        b.upsert_relationships([Relationship("seg:n1", "UPSTREAM_OF", "seg:missing")])
        with pytest.raises(NodeNotFound):
            store.apply(b)
        assert store.count_nodes() == 1
        assert store.get_node("seg:n1") is None

    def test_context_manager_batch(self, store: GraphStore) -> None:
        with store.batch() as b:
            b.upsert_nodes([seg("a"), seg("b")])
            b.upsert_relationships([Relationship("seg:a", "UPSTREAM_OF", "seg:b")])
        assert store.counts().relationships == 1

    def test_failure_inside_with_writes_nothing(self, store: GraphStore) -> None:
        with pytest.raises(RuntimeError):
            with store.batch() as b:
                b.upsert_nodes([seg("a")])
                raise RuntimeError("boom")
        assert store.count_nodes() == 0

    def test_delete_node_detaches(self, store: GraphStore) -> None:
        store.upsert_nodes([seg("a"), seg("b"), seg("c")])
        store.upsert_relationships(
            [
                Relationship("seg:a", "UPSTREAM_OF", "seg:b"),
                Relationship("seg:b", "UPSTREAM_OF", "seg:c"),
            ]
        )
        res = store.delete_nodes(["seg:b", "seg:zzz"])
        assert (res.nodes_deleted, res.relationships_deleted) == (1, 2)
        assert store.counts().relationships == 0
        assert store.get_node("seg:b") is None

    def test_delete_relationship(self, store: GraphStore) -> None:
        store.upsert_nodes([seg("a"), seg("b")])
        store.upsert_relationships([Relationship("seg:a", "UPSTREAM_OF", "seg:b")])
        assert (
            store.delete_relationships([("seg:a", "UPSTREAM_OF", "seg:b")]).relationships_deleted
            == 1
        )
        assert store.counts().relationships == 0
        assert store.count_nodes() == 2

    def test_move_replaces_a_link_in_one_batch(self, store: GraphStore) -> None:
        """A record's move: delete the old link and make the new one, all or nothing."""
        store.upsert_nodes([firm("a"), seg("old"), seg("new")])
        store.upsert_relationships(
            [Relationship("firm:a", "OPERATES_IN", "seg:old", {"weight": 0.5})]
        )
        with store.batch() as b:
            b.delete_relationships([("firm:a", "OPERATES_IN", "seg:old")])
            b.upsert_nodes([firm("a", region="德清县")])
            b.upsert_relationships([Relationship("firm:a", "OPERATES_IN", "seg:new")])
        assert [n.id for _, n in store.neighbours("firm:a", ["OPERATES_IN"])] == ["seg:new"]
        assert store.require_node("firm:a").props["region"] == "德清县"
        # a failing move keeps the old link
        with pytest.raises(NodeNotFound):
            with store.batch() as b:
                b.delete_relationships([("firm:a", "OPERATES_IN", "seg:new")])
                b.upsert_relationships([Relationship("firm:a", "OPERATES_IN", "seg:none")])
        assert [n.id for _, n in store.neighbours("firm:a", ["OPERATES_IN"])] == ["seg:new"]

    def test_deleting_and_making_the_same_link_makes_it_anew(self, store: GraphStore) -> None:
        store.upsert_nodes([firm("a"), seg("s")])
        key = ("firm:a", "OPERATES_IN", "seg:s")
        store.upsert_relationships([Relationship(*key, {"weight": 0.5})])
        with store.batch() as b:
            b.delete_relationships([key])
            b.upsert_relationships([Relationship(*key, {"note": "新"})])
        assert store.get_relationships([key])[key].props == {"note": "新"}
        assert store.counts().relationships == 1

    @pytest.mark.parametrize("bad", [" firm:a", "firm:a\t", "\u3000firm:a", "firm:\x00a", ""])
    def test_ids_are_never_trimmed(self, store: GraphStore, bad: str) -> None:
        """A padded id is refused, not taken for the trimmed one (whose label and properties
        it would otherwise overwrite)."""
        store.upsert_nodes([firm("a", output=3.5)])
        with pytest.raises(SchemaViolation, match="id"):
            store.upsert_nodes([Node(bad, "Project", {"name": "变成项目"})])
        assert store.require_node("firm:a").props == {"name": "a", "output": 3.5}
        assert store.count_nodes() == 1

    def test_control_characters_and_loose_types_are_refused(self, store: GraphStore) -> None:
        for props in (
            {"name": "a\x00b"},
            {"name": "a", "note": "\x1b[31m"},
            {"name": "a", "": 1},
            {"name": "a", "mixed": [1, "a"]},
            {"name": "\u200b"},
        ):
            with pytest.raises(ValidationFailed):
                store.upsert_nodes([Node("seg:x", "Segment", props)])
        with pytest.raises(ValidationFailed, match="signed"):
            store.upsert_nodes([Node("p", "Project", {"name": "p", "signed": 86400})])
        assert store.count_nodes() == 0

    def test_large_batch(self, store: GraphStore) -> None:
        n = 12_000
        b = Batch().upsert_nodes([seg(f"s{i}") for i in range(n)])
        b.upsert_relationships(
            [Relationship(f"seg:s{i}", "UPSTREAM_OF", f"seg:s{i + 1}") for i in range(n - 1)]
        )
        store.apply(b)
        assert store.counts().labels == {"Segment": n}
        assert store.counts().types == {"UPSTREAM_OF": n - 1}
        assert [x.id for _, x in store.neighbours("seg:s5000")] == ["seg:s5001"]

    def test_clear(self, store: GraphStore) -> None:
        store.upsert_nodes([seg("a")])
        store.clear()
        assert store.count_nodes() == 0


class TestChainSubgraph:
    def test_subgraph_collects_the_chain(self, store: GraphStore) -> None:
        with store.batch() as b:
            b.upsert_nodes(
                [
                    Node("layout:x", "Layout", {"name": "X", "code": "x"}),
                    Node("chain:c", "Chain", {"name": "C", "layout": "x"}),
                    Node("chain:old", "Chain", {"name": "Old", "layout": "y"}),
                    seg("up"),
                    seg("mid"),
                    seg("sub"),
                    seg("elsewhere"),
                    firm("f"),
                    firm("m"),
                    Node("platform:p", "Platform", {"name": "P"}),
                    Node("region:r", "Region", {"name": "R"}),
                ]
            )
            b.upsert_relationships(
                [
                    Relationship("chain:c", "IN_LAYOUT", "layout:x"),
                    Relationship("chain:old", "EVOLVED_INTO", "chain:c"),
                    Relationship("chain:c", "HAS_SEGMENT", "seg:up", {"stage": "upstream"}),
                    Relationship("chain:c", "HAS_SEGMENT", "seg:mid", {"stage": "midstream"}),
                    Relationship("seg:sub", "SUBSEGMENT_OF", "seg:mid"),
                    Relationship("seg:up", "UPSTREAM_OF", "seg:mid"),
                    Relationship("seg:elsewhere", "UPSTREAM_OF", "seg:up"),
                    Relationship("firm:f", "OPERATES_IN", "seg:sub"),
                    Relationship("firm:m", "CHAIN_MASTER_OF", "chain:c"),
                    Relationship("platform:p", "SERVES", "seg:up"),
                    Relationship("chain:c", "FOCUS_REGION", "region:r"),
                ]
            )
        sg = store.chain_subgraph("chain:c")
        assert set(sg.nodes) == {
            "chain:c",
            "layout:x",
            "chain:old",
            "seg:up",
            "seg:mid",
            "seg:sub",
            "firm:f",
            "firm:m",
            "platform:p",
            "region:r",
        }
        types = sorted(r.type for r in sg.relationships)
        assert "UPSTREAM_OF" in types and ("seg:elsewhere", "UPSTREAM_OF", "seg:up") not in {
            r.key for r in sg.relationships
        }
        assert len(sg.relationships) == 10

    def test_subgraph_of_unknown_chain(self, store: GraphStore) -> None:
        with pytest.raises(NodeNotFound):
            store.chain_subgraph("chain:none")


def test_quick_counts_are_the_counts(store: GraphStore) -> None:
    store.upsert_nodes(
        [Node("seg:q1", "Segment", {"name": "甲"}), Node("seg:q2", "Segment", {"name": "乙"})]
    )
    store.upsert_relationships([Relationship("seg:q1", "UPSTREAM_OF", "seg:q2")])
    assert store.quick_counts() == store.counts()


class TestRevision:
    """``revision()`` moves with every committed write, in the write's own transaction."""

    def test_each_kind_of_write_moves_it(self, store: GraphStore, tmp_path: Path) -> None:
        seen = [store.revision()]

        def moved() -> None:
            now = store.revision()
            assert now not in seen, now
            seen.append(now)

        store.upsert_nodes([seg("a"), seg("b"), firm("f")])
        moved()
        store.upsert_relationships([Relationship("firm:f", "OPERATES_IN", "seg:a")])
        moved()
        store.upsert_nodes([seg("a", note="改名不改数")])  # same counts
        moved()
        store.apply(  # a link moved: the counts stay, the graph does not
            Batch()
            .delete_relationships([("firm:f", "OPERATES_IN", "seg:a")])
            .upsert_relationships([Relationship("firm:f", "OPERATES_IN", "seg:b")])
        )
        moved()
        store.delete_relationships([("firm:f", "OPERATES_IN", "seg:b")])
        moved()
        store.delete_nodes(["seg:b"])
        moved()
        bundle = tmp_path / "b"
        bundle.mkdir()
        (bundle / "nodes.csv").write_text("id:ID,:LABEL,name\nseg:new,Segment,新\n", "utf-8")
        assert import_bundle(store, bundle, progress=False).path == "columnar"  # bulk_insert
        moved()
        import_bundle(store, bundle, progress=False, fast=False)  # the general path
        moved()
        store.clear()
        moved()

    def test_reads_and_refused_writes_leave_it(self, store: GraphStore, tmp_path: Path) -> None:
        store.upsert_nodes([seg("a")])
        before = store.revision()
        store.counts()
        list(store.iter_nodes())
        store.find_nodes("Segment")
        assert store.revision() == before
        with pytest.raises(NodeNotFound):
            store.upsert_relationships([Relationship("seg:a", "UPSTREAM_OF", "seg:none")])
        store.apply(Batch())  # nothing to write
        bundle = tmp_path / "b"
        bundle.mkdir()
        (bundle / "nodes.csv").write_text("id:ID,:LABEL,name\nseg:a,Firm,甲\n", "utf-8")
        with pytest.raises(ChainAtlasError):
            import_bundle(store, bundle, progress=False)  # both paths refuse: rolled back
        assert store.revision() == before

    def test_two_stores_never_share_one(self, store: GraphStore, tmp_path: Path) -> None:
        with EmbeddedStore(tmp_path / "other.db") as other:
            assert store.revision() != other.revision()
            store.upsert_nodes([seg("a")])
            other.upsert_nodes([seg("a")])
            assert store.revision() != other.revision()
