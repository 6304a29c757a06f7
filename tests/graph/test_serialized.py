"""``GraphStore.serialized()`` on every backend: a read-modify-write done by many threads over
two stores on the same data at once (two connections, as two service processes have) loses no
write, and a block that raises writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from tests.conftest import open_backend
from tests.graph.concurrently import in_parallel

THREADS = 12


@pytest.fixture
def twin(store: GraphStore, tmp_path: Path) -> Iterator[GraphStore]:
    """A second store over the same data (its own connection, its own copy of the graph)."""
    other = open_backend(store.backend, tmp_path)  # Neo4j: clears, so before any write
    yield other
    other.close()


def _append(s: GraphStore, i: int) -> None:
    with s.serialized() as b:
        have = list(s.require_node("seg:log").props.get("entries", []))
        b.upsert_nodes([Node("seg:log", "Segment", {"entries": [*have, f"e{i}"]})])


def test_every_read_modify_write_is_kept(store: GraphStore, twin: GraphStore) -> None:
    store.upsert_nodes([Node("seg:log", "Segment", {"name": "记录"})])
    results = in_parallel(THREADS, lambda i: _append(store if i % 2 else twin, i))
    assert results == [None] * THREADS
    for s in (store, twin):
        entries = s.require_node("seg:log").props["entries"]
        assert sorted(entries) == sorted(f"e{i}" for i in range(THREADS))


def test_a_plain_write_waits_for_the_block(store: GraphStore, twin: GraphStore) -> None:
    """A plain upsert from another store, started while a block holds the lock, commits after
    the block: the block's read-modify-write is not overwritten by it, nor it by the block."""
    store.upsert_nodes([Node("seg:x", "Segment", {"name": "x", "n": 0})])
    inside, done = threading.Event(), threading.Event()

    def plain() -> None:
        inside.wait(timeout=30)
        twin.upsert_nodes([Node("seg:x", "Segment", {"n": 100, "note": "旁写"})])
        done.set()

    t = threading.Thread(target=plain)
    t.start()
    with store.serialized() as b:
        n = store.require_node("seg:x").props["n"]
        inside.set()
        assert not done.wait(timeout=0.3)  # it waits for the lock (no timing asserted on it)
        b.upsert_nodes([Node("seg:x", "Segment", {"n": n + 1})])
    t.join(timeout=30)
    assert done.is_set()
    # committed after the block: its n, not the block's
    assert store.require_node("seg:x").props == {"name": "x", "n": 100, "note": "旁写"}


def test_a_block_that_raises_writes_nothing(store: GraphStore) -> None:
    store.upsert_nodes([Node("seg:a", "Segment", {"name": "a"})])
    before = store.revision()
    with pytest.raises(ValueError), store.serialized() as b:
        b.upsert_nodes([Node("seg:b", "Segment", {"name": "b"})])
        raise ValueError("refused")
    assert store.get_node("seg:b") is None
    assert store.revision() == before
    with store.serialized() as b:  # the lock was given back
        b.upsert_nodes([Node("seg:b", "Segment", {"name": "b"})])
    assert store.get_node("seg:b") is not None


def test_a_write_beside_the_batch_is_refused_at_once(store: GraphStore) -> None:
    with pytest.raises(RuntimeError, match="serialized"), store.serialized():
        store.upsert_nodes([Node("seg:c", "Segment", {"name": "c"})])
    assert store.get_node("seg:c") is None
