"""The same bundle imported into both backends gives the same answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chainatlas.graph.io.bundle import export_bundle, import_bundle
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import open_backend


@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI is not set: no Neo4j here")
def test_seed_bundle_same_on_memory_and_neo4j(seeded: EmbeddedStore, tmp_path: Path) -> None:
    export_bundle(seeded, tmp_path / "bundle", progress=False)
    mem = EmbeddedStore(tmp_path / "m.db")
    neo = open_backend("neo4j", tmp_path)
    try:
        for s in (mem, neo):
            import_bundle(s, tmp_path / "bundle", progress=False)
        assert mem.counts() == neo.counts()
        for chain in mem.find_nodes("Chain"):
            a, b = mem.chain_subgraph(chain.id), neo.chain_subgraph(chain.id)
            assert {i: n.props for i, n in a.nodes.items()} == {
                i: n.props for i, n in b.nodes.items()
            }, chain.id
            assert sorted((r.key, r.props) for r in a.relationships) == sorted(
                (r.key, r.props) for r in b.relationships
            ), chain.id
        for q in [("Firm", {"region": "长兴县"}), ("Chain", {"layout": "1366"}), ("Segment", None)]:
            assert [n.id for n in mem.find_nodes(*q)] == [n.id for n in neo.find_nodes(*q)]
        for seg in ("seg:动力电池", "seg:时空智能"):
            assert [(r.key, n.id) for r, n in mem.neighbours(seg, None, "both")] == [
                (r.key, n.id) for r, n in neo.neighbours(seg, None, "both")
            ]
    finally:
        mem.close()
        neo.clear()
        neo.close()
