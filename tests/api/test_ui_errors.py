"""Answers given outside the page handlers are pages too under ``/`` and ``/ui``: the rate
limit's 429 (with ``Retry-After``), the body limit's 413 and the catch-all's 500 are Chinese
HTML pages with the same status, while the API keeps answering problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.errors import StoreBusy
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import ORIGIN, csrf_of, login

CHAIN = "1366:storage"


@pytest.fixture
def app(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[FastAPI]:
    auth = AuthStore(tmp_path / "auth.db")
    a = create_app(settings, seeded, auth, rates={"chain": "1/minute", "import": "1/minute"})
    a.state.token = auth.create("city", [], "市链长办")

    def boom() -> None:
        raise RuntimeError("a fault of ours")

    def busy() -> None:
        raise StoreBusy(1.0, retry_after=7)

    for path in ("/ui/boom", "/api/v1/boom"):
        a.add_api_route(path, boom)
    a.add_api_route("/ui/busy", busy)
    yield a
    auth.close()


def _is_page(r, status: int) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert f'data-status="{status}"' in r.text and "湖州产业链图谱" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "<script>" not in r.text and "style=" not in r.text  # nothing inline


def test_rate_limited_page_is_a_chinese_page(app: FastAPI) -> None:
    with TestClient(app) as c:
        login(c, app.state.token)
        assert c.get(f"/ui/chain/{CHAIN}/gaps").status_code == 200
        r = c.get(f"/ui/chain/{CHAIN}/gaps")
        _is_page(r, 429)
        assert "操作过于频繁" in r.text and "秒后再试" in r.text
        assert int(r.headers["retry-after"]) >= 1
        # the API, same token and class: problem+json
        h = {"Authorization": f"Bearer {app.state.token}"}
        r = c.get(f"/api/v1/gaps/{CHAIN}", headers=h)
        assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["retry-after"]) >= 1 and "秒后再试" in r.json()["detail"]


def test_admin_import_is_rate_limited_as_import(app: FastAPI) -> None:
    with TestClient(app) as c:
        login(c, app.state.token)
        csrf = csrf_of(c.get("/ui/admin/import").text)
        files = {"file": ("x.csv", b"a,b\n")}
        post = {"data": {"csrf": csrf}, "headers": {"Origin": ORIGIN}, "files": files}
        assert c.post("/ui/admin/import", **post).status_code == 422  # an unreadable file
        r = c.post("/ui/admin/import", **post)  # type: ignore[arg-type]
        _is_page(r, 429)
        assert "批量导入" in r.text and "retry-after" in r.headers


def test_fault_is_a_500_page_under_ui_and_problem_json_in_the_api(app: FastAPI) -> None:
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/ui/boom")
        _is_page(r, 500)
        assert "服务器内部错误" in r.text and "a fault of ours" not in r.text
        r = c.get("/api/v1/boom")
        assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["title"] == "服务器内部错误"


def test_too_large_page_post_is_a_page(app: FastAPI) -> None:
    with TestClient(app) as c:
        r = c.post("/ui/login", headers={"Content-Length": str(11 * 1024 * 1024)}, content=b"")
        _is_page(r, 413)
        r = c.post("/api/v1/firms", headers={"Content-Length": str(11 * 1024 * 1024)})
        assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"


def test_busy_store_page_keeps_retry_after(app: FastAPI) -> None:
    with TestClient(app) as c:
        r = c.get("/ui/busy")
        _is_page(r, 503)
        assert r.headers["retry-after"] == "7"
