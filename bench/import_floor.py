#!/usr/bin/env python3
"""Benchmark: the embedded import against the raw SQLite floor, side by side (issue 19 item 2).

The same CSV files (the ckg bundle) are loaded, alternately, each time into a new file:
- ``sqlite3 .import`` (the command-line shell): plain tables, no checks, one transaction,
  WAL, ``synchronous=FULL`` — the floor of any loader into SQLite; wall time of the process
  (it checkpoints the WAL when it exits, as the store does when it closes);
- Python's ``sqlite3``: the csv module's rows with ``executemany`` into plain tables, same
  settings — the floor for a Python program; in-process time (connect to close) and the wall
  time of the process;
- ``chainatlas import`` of the bundle: the real command, wall time of the process (Python,
  the command line, pyarrow, reading, every check, the store's tables and their keys, commit
  and close), and the time the command itself reports for the import.

Usage: python -m bench.import_floor [--ckg ../shared/data/ckg] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_PY_FLOOR = r"""
import csv, sqlite3, sys, time
from pathlib import Path
t = time.perf_counter()
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("BEGIN")
for k, p in enumerate(sorted(Path(sys.argv[1]).glob("*.csv"))):
    with p.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        head = next(rows)
        cols = ",".join(f"c{j}" for j in range(len(head)))
        db.execute(f"CREATE TABLE t{k} ({cols})")
        marks = ",".join("?" * len(head))
        db.executemany(f"INSERT INTO t{k} VALUES ({marks})", rows)
db.execute("COMMIT")
db.close()
print(time.perf_counter() - t)
"""


def _wall(cmd: list[str], **kw: object) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - t, out.stdout


def _sqlite_cli(bundle: Path, work: Path) -> float:
    script = ["PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "BEGIN;"]
    for k, p in enumerate(sorted(bundle.glob("*.csv"))):
        script.append(f".import --csv {p} t{k}")
    script.append("COMMIT;")
    sql = work / "floor.sql"
    sql.write_text("\n".join(script) + "\n", "utf-8")
    db = work / "floor.db"
    with sql.open() as stdin:
        seconds, _ = _wall(["sqlite3", str(db)], stdin=stdin)
    return seconds


def _python_floor(bundle: Path, work: Path) -> tuple[float, float]:
    seconds, out = _wall([sys.executable, "-c", _PY_FLOOR, str(bundle), str(work / "py.db")])
    return seconds, float(out.strip())


def _chainatlas(bundle: Path, work: Path) -> tuple[float, float]:
    exe = shutil.which("chainatlas") or str(Path(sys.executable).parent / "chainatlas")
    cmd = [exe, "--home", str(work / "home"), "import", "--quiet", str(bundle)]
    seconds, out = _wall(cmd)
    m = re.search(r"（([\d.]+) 秒", out)
    assert m, out
    return seconds, float(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckg", default=str(REPO.parent / "shared" / "data" / "ckg"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle

    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "ckg"
        rep = ckg_to_bundle(Path(args.ckg), bundle)
        mib = sum(p.stat().st_size for p in bundle.glob("*.csv")) / 2**20
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"# Embedded import against the SQLite floor — ckg bundle: {rep.rows:,} rows "
            f"({mib:.1f} MiB of CSV in {len(list(bundle.glob('*.csv')))} files)\n"
        )
        print(f"load average before: {load} (2 cores); median of {args.repeat} runs each\n")
        cli: list[float] = []
        py: list[tuple[float, float]] = []
        ours: list[tuple[float, float]] = []
        for k in range(args.repeat):  # alternate, so a busy minute hits all three alike
            for name, runs in (("cli", cli), ("py", py), ("ours", ours)):
                work = Path(tmp) / f"{name}{k}"
                work.mkdir()
                if name == "cli":
                    runs.append(_sqlite_cli(bundle, work))  # type: ignore[arg-type]
                elif name == "py":
                    runs.append(_python_floor(bundle, work))  # type: ignore[arg-type]
                else:
                    runs.append(_chainatlas(bundle, work))  # type: ignore[arg-type]
                shutil.rmtree(work)
        med = statistics.median
        floor = med(cli)
        py_wall, py_in = med(p[0] for p in py), med(p[1] for p in py)
        our_wall, our_in = med(o[0] for o in ours), med(o[1] for o in ours)

        def spread(xs: list[float]) -> str:
            return f"{min(xs):.2f}–{max(xs):.2f}"

        print("| loader | what is timed | seconds (range) | rows/s | × sqlite3 .import |")
        print("|---|---|---:|---:|---:|")
        rows = [
            ("sqlite3 .import (floor)", "process", floor, cli),
            ("Python sqlite3 executemany", "process", py_wall, [p[0] for p in py]),
            ("Python sqlite3 executemany", "connect → close", py_in, [p[1] for p in py]),
            ("chainatlas import", "process (end to end)", our_wall, [o[0] for o in ours]),
            ("chainatlas import", "import as reported", our_in, [o[1] for o in ours]),
        ]
        for name, what, sec, xs in rows:
            print(
                f"| {name} | {what} | {sec:.2f} ({spread(xs)}) | {rep.rows / sec:,.0f} | "
                f"{sec / floor:.1f} |"
            )
        print(
            f"\nchainatlas import end to end: {our_wall / floor:.1f}× the sqlite3 .import floor, "
            f"{our_wall / py_wall:.1f}× the Python executemany floor (both processes); the "
            f"import itself {our_in / py_in:.1f}× Python's executemany in-process."
        )
        print(f"\nload average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        from bench.summary import report

        report(
            "embedded import vs SQLite floor",
            f"{rep.rows:,} rows (ckg)",
            f"chainatlas import {our_wall:.2f} s end to end",
            f"sqlite3 .import {floor:.2f} s",
            f"{our_wall / floor:.1f}× the floor",
        )


if __name__ == "__main__":
    main()
