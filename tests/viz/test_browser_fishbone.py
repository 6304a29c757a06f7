"""The fishbone page in Debian's chromium, offline (any request that is not the file itself
fails the test, and so does any console error): bands along the spine, folding, search, the
verdict filter, PNG export and the side panel of firms, from a file and served over HTTP."""

from __future__ import annotations

import functools
import http.server
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import SegmentView, fishbone
from chainatlas.viz.export import render_view
from tests.conftest import needs_chromium, shared_or_skip

pytestmark = needs_chromium
CHAIN = "1366:icv"  # sub-segments under several segments, local and outside firms


class Opened:
    """A page with every outside request refused and every console error kept."""

    def __init__(self, browser: Any, url: str, width: int = 1440) -> None:
        self.page = browser.new_page(
            viewport={"width": width, "height": 900}, accept_downloads=True
        )
        self.outside: list[str] = []
        self.errors: list[str] = []
        local = url.split("/", 3)[:3] if url.startswith("http") else ["file:"]
        prefix = "/".join(local) if url.startswith("http") else "file:"

        def route(r: Any) -> None:
            if r.request.url.startswith(prefix):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else 0)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)

    def shown(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => window.chainatlasView.shown")  # type: ignore[no-any-return]

    def click_node(self, node_id: str) -> None:
        at = self.page.evaluate(f"() => window.chainatlasView.where({node_id!r})")
        self.page.evaluate(
            f"() => {{ const s = document.getElementById('fb-scroll');"
            f" s.scrollLeft = {at['x']} - 100; s.scrollTop = {at['y']} - 100; }}"
        )
        self.page.locator("#graph").click(position={"x": at["x"], "y": at["y"]})

    def close(self) -> None:
        assert self.outside == [], self.outside
        assert self.errors == [], self.errors
        self.page.close()


@pytest.fixture
def fish_file(seeded: EmbeddedStore, tmp_path: Path) -> Path:
    path = tmp_path / "fishbone.html"
    path.write_bytes(render_view(seeded, "fishbone", "html", chain=CHAIN).data)
    return path


def test_bands_spine_and_folded_bones(browser, seeded: EmbeddedStore, fish_file: Path) -> None:  # type: ignore[no-untyped-def]
    fb = fishbone(seeded, CHAIN)
    o = Opened(browser, fish_file.as_uri())
    texts = o.page.evaluate(
        "() => window.chainatlasView.chart.getOption().graphic[0].elements"
        ".filter(e => e.type === 'text').map(e => e.style.text)"
    )
    assert [t[:2] for t in texts[:3]] == ["上游", "中游", "下游"] and texts[3] == fb.chain.name
    # folded: one box per top-level segment, none of the sub-segments
    assert [n["seg"] for n in o.shown()] == [s.id for s in fb.segments]
    drawn = o.page.evaluate("""() => { const c = document.querySelector('#graph canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (d.length / 4); }""")
    assert drawn > 0.5  # the bands fill the drawing
    o.close()


def test_click_unfolds_a_segment_and_lists_its_firms(
    browser, seeded: EmbeddedStore, fish_file: Path
) -> None:  # type: ignore[no-untyped-def]
    fb = fishbone(seeded, CHAIN)
    seg = next(s for s in fb.segments if s.subsegments and s.local_firms)
    o = Opened(browser, fish_file.as_uri())
    o.click_node(f"b:{seg.id}")
    rows = [n for n in o.shown() if n["id"].startswith(f"r:{seg.id}:")]
    assert {n["seg"] for n in rows} == {c.id for c in seg.subsegments}
    panel = o.page.locator("#fb-panel")
    assert panel.locator("h2").inner_text().endswith(seg.name)
    text = panel.inner_text()
    assert f"本地企业（{len(seg.local_firms)} 家）" in text and seg.local_firms[0].name in text
    assert f"外地企业（{seg.outside_firms} 家）" in text
    # local firms first; in a file opened from disk, names are text, not links
    assert text.index("本地企业") < text.index("外地企业")
    assert panel.locator("a").count() == 0
    o.click_node(f"b:{seg.id}")  # folds again
    assert not any(n["id"].startswith("r:") for n in o.shown())
    o.close()


def test_search_finds_a_segment_and_a_sub_segment(
    browser, seeded: EmbeddedStore, fish_file: Path
) -> None:  # type: ignore[no-untyped-def]
    fb = fishbone(seeded, CHAIN)
    top = fb.segments[-1]
    sub = next(s for s in fb.segments if s.subsegments).subsegments[-1]
    o = Opened(browser, fish_file.as_uri())
    o.page.fill("#fb-search", top.name)
    o.page.press("#fb-search", "Enter")
    assert o.page.inner_text("#fb-found").startswith("找到")
    assert o.page.locator("#fb-panel h2").inner_text().endswith(top.name)
    # the others are dimmed, the hit is not
    opacity = o.page.evaluate(
        "() => Object.fromEntries(window.chainatlasView.chart.getOption().series[0].data"
        ".map(d => [d.seg, d.itemStyle.opacity]))"
    )
    assert opacity[top.id] == 1 and min(opacity.values()) < 0.5
    o.page.fill("#fb-search", sub.name)  # a folded sub-segment comes out of its bone
    o.page.press("#fb-search", "Enter")
    assert sub.id in [n["seg"] for n in o.shown() if n["id"].startswith("r:")]
    assert o.page.locator("#fb-panel h2").inner_text().endswith(sub.name)
    o.page.fill("#fb-search", "没有这个环节")
    assert o.page.inner_text("#fb-found") == "没有找到"
    o.close()


def test_verdict_filter_hides_the_others(browser, seeded: EmbeddedStore, fish_file: Path) -> None:  # type: ignore[no-untyped-def]
    fb = fishbone(seeded, CHAIN)
    verdict = {s.id: s.verdict for s in fb.all_segments()}
    o = Opened(browser, fish_file.as_uri())
    o.page.click("#fb-unfold")
    assert any(verdict[n["seg"]] == "missing" for n in o.shown())
    o.page.uncheck("input[name=verdict][value=missing]")
    o.page.uncheck("input[name=verdict][value=weak]")
    shown = o.shown()
    assert shown and all(verdict[n["seg"]] == "strong" for n in shown if n["id"][0] == "r")
    bones = {n["seg"] for n in shown if n["id"][0] == "b"}
    # a bone stays for its own verdict or for a sub-segment's
    keep = {s.id for s in fb.segments if "strong" in {x.verdict for x in _tree(s)}}
    assert bones == keep
    o.page.check("input[name=verdict][value=missing]")
    o.page.check("input[name=verdict][value=weak]")
    assert len([n for n in o.shown() if n["id"][0] == "b"]) == len(fb.segments)
    o.close()


def _tree(s: SegmentView) -> list[SegmentView]:
    return [s, *(x for c in s.subsegments for x in _tree(c))]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])  # type: ignore[return-value]


