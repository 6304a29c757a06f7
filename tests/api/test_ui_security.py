"""The web UI's sessions and forms: the cookie holds a session id (not the token) with a
lifetime; logout ends it; every form needs its CSRF token and this site's origin; every page
asks for the login before doing any work; an anonymous upload is refused before its body is
read; pages and docs carry a Content-Security-Policy and load nothing from elsewhere."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.deps import COOKIE
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import ORIGIN, csrf_of, login
from tests.conftest import served


@pytest.fixture
def ui(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, str, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "链长办")
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, token, auth
    auth.close()


def test_the_cookie_is_a_session_not_the_token(ui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c, token, auth = ui
    r = login(c, token, "/ui/chains")
    assert r.status_code == 303 and r.headers["location"] == "/ui/chains"
    sid = r.cookies[COOKIE]
    assert sid and token not in r.headers["set-cookie"]
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie
    assert "secure" not in cookie.replace("samesite", "")  # plain HTTP here
    assert auth.session(sid).name == "链长办"
    # the session id is stored hashed only
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("auth.db*"))
    assert sid.encode() not in raw
    assert c.get("/ui/chains").status_code == 200
    # the token itself is not a cookie the server accepts
    c.cookies.clear()
    c.cookies.set(COOKIE, token)
    r = c.get("/ui/chains", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def test_cookies_are_secure_over_https(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [])
    with TestClient(create_app(settings, seeded, auth), base_url="https://testserver") as c:
        form = c.get("/ui/login")
        assert "secure" in form.headers["set-cookie"].lower()
        r = c.post(
            "/ui/login",
            data={"token": token, "next": "/", "csrf": csrf_of(form.text)},
            headers={"Origin": "https://testserver"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "; secure" in r.headers["set-cookie"].lower()
    auth.close()


def test_logout_ends_the_session(ui) -> None:  # type: ignore[no-untyped-def]
    c, token, auth = ui
    sid = login(c, token).cookies[COOKIE]
    page = c.get("/ui/logout")
    assert page.status_code == 200 and 'action="/ui/logout"' in page.text
    # without the form's CSRF token: refused, still logged in
    r = c.post("/ui/logout", data={}, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert r.status_code == 403 and "跨站" in r.text
    assert auth.session(sid)
    r = c.post(
        "/ui/logout", data={"csrf": csrf_of(page.text)}, headers={"Origin": ORIGIN},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    assert (
        "max-age=0" in r.headers["set-cookie"].lower()
        or "expires=" in r.headers["set-cookie"].lower()
    )
    c.cookies.set(COOKIE, sid)  # a copy of the old cookie does not work either
    assert c.get("/ui/chains", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_its_sessions(ui) -> None:  # type: ignore[no-untyped-def]
    c, token, auth = ui
    login(c, token)
    assert c.get("/ui/chains").status_code == 200
    auth.revoke(auth.principal(token).token_id)
    assert c.get("/ui/chains", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
        {},  # neither: not from a page of ours
        {"Origin": "null"},
    ],
)
def test_forms_from_elsewhere_are_refused(ui, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    c, token, _ = ui
    form = c.get("/ui/login")
    csrf = csrf_of(form.text)
    r = c.post(
        "/ui/login",
        data={"token": token, "next": "/", "csrf": csrf},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 403 and "请求来源校验失败" in r.text
    assert COOKIE not in r.cookies


def test_login_needs_the_forms_csrf_token(ui) -> None:  # type: ignore[no-untyped-def]
    c, token, _ = ui
    c.get("/ui/login")
    for data in ({"token": token}, {"token": token, "csrf": "0" * 64}):
        r = c.post("/ui/login", data=data, headers={"Origin": ORIGIN}, follow_redirects=False)
        assert r.status_code == 403 and COOKIE not in r.cookies
    # a Referer of our own (a browser that sends no Origin) is enough with the token
    form = c.get("/ui/login")
    r = c.post(
        "/ui/login",
        data={"token": token, "csrf": csrf_of(form.text)},
        headers={"Referer": f"{ORIGIN}/ui/login"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and COOKIE in r.cookies


def test_matching_form_needs_csrf(ui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c, token, _ = ui
    login(c, token)
    files = {"demands": ("d.csv", b"x"), "supplies": ("s.csv", b"y")}
    r = c.post("/ui/match", files=files, headers={"Origin": ORIGIN})
    assert r.status_code == 403
    r = c.post("/ui/match", files=files, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    csrf = csrf_of(c.get("/ui/match").text)
    r = c.post("/ui/match", files=files, data={"csrf": csrf}, headers={"Origin": ORIGIN})
    # reached the lists: they are not readable, answered 422 with the reason (not 200)
    assert r.status_code == 422 and "要素匹配" in r.text


PAGES = [
    "/",
    "/ui/chains",
    "/ui/chain/1366:icv",
    "/ui/chain/no-such-chain",
    "/ui/chain/1366:icv/map",
    "/ui/chain/no-such-chain/map",
    "/ui/chain/1366:icv/masters",
    "/ui/chain/no-such-chain/masters",
    "/ui/projects",
    "/ui/firms?q=电池",
    "/ui/match",
    "/ui/logout",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_asks_for_the_login_first(
    ui, seeded: EmbeddedStore, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = ui
    reads: list[str] = []
    for name in ("get_node", "find_nodes", "neighbours", "count_nodes", "counts"):
        real = getattr(seeded, name)
        monkeypatch.setattr(
            seeded, name, lambda *a, _n=name, _r=real, **k: (reads.append(_n), _r(*a, **k))[1]
        )
    r = c.get(path, follow_redirects=False)
    assert reads == [], f"{path} read the graph before asking for the login: {reads}"
    # the same answer whether the chain exists or not: nothing computed, nothing revealed
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/ui/login?next=")
    assert r.text == ""


def test_unknown_chain_page_is_a_404_once_logged_in(ui) -> None:  # type: ignore[no-untyped-def]
    c, token, _ = ui
    login(c, token)
    r = c.get("/ui/chain/no-such-chain")
    assert r.status_code == 404 and "no-such-chain" in r.text


def test_pages_carry_a_policy_that_allows_only_this_site(ui) -> None:  # type: ignore[no-untyped-def]
    c, token, _ = ui
    login(c, token)
    for path in ("/", "/ui/chains", "/ui/chain/1366:icv", "/ui/login", "/ui/match"):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "style-src 'self'" in csp
        assert "<style" not in r.text and "style=" not in r.text
        # scripts only from this site's static files; JSON data blocks are not run
        for tag in re.findall(r"<script[^>]*>", r.text):
            assert re.fullmatch(
                r'<script (src="/ui/static/[\w/.-]+\.js"|type="application/json" id="[\w-]+")>',
                tag,
            ), (path, tag)
    css = c.get("/ui/static/ui.css")
    assert css.status_code == 200 and "nav" in css.text
    # the API's HTML documents (graph views) run sandboxed, with no network at all
    view = c.get("/api/v1/maps/fishbone/1366:icv?format=html")
    csp = view.headers["content-security-policy"]
    sandbox = csp.split(";")[0].split()
    assert sandbox[0] == "sandbox" and "default-src 'none'" in csp
    # scripts and downloads (the fishbone's PNG); no forms, popups, navigation, same origin
    assert set(sandbox[1:]) == {"allow-scripts", "allow-downloads"}


def test_docs_are_served_from_the_package(ui) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = ui
    page = c.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "'sha256-" in csp and "unsafe-inline" not in csp
    js = c.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert c.get("/docs/assets/swagger-ui.css").status_code == 200
    assert c.get("/redoc").status_code == 404  # ReDoc (a CDN page) is off


# ---- an anonymous upload is refused before its body is read ----------------------------------
@pytest.fixture
def live(seeded: EmbeddedStore, tmp_path: Path) -> Iterator[int]:
    auth = AuthStore(tmp_path / "auth.db")
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth)
    with served(app) as port:
        yield port
    auth.close()


def test_anonymous_upload_is_refused_before_the_body_is_read(live: int) -> None:
    """30 MB announced, 64 KB sent: the answer (to the login page) must come without the
    server waiting for the rest of the body."""
    size = 30 * 1024 * 1024
    head = (
        f"POST /ui/match HTTP/1.1\r\nHost: 127.0.0.1:{live}\r\nOrigin: http://127.0.0.1:{live}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live), timeout=20) as s:
        s.sendall(head + b"--xyz\r\n" + b"a" * 65536)
        answer = s.recv(4096).decode("latin-1")  # waits (up to the timeout) for an answer
    assert answer.startswith("HTTP/1.1 303"), answer
    assert "location: /ui/login?next=/ui/match" in answer.lower()
