"""The fishbone page in a real browser (Debian's chromium via Playwright, no browser download),
with every network request blocked: the graph must still draw."""

from __future__ import annotations

from pathlib import Path

from chainatlas.graph.store.contract import Subgraph
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import fishbone
from chainatlas.viz.export import render_view
from chainatlas.viz.html import render_page
from chainatlas.viz.views import subgraph_page
from tests.conftest import needs_chromium
from tests.viz.browser_tab import files_only

pytestmark = needs_chromium

DRAWN = """() => {
  const c = document.querySelector('#graph canvas');
  if (!c) return {pixels: 0};
  const ctx = c.getContext('2d');
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0) painted++; }
  const v = window.chainatlasView;  // the fishbone (ECharts) shows its nodes as `shown`
  return {pixels: painted, width: c.width, height: c.height,
          nodes: v.nodes ? v.nodes.length : v.shown.length, edges: v.edges ? v.edges.length : 0};
}"""


def _open(browser, path: Path, timeout: float = 30_000):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    outside = files_only(page)
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=timeout)
    return page, outside


def test_fishbone_draws_offline(browser, seeded: EmbeddedStore, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fishbone.html"
    path.write_bytes(render_view(seeded, "fishbone", "html", chain="1366:storage").data)
    page, outside = _open(browser, path)
    got = page.evaluate(DRAWN)
    fb = fishbone(seeded, "1366:storage")
    assert outside == []
    # folded: one box per top-level segment (tests/viz/test_browser_fishbone.py for the rest)
    assert got["nodes"] == len(fb.segments)
    assert got["pixels"] > 0.01 * got["width"] * got["height"], got
    # the box carries its verdict and local firms
    text = page.evaluate("() => window.chainatlasView.chart.getOption().series[0].data[0].text")
    assert "本地企业" in text
    page.screenshot(path=str(tmp_path / "fishbone.png"))
    page.close()


def test_every_map_draws(browser, seeded: EmbeddedStore, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for kind in ("map", "masters", "projects"):
        path = tmp_path / f"{kind}.html"
        path.write_bytes(render_view(seeded, kind, "html", chain="1366:icv").data)
        page, outside = _open(browser, path)
        got = page.evaluate(DRAWN)
        assert outside == [] and got["nodes"] > 0 and got["pixels"] > 0, (kind, got)
        page.close()


def test_large_graph_stabilises(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """6,000 nodes: drawn as communities (not a grey disc); the page becomes ready and physics
    switches off within the timeout; a community opens on a click."""
    from chainatlas.graph.model import Node, Relationship

    nodes = {f"n{i}": Node(f"n{i}", "Segment", {"name": f"环节{i}"}) for i in range(6000)}
    rels = [Relationship(f"n{i}", "UPSTREAM_OF", f"n{(i * 7 + 1) % 6000}") for i in range(6000)]
    path = tmp_path / "big.html"
    path.write_text(render_page(subgraph_page("大图", Subgraph(nodes, rels))), encoding="utf-8")
    page, outside = _open(browser, path, timeout=120_000)
    page.wait_for_function(
        "() => window.chainatlasView.network.physics.physicsEnabled === false", timeout=120_000
    )
    got = page.evaluate(DRAWN)
    assert outside == [] and got["pixels"] > 0
    assert page.evaluate("() => window.chainatlasView.total") == 6000
    clusters = page.evaluate("() => window.chainatlasView.clusters")
    # every node is drawn once: alone, or inside the community drawn in its place
    assert got["nodes"] + sum(c["size"] for c in clusters) - len(clusters) == 6000
    assert 20 <= got["nodes"] <= 600, got
    first = clusters[0]
    pos = page.evaluate(
        f"() => window.chainatlasView.network.canvasToDOM("
        f"window.chainatlasView.network.getPosition('cluster:{first['cid']}'))"
    )
    page.locator("#graph").click(position={"x": pos["x"], "y": pos["y"]})
    assert page.evaluate("() => window.chainatlasView.nodes.length") == (
        got["nodes"] - 1 + first["size"]
    )
    page.close()


HOSTILE = [
    "<!--<script>",
    "</script><script>window.__pwned = 1; alert(1)</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "甲 & <b>丙</b>",
]


def test_hostile_names_draw_as_text_and_run_nothing(  # type: ignore[no-untyped-def]
    browser, seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """Firms, a segment and a project named like markup: every view of their chain still draws,
    shows the names as text and runs nothing (issue 14: ``<!--<script>`` stopped the drawing)."""
    from chainatlas.graph.model import Node, Relationship

    with seeded.batch() as b:
        for i, name in enumerate(HOSTILE):
            b.upsert_nodes([Node(f"firm:h{i}", "Firm", {"name": name, "region": "长兴县"})])
            b.upsert_relationships(
                [
                    Relationship(f"firm:h{i}", "OPERATES_IN", "seg:储能变流器"),
                    Relationship(f"firm:h{i}", "CHAIN_MASTER_OF", "1366:storage"),
                    Relationship(f"firm:h{i}", "LOCATED_IN", "region:长兴县"),
                ]
            )
        b.upsert_nodes([Node("project:h", "Project", {"name": HOSTILE[0], "stage": "招商引资"})])
        b.upsert_nodes([Node("seg:h", "Segment", {"name": HOSTILE[1]})])
        b.upsert_relationships(
            [
                Relationship("project:h", "IN_CHAIN", "1366:storage"),
                Relationship("1366:storage", "HAS_SEGMENT", "seg:h", {"stage": "upstream"}),
            ]
        )
    # as stored before names were checked: a line separator (a line end in older JavaScript)
    odd = {f"n{i}": Node(f"n{i}", "Segment", {"name": n}) for i, n in enumerate(HOSTILE)}
    odd["n9"] = Node("n9", "Segment", {"name": "甲\u2028乙\u2029丙"})
    (tmp_path / "subgraph.html").write_text(
        render_page(subgraph_page("<!--<script>", Subgraph(odd, []))), encoding="utf-8"
    )
    for kind in ("fishbone", "map", "masters", "projects", "subgraph"):
        path = tmp_path / f"{kind}.html"
        if kind != "subgraph":
            path.write_bytes(render_view(seeded, kind, "html", chain="1366:storage").data)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        dialogs: list[str] = []

        def dialog(d, seen=dialogs):  # type: ignore[no-untyped-def]
            seen.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(path.as_uri())
        page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
        got = page.evaluate(DRAWN)
        labels = page.evaluate(
            "() => window.chainatlasView.nodes ? window.chainatlasView.nodes.get()"
            ".map(n => String(n.label) + String(n.title))"
            " : window.chainatlasView.shown.map(n => n.name)"
        )
        assert got["pixels"] > 0, (kind, got)
        assert page.evaluate("() => window.__pwned") is None and dialogs == [], kind
        assert page.evaluate("() => document.querySelectorAll('img, b').length") == 0, kind
        shown = "\n".join(labels)
        assert any(name in shown for name in HOSTILE), kind  # as text, unchanged
        page.close()
