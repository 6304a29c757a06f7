"""The web UI in a real browser: Debian's chromium driven by Playwright (no browser download)
against the service started on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium, served

pytestmark = needs_chromium
ARGS = CHROMIUM_ARGS


@pytest.fixture
def server(seeded: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[str, str]]:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "测试")
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth)
    with served(app) as port:
        yield f"http://127.0.0.1:{port}", token
    auth.close()


@pytest.fixture
def page(server):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    base, token = server
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = b.new_page(viewport={"width": 1300, "height": 900})
        outside: list[str] = []
        pg.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(base)
                else (outside.append(r.request.url), r.abort())
            ),
        )
        # every console error of every frame: a Content-Security-Policy violation shows here
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(base + "/")
        assert "/ui/login" in pg.url  # not logged in: sent to the login page
        pg.fill("#token", token)
        pg.click("#login")
        pg.wait_for_url(base + "/")
        yield pg, base
        assert outside == []
        assert errors == []
        b.close()


def test_home_dashboard(page) -> None:  # type: ignore[no-untyped-def]
    pg, _ = page
    text = pg.inner_text("main")
    for tier in ("先导产业", "特色产业", "新兴产业", "未来产业"):
        assert tier in text
    assert pg.locator("main a.btn.chip").count() == 16
    assert "新能源汽车及关键零部件" in pg.text_content("#progress")  # folded data table


def test_chain_page_draws_the_fishbone(page) -> None:  # type: ignore[no-untyped-def]
    pg, base = page
    pg.click("a.chip:text('智能网联新能源汽车')")
    pg.wait_for_url(base + "/ui/chain/1366:icv")
    assert "判定" in pg.inner_text("#segments") and pg.locator("#segments tr.missing").count() > 0
    frame = pg.frame_locator("#fishbone")
    frame.locator("body[data-ready='1']").wait_for(timeout=30_000)
    pixels = pg.frames[1].evaluate("""() => { const c = document.querySelector('#graph canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert pixels > 1000


def test_map_masters_projects_firms(page) -> None:  # type: ignore[no-untyped-def]
    pg, base = page
    pg.goto(base + "/ui/chain/1366:storage/map")
    assert "招商目标" in pg.inner_text("main") and "落地区域" in pg.inner_text("main")
    pg.goto(base + "/ui/chain/1366:storage/masters")
    assert "本地化配套比例" in pg.inner_text("main")
    pg.goto(base + "/ui/projects")
    assert "示例项目" in pg.inner_text("main")
    pg.goto(base + "/ui/firms")
    pg.fill("#q", "动力电池")
    pg.click("#search")
    assert "动力电池" in pg.inner_text("main table")
    pg.goto(base + "/ui/chains")
    assert "八大新兴产业链 2.0 版" in pg.inner_text("main")


def test_matching_page(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    pg, base = page
    d, s = tmp_path / "需求.csv", tmp_path / "供给.csv"
    pd.DataFrame(
        [
            {
                "需求类型*": "土地",
                "需求描述*": "厂房用地",
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
                "供给描述*": "工业用地",
                "数量": 60,
                "单位": "亩",
                "所在区域": "长兴县",
            }
        ]
    ).to_csv(s, index=False)
    pg.goto(base + "/ui/match")
    pg.set_input_files("#demands", str(d))
    pg.set_input_files("#supplies", str(s))
    pg.click("#run")
    pg.wait_for_selector("text=分配 1")
    assert "工业用地" in pg.inner_text("main")


def test_pages_draw_under_their_content_security_policy(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The policy allows this site only: the stylesheet applies (the nav bar is dark), the
    progress bars and the fishbone view in its sandboxed frame still draw, and nothing was
    refused (the fixture fails on any console error)."""
    pg, base = page
    assert "script-src 'self'" in _csp(pg, base)
    nav = pg.evaluate("() => getComputedStyle(document.querySelector('nav')).backgroundColor")
    assert nav == "rgb(36, 59, 83)"  # from /ui/static/ui.css
    assert pg.locator("#progress progress").count() > 0
    pg.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    pg.goto(base + "/ui/chain/1366:storage")
    frame = pg.frame_locator("#fishbone")
    frame.locator("body[data-ready='1']").wait_for(timeout=30_000)
    pg.screenshot(path=str(tmp_path / "chain.png"), full_page=True)


def _csp(pg, base: str) -> str:  # type: ignore[no-untyped-def]
    r = pg.request.get(base + "/")
    return str(r.headers["content-security-policy"])


def test_docs_render_offline(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI from the installed package: it renders the operations with every request
    outside this site blocked, under its own policy."""
    pg, base = page
    pg.goto(base + "/docs")
    pg.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
    assert pg.locator(".swagger-ui .opblock").count() > 20
    assert "chainatlas" in pg.inner_text(".swagger-ui .title")
    pg.screenshot(path=str(tmp_path / "docs.png"))


def test_logout_button(page) -> None:  # type: ignore[no-untyped-def]
    pg, base = page
    pg.click("#logout")
    pg.wait_for_url(base + "/ui/login")
    pg.goto(base + "/ui/chains")
    assert "/ui/login" in pg.url  # the session is over


def test_views_opened_on_their_own_draw_sandboxed(page) -> None:  # type: ignore[no-untyped-def]
    """A graph view opened from a page's link (not in a frame) runs under its sandbox policy
    and still draws; the monthly report (no script) shows too."""
    pg, base = page
    pg.goto(base + "/ui/chain/1366:storage/map")
    with pg.expect_navigation():
        pg.click("text=交互图")
    pg.locator("body[data-ready='1']").wait_for(timeout=30_000)
    assert pg.evaluate("() => window.chainatlasView.nodes.length") > 0
    pg.goto(base + "/api/v1/ledger/report?month=2026-10&format=html")
    assert "月度通报" in pg.inner_text("h1")
