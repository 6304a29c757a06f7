"""``chainatlas token …`` on a data directory without a graph (review S, B14): refused like the
read commands, with the ``init`` to run, and nothing is created (no ``auth.db``, no store)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chainatlas.api.cli import main


@pytest.mark.parametrize(
    "args",
    [
        ["token", "list"],
        ["token", "list", "--all"],
        ["token", "create", "--role", "city"],
        ["token", "create", "--role", "district", "--scope", "长兴县"],
        ["token", "revoke", "ffffffffffff"],
    ],
)
def test_token_commands_refuse_a_home_without_a_graph(tmp_path: Path, args: list[str]) -> None:
    for home in (tmp_path / "nohome", tmp_path / "empty"):
        if home.name == "empty":
            home.mkdir()  # an existing folder holding no graph yet
        res = CliRunner().invoke(main, ["--home", str(home), *args])
        assert res.exit_code == 1, res.output
        assert res.output.startswith(f"错误：这里还没有图谱（{home / 'graph.db'}）"), res.output
        assert f"请先运行 chainatlas --home {home} init" in res.output, res.output
        assert "ca_" not in res.output
        assert not (home / "auth.db").exists() and not (home / "graph.db").exists()
    assert not (tmp_path / "nohome").exists()


def test_token_commands_work_once_there_is_a_graph(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "h")]
    runner = CliRunner()
    assert runner.invoke(main, [*home, "init", "--no-sample"]).exit_code == 0
    res = runner.invoke(main, [*home, "token", "create", "--role", "city", "--name", "市链长办"])
    assert res.exit_code == 0 and res.output.startswith("ca_"), res.output
    listed = runner.invoke(main, [*home, "token", "list"])
    assert listed.exit_code == 0 and "市链长办" in listed.output
