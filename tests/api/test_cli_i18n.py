"""Click's own texts in Chinese (api/cli_i18n.py): the usage errors and help pages users see,
and a catalogue that keeps up with the installed click's msgids."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chainatlas.api import cli_i18n
from chainatlas.api.cli import main

CLICK = Path(click.__file__).parent
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Error:|Try '|No such|Missing|Invalid value|is not one of"
    r"|Show this message|\[OPTIONS\]|\bTEXT\b|\bPATH\b|\bINTEGER\b"
)


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _run(*args: str) -> click.testing.Result:
        home = ["--home", str(tmp_path / "home")]
        return CliRunner().invoke(main, [*home, *args], prog_name="chainatlas")

    return _run


def _click_msgids() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal msgid the installed click passes to ``_()`` and ``ngettext()``."""
    singles: set[str] = {"required"}  # passed through a variable: _(extra["required"])
    plurals: set[tuple[str, str]] = set()
    for path in CLICK.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and args:
                singles.add(args[0])
            elif node.func.id == "ngettext" and len(args) >= 2:
                plurals.add((args[0], args[1]))
    return singles, plurals


class TestCatalogue:
    def test_every_click_msgid_is_translated_and_none_is_stale(self) -> None:
        singles, plurals = _click_msgids()
        assert len(singles) > 50 and len(plurals) >= 5  # the source was read
        assert singles - cli_i18n.MESSAGES.keys() == set()
        assert plurals - cli_i18n.PLURALS.keys() == set()
        assert cli_i18n.MESSAGES.keys() - singles == set()
        assert cli_i18n.PLURALS.keys() - plurals == set()

    def test_translations_keep_the_placeholders(self) -> None:
        ph = cli_i18n.placeholders
        for msgid, zh in cli_i18n.MESSAGES.items():
            assert ph(zh) <= ph(msgid), msgid
            assert ("%(" in zh) == ("%(" in msgid), msgid
        for (one, many), (zh_one, zh_many) in cli_i18n.PLURALS.items():
            assert ph(zh_one) <= ph(one) | ph(many) and ph(zh_many) <= ph(one) | ph(many)

    def test_translations_are_chinese(self) -> None:
        han = re.compile(r"[\u4e00-\u9fff]")
        texts = [*cli_i18n.MESSAGES.values()] + [t for p in cli_i18n.PLURALS.values() for t in p]
        assert [t for t in texts if not han.search(t)] == []

    def test_display_width_counts_wide_characters_twice(self) -> None:
        assert cli_i18n.display_width("路径") == 4
        assert cli_i18n.display_width(click.style("ab", fg="red")) == 2


class TestUsageErrors:
    """Usage errors: Chinese, and click's exit code 2."""

    def test_unknown_option(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("--bogus")
        assert res.exit_code == 2
        assert "错误：没有选项 '--bogus'。" in res.output
        assert "用法：chainatlas [选项] 命令 [参数]..." in res.output
        assert "运行 'chainatlas --help' 查看帮助。" in res.output
        assert not ENGLISH.search(res.output), res.output

    def test_near_miss_option_is_suggested(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("stats", "--jsn")
        assert res.exit_code == 2 and "是不是要用 '--json'？" in res.output

    def test_missing_argument(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("ledger", "stage")
        assert res.exit_code == 2
        assert "错误：缺少参数 'PROJECT'" in res.output
        assert not ENGLISH.search(res.output), res.output

    def test_bad_choice(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("ledger", "report", "--month", "2026-01", "--format", "x")
        assert res.exit_code == 2
        assert "错误：'--format' 的值无效：'x' 不在可选值 'json', 'xlsx', 'html' 之中。" in (
            res.output
        )
        assert not ENGLISH.search(res.output), res.output

    def test_bad_number_and_range(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("targets", "--segment", "x", "--top", "many")
        assert res.exit_code == 2 and "'many' 不是有效的整数范围。" in res.output
        res = run("targets", "--segment", "x", "--top", "0")
        assert res.exit_code == 2 and "0 不在范围 x>=1 内。" in res.output

    def test_missing_option_value_and_command(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("ledger", "report", "--month")
        assert res.exit_code == 2 and "选项 '--month' 需要一个值。" in res.output
        res = run("nosuch")
        assert res.exit_code == 2 and "错误：没有命令 'nosuch'。" in res.output
        res = run("ledger", "report")
        assert res.exit_code == 2 and "缺少选项 '--month'" in res.output


class TestHelp:
    def test_main_help(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("--help")
        assert res.exit_code == 0
        for text in (
            "用法：chainatlas [选项] 命令 [参数]...",
            "选项：",
            "命令：",
            "显示此帮助并退出。",
        ):
            assert text in res.output
        assert not ENGLISH.search(res.output), res.output

    def test_subcommand_help_has_chinese_metavars_and_aligned_columns(self, run) -> None:  # type: ignore[no-untyped-def]
        res = run("ledger", "report", "--help")
        assert res.exit_code == 0 and "[必填]" in res.output and "[默认：json]" in res.output
        assert not ENGLISH.search(res.output), res.output
        rows = [re.fullmatch(r"(  -.*?\S)\s{2,}(\S.*)", x) for x in res.output.splitlines()]
        columns = {cli_i18n.display_width(m.string[: m.start(2)]) for m in rows if m}
        assert len(columns) == 1, res.output  # help texts start in one column (汉字 are wide)

    def test_every_path_option_is_named_in_chinese(self) -> None:
        """``click.Path`` names itself when built: install() ran before the commands were."""

        def walk(cmd: click.Command):  # type: ignore[no-untyped-def]
            yield cmd
            for sub in getattr(cmd, "commands", {}).values():
                yield from walk(sub)

        names = {
            p.type.name for cmd in walk(main) for p in cmd.params if isinstance(p.type, click.Path)
        }
        assert names and names <= {"文件", "文件夹", "路径"}
