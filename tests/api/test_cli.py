"""The chainatlas command line, run as a user would (click's runner, a temporary home)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from chainatlas.api.cli import main


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        res = runner.invoke(main, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False)
        if ok:
            assert res.exit_code == 0, res.output
        return res

    return _run


def test_init_and_stats(run) -> None:  # type: ignore[no-untyped-def]
    out = run("init").output
    assert "已加载种子" in out
    data = json.loads(run("stats", "--json").output)
    assert data["labels"]["Chain"] == 28 and data["labels"]["Layout"] == 3
    assert data["nodes"] == sum(data["labels"].values())
    run("init")
    assert json.loads(run("stats", "--json").output) == data  # init is idempotent


def test_template_import_export_roundtrip(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init", "--no-sample")
    tpl = tmp_path / "firms.xlsx"
    run("template", "firms", "--out", str(tpl))
    cols = pd.read_excel(tpl, sheet_name="数据").columns
    row = {c: "" for c in cols}
    row.update({"企业名称*": "测试企业", "所在区域*": "德清县", "所属环节": "时空智能"})
    pd.DataFrame([row]).to_excel(tmp_path / "f.xlsx", sheet_name="数据", index=False)
    assert "已导入 节点 1 个" in run("import", str(tmp_path / "f.xlsx")).output
    run("export", str(tmp_path / "b"))
    assert (tmp_path / "b" / "nodes_Firm.csv").exists()
    # the exported bundle imports into a fresh home with the same counts
    res = CliRunner().invoke(
        main, ["--home", str(tmp_path / "h2"), "import", str(tmp_path / "b"), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    s1 = json.loads(run("stats", "--json").output)
    s2 = json.loads(
        CliRunner().invoke(main, ["--home", str(tmp_path / "h2"), "stats", "--json"]).output
    )
    assert s1 == s2


def test_bad_import_exits_nonzero_and_names_rows(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init", "--no-sample")
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称*,所在区域*,产值（亿元）\n甲,火星,1\n乙,长兴县,很多\n", encoding="gbk")
    before = run("stats", "--json").output
    res = run("import", str(bad), ok=False)
    assert res.exit_code == 1
    assert "第 2 行" in res.output and "第 3 行" in res.output and "所在区域" in res.output
    assert run("stats", "--json").output == before
    res = run("import", str(bad), "--skip-bad")
    assert "已跳过 2 处错误" in res.output


def test_bad_backend_setting(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main, ["--home", str(tmp_path), "--backend", "neo4j", "stats"], env={"NEO4J_URI": ""}
    )
    assert res.exit_code != 0 and "NEO4J_URI" in res.output


@pytest.mark.parametrize("backend", ["memory", "neo4j"])
def test_every_command_on_each_backend(backend: str, tmp_path: Path) -> None:
    import os

    if backend == "neo4j" and not os.environ.get("NEO4J_URI"):
        pytest.skip("NEO4J_URI is not set: no Neo4j server on this machine")
    if backend == "neo4j":
        pytest.importorskip("neo4j", reason="the neo4j extra is not installed")
    runner = CliRunner()

    def run(*args: str) -> str:
        res = runner.invoke(
            main,
            ["--backend", backend, "--home", str(tmp_path / "h"), *args],
            catch_exceptions=False,
        )
        assert res.exit_code == 0, res.output
        return res.output

    run("init", "--reset")
    stats = json.loads(run("stats", "--json"))
    assert stats["labels"]["Chain"] == 28
    run("export", str(tmp_path / "b"), "--quiet")
    run("init", "--reset", "--no-sample")
    assert json.loads(run("stats", "--json"))["labels"].get("Firm", 0) == 0
    run("import", str(tmp_path / "b"), "--quiet")
    assert json.loads(run("stats", "--json")) == stats
    if backend == "neo4j":
        run("init", "--reset", "--no-sample")  # leave the shared server small


def test_view_commands(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    fb = json.loads(run("fishbone", "智能网联新能源汽车").output)
    assert fb["chain"]["id"] == "1366:icv"
    for cmd, fmt in [
        ("fishbone", "svg"),
        ("fishbone", "html"),
        ("map", "xlsx"),
        ("masters", "html"),
        ("map", "json"),
    ]:
        out = tmp_path / f"{cmd}.{fmt}"
        run(cmd, "1366:storage", "--format", fmt, "--out", str(out))
        assert out.stat().st_size > 0
    out = tmp_path / "p.xlsx"
    run("projects", "--stage", "招商引资", "--format", "xlsx", "--out", str(out))
    df = pd.read_excel(out)
    assert set(df["阶段"]) <= {"招商引资"}
    res = run("fishbone", "没有这条链", ok=False)
    assert res.exit_code != 0 and "没有这条链" in res.output


def test_gaps_and_targets_commands(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    g = json.loads(run("gaps", "1366:storage").output)
    assert g["segments"] and g["chain"] == "1366:storage"
    run("gaps", "1366:storage", "--format", "xlsx", "--out", str(tmp_path / "g.xlsx"))
    assert set(pd.read_excel(tmp_path / "g.xlsx", sheet_name=None)) == {"缺链强链", "延链候选"}
    t = json.loads(run("targets", "--segment", "锂电储能", "--top", "3").output)
    assert t["segment"] == "seg:锂电储能" and len(t["targets"]) <= 3
    segs = tmp_path / "segs.txt"
    segs.write_text("锂电储能\nseg:动力电池\n", "utf-8")
    lines = run("targets", "--segments-file", str(segs), "--top", "2").output.strip().splitlines()
    assert [json.loads(x)["segment"] for x in lines] == ["seg:锂电储能", "seg:动力电池"]
    assert all(
        set(json.loads(x)["targets"][0]) >= {"firm", "name", "score", "known", "reasons"}
        for x in lines
    )
    res = run(
        "targets",
        "--segment",
        "锂电储能",
        "--inferred-only",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "t.xlsx"),
    )
    assert set(pd.read_excel(tmp_path / "t.xlsx")["类型"]) <= {"推断"}
    assert res.exit_code == 0
    assert run("targets", "--segment", "没有这个环节", ok=False).exit_code != 0


def test_match_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    dpath, spath = tmp_path / "需求.xlsx", tmp_path / "供给.csv"
    run("template", "demands", "--out", str(dpath))
    run("template", "supplies", "--out", str(spath))
    pd.DataFrame(
        [
            {
                "需求类型*": "土地",
                "需求描述*": "二期厂房用地",
                "数量": 50,
                "单位": "亩",
                "所在区域*": "长兴县",
                "是否重大项目": "是",
            },
            {
                "需求类型*": "资金",
                "需求描述*": "设备贷款",
                "数量": 3000,
                "单位": "万元",
                "所在区域*": "吴兴区",
            },
            {
                "需求类型*": "人才",
                "需求描述*": "算法工程师",
                "数量": 10,
                "单位": "人",
                "所在区域*": "德清县",
            },
        ]
    ).to_excel(dpath, sheet_name="数据", index=False)
    pd.DataFrame(
        [
            {
                "供给类型*": "土地",
                "供给描述*": "工业用地地块",
                "数量": 4,
                "单位": "公顷",
                "所在区域": "长合区",
            },
            {
                "供给类型*": "资金",
                "供给描述*": "产业基金",
                "数量": 1,
                "单位": "亿元",
                "所在区域": "湖州市",
            },
        ]
    ).to_csv(spath, index=False, encoding="utf-8-sig")
    out = tmp_path / "结果.xlsx"
    res = run("match", str(dpath), str(spath), "--out", str(out), "--top", "3")
    assert "分配 2" in res.output
    book = pd.read_excel(out, sheet_name=None)
    assert set(book) == {"分配结果", "候选", "未匹配"}
    assert list(book["未匹配"]["原因"]) == ["无「人才」类供给"]
    bad = tmp_path / "bad.csv"
    bad.write_text("需求类型*,需求描述*,数量,单位,所在区域*\n土地,x,很多,亩,长兴县\n", "utf-8")
    res = run("match", str(bad), str(spath), ok=False)
    assert res.exit_code == 1 and "第 2 行" in res.output and "数量" in res.output


def test_ledger_and_problem_commands(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    r = json.loads(run("ledger", "report", "--month", "2026-10").output)
    assert set(r["stalls"]) == {
        "签约未开工",
        "开工未竣工",
        "竣工未投产",
        "投产未上规",
        "上规未达产",
    }
    run(
        "ledger",
        "report",
        "--month",
        "2026-10",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "r.xlsx"),
    )
    book = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None)
    assert set(book) == {"概览", "按产业链", "按区县", "五未项目"}
    assert len(book["五未项目"]) == sum(r["stalls"].values())
    run(
        "ledger",
        "report",
        "--month",
        "2026-10",
        "--format",
        "html",
        "--out",
        str(tmp_path / "r.html"),
    )
    assert "五未" in (tmp_path / "r.html").read_text("utf-8")
    lists = json.loads(run("ledger", "lists", "--month", "2026-10").output)
    assert lists["新开工"]
    out = run("problems", "add", "用地指标未落实", "--level", "一般", "--region", "吴兴区").output
    pid = out.split("：")[0]
    assert "吴兴区链长办" in out
    assert "交办" in run("problems", "step", pid, "交办").output
    assert run("problems", "step", pid, "办结", ok=False).exit_code != 0
    assert pid in run("problems", "list").output
    assert run("ledger", "report", "--month", "10/2026", ok=False).exit_code != 0


def test_token_create(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.api.auth import AuthStore

    run("init", "--no-sample")
    tok = run("token", "create", "--role", "chain", "--scope", "智能网联新能源汽车").output.strip()
    auth = AuthStore(tmp_path / "home" / "auth.db")
    assert auth.principal(tok).scope == ("1366:icv",) and auth.principal(tok).role == "chain"
    auth.close()
    assert run("token", "create", "--role", "district", ok=False).exit_code != 0
