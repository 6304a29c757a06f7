"""The fishbone in the app (its own module: the app's browser fixture cannot run beside the
module-wide browser of ``test_browser_fishbone``)."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_ui import page, server  # noqa: F401 (the app, a logged-in browser)
from tests.conftest import needs_chromium
from tests.viz.test_browser_fishbone import _png_size

pytestmark = needs_chromium


def test_in_the_chain_page_frame(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
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
