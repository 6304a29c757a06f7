"""The ranking index warmed in the background (``api/warmup.py``), over HTTP (TestClient, the
real embedded store and the real ranking): a served app starts the warm-up with the app and
builds the index before any page asks; the 招商图 page asked for while the index is being
computed answers at once with the notice (200, 「正在计算招商目标」), then with the page
itself once it is ready — also after a write to the index's inputs; a failed build is logged,
said on the notice and tried again; an ordinary app (the tests') starts no warm-up.

The build is held, not faked: the warm-up calls its ``on_build`` hook in its own thread as a
build starts, and the tests hold it there on an event until they let it go."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.api import warmup
from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app, create_served_app
from chainatlas.api.testing import LiveService, cli
from chainatlas.graph.home import is_local
from chainatlas.graph.model import Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.index_cache import cache_path
from tests.api.webui import login

CHAIN = "1366:storage"
MAP = f"/ui/chain/{CHAIN}/map"
NOTICE = "正在计算招商目标"
#: a wait that only ends early; a test that reaches it has failed (no timing is asserted)
LONG = 120


class Held:
    """The warm-up's ``on_build`` hook: records each build as it starts and holds it until
    :meth:`release`; ``fail`` makes the next build raise instead."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.gate = threading.Event()
        self.builds = 0
        self.fail = False

    def __call__(self) -> None:
        self.builds += 1
        self.started.set()
        assert self.gate.wait(LONG)
        if self.fail:
            self.fail = False
            raise RuntimeError("构建被测试中止")

    def hold(self) -> None:
        self.started.clear()
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def auth(tmp_path: Path) -> Iterator[AuthStore]:
    a = AuthStore(tmp_path / "auth.db")
    yield a
    a.close()


def _app(settings: Settings, store: EmbeddedStore, auth: AuthStore, held: Held) -> FastAPI:
    app = create_app(settings, store, auth, warm_index=True)
    app.state.index_warmer.on_build = held
    app.state.index_warmer.patience = 0  # the notice at once while a build is held
    return app


@pytest.fixture
def held() -> Iterator[Held]:
    h = Held()
    yield h
    h.release()  # never leave a warm-up thread waiting


@pytest.fixture
def browser_(
    seeded: EmbeddedStore, settings: Settings, auth: AuthStore, held: Held
) -> Iterator[TestClient]:
    """A logged-in browser (市链长办) on a served app whose warm-up is held (``held``)."""
    with TestClient(_app(settings, seeded, auth, held)) as c:
        assert login(c, auth.create("city", [], "市链长办")).status_code == 303
        yield c


def _until(check: Callable[[], bool]) -> None:
    """Wait until ``check()`` holds (it is asked again and again; no time is asserted)."""
    done = threading.Event()
    for _ in range(LONG * 10):
        if check():
            return
        done.wait(0.1)
    raise AssertionError("条件始终未满足")


def _status(c: TestClient) -> dict[str, Any]:
    res = c.get("/ui/index-status")
    assert res.status_code == 200 and res.headers["cache-control"] == "no-store"
    body: dict[str, Any] = res.json()
    return body


def _is_notice(html: str) -> bool:
    return NOTICE in html and 'id="index-warming"' in html


def test_a_page_asked_while_the_index_builds_gets_the_notice_then_the_page(
    browser_: TestClient, held: Held
) -> None:
    assert held.started.wait(LONG)  # the warm-up began with the app, before any page
    status = _status(browser_)
    assert status["building"] and not status["ready"] and not status["failed"]
    res = browser_.get(MAP)
    assert res.status_code == 200 and _is_notice(res.text), res.text[:300]
    assert res.headers["cache-control"] == "no-store"
    assert "/ui/static/warmup.js" in res.text and 'http-equiv="refresh"' in res.text
    assert 'href="/ui/chain/1366%3Astorage"' in res.text  # a way back to the chain
    assert 'class="card seg-group"' not in res.text
    assert browser_.get("/ui/chain/no-such-chain/map").status_code == 404  # not a notice
    held.release()
    _until(lambda: _status(browser_)["ready"])
    res = browser_.get(MAP)
    assert res.status_code == 200 and not _is_notice(res.text)
    assert 'id="map-intro"' in res.text and 'class="card seg-group"' in res.text
    assert held.builds == 1


