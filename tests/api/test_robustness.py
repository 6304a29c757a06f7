"""The service stays answerable and every failure is a Chinese problem+json: heavy work runs off
the event loop, another process's write lock turns writes into 503 with ``Retry-After`` while
reads keep answering, faults of ours are 500 problem+json on a connection that stays usable, and
bundles whose zip members lie or collide are refused by name."""

from __future__ import annotations

import csv
import io
import sqlite3
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.api.testing import free_port
from chainatlas.graph.errors import StoreBusy
from chainatlas.graph.model import Node
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

PROBLEM = "application/problem+json"


@pytest.fixture
def service(
    seeded: EmbeddedStore, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str], EmbeddedStore]]:
    seeded.write_wait = 0.5
    auth = AuthStore(tmp_path / "auth.db")
    city = {"Authorization": f"Bearer {auth.create('city', [])}"}
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, city, seeded
    auth.close()


def _zip(members: list[tuple[str, str]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members:
            z.writestr(name, text)
    return buf.getvalue()


NODES = "id:ID,:LABEL,name\nseg:zip-a,Segment,甲环节\nseg:zip-b,Segment,乙环节\n"


def _lie_about_size(data: bytes, delta: int) -> bytes:
    """The zip with its one member's uncompressed size changed by ``delta`` in both headers."""
    out = bytearray(data)
    local = out.index(b"PK\x03\x04")
    central = out.index(b"PK\x01\x02")
    for at in (local + 22, central + 24):
        (size,) = struct.unpack_from("<I", out, at)
        struct.pack_into("<I", out, at, size + delta)
    return bytes(out)


@pytest.mark.parametrize("delta", [-7, 9])
def test_a_zip_member_that_lies_about_its_size_is_refused_by_name(service, delta: int) -> None:  # type: ignore[no-untyped-def]
    c, city, store = service
    before = store.counts()
    data = _lie_about_size(_zip([("nodes.csv", NODES)]), delta)
    r = c.post("/api/v1/import", files={"file": ("b.zip", data)}, headers=city)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert any(e["column"] == "nodes.csv" for e in r.json()["errors"]), r.json()
    assert store.counts() == before


@pytest.mark.parametrize("names", [("a/nodes.csv", "b/nodes.csv"), ("nodes.csv", "nodes.csv")])
def test_two_zip_members_of_one_file_name_are_refused(service, names: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    c, city, store = service
    before = store.counts()
    other = "id:ID,:LABEL,name\nseg:zip-c,Segment,丙环节\n"
    with pytest.warns(UserWarning) if names[0] == names[1] else _nothing():
        data = _zip([(names[0], NODES), (names[1], other)])
    r = c.post("/api/v1/import", files={"file": ("b.zip", data)}, headers=city)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["column"] == names[1] and "同名" in errors[0]["reason"], errors
    assert store.counts() == before


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# ---- heavy work off the event loop ------------------------------------------------------------
def _big_template(rows: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["企业编号", "企业名称*", "所在区域*", "梯度标签", "产值（亿元）", "所属环节"])
    for k in range(rows):
        w.writerow([f"firm:load-{k}", f"负载企业{k}", "上海市", "规上", "1.5", "动力电池"])
    return buf.getvalue().encode("utf-8")


def test_an_import_does_not_stop_other_requests(service) -> None:  # type: ignore[no-untyped-def]
    """While a large upload is being imported, a health check is answered — before the
    import ends (the import takes seconds; before the fix the health check waited for it)."""
    c, city, store = service
    data = _big_template(100_000)
    answer: list[httpx.Response] = []

    def upload() -> None:
        answer.append(c.post("/api/v1/import", files={"file": ("big.csv", data)}, headers=city))

    worker = threading.Thread(target=upload)
    worker.start()
    time.sleep(0.5)  # the upload is in; the import has begun
    health = c.get("/api/v1/health")
    still_importing = worker.is_alive()
    worker.join()
    assert health.status_code == 200
    assert answer and answer[0].status_code == 200, answer
    assert still_importing, "the health check waited for the import to finish"
    assert store.get_node("firm:load-99999") is not None


# ---- another process holding the write lock --------------------------------------------------
def _hold_write_lock(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    return con


def test_a_write_behind_another_process_lock_is_a_503_and_writes_nothing(
    memory_store: EmbeddedStore,
) -> None:
    memory_store.upsert_nodes([Node("seg:a", "Segment", {"name": "甲"})])
    memory_store.write_wait = 0.3
    other = _hold_write_lock(memory_store.path)
    try:
        with pytest.raises(StoreBusy) as err:
            memory_store.upsert_nodes([Node("seg:b", "Segment", {"name": "乙"})])
        assert "稍后重试" in str(err.value)
        assert memory_store.get_node("seg:a") is not None  # reads answer meanwhile
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert memory_store.get_node("seg:b") is None
    memory_store.upsert_nodes([Node("seg:b", "Segment", {"name": "乙"})])  # and then it works
    assert memory_store.get_node("seg:b") is not None


def test_api_answers_503_with_retry_after_and_reads_keep_answering(service) -> None:  # type: ignore[no-untyped-def]
    c, city, store = service
    body = {"name": "锁测试企业", "region": "吴兴区", "segments": ["seg:动力电池"]}
    other = _hold_write_lock(store.path)
    try:
        r = c.put("/api/v1/firms/firm:lock-test", json=body, headers=city)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith(PROBLEM)
        assert int(r.headers["retry-after"]) > 0
        assert "稍后重试" in r.json()["detail"]
        # a write that waits does not stop reads: one is answered while the write still waits
        store.write_wait = 30
        waiting: list[httpx.Response] = []
        writer = threading.Thread(
            target=lambda: waiting.append(
                c.put("/api/v1/firms/firm:lock-test", json=body, headers=city)
            )
        )
        writer.start()
        time.sleep(0.3)
        read = c.get("/api/v1/chains", headers=city)
        write_still_waiting = writer.is_alive()
    finally:
        other.execute("ROLLBACK")
        other.close()
    writer.join()
    assert read.status_code == 200
    assert write_still_waiting
    assert waiting[0].status_code == 200, waiting[0].text  # and went through once released
    assert store.get_node("firm:lock-test") is not None


# ---- a fault of ours ---------------------------------------------------------------------------
def test_a_fault_is_a_500_problem_and_the_connection_stays_usable(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth)

    @app.get("/boom")
    def boom() -> None:  # a stand-in for any bug of ours
        raise RuntimeError("secret internals")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(200):
                if server.started:
                    break
                time.sleep(0.05)
            r = client.get("/boom")
            assert r.status_code == 500
            assert r.headers["content-type"].startswith(PROBLEM)
            assert r.json()["title"] == "服务器内部错误"
            assert "secret" not in r.text
            again = client.get("/api/v1/health")  # the same kept-alive connection
            assert again.status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        auth.close()
