"""The dashboard's chart labels say what they are (review B9, C10), read from what ECharts
actually drew (the texts of its display list) in Debian's chromium: a bar of a chain with a
2026 target is labelled 「完成 …%」, one without 「产值 … 亿元（无目标）」; each map's colour
scale prints its two ends once, with the unit."""

from __future__ import annotations

import re

import pytest

from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab

pytestmark = needs_chromium

#: every text ECharts drew on a chart's canvas
DRAWN = """(id) => window.chainatlasDash.charts[id].getZr().storage.getDisplayList()
  .map((el) => el.style && el.style.text).filter((t) => t !== undefined && t !== null && t !== '')
  .map(String)"""


@pytest.mark.parametrize("width", [1440, 390])  # on a phone the label is under the chain's name
def test_progress_bars_say_share_or_output(browser, service, width: int) -> None:  # type: ignore[no-untyped-def]
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    pg = tab.open("/")
    rows = pg.evaluate(
        "() => JSON.parse(document.getElementById('dashboard-data').textContent).progress['1366']"
    )
    drawn = pg.evaluate(DRAWN, "chart-progress")
    done = [t for t in drawn if re.fullmatch(r"完成 [0-9.]+%", t)]
    output = [t for t in drawn if re.fullmatch(r"产值 [0-9.,]+ 亿元（无目标）", t)]
    with_target = [r for r in rows if r["target"] is not None]
    assert len(done) == len(with_target) > 0
    assert len(output) == len(rows) - len(with_target) > 0
    assert not [t for t in drawn if re.fullmatch(r"[0-9.,]+%?", t) and t not in _axis(drawn)]
    assert tab.errors == [] and tab.outside == []
    tab.close()


def _axis(drawn: list[str]) -> set[str]:
    """The value axis's tick labels (0, 200, 400 …): bare numbers that are not bar labels."""
    return {t for t in drawn if re.fullmatch(r"[0-9,]+", t) and int(t.replace(",", "")) % 100 == 0}


def test_map_scales_print_each_end_once(browser, service) -> None:  # type: ignore[no-untyped-def]
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), 1440)
    pg = tab.open("/")
    for chart in ("map-huzhou", "map-china"):
        drawn = pg.evaluate(DRAWN, chart)
        ends = [t for t in drawn if re.fullmatch(r"[0-9,.]+( 家)?", t)]
        assert len(ends) == 2 and all(t.endswith(" 家") for t in ends), (chart, ends)
        assert "0 家" in ends
    assert tab.errors == [] and tab.outside == []
    tab.close()
