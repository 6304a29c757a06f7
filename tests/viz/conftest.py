"""Fixtures of the browser tests: one chromium per test module, and the service on 127.0.0.1
over the seeded store (with an open problem on the sample project) and its auth store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.problems import raise_problem
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, served

#: the sample project of 新能源与新型储能 the pages show
P = "project:1366:storage:1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def service(seeded: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[str, AuthStore]]:
    """(base URL, auth store) of the service; tokens are made with ``auth.create``."""
    raise_problem(seeded, "二期用地指标尚未落实", "一般", project=P, today=date.today())
    auth = AuthStore(tmp_path / "auth.db")
    app = create_app(Settings(home=tmp_path / "home"), seeded, auth)
    with served(app) as port:
        yield f"http://127.0.0.1:{port}", auth
    auth.close()
