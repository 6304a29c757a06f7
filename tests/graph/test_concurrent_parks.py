"""A park's 主导产业 declared twice at the same moment, on every backend (review S, A2): one
declaration replaces the other, so the park never serves the chains of both (over three)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.parks import park_industries, set_park_industries
from tests.conftest import open_backend
from tests.graph.concurrently import in_parallel

SETS = [[f"chain:{k}{i}" for i in range(3)] for k in "abcdef"]


def test_parallel_declarations_leave_one_of_them(store: GraphStore, tmp_path: Path) -> None:
    other = open_backend(store.backend, tmp_path)  # Neo4j: clears, so before any write
    try:
        chains = [c for s in SETS for c in s]
        store.upsert_nodes(
            [Node(c, "Chain", {"name": c, "layout": "1366"}) for c in chains]
            + [Node("park:p", "Park", {"name": "园区P"})]
        )
        two = (store, other)

        def declare(i: int) -> object:
            return set_park_industries(
                two[i % 2], "park:p", SETS[i], by=f"officer{i}", on=date(2026, 11, 30)
            )

        results = in_parallel(len(SETS), declare)
        assert not [r for r in results if isinstance(r, BaseException)], results
        (row,) = park_industries(store)
        declared = sorted(d["chain"] for d in row["declared"])
        assert declared in SETS, declared
    finally:
        other.close()
