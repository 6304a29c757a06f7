"""On the command line (#16): ``match --stored`` records 对接 (推荐), ``dockings status`` moves
one on within the caller's role and scope, ``dockings summary`` counts the needs met, and
``goals set|show|ranking`` keep a chain's 招商引资目标; the writes are audited."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.embedded import EmbeddedStore


def _runner(home: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> str:
        res = runner.invoke(main, ["--home", str(home), *args])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert (res.exit_code == 0) == ok, res.output
        return res.output

    return run


def _lists(home: Path) -> None:
    store = EmbeddedStore(home / "graph.db")
    land = {"kind": "土地", "region": "长兴县", "unit": "亩"}
    store.upsert_nodes(
        [
            Node("demand:land", "Demand", land | {"description": "二期用地", "quantity": 30}),
            Node("supply:plot", "Supply", land | {"description": "工业用地", "quantity": 60}),
        ]
    )
    store.upsert_relationships([Relationship("demand:land", "IN_CHAIN", "1366:storage")])
    store.close()


def test_match_stored_and_follow_up_on_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run = _runner(home)
    run("init", "--no-sample")
    _lists(home)
    out = run("match", "--stored", "--chain", "新能源与新型储能")
    assert "库内需求 1 条、供给 1 条：推荐对接 1（新增 1）" in out
    docking = "docking:demand:land:supply:plot"
    assert docking in out
    assert "新增 0" in run("match", "--stored")  # kept, not doubled
    refused = run(
        "dockings", "status", docking, "对接中", "--role", "招商团队", "--scope", "吴兴区", ok=False
    )
    assert "无权修改此记录" in refused
    run("dockings", "status", docking, "对接中", "--role", "招商团队", "--scope", "长兴县")
    assert "已落实" in run("dockings", "status", docking, "已落实", "--note", "已供地")
    rows = json.loads(run("dockings", "list", "--status", "已落实"))
    assert [r["id"] for r in rows] == [docking]
    summary = json.loads(run("dockings", "summary", "--month", f"{date.today():%Y-%m}"))
    assert (summary["demands"], summary["demands_met"]) == (1, 1)
    assert "--stored" in run("match", "a.xlsx", "--stored", ok=False)
    auth = AuthStore(home / "auth.db")
    paths = [x["path"] for x in auth.audit_log()]
    auth.close()
    assert paths[0] == f"chainatlas dockings status {docking} 已落实"
    assert "chainatlas match --stored --chain 新能源与新型储能" in paths


def test_goals_on_the_command_line(tmp_path: Path) -> None:
    run = _runner(tmp_path / "home")
    run("init", "--no-sample")
    year = str(date.today().year)
    refused = run(
        "goals",
        "set",
        "1366:bio",
        "--signed",
        "2",
        "--role",
        "牵头部门",
        "--scope",
        "1366:semi",
        ok=False,
    )
    assert "当前令牌为产业链牵头部门" in refused
    out = run(
        "goals", "set", "1366:bio", "--signed", "2", "--role", "牵头部门", "--scope", "1366:bio"
    )
    assert f"生物医药｜{year} 签约项目：目标 2个" in out
    shown = json.loads(run("goals", "show", "生物医药", "--year", year))
    assert shown["chain"] == "1366:bio" and shown["items"][0]["target"] == 2
    assert "目标 未设" in run("goals", "set", "1366:bio", "--clear", "signed")
    assert "未设目标" in run("goals", "ranking", "--year", year)
    assert "未知布局" in run("goals", "ranking", "--layout", "x", ok=False)
