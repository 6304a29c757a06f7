"""``chainatlas project …`` and the ledger's office settings from the command line (click's
runner, a temporary home with the seeds and sample data)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from chainatlas.api.cli import main

P = "project:1366:storage:1"  # a sample project


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("cli-project") / "home"
    res = CliRunner().invoke(main, ["--home", str(h), "init"])
    assert res.exit_code == 0, res.output
    return h


@pytest.fixture
def run(home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    import shutil

    mine = tmp_path / "home"
    shutil.copytree(home, mine)

    def _run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, ["--home", str(mine), *args], env=env)

    return _run


def test_follow_up_land_and_show(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run("project", "follow-up", P, "--note", "走访企业，协调用电", "--by", "长兴县投促局")
    assert r.exit_code == 0, r.output
    assert f"followup:{P}:0001" in r.output and "走访企业，协调用电" in r.output
    d = json.loads(run("project", "show", P).output)
    started = d["project"]["started"]
    land = (date.fromisoformat(started) - timedelta(days=2)).isoformat()
    r = run("project", "land", P, "--date", land, "--by", "自然资源局")
    assert r.exit_code == 0 and f"拿地日期 {land}" in r.output
    d = json.loads(run("project", "show", P).output)
    assert d["land_to_start"]["days"] == 2 and d["responsible_unit"].endswith("投资促进部门")
    notes = [f["note"] for f in d["follow_ups"]]
    assert notes[0] == "走访企业，协调用电"
    assert notes[1].endswith(f"更正为 {land}")  # the sample had a 拿地 date already
    out = tmp_path / "档案.html"
    r = run("project", "show", P, "--format", "html", "--out", str(out))
    assert r.exit_code == 0 and "项目档案：" in out.read_text("utf-8")
    assert "拿地后 2 天开工" in out.read_text("utf-8")


def test_the_offices_day_limit_decides_land_to_start(run) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(run("project", "show", P).output)
    land = (date.fromisoformat(d["project"]["started"]) - timedelta(days=2)).isoformat()
    run("project", "land", P, "--date", land)
    env = {"CHAINATLAS_LAND_TO_START_DAYS": "3"}
    assert json.loads(run("project", "show", P, env=env).output)["land_to_start"]["met"]
    assert not json.loads(run("project", "show", P).output)["land_to_start"]["met"]


@pytest.mark.parametrize(
    "args, words",
    [
        (("project", "show", "project:nope"), "没有项目 'project:nope'"),
        (("project", "follow-up", "project:nope", "--note", "x"), "没有项目"),
        (("project", "follow-up", P, "--note", " "), "跟进内容不能为空"),
        (("project", "follow-up", P, "--note", "x", "--date", "2999-01-01"), "将来"),
        (
            ("project", "follow-up", P, "--note", "x", "--date", "2026-2-1"),
            "--date 应为 YYYY-MM-DD",
        ),
        (("project", "land", P, "--date", "2026-02-30"), "--date 不是日历上的日期"),
        (("project", "land", P, "--date", "2999-01-01"), "将来"),
    ],
)
def test_errors_are_chinese_and_write_nothing(run, args: tuple[str, ...], words: str) -> None:  # type: ignore[no-untyped-def]
    before = run("stats", "--json").output
    r = run(*args)
    assert r.exit_code == 1 and words in r.output, r.output
    assert "Traceback" not in r.output and "Error" not in r.output
    assert run("stats", "--json").output == before


def test_usage_errors_keep_exit_code_2_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    r = run("project", "follow-up", P)
    assert r.exit_code == 2 and "缺少选项 '--note'" in r.output
    r = run("project", "show", P, "--format", "pdf")
    assert r.exit_code == 2 and "不在可选值" in r.output


def test_report_header_and_lists_carry_the_settings_and_units(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"CHAINATLAS_GRACE_SIGN_TO_START": "100", "CHAINATLAS_PROBLEM_DAYS_MAJOR": "10"}
    r = run("ledger", "report", "--month", "2026-10", env=env)
    data = json.loads(r.stdout)  # stderr may say the 五未督办 items are behind today
    named = {s["setting"]: s["value"] for s in data["settings"]}
    assert named["CHAINATLAS_GRACE_SIGN_TO_START"] == 100
    assert named["CHAINATLAS_PROBLEM_DAYS_MAJOR"] == 10
    assert data["stalled"] and all(x["responsible_unit"] for x in data["stalled"])
    assert data["land_to_start"]["to_date"]["with_land_date"] > 0  # sample projects have 拿地
    out = tmp_path / "r.xlsx"
    run("ledger", "report", "--month", "2026-10", "--format", "xlsx", "--out", str(out), env=env)
    assert openpyxl.load_workbook(out).sheetnames[0] == "本办设置"
    html = tmp_path / "r.html"
    run("ledger", "report", "--month", "2026-10", "--format", "html", "--out", str(html), env=env)
    assert "签约未开工宽限期 100 天" in html.read_text("utf-8")
    lists = json.loads(run("ledger", "lists", "--month", "2026-10").output)
    assert all("responsible_unit" in x for rows in lists.values() for x in rows)


def test_problems_take_the_offices_time_limit(run) -> None:  # type: ignore[no-untyped-def]
    r = run("problems", "add", "用电", "--project", P, env={"CHAINATLAS_PROBLEM_DAYS_GENERAL": "9"})
    assert r.exit_code == 0, r.output
    assert f"期限 {(date.today() + timedelta(days=9)).isoformat()}" in r.output


def test_progress_shows_the_goal_as_seed_001_states_it(run) -> None:  # type: ignore[no-untyped-def]
    g = json.loads(run("ledger", "progress").output)["goal_3566"]
    assert (
        g["seed_text"].startswith("形成千亿级产业3个") and g["share_of_industrial_output"] is None
    )
    g = json.loads(run("ledger", "progress", env={"CHAINATLAS_INDUSTRIAL_OUTPUT": "5000"}).output)[
        "goal_3566"
    ]
    assert g["share_of_industrial_output"] == round(g["total"] / 5000, 4)
    r = run("ledger", "progress", env={"CHAINATLAS_INDUSTRIAL_OUTPUT": "-1"})
    assert r.exit_code == 1 and "CHAINATLAS_INDUSTRIAL_OUTPUT" in r.output
