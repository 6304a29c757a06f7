"""The whole-store export is the city office's, and the expensive endpoints are rate-limited per
token: over the limit, 429 problem+json in Chinese with Retry-After, before any work; other
tokens are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import limits
import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.limits import ONE_AT_A_TIME, RATES, rate_text
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import ORIGIN, csrf_of, login


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = {
        "city": {"Authorization": f"Bearer {auth.create('city', [])}"},
        "city2": {"Authorization": f"Bearer {auth.create('city', [], '另一个')}"},
        "chain": {"Authorization": f"Bearer {auth.create('chain', ['1366:storage'])}"},
        "district": {"Authorization": f"Bearer {auth.create('district', ['长兴县'])}"},
    }
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, heads, auth
    auth.close()


@pytest.mark.parametrize("role", ["chain", "district"])
def test_export_is_the_city_offices(api, role: str) -> None:  # type: ignore[no-untyped-def]
    c, heads, _ = api
    r = c.get("/api/v1/export", headers=heads[role])
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert "导出全部数据需要市链长办令牌" in r.json()["detail"]


def _over_the_limit(c: TestClient, headers: dict[str, str], path: str, allowed: int) -> None:
    for _ in range(allowed):
        assert c.get(path, headers=headers).status_code == 200
    r = c.get(path, headers=headers)
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "请求过于频繁" and "秒后再试" in r.json()["detail"]
    assert 1 <= int(r.headers["retry-after"]) <= 60


def test_export_is_rate_limited_per_token(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, _ = api
    _over_the_limit(c, heads["city"], "/api/v1/export", _per_minute("export"))
    # another token of the same role still gets its export
    assert c.get("/api/v1/export", headers=heads["city2"]).status_code == 200


def test_whole_chain_views_are_rate_limited(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    h = {"Authorization": f"Bearer {auth.create('district', ['长兴县'])}"}
    app = create_app(settings, seeded, auth, rates={"chain": "3/minute"})
    with TestClient(app) as c:
        _over_the_limit(c, h, "/api/v1/maps/attraction/1366:storage", 3)
        # the class is shared: gaps of a chain count against the same budget
        assert c.get("/api/v1/gaps/1366:storage", headers=h).status_code == 429
        # cheap reads are not limited
        for _ in range(10):
            assert c.get("/api/v1/chains", headers=h).status_code == 200
    auth.close()


def test_matching_the_stored_lists_is_rate_limited(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    """``POST /match/stored`` runs the matcher over the whole graph: the 要素匹配 class."""
    auth = AuthStore(tmp_path / "auth.db")
    h = {"Authorization": f"Bearer {auth.create('city', [])}"}
    with TestClient(create_app(settings, seeded, auth, rates={"match": "2/minute"})) as c:
        for _ in range(2):
            assert c.post("/api/v1/match/stored", json={}, headers=h).status_code == 200
        r = c.post("/api/v1/match/stored", json={}, headers=h)
        assert r.status_code == 429, r.text
        assert int(r.headers["retry-after"]) >= 1
    auth.close()


def test_web_matching_is_rate_limited_per_session_token(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [])
    with TestClient(create_app(settings, seeded, auth, rates={"match": "2/minute"})) as c:
        login(c, token)
        csrf = csrf_of(c.get("/ui/match").text)
        files = {"demands": ("d.csv", b"x"), "supplies": ("s.csv", b"y")}
        for _ in range(2):
            r = c.post("/ui/match", files=files, data={"csrf": csrf}, headers={"Origin": ORIGIN})
            assert r.status_code == 422  # unreadable lists, answered (and counted)
        r = c.post("/ui/match", files=files, data={"csrf": csrf}, headers={"Origin": ORIGIN})
        # a page's 429 is a Chinese page (the API's stays problem+json, below)
        assert r.status_code == 429 and "要素匹配" in r.text and "retry-after" in r.headers
        assert r.headers["content-type"].startswith("text/html")
        # the same token over the API shares the budget
        r = c.post(
            "/api/v1/match",
            json={"demands": [], "supplies": []},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 429
    auth.close()


def _per_minute(kind: str) -> int:
    item = limits.parse(RATES[kind])
    assert item.GRANULARITY.name == "minute" and item.multiples == 1, RATES[kind]
    return int(item.amount)


def test_an_officer_fixing_a_template_is_not_stopped(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    """C13 (review B, s6): at the service's own rates an officer may try an import far more than
    6 times a minute (fixing a template row by row) and walk 60 chain views; a loop is still
    stopped (the (n+1)th import, 429 page), and imports stay one at a time. The import page
    states the budget from :data:`RATES`."""
    allowed = _per_minute("import")
    assert allowed >= 20 and _per_minute("chain") >= 60 and "import" in ONE_AT_A_TIME
    auth = AuthStore(tmp_path / "auth.db")
    with TestClient(create_app(settings, seeded, auth)) as c:
        login(c, auth.create("city", []))
        page = c.get("/ui/admin/import").text
        assert rate_text("import") in page and "每分钟最多 6 次" not in page
        csrf = csrf_of(page)
        post = {"data": {"csrf": csrf}, "headers": {"Origin": ORIGIN}}
        for _ in range(allowed):
            files = {"file": ("x.csv", b"a,b\n")}
            r = c.post("/ui/admin/import", files=files, **post)  # type: ignore[arg-type]
            assert r.status_code == 422, r.text[-300:]  # a template to fix, answered
        r = c.post("/ui/admin/import", files={"file": ("x.csv", b"a,b\n")}, **post)  # type: ignore[arg-type]
        assert r.status_code == 429 and "retry-after" in r.headers
    auth.close()


def test_openapi_documents_the_429s(api) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = api
    paths = c.get("/openapi.json").json()["paths"]
    limited = {
        (m, p) for p, ops in paths.items() for m, op in ops.items() if "429" in op["responses"]
    }
    assert ("get", "/api/v1/export") in limited and ("post", "/api/v1/import") in limited
    assert ("get", "/api/v1/maps/attraction/{chain}") in limited
    assert ("get", "/api/v1/chains") not in limited
