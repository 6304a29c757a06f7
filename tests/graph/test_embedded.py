"""What only the embedded store promises: durability across reopen and other processes."""

from __future__ import annotations

from pathlib import Path

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import read_scope
from chainatlas.graph.store.embedded import EmbeddedStore


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    with EmbeddedStore(path) as s:
        s.upsert_nodes(
            [
                Node("seg:a", "Segment", {"name": "a"}),
                Node("seg:b", "Segment", {"name": "b", "source": "x"}),
            ]
        )
        s.upsert_relationships([Relationship("seg:a", "UPSTREAM_OF", "seg:b")])
    with EmbeddedStore(path) as s:
        assert s.counts().labels == {"Segment": 2}
        assert [n.id for _, n in s.neighbours("seg:a")] == ["seg:b"]
        assert s.get_node("seg:b").props == {"name": "b", "source": "x"}  # type: ignore[union-attr]


def test_writes_of_another_connection_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    reader = EmbeddedStore(path)
    assert reader.count_nodes() == 0  # graph loaded, empty
    with EmbeddedStore(path) as writer:
        writer.upsert_nodes([Node("seg:a", "Segment", {"name": "a"})])
    assert reader.count_nodes() == 1
    assert reader.get_node("seg:a") is not None
    reader.upsert_nodes([Node("seg:b", "Segment", {"name": "b"})])
    with EmbeddedStore(path) as again:
        assert again.count_nodes() == 2
    reader.close()


def test_a_read_scope_sees_one_state_of_other_processes(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    reader = EmbeddedStore(path)
    with read_scope():
        assert reader.count_nodes() == 0
        with EmbeddedStore(path) as writer:
            writer.upsert_nodes([Node("seg:a", "Segment", {"name": "a"})])
        assert reader.count_nodes() == 0  # the same scope: the state it started with
        reader.upsert_nodes([Node("seg:own", "Segment", {"name": "own"})])
        assert reader.get_node("seg:own") is not None  # its own writes at once
    with read_scope():
        assert reader.count_nodes() == 2  # a new scope looks again
    assert reader.get_node("seg:a") is not None  # outside any scope: every read looks
    reader.close()


def test_networkx_view_follows_writes(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert_nodes(
            [Node("seg:a", "Segment", {"name": "a"}), Node("seg:b", "Segment", {"name": "b"})]
        )
        s.upsert_relationships([Relationship("seg:a", "UPSTREAM_OF", "seg:b")])
        g = s.graph
        assert g.has_edge("seg:a", "seg:b", "UPSTREAM_OF")
        s.delete_nodes(["seg:a"])
        assert "seg:a" not in s.graph


def test_quick_counts_do_not_load_the_graph(tmp_path: Path) -> None:
    """A health check on a store just opened answers from SQLite; the graph loads later (in
    the background, in the service) and then agrees."""
    path = tmp_path / "g.db"
    with EmbeddedStore(path) as writer:
        writer.upsert_nodes([Node(f"seg:{k}", "Segment", {"name": f"环节{k}"}) for k in range(50)])
        writer.upsert_relationships(
            [Relationship(f"seg:{k}", "UPSTREAM_OF", f"seg:{k + 1}") for k in range(49)]
        )
    with EmbeddedStore(path) as fresh:
        quick = fresh.quick_counts()
        assert not fresh._loaded  # answered without loading the graph
        assert quick.nodes == 50 and quick.relationships == 49
        fresh.warm()
        assert fresh._loaded and fresh.counts() == quick


def test_revision_is_the_read_scopes_like_the_graph(tmp_path: Path) -> None:
    """Another connection's writes move the revision when its graph moves, not before: a
    read scope sees one state of both, so an index keyed on the revision matches its data."""
    path = tmp_path / "g.db"
    writer, reader = EmbeddedStore(path), EmbeddedStore(path)
    writer.upsert_nodes([Node("seg:a", "Segment", {"name": "a"})])
    assert reader.revision() == writer.revision()
    with read_scope():
        seen = reader.revision()
        writer.upsert_nodes([Node("seg:b", "Segment", {"name": "b"})])
        assert reader.revision() == seen and reader.count_nodes() == 1
    assert reader.revision() == writer.revision() != seen
    assert reader.count_nodes() == 2
    last = writer.revision()
    writer.close()
    reader.close()
    with EmbeddedStore(path) as again:  # kept on disk, id and count
        assert again.revision() == last
