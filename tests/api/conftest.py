"""Fixtures of the API's tests: a client of the city office, the web UI with browsers logged
in by role; bearer headers for a test's cast of people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers


@pytest.fixture
def ui(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[Browsers]:
    """The service over the seeded store (auth in the test's folder); ``ui.as_(role, scope)``
    is a browser logged in with a token of that role."""
    auth = AuthStore(tmp_path / "auth.db")
    browsers = Browsers(seeded, settings, auth)
    yield browsers
    browsers.close()
    auth.close()


@pytest.fixture
def client(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """A client of the city office (every right) over the seeded store; a test module may
    define its own ``client`` instead."""
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "测试")
    with TestClient(
        create_app(settings, seeded, auth), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c
    auth.close()


def bearers(auth: AuthStore, people: dict[str, tuple[str, list[str]]]) -> dict[str, dict[str, str]]:
    """An ``Authorization`` header per person (``who → (role, scope)``), each with a new token
    named after the person."""
    return {
        who: {"Authorization": f"Bearer {auth.create(role, scope, who)}"}
        for who, (role, scope) in people.items()
    }