def test_png_export(browser, fish_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The PNG is the full-size drawing even when the page shows it fitted (names cut)."""
    o = Opened(browser, fish_file.as_uri())
    with o.page.expect_download() as got:
        o.page.click("#fb-png")
    path = tmp_path / "out.png"
    got.value.save_as(path)
    assert got.value.suggested_filename.endswith(".png")
    width, height = _png_size(path.read_bytes())
    full, shown, tall = o.page.evaluate(
        "() => [window.chainatlasView.data.width, document.getElementById('graph').offsetWidth,"
        " document.getElementById('graph').offsetHeight]"
    )
    # the whole drawing at full size (names whole), twice as fine; the page stays fitted
    assert (width, height) == (2 * full, 2 * tall) and shown < full
    assert path.stat().st_size > 10_000
    o.close()


@pytest.fixture
def served(fish_file: Path) -> Iterator[str]:
    """The page served over HTTP on 127.0.0.1, as the app serves it."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(fish_file.parent)
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{fish_file.name}"
    httpd.shutdown()
    httpd.server_close()


def test_served_page_links_firms_to_their_pages(
    browser, seeded: EmbeddedStore, served: str
) -> None:  # type: ignore[no-untyped-def]
    fb = fishbone(seeded, CHAIN)
    seg = next(s for s in fb.segments if s.local_firms)
    o = Opened(browser, served)
    o.page.evaluate(f"() => window.chainatlasView.select({seg.id!r})")
    link = o.page.locator("#fb-panel a").first
    assert link.inner_text() == seg.local_firms[0].name
    assert link.get_attribute("href") == f"/ui/firm/{seg.local_firms[0].id}".replace(":", "%3A")
    o.close()


def test_phone_width_scrolls_the_drawing_and_puts_the_panel_below(browser, fish_file: Path) -> None:  # type: ignore[no-untyped-def]
    o = Opened(browser, fish_file.as_uri(), width=390)
    box = o.page.evaluate("""() => { const s = document.getElementById('fb-scroll');
        return [s.scrollWidth, s.clientWidth, document.documentElement.scrollWidth]; }""")
    assert box[0] > box[1] and box[2] <= 390  # the drawing scrolls inside, the page does not
    first = o.shown()[0]["seg"]
    o.page.evaluate(f"() => window.chainatlasView.select({first!r})")
    below = o.page.evaluate("""() => document.getElementById('fb-panel').getBoundingClientRect().top
        >= document.getElementById('fb-scroll').getBoundingClientRect().bottom - 1""")
    assert below
    o.close()


@pytest.mark.slow
def test_real_chain_stays_readable(browser, seeded: EmbeddedStore, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """智能装备及智能机器人 with the ckg data: 117 missing sub-types stay folded in their
    bones; the folded drawing is as tall as two rows of boxes."""
    from chainatlas.graph.io.bundle import import_bundle
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle

    ckg_to_bundle(shared_or_skip("data", "ckg"), tmp_path / "ckg")
    import_bundle(seeded, tmp_path / "ckg", progress=False)
    fb = fishbone(seeded, "1366:robot")
    assert fb.summary()["missing"] > 100
    path = tmp_path / "robot.html"
    path.write_bytes(render_view(seeded, "fishbone", "html", chain="1366:robot").data)
    assert path.stat().st_size < 1_600_000
    o = Opened(browser, path.as_uri())
    assert len(o.shown()) == len(fb.segments) < 20
    assert o.page.evaluate("() => document.getElementById('graph').offsetHeight") < 400
    big = max(fb.segments, key=lambda s: len(s.subsegments))
    o.click_node(f"b:{big.id}")
    rows = [n for n in o.shown() if n["id"][0] in "rm"]
    assert len(rows) == 12 + 1 and rows[-1]["more"]  # twelve, then "另 N 个"
    o.close()


# ---- the review's findings (B7): the head, long names, the panel ---------------------------

#: what the fishbone's canvas holds, read from ECharts' renderer (zrender's display list): the
#: box of the head (the rightmost dark polygon) in the page's CSS pixels, the size of every
#: piece of text drawn (its font times its scale), how far the drawing scrolls sideways
CANVAS = """() => {
  const els = window.chainatlasView.chart.getZr().storage.getDisplayList(true);
  const box = e => { const r = e.getBoundingRect().clone();
                     if (e.transform) r.applyTransform(e.transform); return r; };
  const head = els.filter(e => e.type === 'polygon').map(box)
    .reduce((a, b) => (a.x > b.x ? a : b));
  const g = document.getElementById('graph').getBoundingClientRect();
  const sizes = els.filter(e => e.type === 'tspan' && e.style.text).map(e => {
    const px = parseFloat(/([0-9.]+)px/.exec(e.style.font)[1]);
    return px * (e.transform ? Math.hypot(e.transform[2], e.transform[3]) : 1);
  });
  const s = document.getElementById('fb-scroll');
  return { head: { left: g.left + head.x, top: g.top + head.y,
                   right: g.left + head.x + head.width, bottom: g.top + head.y + head.height },
           font: Math.min(...sizes), texts: sizes.length,
           sideways: s.scrollWidth - s.clientWidth };
}"""
#: the smallest text a chain leader reads on a laptop or a phone, in CSS pixels
MIN_FONT = 12


@pytest.mark.parametrize("chain", ["1366:icv", "1366:semi", "1366:bio"])
def test_the_head_shows_at_1440_px(
    browser, seeded: EmbeddedStore, tmp_path: Path, chain: str
) -> None:  # type: ignore[no-untyped-def]
    """「半导体及光电」's head was cut off at the right edge: a drawing wider than the window
    is narrowed to fit it, its text kept at 12 px, so the whole fish shows."""
    path = tmp_path / "f.html"
    path.write_bytes(render_view(seeded, "fishbone", "html", chain=chain).data)
    o = Opened(browser, path.as_uri())

    def whole() -> None:
        drawn = o.page.evaluate(CANVAS)
        assert drawn["head"]["right"] <= 1440 and drawn["sideways"] <= 0, drawn
        assert drawn["font"] >= MIN_FONT

    whole()
    # the side panel does not hide the head: it goes below the drawing when both do not fit
    first = o.shown()[0]["seg"]
    o.page.evaluate(f"() => window.chainatlasView.select({first!r})")
    whole()
    panel = o.page.locator("#fb-panel").bounding_box()
    drawing = o.page.locator("#fb-scroll").bounding_box()
    assert panel and drawing
    beside = panel["x"] >= drawing["x"] + drawing["width"] - 1
    below = panel["y"] >= drawing["y"] + drawing["height"] - 1
    assert beside or below
    o.close()


def test_full_size_and_fitted_at_a_click(browser, seeded: EmbeddedStore, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """「原始大小」 draws a fitted drawing at full size (wider boxes, it scrolls), 「适应宽度」
    fits it again; a drawing that fits at full size offers neither."""
    path = tmp_path / "f.html"
    path.write_bytes(render_view(seeded, "fishbone", "html", chain=CHAIN).data)
    o = Opened(browser, path.as_uri(), width=1366)
    button = o.page.locator("#fb-fit")
    box = "() => window.chainatlasView.chart.getOption().series[0].data[0].symbolSize[0]"
    assert button.inner_text() == "原始大小" and o.page.evaluate(CANVAS)["sideways"] <= 0
    fitted = o.page.evaluate(box)
    button.click()
    assert button.inner_text() == "适应宽度" and button.get_attribute("aria-pressed") == "true"
    drawn = o.page.evaluate(CANVAS)
    assert drawn["sideways"] > 0 and drawn["head"]["right"] > 1366
    assert o.page.evaluate(box) == 156 > fitted
    button.click()
    assert button.inner_text() == "原始大小" and o.page.evaluate(CANVAS)["sideways"] <= 0
    o.page.set_viewport_size({"width": 1900, "height": 900})
    o.page.wait_for_function("document.getElementById('fb-fit').hidden", timeout=5_000)
    assert o.page.evaluate(box) == 156
    o.close()


def test_names_fit_their_box_or_show_whole_in_the_tooltip(
    browser, seeded: EmbeddedStore, fish_file: Path
) -> None:  # type: ignore[no-untyped-def]
    """Names were cut at 9 characters whatever their width (「光刻胶及湿电子化…」): now only a
    name wider than its box is cut, and the box's tooltip shows it whole."""
    fb = fishbone(seeded, CHAIN)
    o = Opened(browser, fish_file.as_uri())
    texts = o.page.evaluate(
        "() => window.chainatlasView.chart.getOption().series[0].data.map(d => [d.seg, d.text])"
    )
    names = {s.id: s.name for s in fb.segments}
    for seg, text in texts:
        if len(names[seg]) <= 10:  # ten CJK characters fit a box
            assert names[seg] in text.split("\n")[0], (names[seg], text)
    long = "超长环节名称用来检验省略号与提示框是否完整显示全名"
    o.page.evaluate(
        f"() => {{ const v = window.chainatlasView; v.data.bones[0].name = {long!r};"
        f" v.data.info[v.data.bones[0].id].name = {long!r}; v.build(); }}"
    )
    node = o.page.evaluate("() => window.chainatlasView.chart.getOption().series[0].data[0]")
    first = node["text"].split("\n")[0]
    assert node["full"] == long and "…" in first and long not in first
    at = o.page.evaluate(f"() => window.chainatlasView.where({node['id']!r})")
    o.page.locator("#graph").hover(position={"x": at["x"], "y": at["y"]})
    tip = o.page.locator("#graph > div").filter(has_text=long)
    tip.wait_for(timeout=5_000)
    assert tip.is_visible()
    o.close()
