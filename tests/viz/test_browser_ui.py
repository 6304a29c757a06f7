"""Every page of the web UI in a real browser (Debian's chromium via Playwright) against the
service on 127.0.0.1, at a desktop's 1366 px and a phone's 390 px: each page becomes ready,
logs no console error (a Content-Security-Policy violation would), sends no request off
127.0.0.1, fits the screen; the charts and both maps draw; the navigation folds on a phone;
forms and buttons appear only for the roles that may use them, and work.

Screenshots go to the test's temporary folder, or to ``$CHAINATLAS_SCREENSHOTS`` when set."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
P = "project:1366:storage:1"
PAGES = [
    "/",
    "/ui/projects",
    f"/ui/project/{P}",
    "/ui/problems?view=all",
    "/ui/ledger?month=2026-10",
    "/ui/ledger/print?month=2026-10",
    "/ui/ledger/lists?month=2026-10",
    "/ui/firms?q=电池",
    "/ui/match",
    "/ui/chains",
    "/ui/chain/1366:storage",
    "/ui/chain/no-such-chain",
]
PAINTED = """(id) => {
  const c = document.querySelector('#' + id + ' canvas');
  if (!c) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n / (c.width * c.height);
}"""


@pytest.mark.parametrize("width", [1366, 390])
def test_every_page_works_offline_at_desktop_and_phone_width(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    out = shots(tmp_path)
    for path in PAGES:
        pg = tab.open(path)
        name = path.strip("/").split("?")[0].replace("/", "-").replace(":", "_") or "home"
        pg.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)  # nothing wider than the screen
        assert pg.locator("#demo-banner").is_visible(), path  # sample data is present
        if path == "/ui/chain/no-such-chain":
            assert "no-such-chain" in pg.inner_text("#error")
            tab.errors[:] = [e for e in tab.errors if "404" not in e]  # the page's own status
    assert tab.errors == [] and tab.outside == []
    tab.close()


def test_the_dashboard_draws_its_charts_and_maps(browser, service) -> None:  # type: ignore[no-untyped-def]
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), 1366)
    pg = tab.open("/")
    for chart in ("chart-progress", "chart-stages", "chart-stalls", "chart-trend"):
        assert pg.evaluate(PAINTED, chart) > 0.02, chart
    for chart in ("map-huzhou", "map-china"):
        assert pg.evaluate(PAINTED, chart) > 0.05, chart
    series = "(id) => window.chainatlasDash.charts[id].getOption().series"
    progress = pg.evaluate(series, "chart-progress")
    assert len(progress[0]["data"]) == 16  # the 1366 chains
    pg.check("input[name=layout][value='eight-2.0']")
    progress = pg.evaluate(series, "chart-progress")
    assert len(progress[0]["data"]) == 8  # the eight 2.0 chains, never mixed with the 1366
    huzhou = pg.evaluate(series, "map-huzhou")
    assert {d["name"] for d in huzhou[0]["data"]} == {
        "吴兴区",
        "南浔区",
        "德清县",
        "长兴县",
        "安吉县",
    }
    assert [d["name"] for d in huzhou[1]["data"]] and huzhou[1]["name"] == "功能区"
    assert len(huzhou[2]["data"]) == 7  # the sample parks, one per district and zone
    pg.select_option("#measure", "investment")
    assert pg.evaluate(series, "map-huzhou")[0]["name"] == "项目总投资"
    china = pg.evaluate(series, "map-china")
    assert sum(d["value"] for d in china[0]["data"]) > 0 and china[1]["type"] == "lines"
    # a KPI card opens its list
    pg.click("a.kpi[href='/ui/projects?stall=开工未竣工']")
    pg.wait_for_url("**/ui/projects?stall=*")
    assert "开工未竣工" in pg.inner_text("#projects")
    assert tab.errors == [] and tab.outside == []
    tab.close()


def test_the_navigation_folds_on_a_phone(browser, service) -> None:  # type: ignore[no-untyped-def]
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), 390)
    pg = tab.open("/ui/projects")
    links = pg.locator("nav .links > a")
    assert not links.first.is_visible() and pg.locator("#menu-button").is_visible()
    pg.click("#menu-button")
    assert links.first.is_visible()
    # every item on one line: no word broken across lines
    lines = pg.evaluate(
        """() => [...document.querySelectorAll('nav .links > a, nav .brand, #logout')].map(a => {
             const r = document.createRange(); r.selectNodeContents(a);
             const tops = [...r.getClientRects()].map(x => Math.round(x.top));
             return [a.textContent.trim(), new Set(tops).size];
           })"""
    )
    assert all(n == 1 for _, n in lines), lines
    pg.click("nav .links > a[href='/ui/problems']")
    pg.wait_for_url("**/ui/problems")
    assert tab.errors == [] and tab.outside == []
    tab.close()


def test_forms_and_buttons_appear_only_for_who_may_use_them(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore
) -> None:
    base, auth = service
    region = seeded.require_node(P).props["region"]
    other = next(d for d in ("吴兴区", "安吉县") if d != region)
    team = Tab(browser, base, auth.create("district", [other], "别区招商"), 1366)
    pg = team.open(f"/ui/project/{P}")
    assert pg.locator("#read-only").is_visible() and pg.locator("form#form-follow").count() == 0
    pg = team.open("/ui/problems?view=all")
    assert pg.locator("button[data-step]").count() == 0
    team.close()
    lead = Tab(browser, base, auth.create("chain", ["1366:storage"], "储能牵头部门"), 1366)
    pg = lead.open("/ui/problems?view=all")
    assert [b.inner_text() for b in pg.locator("button[data-step]").all()] == ["交办"]
    pg.click("button[data-step='交办']")
    pg.wait_for_selector("#done")
    assert (
        "交办" in pg.inner_text("#problems") and pg.locator("button[data-step='督办']").count() == 0
    )
    # a follow-up from the project page, in the chain department's scope
    pg = lead.open(f"/ui/project/{P}")
    pg.fill("#follow-note", "走访企业，协调二期用地")
    pg.click("#follow")
    pg.wait_for_selector("#done")
    assert "走访企业，协调二期用地" in pg.inner_text("#stages")
    assert lead.errors == [] and lead.outside == []
    lead.close()
