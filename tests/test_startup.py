"""Start-up stays light: importing the service or the command line loads none of the heavy
libraries (they load with the first request or command that uses them), and the service answers
``/health`` without waiting for the graph."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

HEAVY = ("sklearn", "scipy", "pandas", "openpyxl", "pyarrow", "pyvis")


@pytest.mark.parametrize("module", ["chainatlas.api.main", "chainatlas.api.cli"])
def test_importing_the_entry_points_loads_no_heavy_library(module: str) -> None:
    code = (
        f"import sys, json; import {module}; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [], f"{module} loads {out.stdout.strip()}"


def test_a_light_command_loads_no_heavy_library(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``chainatlas stats`` and ``fishbone --format json`` need none of them either."""
    home = tmp_path / "home"
    code = (
        "import sys, json\n"
        "from chainatlas.api.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    env = {"CHAINATLAS_HOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", code, "init"], cwd=REPO, env=env, capture_output=True, check=True
    )
    for args in (["stats"], ["fishbone", "1366:icv"], ["gaps", "1366:icv"]):
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        loaded = json.loads(out.stdout.strip().splitlines()[-1])
        assert loaded == [], f"chainatlas {' '.join(args)} loads {loaded}"


def test_the_service_starts_without_networkx(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Opening the embedded store, counting it for ``/health`` and building the app load no
    networkx: it comes with the graph, which a service loads after start-up (``warm``)."""
    home = tmp_path / "home"
    env = {"CHAINATLAS_HOME": str(home), "PATH": "/usr/bin:/bin"}
    init = "import sys; from chainatlas.api.cli import main; main(sys.argv[1:])"
    subprocess.run([sys.executable, "-c", init, "init"], cwd=REPO, env=env, check=True)
    code = (
        "import sys, json\n"
        "from chainatlas.api.main import create_app\n"
        "from chainatlas.graph.settings import Settings\n"
        "from chainatlas.graph.store.backends import open_store\n"
        "settings = Settings()\n"
        "store = open_store(settings)\n"
        "counts = store.quick_counts()\n"
        "create_app(settings, store)\n"
        "before = 'networkx' in sys.modules\n"
        "store.warm()\n"
        "print(json.dumps([before, 'networkx' in sys.modules, counts.labels.get('Layout', 0),\n"
        "                  store.count_nodes('Layout')]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    before, after, counted, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert not before, "opening the store or building the app loads networkx"
    assert after and loaded == counted > 0  # warm() loads the graph (and networkx) after all
