"""The 所属环节 select of 新建项目 and 编辑 in a real browser (Debian's chromium via Playwright,
the service on 127.0.0.1), at a desktop's and a phone's width (review R, B3): it offers only
the chosen 产业链's segments, follows a change of chain and empties itself then; a move to
another chain saved with 环节 left empty clears the old segment and says so. No console error,
nothing wider than the screen. Screenshots go where ``shots`` says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.viz.worklists import chain_segments
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
P = "project:1366:robot:2"  # 长兴县, 智能装备及智能机器人, 环节 伺服电机及减速器 (sample data)


def _offered(pg: Any) -> list[str]:
    """The segments the 环节 select offers (its first, empty choice left out)."""
    return pg.eval_on_selector_all("#pf-segment option", "os => os.map(o => o.value)")[1:]  # type: ignore[no-any-return]


def _ids(store: EmbeddedStore, chain: str) -> list[str]:
    return [s.id for s in chain_segments(store, chain)]


@pytest.mark.parametrize("width", [1440, 390])
def test_the_segment_list_follows_the_chosen_chain(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("district", ["长兴县"], "长兴县招商团队"), width)
    out = shots(tmp_path)
    pg = tab.open("/ui/projects/new")
    assert _offered(pg) == [] and pg.inner_text("#pf-segment option") == "先选产业链"
    pg.select_option("#pf-chain", "1366:icv")
    assert _offered(pg) == _ids(seeded, "1366:icv") and "seg:AI芯片" not in _offered(pg)
    pg.select_option("#pf-segment", "seg:车规级芯片")
    pg.screenshot(path=str(out / f"project-new-segments-{width}.png"), full_page=True)
    pg.select_option("#pf-chain", "1366:bio")  # another chain: 环节 emptied, bio's offered
    assert pg.input_value("#pf-segment") == "" and _offered(pg) == _ids(seeded, "1366:bio")
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    # 编辑: the stored segment shown among its chain's; a move empties 环节 to 「不填」
    pg = tab.open(f"/ui/project/{P}/edit")
    assert pg.input_value("#pf-segment") == "seg:伺服电机及减速器"
    assert _offered(pg) == _ids(seeded, "1366:robot")
    pg.select_option("#pf-chain", "1366:bio")
    assert pg.input_value("#pf-segment") == ""
    assert pg.inner_text("#pf-segment option >> nth=0") == "不填"
    pg.screenshot(path=str(out / f"project-edit-move-{width}.png"), full_page=True)
    pg.click("#save")
    pg.wait_for_selector("#done")
    assert "原环节「伺服电机及减速器」不属于「生物医药」，已清除" in pg.inner_text("#done")
    links = {(r.type, n.id) for r, n in seeded.neighbours(P, ["IN_CHAIN", "IN_SEGMENT"], "out")}
    assert links == {("IN_CHAIN", "1366:bio")}
    pg.screenshot(path=str(out / f"project-moved-{width}.png"), full_page=True)
    tab.done()
