"""A refused form and a reload, in a real browser (Debian's chromium via Playwright, the service
on 127.0.0.1; review R, B8): the refusal is shown on the page the form came from, whose address
is a page's own (the project page for 阶段推进, 新建项目 and 编辑 for theirs, the chain page for
十个一), so reloading it asks for that page again — it does not send the form a second time. No
console error besides the refusal's own status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainatlas.graph.model import Node
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
P = "project:1366:robot:2"  # 长兴县 (sample data)


def _reload_sends(pg: Any) -> list[str]:
    """The methods of the page requests a reload makes (of the page itself)."""
    pg.locator("body[data-ready='1']").wait_for()  # the refused page is set up
    sent: list[str] = []

    def seen(r: Any) -> None:
        if r.is_navigation_request() and r.frame == pg.main_frame:  # not the page's frames
            sent.append(r.method)

    pg.on("request", seen)
    pg.reload()
    pg.locator("body[data-ready='1']").wait_for()
    pg.remove_listener("request", seen)
    return sent


def test_reloading_a_refused_form_sends_nothing(  # type: ignore[no-untyped-def]
    browser, service, seeded: EmbeddedStore, tmp_path: Path
) -> None:
    base, auth = service
    tab = Tab(browser, base, auth.create("district", ["长兴县"], "长兴县招商团队"), 1440)
    out = shots(tmp_path)
    seeded.upsert_nodes([Node(P, "Project", {"stage": "研判会商"})])
    before = seeded.require_node(P).props
    # 阶段推进 with 开工 before 签约: refused on the project page's address
    pg = tab.open(f"/ui/project/{P}")
    pg.fill("#stage-signed", "2026-03-10")
    pg.fill("#stage-started", "2026-03-01")
    pg.click("#form-stage button[type=submit]")
    pg.wait_for_selector("#form-error")
    assert "早于签约日期" in pg.inner_text("#form-error")
    assert pg.input_value("#stage-signed") == "2026-03-10"  # what was typed stays
    assert pg.evaluate("location.pathname").endswith("/ui/project/project%3A1366%3Arobot%3A2")
    pg.screenshot(path=str(out / "stage-refused-1440.png"), full_page=True)
    assert _reload_sends(pg) == ["GET"]
    assert pg.locator("#form-error").count() == 0 and pg.inner_text("#stage") == "研判会商"
    assert seeded.require_node(P).props == before
    # 编辑 and 新建项目: refused on their own address, reloaded as a GET
    pg = tab.open(f"/ui/project/{P}/edit")
    pg.fill("#pf-name", " ")
    pg.click("#save")
    pg.wait_for_selector("#form-error")
    assert _reload_sends(pg) == ["GET"]
    assert pg.input_value("#pf-name") == before["name"]
    pg = tab.open("/ui/projects/new")
    pg.fill("#pf-name", "R重载测试项目")
    pg.select_option("#pf-chain", "1366:robot")
    pg.fill("#pf-investment", "五亿")
    pg.click("#save")
    pg.wait_for_selector("#form-error")
    assert "总投资" in pg.inner_text("#form-error")
    assert _reload_sends(pg) == ["GET"]
    assert pg.locator("#form-error").count() == 0
    assert seeded.get_node("project:R重载测试项目") is None
    # the chain page's 十个一: a fund that is not in the graph, refused on the chain's address
    tab.errors[:] = [e for e in tab.errors if "400" not in e and "422" not in e]
    tab.done()
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), 1440)
    pg = tab.open("/ui/chain/1366:robot")
    pg.fill("#set-fund input[name=value]", "R不存在的基金")
    pg.click("#set-fund button")
    pg.wait_for_selector("#form-error")
    assert pg.evaluate("location.pathname") == "/ui/chain/1366:robot"
    assert _reload_sends(pg) == ["GET"] and pg.locator("#form-error").count() == 0
    tab.errors[:] = [e for e in tab.errors if not any(f"{n}" in e for n in (400, 404, 422))]
    tab.done()
