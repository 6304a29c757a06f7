"""A 405 names the methods the path does serve in ``Allow`` (review S, B13: every 405 answered
an empty ``Allow`` once FastAPI kept included routers as one route each). Checked through
TestClient and through uvicorn on 127.0.0.1, the way ``chainatlas serve`` answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import served

#: (method, path, the Allow the 405 must carry)
CASES = [
    ("DELETE", "/api/v1/projects", "GET"),
    ("PATCH", "/api/v1/health", "GET"),
    ("PATCH", "/api/v1/firms/firm:sample-0010", "DELETE, GET, PUT"),
    ("OPTIONS", "/api/v1/projects", "GET"),
    ("GET", "/api/v1/tokens/abc", "DELETE"),
    ("PUT", "/ui/static/ui.css", "GET, HEAD"),  # static files name their own
]


@pytest.fixture
def app_and_token(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[FastAPI, str]]:
    auth = AuthStore(tmp_path / "auth.db")
    yield create_app(settings, seeded, auth), auth.create("city", [], "测试")
    auth.close()


def _check(answer: httpx.Response, allow: str) -> None:
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == "此地址不支持该请求方法"


def test_allow_through_testclient(app_and_token: tuple[FastAPI, str]) -> None:
    app, token = app_and_token
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        for method, path, allow in CASES:
            _check(c.request(method, path), allow)


def test_allow_as_served(app_and_token: tuple[FastAPI, str]) -> None:
    app, token = app_and_token
    with served(app) as port:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            for method, path, allow in CASES:
                _check(c.request(method, path), allow)
            # no token: the 405 comes before authentication, and still names the methods
            _check(httpx.request("DELETE", f"{base}/api/v1/projects"), "GET")
