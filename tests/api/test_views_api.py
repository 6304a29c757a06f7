"""``GET /api/v1/views/...`` and ``chainatlas view`` (#19): roles, errors in Chinese, the
settings' cap, the capped notice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

ROOT = "seg:动力电池"


@pytest.fixture
def app(seeded: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[TestClient, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    settings = Settings(home=tmp_path / "home", view_max_nodes=40)
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, auth
    auth.close()


def _as(auth: AuthStore, role: str, scope: list[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.create(role, scope, '测试')}"}


def test_needs_a_token(app: tuple[TestClient, AuthStore]) -> None:
    c, _ = app
    r = c.get(f"/api/v1/views/around/{ROOT}")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem")


@pytest.mark.parametrize(
    "role, scope", [("city", []), ("chain", ["1366:icv"]), ("district", ["长兴县"])]
)
def test_every_role_reads_views(
    app: tuple[TestClient, AuthStore], role: str, scope: list[str]
) -> None:
    c, auth = app
    r = c.get(f"/api/v1/views/around/{ROOT}", params={"depth": 1}, headers=_as(auth, role, scope))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["root"] == ROOT and data["nodes"][0]["id"] == ROOT


def test_errors(app: tuple[TestClient, AuthStore]) -> None:
    c, auth = app
    h = _as(auth, "city", [])
    unknown = c.get("/api/v1/views/around/seg:没有这个", headers=h)
    assert unknown.status_code == 404 and "节点不存在" in unknown.json()["detail"]
    for bad in ({"depth": 0}, {"depth": "x"}, {"max_nodes": 0}, {"format": "svg"}):
        r = c.get(f"/api/v1/views/around/{ROOT}", params=bad, headers=h)
        assert r.status_code == 422, (bad, r.text)
    over = c.get(f"/api/v1/views/around/{ROOT}", params={"max_nodes": 41}, headers=h)
    assert over.status_code == 422 and "超过上限 40" in over.json()["detail"]
    assert c.get("/api/v1/views/graph", params={"max_nodes": 41}, headers=h).status_code == 422


def test_capped_by_the_settings(app: tuple[TestClient, AuthStore]) -> None:
    c, auth = app
    h = _as(auth, "city", [])
    r = c.get("/api/v1/views/graph", headers=h)
    data = r.json()
    assert r.status_code == 200 and len(data["nodes"]) == 40 and data["capped"]
    assert unquote(r.headers["x-chainatlas-notice"]) == data["notice"]
    assert "40 个节点上限" in data["notice"]


def test_html(app: tuple[TestClient, AuthStore]) -> None:
    c, auth = app
    r = c.get(
        f"/api/v1/views/around/{ROOT}",
        params={"depth": 1, "format": "html"},
        headers=_as(auth, "city", []),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "inline" in r.headers["content-disposition"]
    assert 'data-ready="0"' in r.text and "data-nodes=" in r.text


# ---- the command ---------------------------------------------------------------------------


@pytest.fixture
def run(seeded_path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    import shutil

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(seeded_path, home / "graph.db")

    def _run(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        res = CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)
        assert res.exit_code == code, res.output
        return res

    return _run


def test_cli_view_json_and_cap(run) -> None:  # type: ignore[no-untyped-def]
    res = run("view", "--around", ROOT, "--depth", "1", "--format", "json")
    data = json.loads(res.stdout)
    assert data["root"] == ROOT and data["depth"] == 1 and not data["capped"]
    res = run("view", "--around", ROOT, "--max-nodes", "5", "--format", "json")
    assert len(json.loads(res.stdout)["nodes"]) == 5
    assert "注意：已达 5 个节点上限" in res.stderr


def test_cli_view_html_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "v.html"
    res = run("view", "--max-nodes", "30", "--out", str(out))
    assert "已写入" in res.stdout and 'data-nodes="30"' in out.read_text("utf-8")


def test_cli_view_errors(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert "节点不存在" in run("view", "--around", "seg:没有这个", code=1).stderr
    assert "--depth 只与 --around 同用" in run("view", "--depth", "2", code=1).stderr
    assert run("view", "--around", ROOT, "--depth", "0", code=2).exit_code == 2
    monkeypatch.setenv("CHAINATLAS_VIEW_MAX_NODES", "10")
    err = run("view", "--max-nodes", "11", code=1).stderr
    assert "超过上限 10" in err and "CHAINATLAS_VIEW_MAX_NODES" in err


def test_odd_but_valid_input(app: tuple[TestClient, AuthStore]) -> None:
    c, auth = app
    h = _as(auth, "city", [])
    deep = c.get(f"/api/v1/views/around/{ROOT}", params={"depth": 10**9}, headers=h)
    assert deep.status_code == 200 and deep.json()["capped"]  # the cap, not the depth, stops it
    assert c.get("/api/v1/views/around/%20seg:x", headers=h).status_code == 422
    assert c.get("/api/v1/views/around/seg:%E2%80%AE", headers=h).status_code in (404, 422)
    at_cap = c.get("/api/v1/views/graph", params={"max_nodes": 40, "format": "html"}, headers=h)
    assert at_cap.status_code == 200 and 'data-nodes="40"' in at_cap.text


# ---- the review's findings (A5) ------------------------------------------------------------

BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


def test_a_nodes_view_is_two_deep_unless_told(app: tuple[TestClient, AuthStore]) -> None:
    """Unlimited, a firm's 'neighbourhood' was the whole sample graph (917 nodes)."""
    c, auth = app
    h = _as(auth, "city", [])
    data = c.get(f"/api/v1/views/around/{ROOT}", params={"max_nodes": 40}, headers=h).json()
    assert data["depth"] == 2 and max(n["hops"] for n in data["nodes"]) <= 2
    one = c.get(f"/api/v1/views/around/{ROOT}", params={"depth": 1}, headers=h).json()
    assert one["depth"] == 1 and max(n["hops"] for n in one["nodes"]) == 1
    deep = c.get(f"/api/v1/views/around/{ROOT}", params={"depth": 5}, headers=h).json()
    assert deep["depth"] == 5  # an explicit depth is kept as given


@pytest.mark.parametrize("path", [f"/api/v1/views/around/{ROOT}", "/api/v1/views/graph"])
def test_a_browser_gets_the_page_and_clients_json(
    app: tuple[TestClient, AuthStore], path: str
) -> None:
    c, auth = app
    h = _as(auth, "city", [])
    page = c.get(path, headers={**h, "Accept": BROWSER_ACCEPT})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "data-nodes=" in page.text and page.headers["vary"] == "Accept"
    for accept in ("application/json", "*/*", "text/html;q=0.5, application/json", ""):
        r = c.get(path, headers={**h, "Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", accept
        assert "nodes" in r.json()
    # an explicit format wins over Accept
    forced = c.get(path, params={"format": "json"}, headers={**h, "Accept": BROWSER_ACCEPT})
    assert forced.headers["content-type"] == "application/json" and "vary" not in forced.headers


def test_cli_view_is_two_deep_unless_told(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("view", "--around", ROOT, "--format", "json").stdout)
    assert data["depth"] == 2 and max(n["hops"] for n in data["nodes"]) <= 2
    data = json.loads(run("view", "--around", ROOT, "--depth", "4", "--format", "json").stdout)
    assert data["depth"] == 4
