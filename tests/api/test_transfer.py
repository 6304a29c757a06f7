"""Uploads and downloads: templates and bundles in, bundles out; bad uploads refused cleanly."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    auth = AuthStore(tmp_path / "auth.db")
    city = {"Authorization": f"Bearer {auth.create('city', [])}"}
    district = {"Authorization": f"Bearer {auth.create('district', ['长兴县'])}"}
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, city, district
    auth.close()


def test_export_then_import_zip(api, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    r = c.get("/api/v1/export", headers=city)
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "nodes_Chain.csv" in names and "bundle.json" in names
    back = c.post(
        "/api/v1/import", files={"file": ("图谱包.zip", r.content, "application/zip")}, headers=city
    )
    assert back.status_code == 200 and back.json()["nodes"] == seeded.counts().nodes


def test_import_template(api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c, city, district = api
    buf = io.BytesIO()
    pd.DataFrame([{"企业名称*": "上传企业", "所在区域*": "长兴县"}]).to_excel(buf, index=False)
    files = {"file": ("企业.xlsx", buf.getvalue())}
    assert c.post("/api/v1/import", files=files, headers=district).status_code == 403
    r = c.post("/api/v1/import", files=files, headers=city)
    assert r.status_code == 200 and r.json()["nodes"] == 1


@pytest.mark.parametrize(
    "name, payload, why",
    [
        ("x.exe", b"MZ\x00\x00", "只接受"),
        ("x.zip", b"not a zip", "zip"),
        ("x.csv", b"\x00\xff\x00binary junk", ""),
    ],
)
def test_bad_uploads(api, seeded: EmbeddedStore, name: str, payload: bytes, why: str) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    before = seeded.counts()
    r = c.post("/api/v1/import", files={"file": (name, payload)}, headers=city)
    assert r.status_code == 422 and why in r.json()["detail"]
    assert seeded.counts() == before


def test_zip_traversal_and_bomb(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.csv", "id:ID,:LABEL,name\nx,Segment,x\n")
    r = c.post("/api/v1/import", files={"file": ("b.zip", buf.getvalue())}, headers=city)
    assert r.status_code == 422 and "路径不安全" in r.json()["detail"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.csv", b"0" * (401 * 1024 * 1024))  # compresses to ~400 KB
    r = c.post("/api/v1/import", files={"file": ("bomb.zip", buf.getvalue())}, headers=city)
    assert r.status_code == 422 and "400 MB" in r.json()["detail"]
