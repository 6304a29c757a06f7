"""十个一 set and cleared per chain by the role that owns each slot (#16), over HTTP and on the
command line, audited; a refused or bad request changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.conftest import bearers

PEOPLE = {
    "总链长": ("chief", []),
    "市链长办": ("city", []),
    "链长·储能": ("chain-leader", ["1366:storage"]),
    "牵头部门·储能": ("chain", ["1366:storage"]),
    "牵头部门·生物医药": ("chain", ["1366:bio"]),
    "区级链长办·长兴": ("district-office", ["长兴县"]),
    "招商团队·长兴": ("district", ["长兴县"]),
}
#: written out by hand: who may set which slot of the storage chain
CITY_SLOTS = {"总链长", "市链长办", "链长·储能"}  # 一名市领导领衔, 一个部门牵头
CHAIN_SLOTS = {"总链长", "市链长办", "链长·储能", "牵头部门·储能"}  # the other eight


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], EmbeddedStore, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, heads, seeded, auth
    auth.close()


@pytest.mark.parametrize(
    "slot, value, owners",
    [("leader", "张副市长", CITY_SLOTS), ("一个行动方案", "储能链行动方案", CHAIN_SLOTS)],
)
def test_each_slot_is_set_by_its_owner_or_a_body_above(  # type: ignore[no-untyped-def]
    api, slot: str, value: str, owners: set[str]
) -> None:
    client, heads, store, auth = api
    url = f"/api/v1/chains/1366:storage/checklist/{slot}"
    for who, h in heads.items():
        before, rows = store.require_node("1366:storage").props, len(auth.audit_log())
        r = client.put(url, json={"value": f"{value}-{who}"}, headers=h)
        if who in owners:
            assert r.status_code == 200, (who, r.text)
            assert r.json()["present"] and r.json()["detail"] == f"{value}-{who}"
            assert auth.audit_log()[0]["target"] == "1366:storage"
        else:
            assert r.status_code == 403, (who, r.text)
            assert "当前令牌为" in r.json()["detail"] and "市链长办" in r.json()["detail"]
            assert store.require_node("1366:storage").props == before
            assert len(auth.audit_log()) == rows


def test_set_then_clear_shows_in_the_chains_checklist(api) -> None:  # type: ignore[no-untyped-def]
    client, heads, _, _ = api
    h = heads["牵头部门·储能"]

    def item(name: str) -> Any:
        r = client.get("/api/v1/chains/1366:storage/checklist", params={"month": "2026-10"})
        return next(x for x in r.json()["checklist"] if x["item"] == name)

    client.headers.update(h)
    put = client.put(
        "/api/v1/chains/新能源与新型储能/checklist/scenarios", json={"value": "虚拟电厂"}
    )
    assert put.status_code == 200 and put.json()["chain"] == "1366:storage"
    assert item("一批应用场景")["present"]
    gone = client.delete("/api/v1/chains/1366:storage/checklist/一批应用场景")
    assert gone.status_code == 200 and not gone.json()["present"]
    assert not item("一批应用场景")["present"]


@pytest.mark.parametrize(
    "url, body, status, says",
    [
        ("/api/v1/chains/1366:storage/checklist/篮球队", {"value": "x"}, 422, "一批应用场景"),
        ("/api/v1/chains/火星产业/checklist/plan", {"value": "x"}, 404, "火星产业"),
        ("/api/v1/chains/1366:storage/checklist/platforms", {"value": "火星"}, 422, "图谱中没有"),
        ("/api/v1/chains/1366:storage/checklist/plan", {"value": ""}, 422, ""),
    ],
)
def test_bad_requests_are_chinese_problems_and_write_nothing(  # type: ignore[no-untyped-def]
    api, url: str, body: dict[str, str], status: int, says: str
) -> None:
    client, heads, store, auth = api
    before = store.counts()
    r = client.put(url, json=body, headers=heads["市链长办"])
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json" and says in r.text
    assert store.counts() == before
    assert all(x["status"] == "failed" for x in auth.audit_log())  # tried, refused, recorded


def test_cli_sets_and_clears_audited(tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> str:
        res = runner.invoke(main, ["--home", str(tmp_path / "home"), *args])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert (res.exit_code == 0) == ok, res.output
        return res.output

    run("init", "--no-sample")
    assert "✓ 王副市长" in run("checklist", "set", "1366:icv", "一名市领导领衔", "王副市长")
    refused = run(
        "checklist",
        "set",
        "1366:icv",
        "leader",
        "李某",
        "--role",
        "牵头部门",
        "--scope",
        "1366:icv",
        ok=False,
    )
    assert "十个一「一名市领导领衔」由" in refused and "当前令牌为产业链牵头部门" in refused
    run("checklist", "set", "1366:icv", "plan", "方案", "--role", "牵头部门", "--scope", "1366:icv")
    assert "✗ 缺：链长（市领导）" in run("checklist", "clear", "1366:icv", "leader")
    shown = run("checklist", "show", "智能网联新能源汽车")
    assert '"slot": "plan"' in shown and '"detail": "方案"' in shown
    assert "一批链创平台" in run("checklist", "set", "--help")
    auth = AuthStore(tmp_path / "home" / "auth.db")
    log = auth.audit_log()
    auth.close()
    assert [x["path"] for x in log] == [
        "chainatlas checklist clear 1366:icv leader",
        "chainatlas checklist set 1366:icv plan",
        "chainatlas checklist set 1366:icv leader",
    ]
