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
    assert s1.pop("store") == str(tmp_path / "home" / "graph.db")
    assert s2.pop("store") == str(tmp_path / "h2" / "graph.db")
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
    # stdout alone: stderr says the 五未督办 items are behind today (no ledger sync yet)
    r = json.loads(run("ledger", "report", "--month", "2026-10").stdout)
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
    assert list(book) == [
        "本办设置",
        "概览",
        "拿地即开工",
        "按产业链",
        "按区县",
        "按责任单位",
        "五未项目",
        "五未督办",
        "要素对接",
    ]
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


def test_token_scope_named_by_two_chains_says_which_it_took(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """生物医药 names a chain of each layout: the token takes the current one and says so on
    standard error; standard output stays the token alone."""
    from chainatlas.api.auth import AuthStore

    run("init", "--no-sample")
    res = run("token", "create", "--role", "牵头部门", "--scope", "生物医药")
    assert (
        "「生物医药」是 2 条产业链的名称，已按当前布局取 1366:bio；要 e2:bio 请写编号" in res.stderr
    )
    auth = AuthStore(tmp_path / "home" / "auth.db")
    assert auth.principal(res.stdout.strip()).scope == ("1366:bio",)
    auth.close()
    assert run("token", "create", "--role", "chain", "--scope", "1366:bio").stderr == ""


# ---- where the data lives ---------------------------------------------------------------------
def test_one_per_user_store_wherever_commands_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --home or CHAINATLAS_HOME every folder sees the same per-user store."""
    monkeypatch.delenv("CHAINATLAS_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # platformdirs' data folder
    runner = CliRunner()
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / "a")
    res = runner.invoke(main, ["init", "--no-sample"])
    assert res.exit_code == 0, res.output
    store = tmp_path / "xdg" / "chainatlas" / "graph.db"
    assert f"图谱位置：{store}" in res.output
    monkeypatch.chdir(tmp_path / "b")
    res = runner.invoke(main, ["stats", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["store"] == str(store) and data["labels"]["Chain"] == 28
    assert f"图谱位置：{store}" in runner.invoke(main, ["stats"]).output
    assert not list((tmp_path / "a").iterdir()) and not list((tmp_path / "b").iterdir())


READ_COMMANDS = [
    ["stats"],
    ["stats", "--json"],
    ["chains"],
    ["fishbone", "1366:icv"],
    ["map", "1366:icv"],
    ["masters", "1366:icv"],
    ["projects"],
    ["gaps", "1366:icv"],
    ["targets", "--segment", "锂电储能"],
    ["ledger", "report", "--month", "2026-10"],
    ["ledger", "lists", "--month", "2026-10"],
    ["ledger", "chain", "1366:icv", "--month", "2026-10"],
    ["ledger", "progress"],
    ["ledger", "stage", "project:x", "签约"],
    ["problems", "list"],
    ["problems", "add", "用地指标未落实", "--region", "吴兴区"],
    ["problems", "step", "problem:x", "交办"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_read_commands_on_a_missing_or_empty_store_say_init(
    tmp_path: Path, args: list[str]
) -> None:
    from chainatlas.graph.store.embedded import EmbeddedStore

    home = tmp_path / "home"
    res = CliRunner().invoke(main, ["--home", str(home), *args])
    assert res.exit_code != 0
    assert f"chainatlas --home {home} init" in res.output and "还没有图谱" in res.output
    assert "节点不存在" not in res.output and "Traceback" not in res.output
    assert not home.exists()  # nothing was created
    EmbeddedStore(home / "graph.db").close()  # a store with nothing in it
    res = CliRunner().invoke(main, ["--home", str(home), *args])
    assert res.exit_code != 0 and "图谱是空的" in res.output and "init" in res.output


def test_export_of_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "export", str(tmp_path / "b")])
    assert res.exit_code != 0 and "init" in res.output
    assert not (tmp_path / "h").exists() and not (tmp_path / "b").exists()


def test_init_and_serve_refuse_missing_seeds_before_making_a_store(tmp_path: Path) -> None:
    env = {"CHAINATLAS_SEEDS_DIR": str(tmp_path / "nowhere")}
    for args in (["init"], ["serve", "--port", "1"]):
        res = CliRunner().invoke(main, ["--home", str(tmp_path / "h"), *args], env=env)
        assert (
            res.exit_code != 0 and "找不到种子数据" in res.output and "regions.yaml" in res.output
        )
        assert not (tmp_path / "h").exists()


def _serve_banner(home: Path) -> str:
    """The lines ``chainatlas serve`` prints before it answers (a real child process)."""
    import os
    import subprocess
    import sys

    from chainatlas.api.testing import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from chainatlas.api.cli import main; main()", "serve"]
        + ["--port", str(port), "--print-token"],  # a pipe: shown only when asked
        env={**os.environ, "CHAINATLAS_HOME": str(home), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("chainatlas 服务"):
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return "".join(lines).replace(f":{port}", ":PORT")


def test_serve_banner_names_the_store_the_web_ui_and_how_to_make_tokens(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _serve_banner(home)
    assert f"图谱位置：{home / 'graph.db'}" in first
    assert "首个令牌" in first
    assert "网页: http://127.0.0.1:PORT/ " in first and "http://127.0.0.1:PORT/docs" in first
    later = _serve_banner(home)
    assert "首个令牌" not in later and f"图谱位置：{home / 'graph.db'}" in later
    assert "chainatlas token create --role city" in later


# ---- input checks -----------------------------------------------------------------------------
@pytest.mark.parametrize("month", ["26-1", "2026-1", "2026-13", "2026-00", "202610"])
def test_months_follow_the_api_rule(run, month: str) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.graph.errors import ValidationFailed
    from chainatlas.graph.workflows.ledger import month_range

    run("init", "--no-sample")
    for cmd in (["report"], ["lists"], ["chain", "1366:icv"]):
        res = run("ledger", *cmd, "--month", month, ok=False)
        assert res.exit_code != 0 and "YYYY-MM" in res.output, res.output
    with pytest.raises(ValidationFailed):  # the API's /chains/{chain}/ledger uses it too
        month_range(month)


@pytest.mark.parametrize(
    "args, expect",
    [
        (["export", "{tmp}/afile"], "是一个已有的文件"),
        (["export", "/proc/nope"], "/proc/nope"),
        (["--home", "/proc/x", "init"], "无法创建数据目录 /proc/x"),
        (["--home", "/proc/x", "stats"], "还没有图谱"),
        (["--home", "{tmp}/afile", "init"], "不是文件夹"),
        (["template", "firms", "--out", "{tmp}/afile/t.xlsx"], "已有同名的文件"),
        (["import", "{tmp}/nothing.xlsx"], "找不到要导入的文件或文件夹"),
        (["match", "{tmp}/nothing.xlsx", "{tmp}/afile"], "找不到需求清单"),
        (["fishbone", "1366:icv", "--format", "svg", "--out", "{tmp}"], "是一个文件夹"),
    ],
)
def test_bad_paths_are_chinese_errors_not_tracebacks(
    run, tmp_path: Path, args: list[str], expect: str
) -> None:  # type: ignore[no-untyped-def]
    run("init", "--no-sample")
    (tmp_path / "afile").write_text("x", "utf-8")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = CliRunner().invoke(
        main, argv if argv[0] == "--home" else ["--home", str(tmp_path / "home"), *argv]
    )
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert expect in res.output and "错误：" in res.output, res.output
    assert "Errno" not in res.output and "Error:" not in res.output, res.output


@pytest.mark.parametrize(
    "due, expect",
    [("2026-02-30", "不是日历上的日期"), ("明天", "YYYY-MM-DD"), ("2026-2-3", "YYYY")],
)
def test_due_dates_are_checked_in_chinese(run, due: str, expect: str) -> None:  # type: ignore[no-untyped-def]
    run("init", "--no-sample")
    res = run("problems", "add", "用地", "--region", "吴兴区", "--due", due, ok=False)
    assert res.exit_code == 1 and expect in res.output and "Invalid" not in res.output
    assert "P" not in run("problems", "list").output  # nothing was filed


def test_template_refuses_other_suffixes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = run("template", "firms", "--out", str(tmp_path / "a.pdf"), ok=False)
    assert res.exit_code == 1 and ".xlsx 或 .csv" in res.output
    assert not (tmp_path / "a.pdf").exists()
    run("template", "firms", "--out", str(tmp_path / "a.CSV"))
    assert (tmp_path / "a.CSV").read_text("utf-8-sig").startswith("企业编号")


def test_old_xls_and_junk_workbooks_get_a_chinese_message(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init", "--no-sample")
    (tmp_path / "旧.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    res = run("import", str(tmp_path / "旧.xls"), ok=False)
    assert res.exit_code == 1 and "旧.xls" in res.output and "另存为" in res.output
    (tmp_path / "空.xlsx").write_bytes(b"")
    res = run("import", str(tmp_path / "空.xlsx"), ok=False)
    assert res.exit_code == 1 and "空.xlsx" in res.output and "第 0 行" not in res.output
    assert "不是有效的 Excel 工作簿" in res.output


def test_unknown_chains_suggest_the_closest_and_chains_lists_them(run) -> None:  # type: ignore[no-untyped-def]
    run("init", "--no-sample")
    res = run("fishbone", "智能网联汽车", ok=False)
    assert res.exit_code == 1 and "智能网联新能源汽车（1366:icv）" in res.output
    assert "chainatlas chains" in res.output
    res = run("gaps", "储能", ok=False)
    assert "新能源与新型储能（1366:storage）" in res.output
    lines = run("chains").output.strip().splitlines()
    assert len(lines) == 28
    assert "1366:icv\t1366\t智能网联新能源汽车" in lines


def test_view_help_shows_only_options_that_apply(run) -> None:  # type: ignore[no-untyped-def]
    for cmd in ("fishbone", "map", "masters"):
        text = run(cmd, "--help").output
        assert "--format" in text and "--segment" not in text and "--stage" not in text
    text = run("projects", "--help").output
    assert all(opt in text for opt in ("--segment", "--region", "--stage"))
    res = run("fishbone", "1366:icv", "--stage", "招商引资", ok=False)
    assert res.exit_code == 2


def test_bad_settings_name_the_variable(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main, ["--home", str(tmp_path), "stats"], env={"CHAINATLAS_STRONG_FIRMS": "很多"}
    )
    assert res.exit_code == 1 and "CHAINATLAS_STRONG_FIRMS='很多'" in res.output
    assert "validation error" not in res.output


# ---- progress ---------------------------------------------------------------------------------
def test_template_import_shows_reading_checking_and_writing_progress(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    from chainatlas.graph.io.readers import PROGRESS_MIN_ROWS

    run("init", "--no-sample")
    path = tmp_path / "企业.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "数据"
    ws.append(["企业名称*", "所在区域*", "所属环节"])
    for i in range(PROGRESS_MIN_ROWS + 1):
        ws.append([f"测试企业{i}", "德清县", "时空智能"])
    wb.save(path)
    res = run("import", str(path))
    assert f"已导入 节点 {PROGRESS_MIN_ROWS + 1} 个" in res.stdout
    for step in ("读取 企业.xlsx", "检查", "校验", "写入"):
        assert f"{step}: 100%" in res.stderr, res.stderr[-2000:]
    res = run("import", str(path), "--quiet")
    assert "%|" not in res.stderr


def test_home_and_backend_may_follow_the_command(tmp_path: Path) -> None:
    """``chainatlas stats --home DIR`` is ``chainatlas --home DIR stats`` (users write both)."""
    home = str(tmp_path / "h")
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--home", home, "--no-sample"]).exit_code == 0
    before = runner.invoke(main, ["--home", home, "stats", "--json"])
    after = runner.invoke(main, ["stats", "--json", "--home=" + home, "--backend", "memory"])
    assert before.exit_code == after.exit_code == 0, after.output
    assert json.loads(after.output) == json.loads(before.output)
