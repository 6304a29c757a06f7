"""More than one service process over one embedded store (``chainatlas serve --workers N``).

Every worker holds its own connection and its own copy of the graph: a write committed by one
is read back through the others at their next request (SQLite's ``data_version``), and writes
from several processes take SQLite's write lock in turn (none lost; a wait beyond
``CHAINATLAS_WRITE_WAIT`` is a 503 with Retry-After, never a 500). Checked on real services on
127.0.0.1: two single-worker services over one data directory (so each request's process is
known), and ``serve --workers 2`` itself.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from chainatlas.api.cli import main
from chainatlas.api.testing import LiveService, cli

SEGMENT = "seg:动力电池"


def _firm(n: int, tag: str) -> dict[str, object]:
    return {"name": f"多进程企业{tag}{n}", "region": "长兴县", "segments": [SEGMENT]}


def _put(c: httpx.Client, firm_id: str, body: dict[str, object]) -> int:
    return c.put(f"/api/v1/firms/{firm_id}", json=body).status_code


def _write_many(svc: LiveService, tag: str, n: int, codes: dict[str, int]) -> None:
    """``n`` firms through ``svc``, each on a new connection (another worker may take it)."""
    for i in range(n):
        with svc.client() as c:
            codes[f"firm:mp-{tag}-{i}"] = _put(c, f"firm:mp-{tag}-{i}", _firm(i, tag))


def _names(svc: LiveService, ids: list[str]) -> dict[str, str | None]:
    """Each firm's name as ``svc`` reads it (None when it is not found)."""
    out: dict[str, str | None] = {}
    for firm_id in ids:
        with svc.client() as c:
            r = c.get(f"/api/v1/firms/{firm_id}")
        out[firm_id] = r.json()["nodes"][0]["props"]["name"] if r.status_code == 200 else None
    return out


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    cli(home, "init")
    return home


def test_a_write_through_one_process_is_read_through_another(home: Path) -> None:
    with LiveService(home) as a, LiveService(home) as b:
        with a.client() as ca, b.client() as cb:
            assert cb.get("/api/v1/firms/firm:mp-x").status_code == 404  # b has loaded
            assert _put(ca, "firm:mp-x", _firm(1, "甲")) == 200
            got = cb.get("/api/v1/firms/firm:mp-x")
            assert got.status_code == 200
            assert got.json()["nodes"][0]["props"]["name"] == "多进程企业甲1"
            # and back: b changes it, a reads the change
            assert _put(cb, "firm:mp-x", _firm(2, "乙")) == 200
            assert (
                ca.get("/api/v1/firms/firm:mp-x").json()["nodes"][0]["props"]["name"]
                == "多进程企业乙2"
            )
            assert ca.get("/api/v1/health").json() == cb.get("/api/v1/health").json()


def test_concurrent_writes_from_two_processes_lose_nothing(home: Path) -> None:
    with LiveService(home) as a, LiveService(home) as b:
        codes_a: dict[str, int] = {}
        codes_b: dict[str, int] = {}
        threads = [
            threading.Thread(target=_write_many, args=(a, "a", 15, codes_a)),
            threading.Thread(target=_write_many, args=(b, "b", 15, codes_b)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = {**codes_a, **codes_b}
        assert set(codes.values()) <= {200, 503}, codes  # never a 500
        done = sorted(k for k, v in codes.items() if v == 200)
        assert len(done) >= 20  # SQLite's lock is waited for, not refused at once
        for svc in (a, b):
            names = _names(svc, done)
            assert all(names[k] is not None for k in done), names


def test_serve_workers_runs_several_processes_that_follow_each_others_writes(
    home: Path,
) -> None:
    with LiveService(home, args=("--workers", "2")) as svc:
        assert svc.proc is not None
        children = Path(f"/proc/{svc.proc.pid}/task/{svc.proc.pid}/children").read_text().split()
        # uvicorn's supervisor: the workers, and the resource tracker of multiprocessing
        assert len(children) >= 2
        codes: dict[str, int] = {}
        threads = [threading.Thread(target=_write_many, args=(svc, tag, 10, codes)) for tag in "cd"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(codes.values()) <= {200, 503}, codes
        done = sorted(k for k, v in codes.items() if v == 200)
        assert len(done) >= 15
        for _ in range(3):  # each read on a new connection: both workers answer some
            names = _names(svc, done)
            assert all(names[k] is not None for k in done), names
    assert "2 个工作进程" in svc.log.read_text("utf-8")


def test_workers_must_be_at_least_one(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["--home", str(tmp_path), "serve", "--workers", "0"])
    assert res.exit_code == 2
    assert "不在范围" in res.output
