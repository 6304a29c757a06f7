#!/usr/bin/env python3
"""Cold start: how long a user waits for the service's first answer and for each light CLI
command, against ``python -c "import fastapi"`` — the floor of any FastAPI service — measured
in the same run.

Every figure is the median wall time of ``--repeat`` fresh processes over one seeded embedded
store (the seeds plus the sample data, ~900 nodes). Also measured: opening that store and
reading it (what every command must pay), and the time from ``chainatlas serve`` starting to its
first 200 on ``/api/v1/health`` and on ``/api/v1/chains``. Beside each wall time, the CPU
seconds the process used (for the service: at its first 200): on a shared machine wall time
swells with the load average (printed), CPU time far less. The children run with their
bytecode cached (``PYTHONPYCACHEPREFIX`` in the temporary data directory, after one untimed
pass), as from an installed wheel.

Usage: python -m bench.startup [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
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


#: CPU seconds (user + system) of the last measurement of each step, by the step's arguments
CPU: dict[str, float] = {}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _wall(args: list[str], home: Path, repeat: int) -> float:
    """Median seconds of ``python ARGS`` in fresh processes (their median CPU seconds go to
    :data:`CPU`: on this shared machine they vary far less with the load than wall time)."""
    times, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), _children_cpu()
        subprocess.run(
            [sys.executable, *args],
            env=_env(home),
            cwd=home,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - t)
        cpus.append(_children_cpu() - c)
    CPU[" ".join(args)] = statistics.median(cpus)
    return statistics.median(times)


def _process_cpu(pid: int) -> float:
    """CPU seconds (every thread, user + system) that process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _first_answers(home: Path, token: str) -> tuple[float, float, float]:
    """Seconds from starting ``chainatlas serve`` to its first 200 on health, then on chains;
    and the CPU seconds the service had used at its first 200 on health."""
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
        cpu = _process_cpu(proc.pid)
        chains = _poll(url + "/api/v1/chains", {"Authorization": f"Bearer {token}"}, t)
    finally:
        proc.terminate()
        proc.wait(20)
    return health, chains, cpu


def _poll(url: str, headers: dict[str, str], t0: float) -> float:
    """Seconds from ``t0`` to the first 200 of ``url``. One client for all the attempts: a new
    one each time (``httpx.get``) loads the CA certificates, ~20 ms of CPU taken from the
    service starting on the same cores, every 10 ms."""
    deadline = time.monotonic() + 60
    with httpx.Client(headers=headers, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url).status_code == 200:
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
        floor_args = ["-c", "import fastapi"]
        floor = _wall(floor_args, home, n)
        store = _wall(["-c", OPEN_STORE], home, n)
        steps = [
            ("python -c 'import fastapi' (floor)", floor_args),
            ("open and read the store", ["-c", OPEN_STORE]),
            ("import chainatlas.api.main", ["-c", "import chainatlas.api.main"]),
            ("import chainatlas.api.cli", ["-c", "import chainatlas.api.cli"]),
        ]
        steps += [(f"chainatlas {name}", cmd) for name, cmd in COMMANDS]
        rows = [
            (
                name,
                floor if i == 0 else store if i == 1 else _wall(cmd, home, n),
                CPU[" ".join(cmd)],
            )
            for i, (name, cmd) in enumerate(steps)
        ]
        firsts = [_first_answers(home, token) for _ in range(n)]
        health = statistics.median(f[0] for f in firsts)
        chains = statistics.median(f[1] for f in firsts)
        cpu = statistics.median(f[2] for f in firsts)
        rows += [
            ("serve → first 200 /health", health, cpu),
            ("serve → first 200 /chains", chains, float("nan")),
        ]
    floor_cpu = CPU[" ".join(floor_args)]
    print(f"load average after: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    print("| step | median s | × floor | beyond loading the store, s | CPU s | CPU × floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, sec, cpu_s in rows:
        print(
            f"| {name} | {sec:.3f} | {sec / floor:.1f} | {sec - store:+.3f} | "
            f"{cpu_s:.2f} | {cpu_s / floor_cpu:.1f} |"
        )
    worst = max(sec for name, sec, _ in rows if name.startswith("chainatlas "))
    report(
        "start-up",
        "seeded store",
        f"serve first 200 in {health:.2f} s ({cpu:.2f} CPU s); slowest light command {worst:.2f} s",
        f"import fastapi {floor:.2f} s ({floor_cpu:.2f} CPU s)",
        f"{health / floor:.1f}×",
    )


if __name__ == "__main__":
    main()
