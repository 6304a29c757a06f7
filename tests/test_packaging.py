"""The package as a user gets it.

The test suite collects and passes with only ``.[test]`` installed: a child interpreter in which
``import neo4j`` fails collects every test and runs the ones that touch Neo4j, which must skip
rather than fail. A wheel built from this checkout and installed (not editable) into a fresh venv
runs ``init``, ``stats`` and ``fishbone`` from an empty folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: Run pytest in an interpreter where the neo4j driver (the ``neo4j`` extra) cannot be imported.
_WITHOUT_NEO4J = """
import sys


class _NoNeo4j:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("neo4j", "neo4j_rust_ext"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None


sys.meta_path.insert(0, _NoNeo4j())
sys.modules.pop("neo4j", None)
import pytest

sys.exit(pytest.main(sys.argv[1:]))
"""


def _pytest_without_neo4j(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "without_neo4j.py"
    script.write_text(_WITHOUT_NEO4J, "utf-8")
    env = {
        **os.environ,
        # a URI, so that tests needing Neo4j try to use it and must skip for the missing extra
        "NEO4J_URI": "bolt://127.0.0.1:9",
        "CHAINATLAS_HOME": str(tmp_path / "home"),
    }
    return subprocess.run(
        [sys.executable, str(script), "-p", "no:cacheprovider", "-q", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_suite_collects_without_the_neo4j_extra(tmp_path: Path) -> None:
    run = _pytest_without_neo4j(tmp_path, "--collect-only", "tests")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "error" not in run.stdout.splitlines()[-1], run.stdout[-2000:]


def test_neo4j_tests_skip_without_the_extra(tmp_path: Path) -> None:
    run = _pytest_without_neo4j(
        tmp_path,
        "tests",
        "-k",
        "(neo4j or bad_backend) and not test_packaging",
        "-rs",
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    assert "skipped" in out and "failed" not in out and "error" not in out.lower(), out[-4000:]
    assert "the neo4j extra is not installed" in out, out[-4000:]


@pytest.mark.slow
def test_the_wheel_runs_from_an_empty_folder(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a fresh venv, and run ``init``,
    ``stats``, ``chains`` and ``fishbone`` from an empty folder. The venv borrows this one's
    installed dependencies through a ``.pth`` line (CI's own step installs them from scratch);
    chainatlas itself comes only from the wheel."""
    import site
    import sysconfig

    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(wheels)])
    (wheel,) = wheels.glob("chainatlas-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).strip()
    )
    deps = [sysconfig.get_path("purelib"), *site.getsitepackages()]
    (purelib / "borrowed_deps.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n", "utf-8")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
        + ["--ignore-installed", str(wheel)]
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CHAINATLAS_HOME"] = str(tmp_path / "home")
    exe = str(venv / "bin" / "chainatlas")

    def chainatlas(*args: str) -> str:
        return _run([exe, *args], cwd=empty, env=env)

    where = _run([str(python), "-c", "import chainatlas; print(chainatlas.__file__)"], cwd=empty)
    assert where.startswith(str(purelib)), where  # the wheel's copy, not this checkout
    assert "已加载种子" in chainatlas("init")
    stats = json.loads(chainatlas("stats", "--json"))
    assert stats["labels"]["Chain"] == 28 and stats["store"] == str(tmp_path / "home" / "graph.db")
    assert "1366:icv" in chainatlas("chains")
    fishbone = json.loads(chainatlas("fishbone", "智能网联新能源汽车"))
    assert fishbone["chain"]["id"] == "1366:icv" and fishbone["segments"]
    assert list(empty.iterdir()) == []  # nothing written where the commands ran


def _run(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"{args}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res.stdout
