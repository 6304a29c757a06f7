"""The fishbone in the app: the chain page's sandboxed frame, a logged-in city officer, the
service on 127.0.0.1 (its own module: two Playwright drivers cannot run side by side, and
``test_browser_fishbone`` keeps one for the whole module)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.viz.test_browser_fishbone import _png_size

pytestmark = needs_chromium


@pytest.fixture
def page(seeded: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """A chromium tab logged in as 市链长办 on the running service; at the end, no console
    error of any frame and no request off 127.0.0.1."""
    sync_api = pytest.importorskip("playwright.sync_api")
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "测试")
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    base = f"http://127.0.0.1:{port}"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pg = b.new_page(viewport={"width": 1300, "height": 900}, accept_downloads=True)
        outside: list[str] = []
        errors: list[str] = []
        pg.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(base)
                else (outside.append(r.request.url), r.abort())
            ),
        )
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(base + "/ui/login")
        pg.fill("#token", token)
        pg.click("#login")
        pg.wait_for_url(base + "/")
        yield pg, base
        assert outside == [] and errors == []
        b.close()
    srv.should_exit = True
    auth.close()


def test_in_the_chain_page_frame(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The fishbone in the chain page's sandboxed frame (the app, a logged-in city officer):
    PNG export downloads, a firm's name opens its page in the whole window; no console error
    and no outside request (the ``page`` fixture checks both)."""
    pg, base = page
    pg.goto(base + "/ui/chain/1366:icv")
    frame = pg.frame_locator("#fishbone")
    frame.locator("body[data-ready='1']").wait_for(timeout=30_000)
    with pg.expect_download() as got:
        frame.locator("#fb-png").click()
    got.value.save_as(tmp_path / "f.png")
    assert _png_size((tmp_path / "f.png").read_bytes())[0] > 0
    inner = next(f for f in pg.frames if "/maps/fishbone/" in f.url)
    seg = inner.evaluate("() => window.chainatlasView.data.bones.find(b => b.local > 0).id")
    inner.evaluate(f"() => window.chainatlasView.select({seg!r})")
    link = frame.locator("#fb-panel a").first
    name = link.inner_text()
    with pg.expect_navigation():
        link.click()
    assert "/ui/firm/" in pg.url and name in pg.inner_text("h1")


def test_the_frame_is_as_tall_as_its_fishbone(page) -> None:  # type: ignore[no-untyped-def]
    """The chain page's frame was 560 px whatever it held, its 「环节明细」 cut to one row: the
    framed page leaves the table out (the chain page has 「环节与判定」) and tells the page its
    height, so the frame shows it all, the fish's head too, and grows with the side panel."""
    pg, base = page
    pg.set_viewport_size({"width": 1440, "height": 900})
    pg.goto(base + "/ui/chain/1366:semi")
    pg.frame_locator("#fishbone").locator("body[data-ready='1']").wait_for(timeout=30_000)
    inner = next(f for f in pg.frames if "/maps/fishbone/" in f.url)
    assert inner.evaluate("() => getComputedStyle(document.querySelector('main')).display") == (
        "none"
    )

    def fits() -> None:
        height = inner.evaluate("() => Math.ceil(document.body.getBoundingClientRect().height)")
        pg.wait_for_function(
            f"() => document.getElementById('fishbone').clientHeight >= {height}", timeout=5_000
        )
        head, width, scroll = inner.evaluate(
            """() => { const v = window.chainatlasView, s = document.getElementById('fb-scroll');
            return [(v.data.head_x + v.data.geometry.head) * v.scale, s.clientWidth,
                    s.scrollWidth]; }"""
        )
        assert head <= width and scroll <= width

    fits()
    before = pg.locator("#fishbone").bounding_box()["height"]
    seg = inner.evaluate("() => window.chainatlasView.data.bones.find(b => b.local > 0).id")
    inner.evaluate(f"() => window.chainatlasView.select({seg!r})")
    fits()
    assert pg.locator("#fishbone").bounding_box()["height"] > before  # room for the panel
