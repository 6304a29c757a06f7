"""问题闭环 and 对接记录 on a phone (Debian's chromium via Playwright, the service on 127.0.0.1):
each row is a card — the name, its level and status, then the step form — so the first row's
button is on the screen right under its name, not 700 px to the right; at a desktop's width
the tables stay tables. Nothing is wider than the screen, no console error. Screenshots go
where ``shots`` says."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from chainatlas.api.supervisor import sync_as_system
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.problems import raise_problem
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots
from tests.viz.conftest import P

pytestmark = needs_chromium


def _box(pg: Any, selector: str) -> dict[str, float]:
    box = pg.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box  # type: ignore[no-any-return]


def _near(pg: Any, width: int, name: str, button: str) -> None:
    """The button is wholly on the screen and, on a phone, close under the name it acts on."""
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    n, b = _box(pg, name), _box(pg, button)
    assert 0 <= b["x"] and b["x"] + b["width"] <= width, (b, width)
    if width < 600:
        assert 0 <= b["y"] - n["y"] <= 260, (n, b)  # the same card, a few lines down


@pytest.mark.parametrize("width", [1440, 390])
def test_the_problem_loop_is_one_card_per_problem_on_a_phone(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path, width: int
) -> None:
    base, auth = service
    sync_as_system(seeded, Grace(), auth, tmp_path)  # the 五未督办 items, as the service does
    due = date.today() + timedelta(days=5)
    raise_problem(seeded, "二期电力增容审批滞后", "特别重大", project=P, due=due)
    tab = Tab(browser, base, auth.create("chief", [], "总链长"), width, 844)
    pg = tab.open("/ui/problems?view=todo")
    first = "#problems tbody tr:first-child"
    assert pg.inner_text(f"{first} td.firm strong") == "二期电力增容审批滞后"  # most urgent
    _near(pg, width, f"{first} td.firm strong", f"{first} form.step button")
    pg.screenshot(path=str(shots(tmp_path) / f"problems-todo-{width}.png"))
    pg.select_option("#f-kind", "五未督办")
    pg.click("#apply")
    pg.locator("body[data-ready='1']").wait_for()
    assert "五未督办" in pg.inner_text(f"{first} td.firm")
    pg.click(f"{first} form.step button")  # 交办 … by the 总链长, on the phone
    pg.locator("body[data-ready='1'] #done").wait_for()
    assert "kind=" in pg.url  # back to the filtered list
    pg.screenshot(path=str(shots(tmp_path) / f"problems-stall-{width}.png"), full_page=True)
    tab.done()


@pytest.mark.parametrize("width", [1440, 390])
def test_the_docking_records_are_one_card_per_docking_on_a_phone(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    city = {"Authorization": f"Bearer {auth.create('city', [], '市链长办')}"}
    for kind, rid, props in [
        ("demands", "demand:land", {"kind": "土地", "description": "储能电池二期工业用地"}),
        ("supplies", "supply:plot", {"kind": "土地", "description": "长兴经开区工业地块"}),
    ]:
        body = {"props": props | {"quantity": 80, "unit": "亩"}, "region": "长兴县"}
        r = httpx.put(f"{base}/api/v1/records/{kind}/{rid}", json=body, headers=city)
        assert r.status_code == 200, r.text
    tab = Tab(browser, base, auth.create("district", ["长兴县"], "长兴县招商团队"), width, 844)
    pg = tab.open("/ui/match/stored")
    pg.click("#run")
    pg.locator("body[data-ready='1'] #done").wait_for()
    first = "#dockings tbody tr:first-child"
    _near(pg, width, f"{first} td.firm", f"{first} form.step button")
    pg.locator(f"{first} form.step").scroll_into_view_if_needed()
    pg.screenshot(path=str(shots(tmp_path) / f"stored-dockings-{width}.png"))
    pg.click(f"{first} form.step button")
    pg.locator("body[data-ready='1'] #done").wait_for()
    assert "对接中" in pg.inner_text("#dockings")
    tab.done()
