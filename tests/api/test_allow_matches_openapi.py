"""Every path of the API's description answers a method it does not list with 405 and an
``Allow`` that names exactly the methods the description lists for it (what schemathesis's
``allow_header_conformance`` checks, ST205): a path template overlapping another's (once
``/records/{kind}/{record_id}`` beside ``/records/projects/{record_id}``) made the two disagree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


@pytest.fixture
def client(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "测试")
    with TestClient(
        create_app(settings, seeded, auth), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c
    auth.close()


def test_allow_names_the_documented_methods_of_every_path(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    wrong = []
    for template, ops in paths.items():
        listed = sorted(m.upper() for m in ops if m.upper() in METHODS)
        other = next(m for m in ("PATCH", "OPTIONS") if m not in listed)
        url = re.sub(r"\{[^}]+\}", "x1", template)
        r = client.request(other, url)
        if r.status_code != 405 or r.headers.get("allow") != ", ".join(listed):
            wrong.append((template, other, r.status_code, r.headers.get("allow"), listed))
    assert wrong == []
    assert ["delete", "get", "put"] == sorted(paths["/api/v1/records/projects/{record_id}"])
