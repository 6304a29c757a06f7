"""The large (WebGL) view in a real browser (Debian's chromium via Playwright), with every
non-local request failing the test: a 5,000-node page becomes ready, answers a search, shows a
clicked node's neighbours and hides a legend entry."""

from __future__ import annotations

import pytest

from chainatlas.graph.model import Node, Relationship
from chainatlas.viz.bigview import big_page
from chainatlas.viz.neighbourhood import Neighbourhood
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.viz.browser_tab import files_only

pytestmark = needs_chromium


def synthetic(n: int) -> Neighbourhood:
    """Firms on segments of power-law popularity, segments in a tree: ~1.5 relationships per
    node (tests may not import the benchmarks' generator)."""
    segs = [Node(f"seg:{i}", "Segment", {"name": f"产品{i}"}) for i in range(n // 4)]
    firms = [Node(f"firm:{i}", "Firm", {"name": f"企业{i}有限公司"}) for i in range(n - len(segs))]
    rels = [Relationship(s.id, "SUBSEGMENT_OF", segs[(i - 1) // 3].id) for i, s in enumerate(segs)]
    rels = rels[1:]
    for i, f in enumerate(firms):
        rels.append(Relationship(f.id, "OPERATES_IN", segs[(i * i) % len(segs) // (1 + i % 5)].id))
        if i % 3 == 0:
            rels.append(Relationship(f.id, "OPERATES_IN", segs[(7 * i + 1) % len(segs)].id))
    rels = list({r.key: r for r in rels}.values())
    return Neighbourhood([*segs, *firms], [0] * n, rels, None, None, n, capped=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    nb = synthetic(5000)
    path = tmp_path_factory.mktemp("big") / "big.html"
    path.write_text(big_page(nb, "五千节点", "节点 5000"), encoding="utf-8")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pg = b.new_page(viewport={"width": 1200, "height": 800})
        outside = files_only(pg)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(path.as_uri())
        pg.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
        yield pg, nb
        assert outside == [], outside
        assert errors == [], errors
        b.close()


def test_ready_with_every_node_drawn(page) -> None:  # type: ignore[no-untyped-def]
    pg, nb = page
    body = pg.evaluate("({n: document.body.dataset.nodes, e: document.body.dataset.edges})")
    assert body == {"n": "5000", "e": str(len(nb.relationships))}
    assert pg.evaluate("document.body.dataset.error") is None  # WebGL worked
    got = pg.evaluate("window.chainatlasBig.graph.order")
    assert got == 5000
    pairs = {(r.start, r.end) for r in nb.relationships}  # one line per pair
    assert pg.evaluate("window.chainatlasBig.graph.size") == len(pairs)
    # the WebGL canvases have pixels drawn (a canvas screenshot, not blank)
    shot = pg.locator("#graph").screenshot()
    assert len(shot) > 20_000


def test_search_box_finds_and_selects(page) -> None:  # type: ignore[no-untyped-def]
    pg, nb = page
    pg.fill("#q", "企业123")
    pg.wait_for_selector("#hits:not([hidden]) button")
    hits = pg.locator("#hits button").all_inner_texts()
    names = {n.name for n in nb.nodes}
    assert hits and all("企业123" in h for h in hits)
    assert hits[0].startswith("企业123有限公司")  # the exact name first
    assert any(h.split("企业 · ")[0] in names for h in hits)
    pg.press("#q", "Enter")
    pg.wait_for_selector("#info:not([hidden])")
    assert pg.locator("#info h2").inner_text() == "企业123有限公司"
    i = next(k for k, n in enumerate(nb.nodes) if n.name == "企业123有限公司")
    degree = sum(1 for r in nb.relationships if nb.nodes[i].id in (r.start, r.end))
    assert f"相连 {degree} 个节点" in pg.locator("#info p").inner_text()


def test_legend_hides_a_label(page) -> None:  # type: ignore[no-untyped-def]
    pg, nb = page
    pg.evaluate("window.chainatlasBig.select(null)")
    firms = sum(1 for n in nb.nodes if n.label == "Firm")
    pg.locator('#legend input[data-kind="Firm"]').uncheck()
    hidden = pg.evaluate(
        """() => { const r = window.chainatlasBig.renderer; let h = 0;
        window.chainatlasBig.graph.forEachNode(n => { if (r.getNodeDisplayData(n).hidden) h++; });
        return h; }"""
    )
    assert hidden == firms
    pg.locator('#legend input[data-kind="Firm"]').check()
