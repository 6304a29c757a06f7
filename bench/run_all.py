#!/usr/bin/env python3
"""Every benchmark, one command: ``python -m bench.run_all [--out bench/RESULTS.md] [--quick]``.

Runs each benchmark in its own process, one after the other (they would skew each other's
timings on this 2-core machine), and writes one Markdown file: when, which commit, the machine,
a headline table (one row per figure: input size, measured, the baseline measured in the same
run, ratio), then each benchmark's own tables. Progress goes to stderr.

- import of the ckg bundle into the embedded store and into Neo4j (a local Neo4j test server is
  started with ``scripts/neo4j-test-server`` when ``NEO4J_URI`` is unset and Java is present);
- target-list latency at 10⁴, 10⁵ and 10⁶ firms;
- element matching 10k × 10k;
- interactive view render time in headless Chromium (500, 2,000, 6,000 nodes);
- the API under load (200 req/s reads and mixed, 60 s) and its throughput;
- quality: target ranking on held-out ckg edges, matching F1.

``--quick`` runs smaller sizes (a smoke run, minutes instead of a quarter of an hour).
Needs ``../shared/data/ckg`` for the ckg-based rows (they are skipped without it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.summary import PREFIX

REPO = Path(__file__).resolve().parent.parent
CKG = REPO.parent / "shared" / "data" / "ckg"


def _plan(quick: bool) -> list[tuple[str, list[str], bool]]:
    """(title, module and arguments, needs ckg); each runs as ``python -m bench.MODULE``."""
    return [
        ("Import (ckg)", ["import_ckg", "--repeat", "1" if quick else "3"], True),
        ("Import floor (ckg)", ["import_floor", "--repeat", "1" if quick else "5"], True),
        ("Start-up", ["startup"], False),
        ("Warm answers", ["warm", "--repeat", "30" if quick else "150"], False),
        (
            "Ranking index cache",
            ["index_cache", "--sizes", "10000" if quick else "100000,1000000"]
            + (["--repeat", "1"] if quick else []),
            True,
        ),
        (
            "Target-list latency",
            ["targets_latency", "--sizes", "10000" if quick else "10000,100000,1000000"],
            True,
        ),
        ("Element matching", ["match_bench", "--sizes", "2000" if quick else "10000"], False),
        (
            "View render",
            ["view_render", "--sizes", "500" if quick else "500,2000,6000"]
            + (["--timeout", "20"] if quick else []),
            False,
        ),
        (
            "Large views (WebGL)",
            ["big_view", "--sizes", "1000" if quick else "1000,6000,25000", "--ckg", str(CKG)],
            True,
        ),
        (
            "API load",
            ["load"] + (["--seconds", "10", "--throughput-seconds", "5"] if quick else []),
            False,
        ),
        (
            "Target ranking quality",
            ["eval_targets"] + (["--max-pairs", "500"] if quick else []),
            True,
        ),
        ("Matching quality", ["match_eval", "--n", "300" if quick else "2000"], False),
    ]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def _neo4j(env: dict[str, str]) -> tuple[dict[str, str], bool]:
    """Environment with NEO4J_URI; whether this run started the server."""
    if env.get("NEO4J_URI"):
        return env, False
    if not shutil.which("java"):
        return env, False
    script = REPO / "scripts" / "neo4j-test-server"
    print("… starting a local Neo4j test server", file=sys.stderr, flush=True)
    r = subprocess.run([str(script), "start"], capture_output=True, text=True, cwd=REPO)
    uri = r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else ""
    if not uri.startswith(("bolt://", "neo4j://")):
        print(f"  Neo4j not started; its rows are skipped\n{r.stderr[-500:]}", file=sys.stderr)
        return env, False
    return {**env, "NEO4J_URI": uri}, True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-neo4j", action="store_true")
    args = ap.parse_args()
    env = dict(os.environ)
    started = False
    sections: list[str] = []
    headline: list[dict[str, str]] = []
    notes: list[str] = []
    t_all = time.perf_counter()
    try:
        plan = _plan(args.quick)
        for k, (title, argv, needs_ckg) in enumerate(plan, 1):
            if needs_ckg and not CKG.exists():
                notes.append(f"{title}: skipped ({CKG} not found)")
                continue
            print(f"[{k}/{len(plan)}] {title} …", file=sys.stderr, flush=True)
            step_env = env
            if argv[0] == "import_ckg" and not args.no_neo4j:
                # Neo4j runs for its import rows only: an idle JVM skews the other timings
                step_env, started = _neo4j(env)
            t = time.perf_counter()
            run = subprocess.run(
                [sys.executable, "-m", f"bench.{argv[0]}", *argv[1:]],
                cwd=REPO,
                env=step_env,
                capture_output=True,
                text=True,
            )
            if started:
                subprocess.run([str(REPO / "scripts" / "neo4j-test-server"), "stop"], cwd=REPO)
                started = False
            dt = time.perf_counter() - t
            print(f"      {dt:.0f} s, exit {run.returncode}", file=sys.stderr, flush=True)
            for line in run.stderr.splitlines():
                if line.startswith(PREFIX):
                    headline.append(json.loads(line[len(PREFIX) :]))
            body = run.stdout.strip()
            if run.returncode != 0:
                notes.append(f"{title}: exit {run.returncode}")
                body += "\n\n```text\n" + run.stderr[-3000:] + "\n```"
            sections.append(
                f"## {title} — `python -m bench.{' '.join(argv)}` ({dt:.0f} s)\n\n{body}\n"
            )
    finally:
        if started:
            subprocess.run([str(REPO / "scripts" / "neo4j-test-server"), "stop"], cwd=REPO)
    lines = [
        "# chainatlas benchmarks",
        "",
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {_commit()}"
        + (", quick sizes" if args.quick else "")
        + f"; {time.perf_counter() - t_all:.0f} s in all",
        "",
        f"machine: {_machine()}",
        "",
        "| benchmark | input | measured | baseline (same run) | × baseline |",
        "|---|---|---|---|---:|",
    ]
    lines += [
        f"| {h['benchmark']} | {h['size']} | {h['measured']} | {h['baseline']} | {h['ratio']} |"
        for h in headline
    ]
    if notes:
        lines += ["", *(f"- {n}" for n in notes)]
    lines += ["", *sections]
    Path(args.out).write_text("\n".join(lines), "utf-8")
    print(f"written: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
