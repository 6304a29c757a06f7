"""A bad token expiry is invalid data: 422 with its own reason, whatever is wrong with it
(review S, B11: ``-1d`` and ``2026-02-30`` answered 400 with the format message, ``9999d``
422). A date in the right format that no calendar has says so, for an expiry and for a date
of a request body (``POST /projects/{id}/land``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

P = "project:1366:robot:2"  # 长兴县 (sample data)


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "市链长办")
    with TestClient(
        create_app(settings, seeded, auth), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c, auth
    auth.close()


@pytest.mark.parametrize(
    "expires, says",
    [
        ("-1d", "有效期必须大于 0：'-1d'"),
        ("0d", "有效期必须大于 0"),
        ("2026-02-30", "不是日历上的日期：'2026-02-30'"),
        ("2026-13-01", "不是日历上的日期：'2026-13-01'"),
        ("2026-02-30T09:00", "不是日历上的日期：'2026-02-30'"),
        ("9999d", "有效期最长 10 年"),
        ("明天", "有效期格式应为 30d、12h、2w 或日期 YYYY-MM-DD：'明天'"),
        ("2020-01-01", "有效期 2020-01-01 已经过去"),
    ],
)
def test_every_bad_expiry_is_422_with_its_reason(
    api: tuple[TestClient, AuthStore], expires: str, says: str
) -> None:
    c, auth = api
    n, rows = auth.count(), len(auth.audit_log(1000))
    r = c.post("/api/v1/tokens", json={"role": "city", "name": "x", "expires": expires})
    assert r.status_code == 422, r.text
    assert says in r.json()["detail"] and r.headers["content-type"] == "application/problem+json"
    assert auth.count() == n and len(auth.audit_log(1000)) == rows


def test_the_cli_says_the_same(tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(main, [*home, "init", "--no-sample"]).exit_code == 0
    res = runner.invoke(
        main, [*home, "token", "create", "--role", "city", "--expires", "2026-02-30"]
    )
    assert res.exit_code == 1 and "错误：不是日历上的日期：'2026-02-30'" in res.output


def test_a_body_date_no_calendar_has(api: tuple[TestClient, AuthStore]) -> None:
    c, _ = api
    r = c.post(f"/api/v1/projects/{P}/land", json={"date": "2026-02-30"})
    assert r.status_code == 422
    assert r.json()["detail"] == "date：不是日历上的日期：'2026-02-30'"
    r = c.post(f"/api/v1/projects/{P}/land", json={"date": "2026/02/03"})
    assert r.status_code == 422 and "date：日期格式应为 YYYY-MM-DD" in r.json()["detail"]
