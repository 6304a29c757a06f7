"""The whole-store export is in the audit log (review S, C2: who took everything, and when),
and the import's refusal reads like the others (C10: 市链长办, 当前令牌为…)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.api.routes.ui.admin import action_zh
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.conftest import bearers


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, AuthStore, dict[str, dict[str, str]]]]:
    auth = AuthStore(tmp_path / "auth.db")
    who = bearers(auth, {"市办": ("city", []), "长兴": ("district", ["长兴县"])})
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, auth, who
    auth.close()


def test_export_leaves_a_row_naming_who_and_what(
    api: tuple[TestClient, AuthStore, dict[str, dict[str, str]]],
) -> None:
    c, auth, who = api
    r = c.get("/api/v1/export", headers=who["市办"])
    assert r.status_code == 200
    files = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    row = auth.audit_log(1)[0]
    me = auth.principal(who["市办"]["Authorization"].split()[1])
    assert (row["method"], row["path"], row["status"]) == ("GET", "/api/v1/export", "done")
    assert row["actor"] == "市办" and row["token_id"] == me.token_id and row["at"]
    assert row["after"] is not None and f'"files": {len(files)}' in row["after"]
    assert action_zh(row["method"], row["path"]) == "导出全部数据"
    # refused: no row
    rows = len(auth.audit_log(1000))
    assert c.get("/api/v1/export", headers=who["长兴"]).status_code == 403
    assert len(auth.audit_log(1000)) == rows


def test_import_refusal_names_the_role_and_the_token(
    api: tuple[TestClient, AuthStore, dict[str, dict[str, str]]],
) -> None:
    c, auth, who = api
    files = {"file": ("x.csv", b"a,b\n", "text/csv")}
    r = c.post("/api/v1/import", files=files, headers=who["长兴"])
    assert r.status_code == 403
    assert r.json()["detail"] == "批量导入需要市链长办令牌；当前令牌为区县招商团队（长兴县）"
    assert auth.audit_log(10) == []
