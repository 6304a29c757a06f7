"""The vis-network pages' common template in chromium, offline with no console error: search,
neighbour highlighting on a click, legend entries that hide and show their nodes."""

from __future__ import annotations

from pathlib import Path

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import masters_library
from chainatlas.viz.export import render_view
from tests.conftest import needs_chromium
from tests.viz.test_browser_fishbone import Opened

pytestmark = needs_chromium

COLOURS = """() => Object.fromEntries(window.chainatlasView.nodes.get().map(n => [n.id,
    [typeof n.color === 'string' ? n.color : n.color.background, !!n.hidden, n.kind]]))"""


def test_search_highlights_and_legend(browser, seeded: EmbeddedStore, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    lib = masters_library(seeded, "1366:icv")
    master = lib[0]
    path = tmp_path / "masters.html"
    path.write_bytes(render_view(seeded, "masters", "html", chain="1366:icv").data)
    o = Opened(browser, path.as_uri())
    page = o.page
    # search: the master is found, selected, and only it and its neighbours keep their colour
    page.fill("#graph-search", master.firm.name)
    page.press("#graph-search", "Enter")
    assert page.inner_text("#graph-found").startswith("找到")
    view = "window.chainatlasView"
    assert page.evaluate(f"() => {view}.network.getSelectedNodes()") == [master.firm.id]
    near = set(page.evaluate(f"() => {view}.network.getConnectedNodes({master.firm.id!r})"))
    assert {s.firm for s in master.suppliers} <= near
    colours = page.evaluate(COLOURS)
    dimmed = {i for i, (c, _, _) in colours.items() if c == "#eef2f6"}
    assert dimmed == set(colours) - near - {master.firm.id}
    # a click on empty canvas clears the highlighting
    page.locator("#graph").click(position={"x": 5, "y": 5})
    assert not any(c == "#eef2f6" for c, _, _ in page.evaluate(COLOURS).values())
    # the legend hides and shows the outside firms
    outside = {i for i, (_, _, k) in colours.items() if k == "外地企业"}
    assert outside
    key = page.locator(".legend .key[data-kind='外地企业']")
    key.click()
    assert key.get_attribute("aria-pressed") == "false"
    got = page.evaluate(COLOURS)
    assert {i for i, (_, h, _) in got.items() if h} == outside
    key.click()
    assert not any(h for _, h, _ in page.evaluate(COLOURS).values())
    page.fill("#graph-search", "没有这家企业")
    assert page.inner_text("#graph-found") == "没有找到"
    o.close()
