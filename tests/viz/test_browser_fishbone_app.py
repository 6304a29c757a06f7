"""The fishbone in the app: the chain page's sandboxed frame, a logged-in city officer, the
service on 127.0.0.1 (``Tab``: no console error of any frame, no request off 127.0.0.1). On a
laptop (1366×768, 1440×900) the widest chain shows whole, head included, with no text under
``MIN_FONT``; on a phone it keeps its size and scrolls inside its frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import fishbone
from chainatlas.viz.fishbone import fishbone_layout
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots
from tests.viz.test_browser_fishbone import CANVAS, MIN_FONT, _png_size

pytestmark = needs_chromium
#: the chains of the two layouts the chain pages list
LAYOUTS = ("1366", "eight-2.0")


def _city(browser: Any, service: tuple[str, Any], width: int, height: int = 900) -> Tab:
    base, auth = service
    return Tab(browser, base, auth.create("city", [], "测试"), width, height)


def _fishbone(tab: Tab, chain: str) -> Any:
    """The chain page of ``chain`` with its fishbone drawn; the fishbone's frame."""
    tab.page.goto(f"{tab.base}/ui/chain/{chain}")
    tab.page.frame_locator("#fishbone").locator("body[data-ready='1']").wait_for(timeout=30_000)
    return next(f for f in tab.page.frames if "/maps/fishbone/" in f.url)


def test_in_the_chain_page_frame(browser, service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The fishbone in the chain page's sandboxed frame (the app, a logged-in city officer):
    PNG export downloads, a firm's name opens its page in the whole window; no console error
    and no outside request."""
    tab = _city(browser, service, 1300)
    pg = tab.page
    inner = _fishbone(tab, "1366:icv")
    frame = pg.frame_locator("#fishbone")
    with pg.expect_download() as got:
        frame.locator("#fb-png").click()
    got.value.save_as(tmp_path / "f.png")
    assert _png_size((tmp_path / "f.png").read_bytes())[0] > 0
    seg = inner.evaluate("() => window.chainatlasView.data.bones.find(b => b.local > 0).id")
    inner.evaluate(f"() => window.chainatlasView.select({seg!r})")
    link = frame.locator("#fb-panel a").first
    name = link.inner_text()
    with pg.expect_navigation():
        link.click()
    assert "/ui/firm/" in pg.url and name in pg.inner_text("h1")
    tab.done()


def test_the_frame_is_as_tall_as_its_fishbone(browser, service) -> None:  # type: ignore[no-untyped-def]
    """The chain page's frame was 560 px whatever it held, its 「环节明细」 cut to one row: the
    framed page leaves the table out (the chain page has 「环节与判定」) and tells the page its
    height, so the frame shows it all, the fish's head too, and grows with the side panel."""
    tab = _city(browser, service, 1440)
    pg = tab.page
    inner = _fishbone(tab, "1366:semi")
    assert inner.evaluate("() => getComputedStyle(document.querySelector('main')).display") == (
        "none"
    )

    def fits() -> None:
        height = inner.evaluate("() => Math.ceil(document.body.getBoundingClientRect().height)")
        pg.wait_for_function(
            f"() => document.getElementById('fishbone').clientHeight >= {height}", timeout=5_000
        )
        head = _drawn(pg, inner)["head"]
        scroll = inner.evaluate(
            "() => { const s = document.getElementById('fb-scroll');"
            " return s.scrollWidth - s.clientWidth; }"
        )
        assert head["right"] <= 1440 and scroll <= 0

    fits()
    before = pg.locator("#fishbone").bounding_box()["height"]
    seg = inner.evaluate("() => window.chainatlasView.data.bones.find(b => b.local > 0).id")
    inner.evaluate(f"() => window.chainatlasView.select({seg!r})")
    fits()
    assert pg.locator("#fishbone").bounding_box()["height"] > before  # room for the panel
    tab.done()


# ---- a laptop shows the widest chain whole, legibly; a phone scrolls it ----------------------


def _drawn(pg: Any, inner: Any) -> dict[str, Any]:
    """``CANVAS`` of the fishbone's frame, the head's box moved to the window's pixels."""
    out: dict[str, Any] = inner.evaluate(CANVAS)
    at = pg.evaluate(
        "() => { const f = document.getElementById('fishbone'), r = f.getBoundingClientRect();"
        " return [r.left + f.clientLeft, r.top + f.clientTop]; }"
    )
    h = out["head"]
    out["head"] = {
        "left": h["left"] + at[0],
        "right": h["right"] + at[0],
        "top": h["top"] + at[1],
        "bottom": h["bottom"] + at[1],
    }
    return out


def _widest(store: EmbeddedStore) -> str:
    """The chain whose fishbone is widest at full size, of the two layouts."""
    chains = [c.id for c in store.iter_nodes("Chain") if c.props.get("layout") in LAYOUTS]
    return max(chains, key=lambda c: fishbone_layout(fishbone(store, c)).width)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1440, 900)])
def test_the_widest_fishbone_shows_whole_on_a_laptop(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path, width: int, height: int
) -> None:
    """「智能网联新能源汽车」 (14 segments) scrolled its head out of the frame at 1366 px, and
    at 1440 px it was drawn at 0.81 of its size (text under 10 px): at first view the head is
    inside the window, the drawing does not scroll sideways, and no text is under MIN_FONT."""
    chain = _widest(seeded)
    tab = _city(browser, service, width, height)
    inner = _fishbone(tab, chain)
    tab.page.screenshot(path=str(shots(tmp_path) / f"widest-{width}.png"))
    drawn = _drawn(tab.page, inner)
    head = drawn["head"]
    assert 0 <= head["left"] and head["right"] <= width, (head, width)
    assert 0 <= head["top"] and head["bottom"] <= height, (head, height)
    assert drawn["sideways"] <= 0
    assert drawn["texts"] > 20 and drawn["font"] >= MIN_FONT, drawn["font"]
    tab.done()


def test_the_widest_fishbone_scrolls_at_full_size_on_a_phone(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """On a phone (390 px) the fish keeps its size and scrolls inside its frame; the page does
    not scroll sideways."""
    tab = _city(browser, service, 390, 844)
    inner = _fishbone(tab, _widest(seeded))
    tab.page.locator("#fishbone").screenshot(path=str(shots(tmp_path) / "widest-390.png"))
    drawn = _drawn(tab.page, inner)
    assert drawn["sideways"] > 0 and drawn["font"] >= MIN_FONT
    assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    tab.done()
