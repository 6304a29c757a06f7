#!/usr/bin/env python3
"""Cold start: how long a user waits for the service's first answer and for each light CLI
command, against ``python -c "import fastapi"`` — the floor of any FastAPI service — measured
in the same run.

Every figure is the median wall time of ``--repeat`` fresh processes over one seeded embedded
store (the seeds plus the sample data, ~900 nodes). Also measured: opening that store and
reading it (what every command must pay), and the time from ``chainatlas serve`` starting to its
first 200 on ``/api/v1/health`` and on ``/api/v1/chains``.

Usage: python -m bench.startup [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.summary import report
from chainatlas.api.testing import free_port

CLI = "from chainatlas.api.cli import main; main()"
OPEN_STORE = (
    "import os; from chainatlas.graph.store.embedded import EmbeddedStore; "
    "s = EmbeddedStore(os.environ['CHAINATLAS_HOME'] + '/graph.db'); s.count_nodes(); s.close()"
)

#: (name, python arguments) of each light command
COMMANDS: list[tuple[str, list[str]]] = [
    ("stats", ["-c", CLI, "stats"]),
    ("fishbone json", ["-c", CLI, "fishbone", "1366:icv"]),
    ("fishbone html", ["-c", CLI, "fishbone", "1366:icv", "--format", "html", "--out", "f.html"]),
    ("map json", ["-c", CLI, "map", "1366:icv"]),
    ("masters json", ["-c", CLI, "masters", "1366:icv"]),
    ("gaps", ["-c", CLI, "gaps", "1366:icv"]),
    ("ledger report", ["-c", CLI, "ledger", "report", "--month", "2026-06"]),
    ("token create", ["-c", CLI, "token", "create", "--role", "city", "--name", "bench"]),
]


def _env(home: Path) -> dict[str, str]:
    """The data directory, and bytecode cached in it as an installed wheel has it (a checkout
    run with ``PYTHONDONTWRITEBYTECODE`` would recompile every changed module each time)."""
    env = {**os.environ, "CHAINATLAS_HOME": str(home), "PYTHONPYCACHEPREFIX": str(home / "pyc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _wall(args: list[str], home: Path, repeat: int) -> float:
    """Median seconds of ``python ARGS`` in fresh processes."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, *args],
            env=_env(home),
            cwd=home,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _first_answers(home: Path, token: str) -> tuple[float, float]:
    """Seconds from starting ``chainatlas serve`` to its first 200 on health, then on chains."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--port", str(port)],
        env=_env(home),
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        health = _poll(url + "/api/v1/health", {}, t)
        chains = _poll(url + "/api/v1/chains", {"Authorization": f"Bearer {token}"}, t)
    finally:
        proc.terminate()
        proc.wait(20)
    return health, chains


def _poll(url: str, headers: dict[str, str], t0: float) -> float:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=5).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within 60 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        subprocess.run(
            [sys.executable, "-c", CLI, "init"],
            env=_env(home),
            cwd=home,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        token = (
            subprocess.run(
                [sys.executable, "-c", CLI, "token", "create", "--role", "city"],
                env=_env(home),
                cwd=home,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        n = args.repeat
        print(
            f"input: the seeded embedded store (seeds + sample data); median of {n} runs; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
            file=sys.stderr,
        )
        for _, cmd in COMMANDS:  # compiles and caches the bytecode of every module they use
            _wall(cmd, home, 1)
        _first_answers(home, token)
        floor = _wall(["-c", "import fastapi"], home, n)
        store = _wall(["-c", OPEN_STORE], home, n)
        rows = [
            ("python -c 'import fastapi' (floor)", floor),
            ("open and read the store", store),
            ("import chainatlas.api.main", _wall(["-c", "import chainatlas.api.main"], home, n)),
            ("import chainatlas.api.cli", _wall(["-c", "import chainatlas.api.cli"], home, n)),
        ]
        rows += [(f"chainatlas {name}", _wall(cmd, home, n)) for name, cmd in COMMANDS]
        firsts = [_first_answers(home, token) for _ in range(n)]
        health = statistics.median(f[0] for f in firsts)
        chains = statistics.median(f[1] for f in firsts)
        rows += [("serve → first 200 /health", health), ("serve → first 200 /chains", chains)]
    print("| step | median s | × floor | beyond loading the store, s |")
    print("|---|---:|---:|---:|")
    for name, sec in rows:
        print(f"| {name} | {sec:.3f} | {sec / floor:.1f} | {sec - store:+.3f} |")
    worst = max(sec for name, sec in rows if name.startswith("chainatlas "))
    report(
        "start-up",
        "seeded store",
        f"serve first 200 in {health:.2f} s; slowest light command {worst:.2f} s",
        f"import fastapi {floor:.2f} s",
        f"{health / floor:.1f}×",
    )


if __name__ == "__main__":
    main()
