"""五未督办 items kept up to date by the service, under the system's name (``api/supervisor.py``):
a read of the monthly report writes nothing (no audit row, the store's revision unchanged); a
served app raises the items with no read at all, so 问题闭环 (API and page) shows them at once;
the audit names 「系统（五未督办）」, never a visitor; a write that ends a stall closes its item
at the next pass; two workers raise them once; ``chainatlas ledger sync`` does it for cron.

The service's pass runs in its own thread; a test that needs it at a given moment calls
:meth:`Supervisor.tick`, the same pass the thread runs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app, create_served_app
from chainatlas.api.supervisor import Supervisor, sync_as_system
from chainatlas.api.testing import LiveService, cli
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.rules import Grace
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.ledger import project_row, stall_of
from chainatlas.graph.workflows.supervision import SOURCE, SYSTEM, item_id
from chainatlas.viz.worklists import history_entries
from tests.api.webui import login
from tests.conftest import open_backend

#: a wait that only ends early; a test that reaches it has failed (no timing is asserted)
LONG = 120


def _until(check: Callable[[], bool]) -> None:
    """Wait until ``check()`` holds (asked again and again; no time is asserted)."""
    pause = threading.Event()
    for _ in range(LONG * 10):
        if check():
            return
        pause.wait(0.1)
    raise AssertionError("条件始终未满足")


def _stalled(store: GraphStore) -> set[tuple[str, str]]:
    rows = (
        (p, stall_of(project_row(store, p), date.today(), Grace()))
        for p in store.find_nodes("Project")
    )
    return {(p.id, s) for p, s in rows if s}


def _items(store: GraphStore) -> list[Node]:
    return store.find_nodes("Problem", {"source": SOURCE})


@pytest.fixture
def auth(tmp_path: Path) -> Iterator[AuthStore]:
    a = AuthStore(tmp_path / "auth.db")
    yield a
    a.close()


def test_a_read_of_the_monthly_report_writes_nothing(
    seeded: EmbeddedStore, settings: Settings, auth: AuthStore
) -> None:
    """Any reader, every format: the store's revision and the audit log stay as they were."""
    assert _stalled(seeded)  # the sample ledger has stalled projects, and no items yet
    month = date.today().strftime("%Y-%m")
    team = {"Authorization": f"Bearer {auth.create('district-office', ['长兴县'], '长兴链长办')}"}
    with TestClient(create_app(settings, seeded, auth)) as c:
        before = seeded.revision()
        for fmt in ("json", "xlsx", "html"):
            r = c.get("/api/v1/ledger/report", params={"month": month, "format": fmt}, headers=team)
            assert r.status_code == 200, r.text
        assert seeded.revision() == before
        assert auth.audit_log() == []
        assert not _items(seeded)
        problems = c.get("/api/v1/problems", headers=team).json()
        assert problems["count"] == 0  # the API answers from what is stored


def test_the_service_raises_the_items_with_no_read_under_the_system_name(
    seeded: EmbeddedStore, settings: Settings, auth: AuthStore
) -> None:
    """A served app (``supervise``): 问题闭环 shows the items without anyone opening 一本账;
    the audit and each item's history name the system; a project that takes its next step
    has its item closed at the next pass, again by the system."""
    stalled = _stalled(seeded)
    team = {"Authorization": f"Bearer {auth.create('district', ['长兴县'], '长兴县招商')}"}
    app = create_app(settings, seeded, auth, supervise=True)
    with TestClient(app) as c:
        _until(lambda: c.get("/api/v1/problems", headers=team).json()["count"] == len(stalled))
        got = {(str(n.props["project"]), str(n.props["stall"])) for n in _items(seeded)}
        assert got == stalled
        for n in _items(seeded):
            assert {h["by"] for h in history_entries(n)} == {SYSTEM}
        log = auth.audit_log()
        assert [(x["actor"], x["method"], x["target"]) for x in log] == [
            (SYSTEM, "后台", "五未督办")
        ]
        assert not app.state.supervisor.tick().changed  # up to date: a pass writes nothing
        assert login(c, auth.create("city", [], "市链长办")).status_code == 303
        page = c.get("/ui/problems")
        assert page.text.count('<span class="tag">五未督办</span>') == min(len(stalled), 30)
        assert f"未办结 {len(stalled)}" in page.text
        # a project takes its next step: its item is closed by the system, not by the writer
        project, stall = sorted(stalled)[0]
        key = {"签约未开工": "started", "开工未竣工": "completed", "竣工未投产": "producing"}
        key |= {"投产未上规": "above_scale", "上规未达产": "at_capacity"}
        seeded.upsert_nodes([Node(project, "Project", {key[stall]: date.today().isoformat()})])
        app.state.supervisor.tick()  # what the thread does after a write (or did already)
        item = seeded.require_node(item_id(project, stall))
        assert item.props["status"] == "办结"
        assert history_entries(item)[-1]["by"] == SYSTEM
        assert {x["actor"] for x in auth.audit_log()} == {SYSTEM}


