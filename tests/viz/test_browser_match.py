"""The 要素匹配 page in Debian's chromium against the service on 127.0.0.1, at 1366 and 390 px:
a template downloads from its link, an upload is matched and shown by name, the stored lists
are matched and a 对接 moved on; every page becomes ready, logs no console error, sends no
request off 127.0.0.1 and fits the screen. Screenshots as in ``test_browser_ui``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium


def _store_lists(base: str, token: str) -> None:
    city = {"Authorization": f"Bearer {token}"}
    for kind, rid, props in [
        (
            "demands",
            "demand:land",
            {"kind": "土地", "description": "储能电池二期工业用地", "quantity": 50, "unit": "亩"},
        ),
        (
            "supplies",
            "supply:plot",
            {
                "kind": "土地",
                "description": "长兴经开区工业地块",
                "quantity": 80,
                "unit": "亩",
                "provider": "长兴县自然资源和规划局",
            },
        ),
    ]:
        body = {"props": props, "region": "长兴县"}
        r = httpx.put(f"{base}/api/v1/records/{kind}/{rid}", json=body, headers=city)
        assert r.status_code == 200, r.text


def _fits(pg: Any) -> None:
    assert pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1


@pytest.mark.parametrize("width", [1366, 390])
def test_the_matching_page_works_offline(browser, service, tmp_path: Path, width: int) -> None:
    base, auth = service
    token = auth.create("city", [], "市链长办")
    _store_lists(base, token)
    d, s = tmp_path / "d.csv", tmp_path / "s.csv"
    pd.DataFrame(
        [
            {
                "需求类型*": "土地",
                "需求描述*": "新能源电池项目用地",
                "数量": 50,
                "单位": "亩",
                "所在区域*": "长兴县",
            }
        ]
    ).to_csv(d, index=False)
    pd.DataFrame(
        [
            {
                "供给类型*": "土地",
                "供给描述*": "长兴工业用地",
                "数量": 60,
                "单位": "亩",
                "所在区域": "长兴县",
                "提供方": "长兴县自然资源和规划局",
            }
        ]
    ).to_csv(s, index=False)
    out = shots(tmp_path)
    tab = Tab(browser, base, token, width)
    try:
        pg = tab.open("/ui/match")
        with pg.expect_download() as got:
            pg.click("#template-demands")
        assert got.value.suggested_filename.endswith(".xlsx")
        pg.set_input_files("#demands", str(d))
        pg.set_input_files("#supplies", str(s))
        pg.click("#run")
        pg.locator("body[data-ready='1'] #match-summary").wait_for()
        assert "长兴县自然资源和规划局" in pg.inner_text("#assigned")
        _fits(pg)
        pg.screenshot(path=str(out / f"match-upload-{width}.png"), full_page=True)
        pg = tab.open("/ui/match/stored")
        pg.click("#run")
        pg.locator("body[data-ready='1'] #done").wait_for()
        assert "推荐" in pg.inner_text("#dockings")
        pg.click("#dockings form.step button")
        pg.locator("body[data-ready='1'] #done").wait_for()
        assert "对接中" in pg.inner_text("#dockings")
        _fits(pg)
        pg.screenshot(path=str(out / f"match-stored-{width}.png"), full_page=True)
        assert tab.errors == [] and tab.outside == []
    finally:
        tab.close()
