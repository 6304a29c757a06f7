"""Tokens: scopes checked against the graph and against the role (CLI and API), list and
revoke by id, expiry — and a revoked or expired token stops working at once in the process
that revoked it (the principal cache is not a way around it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.auth import OFFICE_TZ, AuthStore, Unauthorized, parse_expiry
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore


# ---- the command line -------------------------------------------------------------------------
@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        res = runner.invoke(main, ["--home", str(tmp_path / "home"), *args])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        if ok:
            assert res.exit_code == 0, res.output
        else:
            assert res.exit_code != 0, res.output
        return res

    _run("init", "--no-sample")
    return _run


@pytest.mark.parametrize(
    "args, says",
    [
        (["--role", "district", "--scope", "火星"], "区县「火星」不在图谱中"),
        (["--role", "district", "--scope", "湖州市"], "不是区、县或功能区"),
        (["--role", "city", "--scope", "长兴县"], "范围是全市"),
        (["--role", "chain", "--scope", "火星产业"], "图谱中没有产业链「火星产业」"),
        (["--role", "chain"], "需要范围"),
        (["--role", "district", "--scope", "长兴县", "--expires", "明天"], "有效期格式"),
        (["--role", "district", "--scope", "长兴县", "--expires", "2020-01-01"], "已经过去"),
    ],
)
def test_cli_refuses_scopes_that_do_not_fit(run, tmp_path: Path, args, says: str) -> None:  # type: ignore[no-untyped-def]
    res = run("token", "create", *args, ok=False)
    assert says in res.output
    auth = AuthStore(tmp_path / "home" / "auth.db")
    assert auth.count() == 0  # nothing made
    auth.close()


def test_cli_list_and_revoke(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tok = run(
        "token", "create", "--role", "district", "--scope", "长兴县", "--name", "长兴招商",
        "--expires", "30d",
    ).output.strip()  # fmt: skip
    run("token", "create", "--role", "chain", "--scope", "1366:storage", "--name", "储能链")
    auth = AuthStore(tmp_path / "home" / "auth.db")
    who = auth.principal(tok)
    listing = run("token", "list").output
    line = next(x for x in listing.splitlines() if "长兴招商" in x)
    token_id = line.split("\t")[0]
    assert token_id == who.token_id and len(token_id) == 12
    assert "区县招商团队" in line and "长兴县" in line and "有效" in line
    assert "储能链" in listing
    # never the token, never its whole hash
    import hashlib

    assert tok not in listing and hashlib.sha256(tok.encode()).hexdigest() not in listing
    # expiry shown in Beijing time, as the pages show it: about 30 days from now
    expires = datetime.strptime(line.split("\t")[5], "%Y-%m-%d %H:%M").replace(tzinfo=OFFICE_TZ)
    assert timedelta(days=29) < expires - datetime.now(UTC) < timedelta(days=31)
    created = datetime.strptime(line.split("\t")[4], "%Y-%m-%d %H:%M").replace(tzinfo=OFFICE_TZ)
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)
    out = run("token", "revoke", token_id).output
    assert "已吊销" in out
    with pytest.raises(Unauthorized, match="吊销"):
        AuthStore(tmp_path / "home" / "auth.db").principal(tok)
    assert "长兴招商" not in run("token", "list").output
    assert "已吊销" in run("token", "list", "--all").output
    assert "没有编号为" in run("token", "revoke", "0123456789ab", ok=False).output
    auth.close()


# ---- the store --------------------------------------------------------------------------------
def test_expired_tokens_stop_working(tmp_path: Path) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    tok = auth.create("city", [], expires=datetime.now(UTC) + timedelta(hours=1))
    assert auth.principal(tok).role == "city"
    # the clock moves past the expiry: the cached principal is not used any more
    auth._db.execute(
        "UPDATE tokens SET expires=?", ((datetime.now(UTC) - timedelta(1)).isoformat(),)
    )
    auth._known.clear()
    with pytest.raises(Unauthorized, match="过期"):
        auth.principal(tok)
    with pytest.raises(ChainAtlasError):
        auth.create("city", [], expires=datetime.now(UTC) - timedelta(seconds=1))
    auth.close()


def test_revoke_is_immediate_in_process_despite_the_cache(tmp_path: Path) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    tok = auth.create("district", ["长兴县"])
    who = auth.principal(tok)  # now remembered for CACHE_SECONDS
    sid, _ = auth.open_session(tok)
    assert auth.session(sid) == who
    auth.revoke(who.token_id)
    with pytest.raises(Unauthorized):
        auth.principal(tok)
    with pytest.raises(Unauthorized):
        auth.session(sid)  # its web sessions ended with it
    auth.close()


def test_parse_expiry() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert parse_expiry("30d", now=now) == now + timedelta(days=30)
    assert parse_expiry("12h", now=now) == now + timedelta(hours=12)
    assert parse_expiry("2周", now=now) == now + timedelta(days=14)
    # through that day in Beijing, whatever the server's zone: 2026-05-31 16:00 UTC
    assert parse_expiry("2026-05-31", now=now) == datetime(2026, 5, 31, 16, tzinfo=UTC)
    assert parse_expiry("2026-05-31T09:00", now=now) == datetime(2026, 5, 31, 1, tzinfo=UTC)
    for bad in ("0d", "明天", "2026-02-30", "2026-04-30"):
        with pytest.raises(ChainAtlasError):
            parse_expiry(bad, now=now)


# ---- the API ----------------------------------------------------------------------------------
@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str], AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    city = {"Authorization": f"Bearer {auth.create('city', [], '链长办')}"}
    district = {"Authorization": f"Bearer {auth.create('district', ['长兴县'], '长兴')}"}
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, city, district, auth
    auth.close()


def test_api_tokens_are_the_city_offices(api) -> None:  # type: ignore[no-untyped-def]
    c, _, district, _ = api
    for r in (
        c.get("/api/v1/tokens", headers=district),
        c.post("/api/v1/tokens", json={"role": "city"}, headers=district),
        c.delete("/api/v1/tokens/0123456789ab", headers=district),
    ):
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "链长办" in r.json()["detail"]


def test_api_create_list_revoke(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _, _ = api
    r = c.post(
        "/api/v1/tokens",
        json={"role": "chain", "scope": ["新能源与新型储能"], "name": "储能链", "expires": "7d"},
        headers=city,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["scope"] == ["1366:storage"] and made["status"] == "有效" and made["expires"]
    new = {"Authorization": f"Bearer {made['token']}"}
    assert c.get("/api/v1/chains", headers=new).status_code == 200
    listed = c.get("/api/v1/tokens", headers=city).json()
    assert made["id"] in [t["id"] for t in listed["data"]] and listed["count"] == 3
    assert made["token"] not in str(listed)
    # revoked: refused at once, although it was just used (and so remembered)
    gone = c.delete(f"/api/v1/tokens/{made['id']}", headers=city)
    assert gone.status_code == 200 and gone.json()["status"] == "已吊销"
    r = c.get("/api/v1/chains", headers=new)
    assert r.status_code == 401 and "吊销" in r.json()["detail"]
    assert c.delete("/api/v1/tokens/ffffffffffff", headers=city).status_code == 404
    # both writes are in the audit log
    log = c.get("/api/v1/audit", headers=city).json()["data"]
    assert [x["path"] for x in log[:2]] == [f"/api/v1/tokens/{made['id']}", "/api/v1/tokens"]
    assert all(x["status"] == "done" for x in log[:2])


@pytest.mark.parametrize(
    "body, says",
    [
        ({"role": "district", "scope": ["火星"]}, "火星"),
        ({"role": "city", "scope": ["长兴县"]}, "范围是全市"),
        ({"role": "chain", "scope": []}, "需要范围"),
        ({"role": "chain", "scope": ["火星产业"]}, "火星产业"),
        ({"role": "district", "scope": ["长兴县"], "expires": "昨天"}, "有效期"),
    ],
)
def test_api_refuses_scopes_that_do_not_fit(api, body, says: str) -> None:  # type: ignore[no-untyped-def]
    c, city, _, auth = api
    before = auth.count()
    r = c.post("/api/v1/tokens", json=body, headers=city)
    status = 422 if "expires" in body else 400  # an expiry is data: 422 (review S, B11)
    assert r.status_code == status and says in r.json()["detail"], r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert auth.count() == before
