"""Two officers on one project in a real browser (Debian's chromium via Playwright, the service
on 127.0.0.1), at a desktop's and a phone's width (review S, A5): officer A opens 编辑, officer
B changes the 责任单位 meanwhile, A saves a new 总投资 — the form comes back refused (409) with
the reason, B's change in the field and A's 总投资 still typed; saving again keeps both. No
console error, nothing wider than the screen. Screenshots go where ``shots`` says."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.model import Node
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
P = "project:1366:iot:1"  # 长兴县 (sample data)


@pytest.mark.parametrize("width", [1440, 390])
def test_a_stale_edit_form_is_refused_and_keeps_what_was_typed(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("district", ["长兴县"], "长兴县招商团队"), width)
    out = shots(tmp_path)
    pg = tab.open(f"/ui/project/{P}/edit")
    pg.screenshot(path=str(out / f"project-edit-{width}.png"), full_page=True)
    assert pg.locator("#pf-units option").count() >= 1  # the 责任单位 in use, suggested
    seeded.upsert_nodes([Node(P, "Project", {"responsible_unit": "B改的责任单位"})])  # officer B
    pg.fill("#pf-investment", "88")
    pg.click("#save")
    pg.locator("body[data-ready='1']").wait_for()
    error = pg.inner_text("#form-error")
    assert "该项目已被他人修改（责任单位改为「B改的责任单位」）" in error, error
    assert pg.input_value("#pf-investment") == "88"
    assert pg.input_value("#pf-unit") == "B改的责任单位"
    pg.screenshot(path=str(out / f"project-edit-stale-{width}.png"), full_page=True)
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    assert seeded.require_node(P).props["investment"] == 2.0
    tab.errors[:] = [e for e in tab.errors if "409" not in e]  # the page's own status
    pg.click("#save")
    pg.wait_for_selector("#done")
    props = seeded.require_node(P).props
    assert (props["responsible_unit"], props["investment"]) == ("B改的责任单位", 88.0)
    tab.done()
