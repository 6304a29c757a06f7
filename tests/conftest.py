"""Shared fixtures. The ``store`` fixture runs every contract test on every backend that can
run here: the embedded store always, Neo4j when ``NEO4J_URI`` is set."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from chainatlas.graph.io.seeds import load_seeds
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent
#: Debian's chromium and the flags it needs on this machine's closed network (no downloads)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed here"
)
SHARED = REPO.parent / "shared"
SEEDS = REPO / "seeds"


@pytest.fixture(autouse=True, scope="session")
def _data_outside_the_user_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test touches the real per-user data directory: ``CHAINATLAS_HOME`` and the XDG data
    folder (platformdirs' default on Linux) point into the session's temporary folder. A
    ``chainatlas serve`` started by a test builds no ranking index in the background unless
    the test asks (``CHAINATLAS_WARM_INDEX``; the tests of ``api/warmup.py`` do)."""
    base = tmp_path_factory.mktemp("user")
    names = ("CHAINATLAS_HOME", "XDG_DATA_HOME", "CHAINATLAS_WARM_INDEX")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["CHAINATLAS_HOME"] = str(base / "chainatlas-home")
    os.environ["XDG_DATA_HOME"] = str(base / "xdg-data")
    os.environ["CHAINATLAS_WARM_INDEX"] = "0"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _backends() -> list[str]:
    ids = ["memory"]
    ids.append("neo4j")
    return ids


def open_backend(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "memory":
        return EmbeddedStore(tmp_path / "graph.db")
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("NEO4J_URI is not set: no Neo4j server on this machine")
    pytest.importorskip("neo4j", reason="the neo4j extra is not installed")
    from chainatlas.graph.store.neo4jstore import Neo4jStore

    store = Neo4jStore(
        uri,
        (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )
    store.clear()
    return store


@pytest.fixture(params=_backends())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    s = open_backend(request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture
def memory_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "graph.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def seeded_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the seeds and sample data, built once; copy before writing."""
    path = tmp_path_factory.mktemp("seeded") / "graph.db"
    s = EmbeddedStore(path)
    load_seeds(s, SEEDS, sample=True)
    s.close()
    return path


@pytest.fixture
def seeded(seeded_path: Path, tmp_path: Path) -> Iterator[EmbeddedStore]:
    import shutil

    dst = tmp_path / "seeded.db"
    shutil.copy(seeded_path, dst)
    s = EmbeddedStore(dst)
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside a development checkout)")
    return path


@contextmanager
def served(app: Any, *, tries: int = 100) -> Iterator[int]:
    """``app`` served by uvicorn in a thread on a free port of 127.0.0.1 (the port), for as
    long as the block runs; it waits up to ``tries`` tenths of a second for the start."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(tries):
        if srv.started:
            break
        time.sleep(0.1)
    try:
        yield port
    finally:
        srv.should_exit = True
        t.join(timeout=10)
