"""Token names people can tell apart, and audit rows that name the token (review S, B4, B10,
C3, C10): a new token's name is 1–60 visible characters, not one a live token carries; each
audit row keeps the actor's token id (an older auth.db's rows stay readable); revoking twice
is refused; the creation row's target is the new token."""

from __future__ import annotations

import sqlite3
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


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], "市链长办甲")
    with TestClient(
        create_app(settings, seeded, auth), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c, auth
    auth.close()


@pytest.mark.parametrize(
    "name, status, says",
    [
        (" ", 422, "令牌名称不能为空白"),
        ("a" * 100_000, 422, "name：最多 60 个字（现有 100000 个）"),
        ("a" * 61, 422, "最多 60 个字"),
        ("x\u202eevil", 422, "U+202E"),
        ("长兴\u200b招商", 422, "U+200B"),
        ("\u3164", 422, "U+3164"),  # a Hangul filler: shows nothing
        ("长兴\n招商", 422, "换行"),
        ("市链长办甲", 409, "令牌名称「市链长办甲」已被有效令牌"),
        (" 市链长办甲 ", 409, "已被有效令牌"),  # the spaces around do not make it another name
        ("ＣＩＴＹ", 409, "已被有效令牌"),  # full-width letters read as CITY
    ],
)
def test_api_refuses_names_people_cannot_tell_apart(
    api: tuple[TestClient, AuthStore], name: str, status: int, says: str
) -> None:
    c, auth = api
    auth.create("district", ["长兴县"], "city")
    tokens, rows = auth.count(), len(auth.audit_log(1000))
    r = c.post("/api/v1/tokens", json={"role": "city", "name": name})
    assert r.status_code == status, r.text
    assert says in r.json()["detail"] and r.headers["content-type"] == "application/problem+json"
    assert auth.count() == tokens and len(auth.audit_log(1000)) == rows  # nothing written


def test_names_are_trimmed_sixty_fit_and_a_revoked_name_is_free(
    api: tuple[TestClient, AuthStore],
) -> None:
    c, _ = api
    r = c.post("/api/v1/tokens", json={"role": "city", "name": "  长兴 招商  "})
    assert r.status_code == 201 and r.json()["name"] == "长兴 招商"
    assert c.post("/api/v1/tokens", json={"role": "city", "name": "名" * 60}).status_code == 201
    gone = r.json()["id"]
    assert c.delete(f"/api/v1/tokens/{gone}").status_code == 200
    again = c.post("/api/v1/tokens", json={"role": "city", "name": "长兴 招商"})
    assert again.status_code == 201  # only live tokens hold their names


def test_unnamed_tokens_get_names_of_their_own(api: tuple[TestClient, AuthStore]) -> None:
    c, _ = api
    names = [c.post("/api/v1/tokens", json={"role": "city"}).json()["name"] for _ in range(3)]
    assert names == ["city:全市", "city:全市（2）", "city:全市（3）"]


def test_audit_rows_name_the_token_and_the_new_token(api: tuple[TestClient, AuthStore]) -> None:
    c, auth = api
    me = c.get("/api/v1/tokens").json()["data"][0]["id"]
    made = c.post("/api/v1/tokens", json={"role": "district", "scope": ["长兴县"]}).json()
    row = c.get("/api/v1/audit").json()["data"][0]
    assert row["path"] == "/api/v1/tokens" and row["status"] == "done"
    assert row["actor"] == "市链长办甲" and row["token_id"] == me
    assert row["target"] == made["id"]  # C10: the new token's id, not null
    # a second token of the same holder is told apart by its id (B4)
    other = auth.create("city", [], "市链长办乙")
    c2 = {"Authorization": f"Bearer {other}"}
    c.delete(f"/api/v1/tokens/{made['id']}", headers=c2)
    row = c.get("/api/v1/audit").json()["data"][0]
    assert row["token_id"] == auth.principal(other).token_id != me


def test_revoking_twice_is_refused_without_a_second_row(api: tuple[TestClient, AuthStore]) -> None:
    c, auth = api
    made = c.post("/api/v1/tokens", json={"role": "city", "name": "一次"}).json()
    first = c.delete(f"/api/v1/tokens/{made['id']}")
    assert first.status_code == 200
    rows = len(auth.audit_log(1000))
    again = c.delete(f"/api/v1/tokens/{made['id']}")
    assert again.status_code == 409 and "令牌已吊销" in again.json()["detail"]
    assert len(auth.audit_log(1000)) == rows
    assert auth.token(made["id"]).revoked == first.json()["revoked"]  # the first time stays


def test_an_older_auth_db_keeps_its_rows_readable(tmp_path: Path) -> None:
    """An auth.db from before token ids: its rows read with ``token_id`` null; new rows get it."""
    path = tmp_path / "auth.db"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
               scope TEXT NOT NULL, created TEXT NOT NULL, expires TEXT, revoked TEXT);
           CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
               actor TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
               target TEXT, before TEXT, after TEXT, status TEXT NOT NULL DEFAULT 'done',
               finished TEXT, error TEXT);
           INSERT INTO audit (at, actor, role, method, path, target)
               VALUES ('2026-01-05T01:00:00+00:00', 'city:全市', 'city', 'POST',
                       '/api/v1/tokens', NULL);"""
    )
    db.close()
    auth = AuthStore(path)
    old = auth.audit_log(10)
    assert len(old) == 1 and old[0]["actor"] == "city:全市" and old[0]["token_id"] is None
    token = auth.create("city", [], "新")
    who = auth.principal(token)
    auth.audit(who, "POST", "/api/v1/x", "t", None, {})
    assert auth.audit_log(1)[0]["token_id"] == who.token_id
    auth.close()


def test_cli_token_create_checks_names_too(tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(main, [*home, "init", "--no-sample"]).exit_code == 0

    def create(*name: str) -> tuple[int, str]:
        res = runner.invoke(main, [*home, "token", "create", "--role", "city", *name])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        return res.exit_code, res.output

    assert create("--name", "长兴招商")[0] == 0
    code, out = create("--name", "长兴招商")
    assert code == 1 and "错误：令牌名称「长兴招商」已被有效令牌" in out
    code, out = create("--name", "x\u202eevil")
    assert code == 1 and "U+202E" in out
    code, out = create("--name", "   ")
    assert code == 1 and "令牌名称不能为空白" in out
    assert create()[0] == 0 and create()[0] == 0  # unnamed: city:全市, city:全市（2）
    auth = AuthStore(tmp_path / "home" / "auth.db")
    assert sorted(t.name for t in auth.tokens()) == ["city:全市", "city:全市（2）", "长兴招商"]
    first = auth.tokens()[0].id
    auth.close()
    assert runner.invoke(main, [*home, "token", "revoke", first]).exit_code == 0
    again = runner.invoke(main, [*home, "token", "revoke", first])
    assert again.exit_code == 1 and f"错误：令牌已吊销：{first}" in again.output
