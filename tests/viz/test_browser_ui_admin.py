"""The city office's admin pages, the chain page's 十个一 / 四张清单 / gaps and the firm page in
a real browser (Debian's chromium via Playwright) at 1366 and 390 px: each becomes ready, logs
no console error, sends nothing off 127.0.0.1 and fits the screen; forms appear only for the
roles that may use them, and work (a token made and shown once, then revoked; a 十个一 slot set;
an import's row errors in a table).

Screenshots go to the test's temporary folder, or to ``$CHAINATLAS_SCREENSHOTS`` when set."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.viz.dashboard import china_targets
from tests.conftest import needs_chromium
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
CHAIN = "1366:storage"


def _firms(store: EmbeddedStore) -> tuple[str, str]:
    """A local firm with segments, and an outside firm the 招商图 names as a target."""
    local = next(
        f.id
        for f in store.iter_nodes("Firm")
        if is_local(f.props.get("region"), HOME_AREA)
        and store.neighbours(f.id, ["OPERATES_IN"], "out")
    )
    named = {f["name"] for f in china_targets(store, CHAIN)["firms"]}
    outside = next(f.id for f in store.iter_nodes("Firm") if f.name in named)
    return local, outside


@pytest.mark.parametrize("width", [1366, 390])
def test_new_pages_work_offline_at_desktop_and_phone_width(  # type: ignore[no-untyped-def]
    browser,
    service,
    seeded: EmbeddedStore,
    tmp_path: Path,
    width: int,
) -> None:
    base, auth = service
    local, outside = _firms(seeded)
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    out = shots(tmp_path)
    pages = {
        "admin-tokens": "/ui/admin/tokens",
        "admin-audit": "/ui/admin/audit",
        "admin-import": "/ui/admin/import",
        "chain-work": f"/ui/chain/{CHAIN}?month=2026-10",
        "chain-gaps": f"/ui/chain/{CHAIN}/gaps",
        "firm-local": f"/ui/firm/{local}",
        "firm-outside": f"/ui/firm/{outside}",
    }
    for name, path in pages.items():
        pg = tab.open(path)
        if name == "chain-work":
            pg.frame_locator("#fishbone").locator("body[data-ready='1']").wait_for(timeout=30_000)
        pg.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        if name == "chain-work":  # the 十个一 and 四张清单 on their own (the page is long)
            for part in ("checklist", "four-lists"):
                pg.locator(f"#{part}").screenshot(path=str(out / f"chain-{part}-{width}.png"))
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    assert tab.page.locator("#target-segments tbody tr").count() >= 1  # the outside firm
    assert tab.errors == [] and tab.outside == []
    tab.close()


def test_tokens_made_once_and_revoked_in_the_browser(browser, service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, auth = service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), 1366)
    pg = tab.open("/ui/admin/tokens")
    assert pg.locator("#nav-admin").is_visible()
    pg.select_option("#token-role", "district")
    pg.fill("#token-scope", "长兴县")
    pg.fill("#token-name", "长兴招商")
    pg.fill("#token-expires", "30d")
    pg.click("#create-token")
    pg.locator("body[data-ready='1']").wait_for()
    token = pg.inner_text("#new-token").strip()
    who = auth.principal(token)
    assert who.role == "district"
    pg.screenshot(path=str(shots(tmp_path) / "admin-token-created-1366.png"), full_page=True)
    pg.click(f"#revoke-{who.token_id}")
    pg.wait_for_url("**/ui/admin/tokens?ok=revoked")
    assert "已吊销" in pg.inner_text(f"#token-{who.token_id}")
    assert token not in pg.content()
    # the audit log shows both writes
    pg = tab.open("/ui/admin/audit?status=done")
    assert pg.locator("#audit tbody tr").count() >= 2
    # a bad file's rows in a table, nothing imported
    pg = tab.open("/ui/admin/import")
    bad = tmp_path / "企业.csv"
    bad.write_text("企业名称*,所在区域*,产值（亿元）\n坏数据公司,火星,很多\n", encoding="utf-8")
    pg.set_input_files("#import-file", str(bad))
    pg.click("#run-import")
    pg.locator("#row-errors").wait_for()
    assert pg.locator("#row-errors tbody tr").count() >= 1
    pg.screenshot(path=str(shots(tmp_path) / "admin-import-errors-1366.png"), full_page=True)
    tab.errors[:] = [e for e in tab.errors if "422" not in e]  # the page's own status
    assert tab.errors == [] and tab.outside == []
    tab.close()


def test_controls_only_for_allowed_roles(browser, service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, auth = service
    district = Tab(browser, base, auth.create("district", ["长兴县"], "长兴招商"), 390)
    pg = district.open(f"/ui/chain/{CHAIN}")
    assert pg.locator("#checklist form").count() == 0 and "只读" in pg.inner_text("#checklist")
    assert pg.locator("#form-goals").count() == 0
    assert pg.locator("#nav-admin").count() == 0
    pg = district.open("/ui/admin/tokens")
    assert pg.locator("#error[data-status='403']").count() == 1
    pg.screenshot(path=str(shots(tmp_path) / "admin-403-390.png"), full_page=True)
    district.errors[:] = [e for e in district.errors if "403" not in e]
    assert district.errors == [] and district.outside == []
    district.close()
    chain = Tab(browser, base, auth.create("chain", [CHAIN], "储能牵头部门"), 1366)
    pg = chain.open(f"/ui/chain/{CHAIN}")
    assert pg.locator("#set-plan").count() == 1 and pg.locator("#set-leader").count() == 0
    pg.fill("#set-plan input[name=value]", "储能一链一策行动方案")
    pg.click("#set-plan button")
    pg.wait_for_url("**ok=set*")
    assert "储能一链一策行动方案" in pg.inner_text("#slot-plan")
    assert chain.errors == [] and chain.outside == []
    chain.close()
