"""Where the command line writes: ``export DIR`` and every ``--out`` (review S, B5 and C9).

``export`` writes a new folder, fills an empty one or replaces an earlier bundle whole, through a
temporary folder beside it; any other folder is refused untouched. A ``--out`` file's folder must
exist (none is made) and its name must end as its ``--format`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chainatlas.api.cli import main


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    res = CliRunner().invoke(main, ["--home", str(h), "init"])
    assert res.exit_code == 0, res.output
    return h


def _run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _refused(res: Result, *words: str) -> None:
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output, res.output
    assert res.output.strip().splitlines()[-1].startswith("错误："), res.output
    for w in words:
        assert w in res.output, res.output


# ---- export (B5) ------------------------------------------------------------------------------
def test_export_refuses_a_folder_of_other_files_and_touches_nothing(
    home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "passwd").write_text("root:x:0:0\n", "utf-8")
    (folder / "nodes_Firm.csv").write_text("mine\n", "utf-8")  # a bundle's name, not a bundle
    before = _tree(folder)
    res = _run(home, "export", str(folder), "--quiet")
    _refused(res, f"{folder} 不是空文件夹，也不是 chainatlas 导出的数据包", "新的或空的文件夹")
    assert _tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etc", "home"]  # no temp folder left


def test_export_refuses_an_earlier_bundle_with_someone_elses_file_in_it(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b"
    assert _run(home, "export", str(out), "--quiet").exit_code == 0
    (out / "说明.docx").write_bytes(b"notes")
    before = _tree(out)
    _refused(_run(home, "export", str(out), "--quiet"), "不是空文件夹")
    assert _tree(out) == before


def test_export_fills_an_empty_folder_and_keeps_its_mode(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir(mode=0o750)
    out.chmod(0o750)
    inode = out.stat().st_ino
    res = _run(home, "export", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    assert (out / "bundle.json").is_file() and (out / "nodes_Chain.csv").is_file()
    assert out.stat().st_mode & 0o777 == 0o750
    assert out.stat().st_ino == inode  # the same folder (a mount point, a shell's cwd)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "home"]


def test_export_replaces_an_earlier_bundle_whole_and_round_trips(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b"
    assert _run(home, "export", str(out), "--quiet").exit_code == 0
    assert (out / "nodes_Firm.csv").is_file()  # the sample firms
    assert _run(home, "init", "--reset", "--no-sample").exit_code == 0
    (out / ".chainatlas-export.killed.tmp").mkdir()  # left by an export that was killed
    (out / ".chainatlas-export.killed.tmp" / "nodes_Chain.csv").write_text("x", "utf-8")
    inode = out.stat().st_ino
    res = _run(home, "export", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    assert out.stat().st_ino == inode
    assert not (out / "nodes_Firm.csv").exists()  # nothing of the earlier bundle is left
    manifest = json.loads((out / "bundle.json").read_text("utf-8"))
    assert sorted(p.name for p in out.iterdir()) == sorted([*manifest["files"], "bundle.json"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "home"]
    other = tmp_path / "h2"
    assert _run(other, "import", str(out), "--quiet").exit_code == 0
    stats = [json.loads(_run(h, "stats", "--json").output) for h in (home, other)]
    assert [s.pop("store") for s in stats] and stats[0] == stats[1]


def test_export_makes_no_missing_parent_folders(home: Path, tmp_path: Path) -> None:
    _refused(_run(home, "export", str(tmp_path / "no" / "such" / "b")), "不存在", "不会自动创建")
    assert not (tmp_path / "no").exists()


# ---- --out (C9) -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["map", "1366:bio", "--format", "xlsx"],
        ["map", "1366:bio"],  # the review's command: xlsx by the file's name
        ["fishbone", "1366:bio", "--format", "svg"],
        ["gaps", "1366:bio", "--format", "xlsx"],
        ["view", "--format", "html"],
        ["ledger", "report", "--month", "2026-11", "--format", "html"],
        ["targets", "--segment", "seg:动力电池", "--format", "xlsx"],
        ["template", "firms"],
        ["match", "{tmp}/d.xlsx", "{tmp}/s.xlsx"],
    ],
)
def test_out_in_a_missing_folder_is_refused_and_no_folder_is_made(
    home: Path, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "d.xlsx").write_bytes(b"")
    (tmp_path / "s.xlsx").write_bytes(b"")
    ext = {"svg": ".svg", "html": ".html"}.get(args[-1], ".xlsx")
    out = tmp_path / "nonexistent" / "dir" / f"x{ext}"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = _run(home, *argv, "--out", str(out))
    _refused(res, f"文件夹 {out.parent} 不存在")
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.parametrize(
    "args, ext",
    [
        (["map", "1366:bio", "--format", "xlsx"], "txt"),
        (["map", "1366:bio", "--format", "html"], "xlsx"),
        (["gaps", "1366:bio", "--format", "json"], "xlsx"),
        (["ledger", "lists", "--month", "2026-11", "--format", "xlsx"], "csv"),
        (["project", "show", "project:1366:ai:2", "--format", "html"], "json"),
        (["view", "--format", "json"], "html"),
        (["fishbone", "1366:bio", "--format", "svg"], "png"),
    ],
)
def test_out_with_the_wrong_extension_is_refused(
    home: Path, tmp_path: Path, args: list[str], ext: str
) -> None:
    out = tmp_path / f"x.{ext}"
    res = _run(home, *args, "--out", str(out))
    _refused(res, f"与 --format {args[-1]} 不符", f".{args[-1]}")
    assert not out.exists()


def test_out_with_the_right_extension_is_written(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "招商图.XLSX"
    res = _run(home, "map", "1366:bio", "--format", "xlsx", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] == b"PK"
    res = _run(
        home,
        "targets",
        "--segments-file",
        str(_segments(tmp_path)),
        "--out",
        str(tmp_path / "t.jsonl"),
    )
    assert res.exit_code == 0, res.output


def _segments(tmp_path: Path) -> Path:
    f = tmp_path / "segs.txt"
    f.write_text("seg:动力电池\n", "utf-8")
    return f


def test_without_format_the_out_file_name_chooses_it(home: Path, tmp_path: Path) -> None:
    for args, name, magic in [
        (["map", "1366:bio"], "m.xlsx", b"PK"),
        (["fishbone", "1366:bio"], "f.svg", b"<svg"),
        (["gaps", "1366:bio"], "g.json", b"{"),
        (["view"], "v.json", b"{"),
        (["ledger", "report", "--month", "2026-11"], "r.xlsx", b"PK"),
        (["ledger", "lists", "--month", "2026-11"], "l.xlsx", b"PK"),
        (["project", "show", "project:1366:ai:2"], "p.html", b"<"),
    ]:
        res = _run(home, *args, "--out", str(tmp_path / name))
        assert res.exit_code == 0, res.output
        assert (tmp_path / name).read_bytes().lstrip()[: len(magic)] == magic, name
    res = _run(home, "map", "1366:bio", "--out", str(tmp_path / "x.txt"))
    _refused(res, "与 --format json 不符")
    assert not (tmp_path / "x.txt").exists()
