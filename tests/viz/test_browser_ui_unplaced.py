"""补填所在区域 in a real browser (Debian's chromium via Playwright) at 1440 and 390 px: the
city office follows the 驾驶舱's notice to the page, places an old 湖州市 project in a district
with the row's select and 保存, and the notice goes away; every page is ready, logs no console
error, sends nothing off 127.0.0.1 and fits the screen.

Screenshots go to the test's temporary folder, or to ``$CHAINATLAS_SCREENSHOTS`` when set."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.test_unplaced import DEMAND, OLD, _store_old_records
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium


@pytest.mark.parametrize("width", [1440, 390])
def test_the_office_places_an_old_record(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path, width: int
) -> None:
    _store_old_records(seeded)
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    out = shots(tmp_path)
    page = tab.open("/")
    notice = page.locator("#unplaced-notice")
    assert notice.inner_text().startswith("2 条记录的所在区域不是区县")
    page.screenshot(path=str(out / f"unplaced-home-{width}.png"))
    notice.locator("a").click()
    page.locator("body[data-ready='1']").wait_for()
    assert page.locator("#count").inner_text() == "待补填 2 条"
    page.screenshot(path=str(out / f"unplaced-{width}.png"), full_page=True)
    row = page.locator("#unplaced tbody tr", has_text="湖州老项目")
    row.locator("select").select_option("长兴县")
    row.locator("button[type=submit]").click()
    page.locator("#done").wait_for()
    assert page.locator("#count").inner_text() == "待补填 1 条"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert seeded.require_node(OLD).props["region"] == "长兴县"
    assert seeded.require_node(DEMAND).props["region"] == "湖州市"
    page = tab.open("/")
    assert page.locator("#unplaced-notice").inner_text().startswith("1 条记录")
    assert tab.errors == [] and tab.outside == []
    tab.close()
