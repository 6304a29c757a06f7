"""The service answers only to its own host names (review S, C8: DNS rebinding): with
``CHAINATLAS_ALLOWED_HOSTS`` set, another ``Host`` is refused (400, in Chinese); ``chainatlas
serve --host 127.0.0.1`` sets it to that address and this machine's names; ``--host 0.0.0.0``
is reached under names it cannot know, so it checks nothing unless told."""

from __future__ import annotations

from pathlib import Path

import httpx

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.api.testing import LiveService
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import served


def _health(url: str, host: str) -> httpx.Response:
    return httpx.get(f"{url}/api/v1/health", headers={"Host": host}, timeout=30)


def test_the_setting_refuses_other_hosts_in_chinese(seeded: EmbeddedStore, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", allowed_hosts="127.0.0.1, atlas.example.gov")
    auth = AuthStore(tmp_path / "auth.db")
    with served(create_app(settings, seeded, auth)) as port:
        url = f"http://127.0.0.1:{port}"
        assert _health(url, f"127.0.0.1:{port}").status_code == 200
        assert _health(url, "ATLAS.example.gov").status_code == 200  # names ignore case
        r = _health(url, "evil.com")
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
        detail = r.json()["detail"]
        assert (
            "主机名 'evil.com' 不是本服务的地址" in detail and "CHAINATLAS_ALLOWED_HOSTS" in detail
        )
        assert r.headers["x-content-type-options"] == "nosniff"  # inside the security headers
        page = httpx.get(f"{url}/ui/login", headers={"Host": "evil.com:80"})
        assert page.status_code == 400 and "text/html" in page.headers["content-type"]
        assert "不是本服务的地址" in page.text
    auth.close()


def test_without_the_setting_nothing_is_checked(seeded: EmbeddedStore, tmp_path: Path) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    with served(create_app(Settings(home=tmp_path / "home"), seeded, auth)) as port:
        assert _health(f"http://127.0.0.1:{port}", "evil.com").status_code == 200
    auth.close()


def test_serve_checks_its_own_address_and_not_a_wildcard(tmp_path: Path) -> None:
    with LiveService(tmp_path / "named") as svc:
        assert _health(svc.url, f"localhost:{svc.port}").status_code == 200
        refused = _health(svc.url, "evil.com")
        assert refused.status_code == 400 and "evil.com" in refused.json()["detail"]
    with LiveService(tmp_path / "any", args=("--host", "0.0.0.0")) as svc:
        assert _health(svc.url, "evil.com").status_code == 200
