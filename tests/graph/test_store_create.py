"""``Batch.create_nodes``: a node that must be new is written only when its id is free, on
every backend, also when two writers create the same id at once (the guard behind 问题闭环's
"a problem raised never replaces another")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from chainatlas.graph.errors import Conflict
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import Batch, GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore


def problem(title: str) -> Node:
    return Node("problem:x", "Problem", {"title": title, "status": "收集"})


def test_a_new_id_is_created(store: GraphStore) -> None:
    store.apply(Batch().create_nodes([problem("甲")]))
    got = store.get_node("problem:x")
    assert got is not None and got.props["title"] == "甲"


def test_a_stored_id_is_refused_and_the_batch_writes_nothing(store: GraphStore) -> None:
    store.apply(Batch().create_nodes([problem("甲")]))
    other = Node("firm:o", "Firm", {"name": "o"})
    with pytest.raises(Conflict, match="problem:x"):
        store.apply(Batch().upsert_nodes([other]).create_nodes([problem("乙")]))
    got = store.get_node("problem:x")
    assert got is not None and got.props == {"title": "甲", "status": "收集"}
    assert store.get_node("firm:o") is None


def test_an_id_deleted_in_the_same_batch_may_be_created(store: GraphStore) -> None:
    store.apply(Batch().create_nodes([problem("甲")]))
    store.apply(Batch().delete_nodes(["problem:x"]).create_nodes([problem("乙")]))
    got = store.get_node("problem:x")
    assert got is not None and got.props["title"] == "乙"


@contextmanager
def second_writer(store: GraphStore) -> Iterator[GraphStore]:
    """Another writer on the same data: a second connection to the same SQLite file (as a
    second worker process has), or the same Neo4j driver (its sessions run at once)."""
    if isinstance(store, EmbeddedStore):
        other = EmbeddedStore(store.path)
        try:
            yield other
        finally:
            other.close()
    else:
        yield store


def test_of_concurrent_creations_of_one_id_exactly_one_is_written(store: GraphStore) -> None:
    with second_writer(store) as other:
        writers = [store, other] * 4
        start = threading.Barrier(len(writers))
        won: list[str] = []
        refused: list[str] = []

        def create(s: GraphStore, title: str) -> None:
            start.wait()
            try:
                s.apply(Batch().create_nodes([problem(title)]))
                won.append(title)
            except Conflict:
                refused.append(title)

        threads = [
            threading.Thread(target=create, args=(s, f"问题{k}")) for k, s in enumerate(writers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(won) == 1 and len(refused) == len(writers) - 1
    got = store.get_node("problem:x")
    assert got is not None and got.props["title"] == won[0]
