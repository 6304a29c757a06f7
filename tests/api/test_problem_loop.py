"""The problem loop routes to a role (#16): every role × level × step, allowed or refused (403
naming the role needed, nothing changed); 特别重大 is the 总链长's and cannot skip 督办; 督办 and
回头看 are the 市链长办's; the 回头看 list; the 五未 督办 items; the office's settings labelled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.rules import Grace
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.ledger import project_row, stall_of
from chainatlas.graph.workflows.problems import ROUTING, raise_problem, step
from chainatlas.graph.workflows.supervision import SEED
from tests.conftest import shared_or_skip

#: who is who: (role, scope)
PEOPLE = {
    "总链长": ("chief", []),
    "市链长办": ("city", []),
    "链长·储能": ("chain-leader", ["1366:storage"]),
    "链长·生物医药": ("chain-leader", ["1366:bio"]),
    "牵头部门·储能": ("chain", ["1366:storage"]),
    "牵头部门·生物医药": ("chain", ["1366:bio"]),
    "区级链长·长兴": ("district-leader", ["长兴县"]),
    "区级链长·德清": ("district-leader", ["德清县"]),
    "区级链长办·长兴": ("district-office", ["长兴县"]),
    "区级链长办·德清": ("district-office", ["德清县"]),
    "招商团队·长兴": ("district", ["长兴县"]),
}
#: written out by hand from seed 000 §四.四 (not computed from the role table): who may take
#: 交办 / 反馈 / 办结 of a problem on a 长兴县 project of the storage chain, by level
MAY_HANDLE = {
    "一般": {
        "总链长",
        "市链长办",
        "链长·储能",
        "牵头部门·储能",
        "区级链长·长兴",
        "区级链长办·长兴",
    },
    "重大": {"总链长", "市链长办", "链长·储能"},
    "特别重大": {"总链长"},
}
MAY_SUPERVISE = {"总链长", "市链长办"}
#: the states a problem passes before each step (taken directly in the graph)
BEFORE = {"交办": [], "督办": ["交办"], "反馈": ["交办", "督办"], "办结": ["交办", "督办", "反馈"]}
#: the role the refusal must name
NAMED = {"一般": "产业链牵头部门", "重大": "链长", "特别重大": "总链长"}


@pytest.fixture
def world(
    seeded: EmbeddedStore, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], EmbeddedStore, AuthStore]]:
    with seeded.batch() as b:
        b.upsert_nodes([Node("project:P", "Project", {"name": "测试项目", "region": "长兴县"})])
        b.upsert_relationships([Relationship("project:P", "IN_CHAIN", "1366:storage")])
    auth = AuthStore(tmp_path / "auth.db")
    heads = {
        who: {"Authorization": f"Bearer {auth.create(role, scope, who)}"}
        for who, (role, scope) in PEOPLE.items()
    }
    settings = Settings(home=tmp_path / "home", review_after_days=0)
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, heads, seeded, auth
    auth.close()


def _problem(store: EmbeddedStore, level: str, title: str, states: list[str], **where: Any) -> str:
    p = raise_problem(store, title, level, **(where or {"project": "project:P"}))
    for s in states:
        step(store, p.id, s)
    return p.id


@pytest.mark.parametrize("to", list(BEFORE))
@pytest.mark.parametrize("level", list(MAY_HANDLE))
def test_who_may_take_each_step(world, level: str, to: str) -> None:  # type: ignore[no-untyped-def]
    client, heads, store, auth = world
    allowed = MAY_SUPERVISE if to == "督办" else MAY_HANDLE[level]
    for who, h in heads.items():
        pid = _problem(store, level, f"问题-{who}", BEFORE[to])
        before = store.require_node(pid).props
        rows = len(auth.audit_log())
        r = client.post(f"/api/v1/problems/{pid}/step", json={"to": to}, headers=h)
        if who in allowed:
            assert r.status_code == 200, (who, r.text)
            assert r.json()["props"]["status"] == to
        else:
            assert r.status_code == 403, (who, r.text)
            detail = r.json()["detail"]
            assert "当前令牌为" in detail
            assert ("市链长办" if to == "督办" else NAMED[level]) in detail, detail
            assert store.require_node(pid).props == before  # nothing changed
            assert len(auth.audit_log()) == rows  # refused before the audit row


def test_a_district_team_cannot_walk_a_very_major_problem_and_nobody_skips_supervision(
    world,  # type: ignore[no-untyped-def]
) -> None:
    client, heads, store, _ = world
    r = client.post(
        "/api/v1/problems",
        json={"title": "重大用地缺口", "level": "特别重大", "project": "project:P"},
        headers=heads["招商团队·长兴"],
    )
    assert r.status_code == 201  # collecting is every role's, in its scope
    pid = r.json()["id"]

    def go(who: str, to: str) -> Any:
        return client.post(f"/api/v1/problems/{pid}/step", json={"to": to}, headers=heads[who])

    for to in ("交办", "反馈", "办结"):
        refused = go("招商团队·长兴", to)
        assert refused.status_code == 403
        assert "须由总链长（一事一议）办理" in refused.json()["detail"]
    assert go("市链长办", "交办").status_code == 403  # 特别重大 is above the city office
    assert go("总链长", "交办").status_code == 200
    assert go("总链长", "反馈").status_code == 200
    kept = store.require_node(pid).props
    skipped = go("总链长", "办结")  # 交办 → 反馈 → 办结 without 督办
    assert skipped.status_code == 400 and "须经市链长办督办后才能办结" in skipped.json()["detail"]
    assert store.require_node(pid).props == kept
    assert go("市链长办", "督办").status_code == 200
    assert go("总链长", "反馈").status_code == 200
    done = go("总链长", "办结")
    assert done.status_code == 200 and done.json()["props"]["status"] == "办结"


def test_an_escalated_problem_moves_up_and_out_of_the_lead_departments_hands(world) -> None:  # type: ignore[no-untyped-def]
    client, heads, store, _ = world
    pid = _problem(store, "一般", "能耗指标", ["交办", "督办"])
    r = client.post(
        f"/api/v1/problems/{pid}/step",
        json={"to": "反馈", "escalate": "重大"},
        headers=heads["牵头部门·储能"],
    )
    assert r.status_code == 200 and r.json()["props"]["level"] == "重大"
    again = client.post(
        f"/api/v1/problems/{pid}/step", json={"to": "办结"}, headers=heads["牵头部门·储能"]
    )
    assert again.status_code == 403 and "链长" in again.json()["detail"]
    ok = client.post(
        f"/api/v1/problems/{pid}/step", json={"to": "办结"}, headers=heads["链长·储能"]
    )
    assert ok.status_code == 200


def test_a_major_problem_with_no_chain_goes_to_the_city_office(world) -> None:  # type: ignore[no-untyped-def]
    client, heads, store, _ = world
    r = client.post(
        "/api/v1/problems",
        json={"title": "跨链用能", "level": "重大", "region": "长兴县"},
        headers=heads["区级链长办·长兴"],
    )
    assert r.status_code == 201 and r.json()["props"]["assignee"].startswith("市链长办")
    pid = r.json()["id"]
    for who, status in (("链长·储能", 403), ("区级链长办·长兴", 403), ("市链长办", 200)):
        got = client.post(f"/api/v1/problems/{pid}/step", json={"to": "交办"}, headers=heads[who])
        assert got.status_code == status, (who, got.text)


# ---- 回头看 -----------------------------------------------------------------------------------
def test_review_is_its_own_list_and_step_for_the_city_office(world) -> None:  # type: ignore[no-untyped-def]
    client, heads, store, auth = world
    done = _problem(store, "一般", "用电增容", ["交办", "督办", "反馈", "办结"])
    fine = _problem(store, "一般", "道路配套", ["交办", "反馈", "办结"])
    _problem(store, "一般", "尚未办结", ["交办"])
    listed = client.get("/api/v1/problems", params={"review": True}, headers=heads["市链长办"])
    rows = {p["id"]: p["props"] for p in listed.json()["data"]}
    assert set(rows) == {done, fine}  # closed ones only: review_after_days=0 makes them due
    assert rows[done]["review_on"] == date.today().isoformat()
    assert rows[done]["review_basis"].startswith("本办设置：办结后 0 天回头看")

    def review(who: str, pid: str, result: str) -> Any:
        return client.post(
            f"/api/v1/problems/{pid}/review", json={"result": result}, headers=heads[who]
        )

    rows_before = len(auth.audit_log())
    refused = review("牵头部门·储能", done, "见效")
    assert refused.status_code == 403 and "市链长办" in refused.json()["detail"]
    assert len(auth.audit_log()) == rows_before
    assert review("市链长办", fine, "见效").json()["props"]["review_result"] == "见效"
    reopened = review("总链长", done, "未见效").json()["props"]
    assert reopened["status"] == "督办" and "closed" not in reopened
    left = client.get("/api/v1/problems", params={"review": True}, headers=heads["市链长办"])
    assert left.json()["count"] == 0
    # reopened, it must be answered and closed again by its handler
    h = heads["牵头部门·储能"]
    assert client.post(f"/api/v1/problems/{done}/step", json={"to": "反馈"}, headers=h).is_success
    assert client.post(f"/api/v1/problems/{done}/step", json={"to": "办结"}, headers=h).is_success
    again = client.get("/api/v1/problems", params={"review": True}, headers=heads["市链长办"])
    assert [p["id"] for p in again.json()["data"]] == [done]  # due again after the new 办结
    open_one = review("市链长办", _problem(store, "一般", "未办结", ["交办"]), "见效")
    assert open_one.status_code == 400 and "只有办结的问题才回头看" in open_one.json()["detail"]


# ---- 五未 督办 items over HTTP -----------------------------------------------------------------
def _stalled_today(store: EmbeddedStore) -> set[tuple[str, str]]:
    out = set()
    for p in store.find_nodes("Project"):
        s = stall_of(project_row(store, p), date.today(), Grace())
        if s:
            out.add((p.id, s))
    return out


def test_stalled_projects_raise_supervision_items_once(world) -> None:  # type: ignore[no-untyped-def]
    client, heads, store, auth = world
    stalled = _stalled_today(store)
    assert stalled  # the sample ledger has stalled projects
    before = store.counts()
    refused = client.post("/api/v1/problems/supervise", headers=heads["牵头部门·储能"])
    assert refused.status_code == 403 and "市链长办" in refused.json()["detail"]
    assert store.counts() == before
    r = client.post("/api/v1/problems/supervise", headers=heads["市链长办"])
    assert r.status_code == 200 and len(r.json()["opened"]) == len(stalled)
    items = store.find_nodes("Problem", {"source": "五未"})
    assert {(n.props["project"], n.props["stall"]) for n in items} == stalled
    assert all(n.props["status"] == "督办" for n in items)
    again = client.post("/api/v1/problems/supervise", headers=heads["总链长"]).json()
    assert again == {"opened": [], "reopened": [], "closed": []}
    assert auth.audit_log()[0]["target"] == "五未督办"
    month = date.today().strftime("%Y-%m")
    listed = client.get(
        "/api/v1/problems/supervision", params={"month": month}, headers=heads["招商团队·长兴"]
    ).json()
    assert listed["count"] == len(stalled) and listed["seed"] == SEED
    # an item is answered by its handler like any 一般 matter, but never closed by hand
    item = items[0]
    assert client.post(
        f"/api/v1/problems/{item.id}/step", json={"to": "反馈"}, headers=heads["市链长办"]
    ).is_success
    hand = client.post(
        f"/api/v1/problems/{item.id}/step", json={"to": "办结"}, headers=heads["市链长办"]
    )
    assert hand.status_code == 400 and "自动办结" in hand.json()["detail"]


# ---- the rules as the seed and the office give them ----------------------------------------------
def test_rules_quote_the_seed_and_label_the_offices_settings(world) -> None:  # type: ignore[no-untyped-def]
    client, heads, _, _ = world
    seed = shared_or_skip("seeds", "000_1bff7c389d9baca2.txt").read_text("utf-8")
    r = client.get("/api/v1/problems/rules", headers=heads["招商团队·长兴"]).json()
    for row in r["routing"]:
        assert row["seed"] == ROUTING[row["level"]] and row["seed"] in seed
    assert "采取“一事一议”，报总链长协调解决" in seed
    assert r["supervise"]["seed"] in seed and "定期开展“回头看”" in seed
    assert [s["basis"] for s in r["settings"]] == ["本办设置"] * len(r["settings"])
    assert {s["name"] for s in r["settings"]} >= {"一般问题办理时限", "回头看：办结后天数"}
    p = client.post(
        "/api/v1/problems",
        json={"title": "期限", "level": "重大", "project": "project:P"},
        headers=heads["市链长办"],
    ).json()["props"]
    assert p["due_basis"] == "本办设置：重大问题 15 天"


# ---- the command line ------------------------------------------------------------------------
@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        res = runner.invoke(
            main,
            ["--home", str(tmp_path / "home"), *args],
            env={"CHAINATLAS_REVIEW_AFTER_DAYS": "0"},
        )
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert (res.exit_code == 0) == ok, res.output
        return res

    _run("init")
    return _run


def test_cli_acts_as_a_role_and_keeps_the_same_rules(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run("problems", "add", "重大事项", "--level", "特别重大", "--region", "长兴县").output
    pid = out.split("：")[0]
    assert "本办设置：特别重大问题 7 天" in out
    refused = run("problems", "step", pid, "交办", ok=False).output  # as 市链长办 by default
    assert "须由总链长（一事一议）办理" in refused and "当前令牌为市链长办" in refused
    team = run("problems", "step", pid, "交办", "--role", "招商团队", "--scope", "长兴县", ok=False)
    assert "区县招商团队（长兴县）" in team.output
    run("problems", "step", pid, "交办", "--role", "总链长")
    run("problems", "step", pid, "督办")
    run("problems", "step", pid, "反馈", "--role", "总链长")
    run("problems", "step", pid, "办结", "--role", "总链长")
    review = run("problems", "list", "--review").output
    assert "本办设置：办结后 0 天回头看" in review and pid in review
    assert (
        "区级链长办"
        in run(
            "problems", "review", pid, "见效", "--role", "区级链长办", "--scope", "长兴县", ok=False
        ).output
    )
    run("problems", "review", pid, "见效")
    assert pid not in run("problems", "list", "--review").output
    auth = AuthStore(tmp_path / "home" / "auth.db")
    log = auth.audit_log()
    auth.close()
    # add (audited like POST /problems), the four steps, the review; refusals write nothing
    assert [x["method"] for x in log] == ["CLI"] * 6 and log[0]["path"].endswith("见效")


def test_cli_supervise_is_idempotent(run) -> None:  # type: ignore[no-untyped-def]
    assert "新增 0" not in run("problems", "supervise").output
    assert "新增 0，重新督办 0，办结 0" in run("problems", "supervise").output
    refused = run("problems", "supervise", "--role", "链长", "--scope", "1366:icv", ok=False)
    assert "生成五未督办事项由市链长办或总链长办理" in refused.output


def test_the_monthly_report_shows_the_items_the_system_raised(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import io

    import pandas as pd

    from chainatlas.api.supervisor import sync_as_system

    client, heads, store, auth = world
    stalled = _stalled_today(store)
    month = date.today().strftime("%Y-%m")
    h = heads["招商团队·长兴"]  # any reader; the items do not depend on who asks
    empty = client.get("/api/v1/ledger/report", params={"month": month}, headers=h).json()
    assert empty["supervision"] == [] and auth.audit_log() == []  # a read raises nothing
    sync_as_system(store, Grace(), auth, tmp_path)  # what the service does by itself
    r = client.get("/api/v1/ledger/report", params={"month": month}, headers=h).json()
    assert {(x["project"], x["stall"]) for x in r["supervision"]} == stalled
    assert {x["supervisor"] for x in r["supervision"]} == {"市链长办"}
    assert [(x["target"], x["actor"]) for x in auth.audit_log()] == [
        ("五未督办", "系统（五未督办）")
    ]
    again = client.get("/api/v1/ledger/report", params={"month": month}, headers=h)
    assert len(again.json()["supervision"]) == len(stalled)
    assert len(auth.audit_log()) == 1  # nothing changed, nothing written
    book = client.get("/api/v1/ledger/report", params={"month": month, "format": "xlsx"}, headers=h)
    sheet = pd.read_excel(io.BytesIO(book.content), sheet_name="五未督办")
    assert len(sheet) == len(stalled) and set(sheet["督办"]) == {"市链长办"}


def test_cli_ledger_report_shows_the_items(run) -> None:  # type: ignore[no-untyped-def]
    import json

    month = date.today().strftime("%Y-%m")
    run("ledger", "sync")  # cron's way when no service runs
    r = json.loads(run("ledger", "report", "--month", month).output)
    assert r["supervision"] and {x["state"] for x in r["supervision"]} <= {
        "本月新增",
        "持续督办",
        "本月解除",
    }
    assert "新增 0，重新督办 0，办结 0" in run("problems", "supervise").output  # already raised
    listed = run("problems", "list").output
    assert all(x["id"] in listed for x in r["supervision"])
