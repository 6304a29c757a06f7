"""The whole audit log can be read (review S, B16): ``GET /api/v1/audit`` pages with ``skip`` or
``before=<id>`` (keyset) past the newest 1,000 rows, filters by actor (a token's name or id),
target and office days, and ``count`` is how many rows the filters keep; the audit page pages
by keyset and filters the same way."""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers

ROWS = 1_205


def _fill(path: Path) -> None:
    """``ROWS`` old rows: two actors by turns (甲 aaaaaaaaaaaa, 乙 bbbbbbbbbbbb), one a day
    from 2026-01-01 00:30 Beijing time (2025-12-31 16:30 UTC), targets t0…t9."""
    first = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    rows = [
        (
            (first + timedelta(days=i)).isoformat(),
            "甲" if i % 2 else "乙",
            "aaaaaaaaaaaa" if i % 2 else "bbbbbbbbbbbb",
            f"t{i % 10}",
        )
        for i in range(ROWS)
    ]
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO audit (at, actor, token_id, role, method, path, target, status) "
        "VALUES (?,?,?,'city','POST','/api/v1/x',?,'done')",
        rows,
    )
    db.commit()
    db.close()


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    _fill(tmp_path / "auth.db")
    token = auth.create("city", [], "审计员")
    with TestClient(
        create_app(settings, seeded, auth), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c, auth
    auth.close()


def test_every_row_is_reachable_by_keyset_and_by_skip(api: tuple[TestClient, AuthStore]) -> None:
    c, _ = api
    seen: list[int] = []
    before: int | None = None
    while True:
        query = {"limit": 500} | ({"before": before} if before else {})
        page = c.get("/api/v1/audit", params=query).json()
        assert page["count"] == ROWS
        if not page["data"]:
            break
        seen += [r["id"] for r in page["data"]]
        before = page["data"][-1]["id"]
    assert seen == list(range(ROWS, 0, -1))  # every row once, newest first
    tail = c.get("/api/v1/audit", params={"limit": 1000, "skip": 1000}).json()
    assert [r["id"] for r in tail["data"]] == list(range(ROWS - 1000, 0, -1))
    up = c.get("/api/v1/audit", params={"limit": 3, "after": 10}).json()["data"]
    assert [r["id"] for r in up] == [13, 12, 11]  # just newer, shown newest first


def test_filters_by_actor_target_and_days(api: tuple[TestClient, AuthStore]) -> None:
    c, auth = api
    rows = auth.audit_log(ROWS)
    by_name = c.get("/api/v1/audit", params={"actor": "甲", "limit": 1000}).json()
    assert by_name["count"] == sum(r["actor"] == "甲" for r in rows)
    assert {r["token_id"] for r in by_name["data"]} == {"aaaaaaaaaaaa"}
    by_id = c.get("/api/v1/audit", params={"actor": "bbbbbbbbbbbb"}).json()
    assert by_id["count"] == sum(r["token_id"] == "bbbbbbbbbbbb" for r in rows)
    target = c.get("/api/v1/audit", params={"target": "t3", "actor": "甲"}).json()
    assert target["count"] == sum(r["target"] == "t3" and r["actor"] == "甲" for r in rows)
    # office days: 2026-01-01 00:30 Beijing is stored as 2025-12-31T16:30 UTC
    day = c.get("/api/v1/audit", params={"since": "2026-01-01", "until": "2026-01-01"}).json()
    assert [r["at"] for r in day["data"]] == ["2025-12-31T16:30:00+00:00"]
    week = c.get("/api/v1/audit", params={"since": "2026-01-02", "until": "2026-01-08"}).json()
    assert week["count"] == 7 and week["data"][-1]["at"] == "2026-01-01T16:30:00+00:00"
    r = c.get("/api/v1/audit", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert r.status_code == 422 and "截止日期 2026-01-01 早于起始日期 2026-02-01" in r.text
    r = c.get("/api/v1/audit", params={"since": "2026-02-30"})
    assert r.status_code == 422 and r.json()["detail"].startswith("起始日期：")
    assert c.get("/api/v1/audit", params={"before": 0}).status_code == 422


def test_the_audit_page_filters_and_pages_by_keyset(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    _fill(tmp_path / "auth.db")
    ui = Browsers(seeded, settings, auth)
    try:
        city = ui.as_("city", name="审计页")
        page = city.get("/ui/admin/audit").text
        assert "共 1205 条" in page and 'class="muted token-id"' in page
        # far back: follow the next link 20 times; each page is 50 rows of older ids
        last = None
        for _ in range(20):
            link = html.unescape(page.split('id="next"')[0].rsplit('href="', 1)[1][:-2])
            page = city.get(link).text
            ids = [int(x) for x in _ids(page)]
            assert len(ids) == 50 and (last is None or ids[0] == last - 1)
            last = ids[-1]
        # the token id links to that token's rows
        only = city.get("/ui/admin/audit?actor=aaaaaaaaaaaa").text
        assert f"共 {ROWS // 2} 条（已筛选）" in only and ">bbbbbbbbbbbb<" not in only
        assert 'id="clear"' in only
        day = city.get("/ui/admin/audit?since=2026-01-01&until=2026-01-01&status=done").text
        assert "共 1 条（已筛选）" in day
        bad = city.get("/ui/admin/audit?since=2026-02-30")
        assert bad.status_code == 422 and "不是日历上的日期" in bad.text
        empty = city.get("/ui/admin/audit?since=&until=&actor=")  # an empty form: no filter
        assert empty.status_code == 200 and "共 1205 条" in empty.text
    finally:
        ui.close()
        auth.close()


def _ids(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [cell.split("<")[0] for cell in body.split('<td class="num">')[1:]]
