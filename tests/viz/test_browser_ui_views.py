"""关系网络 in the app, in a real browser (Debian's chromium via Playwright) against the service
on 127.0.0.1, at 1366 and 390 px: the firm page's and the chain page's 「关系网络」 open the
view around them, framed in the session, drawn and ready, with a Chinese legend, the page
fitting the screen, no console error and no request off 127.0.0.1; the API's view opened
without ``format`` is the page, as a browser asks for HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.viz.views import LABEL_ZH
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
CHAIN = "1366:storage"


def _open_view(tab: Tab, page_path: str) -> list[str]:
    """Open ``page_path``, click its 「关系网络」 and wait for the framed view; its legend."""
    pg = tab.open(page_path)
    pg.click("#view-link")
    pg.locator("body[data-ready='1']").wait_for(timeout=30_000)
    frame = pg.frame_locator("#graph-view")
    frame.locator("body[data-ready='1']").wait_for(timeout=60_000)
    return frame.locator(".legend .key").all_inner_texts()


@pytest.mark.parametrize("width", [1366, 390])
def test_firm_and_chain_pages_open_their_view(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path, width: int
) -> None:
    base, auth = service
    firm = next(iter(seeded.iter_nodes("Firm")))
    tab = Tab(browser, base, auth.create("district", ["长兴县"], "长兴"), width)
    out = shots(tmp_path)
    for name, path, node in (
        ("firm", f"/ui/firm/{firm.id}", firm),
        ("chain", f"/ui/chain/{CHAIN}", seeded.require_node(CHAIN)),
    ):
        legend = _open_view(tab, path)
        pg = tab.page
        assert "/ui/view/" in pg.url and node.name in pg.inner_text("h1")
        assert legend and set(legend) <= set(LABEL_ZH.values()), legend  # 企业, 环节 …
        title = pg.frame_locator("#graph-view").locator("h1").inner_text()
        assert title == f"{node.name} 的关系网络（2 度以内）"
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        box = pg.locator("#graph-view").bounding_box()
        assert box and box["height"] >= 400
        pg.screenshot(path=str(out / f"view-{name}-{width}.png"), full_page=True)
    assert tab.errors == [] and tab.outside == []
    tab.close()


def test_the_api_view_without_format_is_a_page_in_a_browser(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), 1366)
    pg = tab.open(f"/api/v1/views/around/{CHAIN}")  # the session's cookie, the browser's Accept
    name = seeded.require_node(CHAIN).name
    assert pg.locator("h1").inner_text() == f"{name} 的关系网络（2 度以内）"
    assert tab.errors == [] and tab.outside == []
    tab.close()