def test_the_warm_up_builds_the_index_at_start_up(
    seeded: EmbeddedStore, settings: Settings, auth: AuthStore, held: Held
) -> None:
    """No page asked: the index of the store's revision is built and stored in the data
    directory by the warm-up alone; the API then answers from it without building again."""
    held.release()
    app = _app(settings, seeded, auth, held)
    with TestClient(app) as c:
        token = auth.create("city", [], "接口")
        _until(lambda: cache_path(settings.home, seeded.revision()).exists())
        _until(lambda: app.state.index_warmer.since is None)
        warmed = app.state.target_index
        res = c.get(
            "/api/v1/targets",
            params={"segment": "seg:电芯"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert res.status_code == 200
        assert app.state.target_index is warmed  # the warmed index, not built again
    assert held.builds == 1


def test_a_write_to_the_inputs_warms_the_index_again(
    browser_: TestClient, held: Held, seeded: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warmup, "POLL", 0.1)  # looks at the revision often
    held.release()
    _until(lambda: _status(browser_)["ready"])
    held.hold()
    rel = next(
        r
        for r in seeded.iter_relationships("OPERATES_IN")
        if not is_local(seeded.require_node(r.start).props.get("region"))
    )
    seeded.apply(  # a link moved: the index's inputs changed
        Batch()
        .delete_relationships([rel.key])
        .upsert_relationships([Relationship(rel.start, "OPERATES_IN", "seg:电芯", rel.props)])
    )
    assert held.started.wait(LONG)  # the warm-up noticed the write by itself
    assert _is_notice(browser_.get(MAP).text)
    held.release()
    _until(lambda: _status(browser_)["ready"])
    res = browser_.get(MAP)
    assert not _is_notice(res.text) and 'class="card seg-group"' in res.text
    assert held.builds == 2


def test_a_failed_build_is_logged_said_and_tried_again(
    browser_: TestClient, held: Held, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="chainatlas.api.warmup")
    held.fail = True
    held.release()
    _until(lambda: _status(browser_)["failed"])
    assert "招商排序索引后台计算失败" in caplog.text
    assert browser_.get("/api/v1/health").status_code == 200  # the service is unharmed
    assert held.builds == 1  # not tried again at every look, only when a page asks
    res = browser_.get(MAP)  # asks again: the notice, or the page if the retry was quick
    assert res.status_code == 200
    _until(lambda: _status(browser_)["ready"])
    assert 'class="card seg-group"' in browser_.get(MAP).text
    assert held.builds == 2


def test_shutdown_does_not_wait_for_a_build(
    seeded: EmbeddedStore, settings: Settings, auth: AuthStore, held: Held
) -> None:
    with TestClient(_app(settings, seeded, auth, held)):
        assert held.started.wait(LONG)
    # here only because leaving did not wait for the held build (the fixture lets it go)


def test_an_ordinary_app_starts_no_warm_up(
    seeded: EmbeddedStore, settings: Settings, auth: AuthStore
) -> None:
    """A test's app: no warm-up thread, nothing built until a page asks; the page then
    builds the index itself and is never the notice."""
    before = {t.ident for t in threading.enumerate()}
    app = create_app(settings, seeded, auth)
    with TestClient(app) as c:
        assert app.state.index_warmer is None
        new = [t.name for t in threading.enumerate() if t.ident not in before]
        assert "chainatlas-index-warmup" not in new
        assert not (settings.home / "cache").exists()
        assert login(c, auth.create("city", [], "市链长办")).status_code == 303
        assert _status(c)["ready"]  # nothing to wait for: the page builds it
        res = c.get(MAP)
        assert res.status_code == 200 and not _is_notice(res.text)
        assert 'class="card seg-group"' in res.text


def test_serve_warms_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """``chainatlas serve`` (and each of its worker processes) warms the index by default;
    ``CHAINATLAS_WARM_INDEX=0`` turns it off (the tests' environment does)."""
    monkeypatch.delenv("CHAINATLAS_WARM_INDEX")
    assert Settings().warm_index
    assert create_served_app().state.index_warmer is not None
    monkeypatch.setenv("CHAINATLAS_WARM_INDEX", "0")
    assert create_served_app().state.index_warmer is None


@pytest.mark.parametrize("workers", ["1", "2"])
def test_chainatlas_serve_warms_the_index_at_start_up(workers: str, tmp_path: Path) -> None:
    """The real command, one process or several: with the setting on, the index is built and
    stored in the data directory with no request but /health."""
    home = tmp_path / "home"
    cli(home, "init")
    env = {"CHAINATLAS_WARM_INDEX": "1"}
    with LiveService(home, extra_env=env, args=("--workers", workers)):
        _until(lambda: any((home / "cache").glob("targets-*.pkl")))
