"""A new user's review, minor items, in a real browser (Debian's chromium via Playwright)
against the service on 127.0.0.1 at 1440 and 390 px: the 链主型企业库's firms open their pages
and the page leads back to its chain; the 十个一 forms say what they ask and what they clear;
charts draw chain names whole and legends without a pager; on a phone the project, token and
goal tables fit the screen (cards), nothing is wider than the screen.

Screenshots go to the test's temporary folder, or to ``$CHAINATLAS_SCREENSHOTS`` when set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
NO_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("width", [1440, 390])
def test_masters_library_links_its_firms_and_its_chain(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    pg = tab.open("/ui/chain/1366:storage/masters")
    pg.screenshot(path=str(shots(tmp_path) / f"masters-{width}.png"), full_page=True)
    assert pg.evaluate(NO_OVERFLOW) <= 0
    heads = pg.locator("#masters th").all_text_contents()
    assert "本地化配套比例（按金额）" in heads and "按金额" not in heads
    firms = pg.locator("#masters td.firm a")
    assert firms.count() > 0
    name = firms.first.inner_text()
    firms.first.click()
    pg.wait_for_url("**/ui/firm/**")
    assert name in pg.inner_text("h1")  # the link resolves to that firm's page
    pg.go_back()
    pg.click("#back-to-chain")
    pg.wait_for_url(base + "/ui/chain/1366:storage")
    tab.done()


@pytest.mark.parametrize("width", [1440, 390])
def test_checklist_forms_say_what_they_ask_and_what_they_clear(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    pg = tab.open("/ui/chain/1366:storage")
    assert pg.get_attribute("#set-platforms input[name=value]", "placeholder") == "平台名称或编号"
    assert pg.get_attribute("#set-masters input[name=value]", "placeholder") == "企业名称或编号"
    for scene in ("储能电站", "光储充一体化"):
        pg.fill("#set-scenarios input[name=value]", scene)
        pg.click("#set-scenarios button")
        pg.locator("body[data-ready='1']").wait_for()
    # the clear form names what it removes: each registration, or all of them, never a free box
    assert pg.locator("#clear-scenarios input[type=text]").count() == 0
    options = pg.locator("#clear-value-scenarios option").all_text_contents()
    assert options[:2] == ["储能电站", "光储充一体化"] and options[-1].startswith("全部")
    assert "要清除的登记" in pg.inner_text("#clear-scenarios")
    pg.select_option("#clear-value-scenarios", "光储充一体化")
    pg.screenshot(path=str(shots(tmp_path) / f"chain-{width}.png"), full_page=True)
    pg.locator("#checklist").screenshot(path=str(shots(tmp_path) / f"checklist-{width}.png"))
    assert pg.evaluate(NO_OVERFLOW) <= 0
    pg.click("#clear-scenarios button")
    pg.locator("body[data-ready='1']").wait_for()
    row = pg.inner_text("#slot-scenarios")
    assert "储能电站" in row and "光储充一体化" not in row
    tab.done()


#: the text each chart draws, line by line (zrender's text spans), and the series' legend mode
DRAWN_TEXT = """(id) => {
  const c = id in (window.chainatlasDash || {charts: {}}).charts ? window.chainatlasDash.charts[id]
    : window.chainatlasLedger.charts.find(x => x.getDom().id === id);
  const out = [];
  c.getZr().storage.getDisplayList(true).forEach(e => {
    if (e.type === 'tspan' && e.style && e.style.text) out.push(e.style.text);
  });
  return out;
}"""


@pytest.mark.parametrize("width", [1440, 390])
def test_ledger_charts_show_whole_chain_names_and_legends(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    pg = tab.open("/ui/ledger?month=2026-10")
    pg.locator("#chart-chain").screenshot(path=str(shots(tmp_path) / f"ledger-chain-{width}.png"))
    pg.locator("#chart-region").screenshot(path=str(shots(tmp_path) / f"ledger-region-{width}.png"))
    names = pg.evaluate("() => window.chainatlasLedger.charts[1].getOption().yAxis[0].data")
    drawn = pg.evaluate(DRAWN_TEXT, "chart-chain")
    assert not [t for t in drawn if t.endswith("...") or "/" in t]  # nothing cut, no legend pager
    text = "".join(drawn)
    assert [n for n in names if n not in text] == []  # every chain's whole name, maybe on two lines
    stalls = pg.evaluate("() => window.chainatlasLedger.charts[1].getOption().series")
    assert all(s["name"] in drawn for s in stalls)  # every 五未 in the legend at once
    assert pg.evaluate(NO_OVERFLOW) <= 0
    tab.done()


#: how far a table sticks out of its scrolling box, in px (0: it fits)
STICKS_OUT = """(sel) => { const t = document.querySelector(sel), box = t.closest('.scroll');
  return box.scrollWidth - box.clientWidth; }"""


@pytest.mark.parametrize("width", [1440, 390])
def test_project_token_and_goal_tables_fit_a_phone(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "产业链牵头部门"), width)
    out = shots(tmp_path)
    for path, table in (
        ("/ui/projects", "#projects"),
        ("/ui/admin/tokens", "#tokens"),
        ("/ui/chain/1366:storage", "#goals"),
    ):
        pg = tab.open(path)
        name = path.strip("/").replace("/", "-").replace(":", "_")
        pg.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        pg.locator(table).screenshot(path=str(out / f"{table[1:]}-{width}.png"))
        assert pg.evaluate(NO_OVERFLOW) <= 0, path
        if width < 760:  # every fact of a row is on the screen, no scrolling sideways
            assert pg.evaluate(STICKS_OUT, table) <= 0, path
            cells = pg.locator(f"{table} tbody tr").first.locator("td")
            for i in range(cells.count()):
                box = cells.nth(i).bounding_box()
                assert box is None or box["x"] + box["width"] <= width, (path, i)
        else:  # a desktop keeps the table with its header
            assert pg.locator(f"{table} thead").is_visible(), path
    tab.done()


@pytest.mark.parametrize("width", [1440, 390])
def test_dashboard_charts_show_whole_chain_names_and_legends(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    pg = tab.open("/")
    for chart in ("chart-progress", "chart-stages", "chart-stalls"):
        pg.locator(f"#{chart}").screenshot(path=str(shots(tmp_path) / f"{chart}-{width}.png"))
        drawn = pg.evaluate(DRAWN_TEXT, chart)
        assert not [t for t in drawn if t.endswith("...") or "/" in t], chart
        option = f"() => window.chainatlasDash.charts['{chart}'].getOption()"
        names = pg.evaluate(option + ".yAxis[0].data")
        assert [n for n in names if n not in "".join(drawn)] == [], chart
        series = pg.evaluate(option + ".series")
        assert all(s["name"] in drawn for s in series), chart  # the whole legend at once
    tab.done()