def test_an_ordinary_app_starts_no_supervisor_and_serve_does() -> None:
    assert create_app(Settings()).state.supervisor is None
    assert isinstance(create_served_app().state.supervisor, Supervisor)


def _stalled_graph(store: GraphStore) -> None:
    signed = (date.today() - timedelta(days=400)).isoformat()
    with store.batch() as b:
        b.upsert_nodes([Node("chain:A", "Chain", {"name": "甲链", "layout": "1366"})])
        b.upsert_nodes([Node("project:S", "Project", {"name": "停滞项目", "signed": signed})])
        b.upsert_relationships([Relationship("project:S", "IN_CHAIN", "chain:A")])


@pytest.mark.parametrize("backend", ["memory", "neo4j"])
def test_two_workers_at_once_raise_the_items_once(
    backend: str, tmp_path: Path, auth: AuthStore
) -> None:
    """Two connections to one store (two worker processes' view), passing at the same moment:
    under the lock the second finds the items there, so one write and one audit row."""
    first = open_backend(backend, tmp_path)
    second = (
        EmbeddedStore(tmp_path / "graph.db") if backend == "memory" else open_backend_keep(first)
    )
    try:
        _stalled_graph(first)
        start = threading.Barrier(2)
        results = []

        def run(store: GraphStore) -> None:
            start.wait()
            results.append(sync_as_system(store, Grace(), auth, tmp_path / "home"))

        threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(len(r.opened) for r in results) == [0, 1]
        assert [x["actor"] for x in auth.audit_log()] == [SYSTEM]
        assert len(_items(second)) == 1
    finally:
        if second is not first:
            second.close()
        first.close()


def open_backend_keep(store: GraphStore) -> GraphStore:
    """A second Neo4j connection to the same database (without clearing it)."""
    import os

    from chainatlas.graph.store.neo4jstore import Neo4jStore

    return Neo4jStore(
        os.environ["NEO4J_URI"],
        (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )


def test_cli_ledger_sync_raises_the_items_for_cron_and_the_report_only_reads(
    tmp_path: Path,
) -> None:
    """``ledger report`` writes nothing and says on stderr that the items are behind;
    ``ledger sync`` raises them under the system's name (CLI in the audit), then has nothing
    left to do; the report has no hint any more."""
    import subprocess
    import sys

    home = tmp_path / "home"
    cli(home, "init")
    month = date.today().strftime("%Y-%m")
    main = "from chainatlas.api.cli import main; main()"
    env = {**__import__("os").environ, "CHAINATLAS_HOME": str(home)}

    def report() -> subprocess.CompletedProcess[str]:
        args = [sys.executable, "-c", main, "ledger", "report", "--month", month]
        return subprocess.run(args, env=env, capture_output=True, text=True, check=True)

    before = report()
    assert "chainatlas ledger sync" in before.stderr
    assert json.loads(before.stdout)["supervision"] == []
    assert not (home / "auth.db").exists() or _audit(home) == []
    out = cli(home, "ledger", "sync")
    assert SYSTEM in out and "新增 0" not in out
    assert [(x["actor"], x["method"], x["path"]) for x in _audit(home)] == [
        (SYSTEM, "CLI", "chainatlas ledger sync")
    ]
    assert "新增 0，重新督办 0，办结 0" in cli(home, "ledger", "sync")
    after = report()
    assert after.stderr == "" and json.loads(after.stdout)["supervision"]
    assert len(_audit(home)) == 1


def _audit(home: Path) -> list[dict[str, object]]:
    a = AuthStore(home / "auth.db")
    try:
        return a.audit_log()
    finally:
        a.close()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_chainatlas_serve_raises_the_items_with_no_read(workers: str, tmp_path: Path) -> None:
    """The real command, one process or several: the items appear in 问题闭环 with no request
    but /health and the problems list, raised once, by the system."""
    home = tmp_path / "home"
    cli(home, "init")
    with LiveService(home, args=("--workers", workers)) as svc:
        with svc.client() as c:
            _until(lambda: c.get("/api/v1/problems").json()["count"] > 0)
    rows = [x for x in _audit(home) if x["target"] == "五未督办"]
    assert [(x["actor"], x["method"]) for x in rows] == [(SYSTEM, "后台")]
