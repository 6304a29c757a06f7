"""The initial-load path into Neo4j: a ``chainatlas export`` bundle imported with
``neo4j-admin database import full`` (scripts/neo4j-admin-import, on the Neo4j 5.26 jars the
test server is built from) gives a database whose nodes, relationships and properties are the
store's, read back through ``Neo4jStore``."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from chainatlas.graph.io.bundle import export_bundle
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "neo4j-admin-import"
JARS = REPO / "scripts" / "neo4j-test-server.d" / "target" / "lib"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None or not JARS.is_dir(),
        reason="no Java or no Neo4j jars (scripts/neo4j-test-server start builds them)",
    ),
]


def _snapshot(store: GraphStore) -> tuple[list[object], list[object]]:
    nodes = sorted((n.id, n.label, repr(sorted(n.props.items()))) for n in store.iter_nodes())
    rels = sorted((r.key, repr(sorted(r.props.items()))) for r in store.iter_relationships())
    return nodes, rels  # type: ignore[return-value]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_export_imports_with_neo4j_admin(seeded: EmbeddedStore, tmp_path: Path) -> None:
    pytest.importorskip("neo4j")
    from chainatlas.graph.store.neo4jstore import Neo4jStore

    export_bundle(seeded, tmp_path / "bundle", progress=False)
    home = tmp_path / "neo4j"
    done = subprocess.run(
        [str(SCRIPT), "import", str(tmp_path / "bundle"), str(home)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "IMPORT DONE" in done.stdout
    start = [str(SCRIPT), "start", str(home), str(_free_port())]
    started = subprocess.run(start, capture_output=True, text=True, timeout=300)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        with Neo4jStore(started.stdout.strip(), None) as neo:
            assert neo.counts() == seeded.counts()
            assert _snapshot(neo) == _snapshot(seeded)
    finally:
        subprocess.run([str(SCRIPT), "stop", str(home)], timeout=120)
