"""The 「正在计算招商目标」 notice in a real browser (Debian's chromium via Playwright) at 1440 and
390 px: while the service's warm-up builds the ranking index, the 招商图 page is the notice
(seconds counted, no console error, nothing sent off 127.0.0.1, fits the phone); once the index
is ready it turns into the 招商图 by itself, with no click and no reload by the test.

The build is held, not faked: the warm-up's ``on_build`` hook waits on an event in the warm-up
thread until the test lets it go. Screenshots go to the test's temporary folder, or to
``$CHAINATLAS_SCREENSHOTS`` when set."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import needs_chromium, served
from tests.viz.browser_tab import Tab, shots

pytestmark = needs_chromium
MAP = "/ui/chain/1366:storage/map"
#: a wait that only ends early (no timing is asserted)
LONG = 120


@pytest.fixture
def held_service(
    seeded: EmbeddedStore, tmp_path: Path
) -> Iterator[tuple[str, AuthStore, threading.Event, threading.Event]]:
    """(base URL, auth store, started, gate) of a served app whose warm-up build, once
    ``started``, waits for ``gate``."""
    started, gate = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        gate.wait(LONG)

    auth = AuthStore(tmp_path / "auth.db")
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth, warm_index=True)
    app.state.index_warmer.on_build = hold
    app.state.index_warmer.patience = 0
    with served(app) as port:
        yield f"http://127.0.0.1:{port}", auth, started, gate
        gate.set()
    auth.close()


def _fits(pg: Any) -> None:
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def test_the_notice_turns_into_the_map_by_itself(
    browser: Any,
    held_service: tuple[str, AuthStore, threading.Event, threading.Event],
    tmp_path: Path,
) -> None:
    base, auth, started, gate = held_service
    out = shots(tmp_path)
    assert started.wait(LONG)
    tabs = {w: Tab(browser, base, auth.create("city", [], "市链长办"), w) for w in (1440, 390)}
    try:
        for width, tab in tabs.items():
            pg = tab.open(MAP)
            notice = pg.locator("#index-warming")
            assert "正在计算招商目标" in notice.inner_text()
            assert pg.locator("section.seg-group").count() == 0
            # the script asks how far the build is and counts the seconds
            pg.wait_for_function(
                "() => /已用 \\d+ 秒/.test(document.getElementById('warming-elapsed').textContent)",
                timeout=LONG * 1000,
            )
            _fits(pg)
            pg.screenshot(path=str(out / f"index-warming-{width}.png"), full_page=True)
        gate.set()
        for tab in tabs.values():
            tab.page.locator("section.seg-group").first.wait_for(timeout=LONG * 1000)
            assert tab.page.locator("#index-warming").count() == 0
            assert tab.page.url.endswith(MAP)
        tabs[390].page.screenshot(path=str(out / "index-ready-390.png"))
    except BaseException:
        for tab in tabs.values():
            tab.close()
        raise
    for tab in tabs.values():
        tab.done()  # no console error, nothing sent off 127.0.0.1
