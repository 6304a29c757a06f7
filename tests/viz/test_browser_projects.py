"""A district team's project in a real browser (Debian's chromium via Playwright, the service on
127.0.0.1), at a desktop's and a phone's width: 新建项目 from the 重点项目库, then the stage form
— which asks for the dates the next stage needs as date inputs — up to 投产达效, and 编辑; no
console error, nothing wider than the screen. Screenshots go where ``shots`` says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium


@pytest.mark.parametrize("width", [1440, 390])
def test_a_district_team_creates_and_moves_a_project(  # type: ignore[no-untyped-def]
    browser, service, tmp_path: Path, width: int
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("district", ["长兴县"], "长兴县招商团队"), width)
    out = shots(tmp_path)

    def fits(pg, name: str) -> None:  # type: ignore[no-untyped-def]
        pg.locator("body[data-ready='1']").wait_for()
        pg.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, overflow)

    pg = tab.open("/ui/projects")
    pg.click("#new-project")
    fits(pg, "project-new")
    pg.fill("#pf-name", "年产 2GWh 储能系统浏览器测试项目")
    pg.select_option("#pf-chain", "1366:storage")
    pg.select_option("#pf-segment", "seg:储能变流器")
    pg.fill("#pf-investment", "6")
    pg.select_option("#pf-stage", "研判会商")
    pg.click("#save")
    pg.wait_for_selector("#done")
    assert pg.inner_text("#stage") == "研判会商"
    # 落地开工: the form asks for 签约 and 开工 as dates, and nothing else
    dates = pg.locator("#form-stage input[type=date]")
    assert [dates.nth(i).get_attribute("name") for i in range(dates.count())] == [
        "signed",
        "started",
    ]
    fits(pg, "project-stage-dates")
    pg.fill("#stage-signed", "2026-03-01")
    pg.fill("#stage-started", "2026-04-01")
    pg.fill("#stage-note", "签约并开工")
    pg.click("#advance")
    pg.wait_for_selector("#done")
    assert pg.inner_text("#stage") == "落地开工" and "签约并开工" in pg.inner_text("#stages")
    pg.fill("#stage-completed", "2026-08-01")
    pg.fill("#stage-producing", "2026-09-01")
    pg.click("#advance")
    pg.wait_for_selector("#done")
    assert pg.inner_text("#stage") == "投产达效"
    pg.click("#edit")
    fits(pg, "project-edit")
    assert pg.input_value("#pf-producing") == "2026-09-01"
    pg.fill("#pf-investment", "6.5")
    pg.click("#save")
    pg.wait_for_selector("#done")
    assert "6.5 亿元" in pg.inner_text("main")
    tab.done()
