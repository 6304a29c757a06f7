#!/usr/bin/env python3
"""Load test: the real service on 127.0.0.1 under a bounded, paced load (locust, headless).

Scenarios, each for ``--seconds`` (default 60) at ``--rate`` requests/s (default 200):
- ``reads``: officers browsing (chains, chain pages, fishbone, searches, firms, projects, the
  month's lists, masters);
- ``mixed``: the same with one request in five a write (firms, demands, problems).

Then ``throughput``: the highest rate the service sustains for 15 s with 40 unpaced users on a
cheap endpoint (``/api/v1/health``) — the baseline — and on the reads mix; the ratio says what
the real work costs.

With ``--workers 1,2`` it measures instead how reads scale with ``serve --workers N``: for each
N, in the same run, a fresh service with N worker processes and the unpaced reads mix (and the
``/health`` baseline) for ``--throughput-seconds``. ``--backend neo4j`` serves the graph from
the Neo4j at ``NEO4J_URI`` (its database gets the seeds if it is empty — use a scratch server).

Prints a Markdown table: requests, achieved rate, errors, p50/p95/p99/max latency (ms). Exits
non-zero if any request failed. Usage: python -m bench.load [--seconds 60] [--rate 200]
[--workers 1,2] [--backend memory|neo4j]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.summary import report
from chainatlas.api.testing import LiveService

REPO = Path(__file__).resolve().parent.parent

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
HEALTH_FILE = """
from locust import FastHttpUser, task
class HealthUser(FastHttpUser):
    @task
    def health(self):
        self.client.get("/api/v1/health", name="/health")
"""


def _locust(
    svc: LiveService, file: Path, user: str, users: int, seconds: int, rate: float, out: Path
) -> dict[str, Any]:
    """Run one headless locust scenario; its aggregated row."""
    env = {
        **os.environ,
        "CHAINATLAS_TOKEN": svc.token,
        "CHAINATLAS_USER_RPS": str(rate),
    }
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(file),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        svc.url,
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
        user,
    ]
    print(f"… {user}: {users} users, {seconds} s", file=sys.stderr, flush=True)
    subprocess.run(cmd, env=env, cwd=REPO, check=False, capture_output=True, text=True)
    with open(f"{out}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    agg = next(r for r in rows if r["Name"] == "Aggregated")
    with open(f"{out}_failures.csv", encoding="utf-8") as f:
        failures = [
            f"{r['Occurrences']} × {r['Method']} {r['Name']}: {r['Error']}"
            for r in csv.DictReader(f)
        ]

    def num(key: str) -> float:
        value = agg.get(key) or "0"
        return float(value) if value != "N/A" else 0.0

    return {
        "requests": num("Request Count"),
        "failures": num("Failure Count"),
        "rps": num("Requests/s"),
        "p50": num("50%"),
        "p95": num("95%"),
        "p99": num("99%"),
        "max": num("Max Response Time"),
        "errors": failures,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--rate", type=float, default=200.0, help="offered requests/s")
    ap.add_argument("--users", type=int, default=40)
    ap.add_argument("--throughput-seconds", type=int, default=15)
    ap.add_argument("--workers", help="e.g. 1,2: reads throughput per worker count instead")
    ap.add_argument("--backend", choices=["memory", "neo4j"], default="memory")
    args = ap.parse_args()
    if args.workers:
        _scaling([int(n) for n in args.workers.split(",")], args.backend, args.throughput_seconds)
        return
    per_user = args.rate / args.users
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        with LiveService(home) as svc:
            with svc.client() as c:
                counts = c.get("/api/v1/health").json()
            for name, user in (("reads", "ReadUser"), ("mixed", "MixedUser")):
                m = _locust(
                    svc, LOCUSTFILE, user, args.users, args.seconds, per_user, Path(tmp) / name
                )
                rows.append((name, f"{args.rate:.0f}/s × {args.seconds} s", m))
            health_file = Path(tmp) / "health_locust.py"
            health_file.write_text(HEALTH_FILE, "utf-8")
            secs = args.throughput_seconds
            base = _locust(svc, health_file, "HealthUser", 40, secs, 0, Path(tmp) / "tp_health")
            rows.append(("throughput: /health (baseline)", f"unpaced × {secs} s", base))
            reads = _locust(svc, LOCUSTFILE, "ReadUser", 40, secs, 1000, Path(tmp) / "tp_reads")
            rows.append(("throughput: reads mix", f"unpaced × {secs} s", reads))
    print(
        f"# Load test — chainatlas serve on 127.0.0.1 (embedded store: {counts['nodes']:,} nodes, "
        f"{counts['relationships']:,} relationships)\n"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; one service process, locust on the same machine\n"
    )
    print("| scenario | load | requests | req/s | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, load, m in rows:
        print(
            f"| {name} | {load} | {m['requests']:,.0f} | {m['rps']:.1f} | {m['failures']:.0f} | "
            f"{m['p50']:.0f} | {m['p95']:.0f} | {m['p99']:.0f} | {m['max']:.0f} |"
        )
    ratio = rows[-1][2]["rps"] / rows[-2][2]["rps"] if rows[-2][2]["rps"] else 0.0
    for name, load, m in rows[:2]:
        report(
            f"API load, {name} ({load})",
            f"{counts['nodes']:,} nodes, 40 users",
            f"{m['rps']:.0f} req/s, {m['failures']:.0f} errors, p50 {m['p50']:.0f} ms, "
            f"p99 {m['p99']:.0f} ms",
            "—",
            "—",
        )
    report(
        "API throughput, reads mix (unpaced)",
        "40 users",
        f"{rows[-1][2]['rps']:.0f} req/s",
        f"/health {rows[-2][2]['rps']:.0f} req/s",
        f"{ratio:.2f}",
    )
    print(f"\nreads mix throughput = {ratio:.2f} × the /health baseline")
    if any(m["failures"] for _, _, m in rows):
        print("\nfailed requests:")
        for name, _, m in rows:
            for line in m["errors"]:
                print(f"- {name}: {line}")
        sys.exit(1)


def _scaling(workers: list[int], backend: str, secs: int) -> None:
    """Unpaced reads (and /health) against ``serve --workers N`` for each N, same run."""
    env = {"CHAINATLAS_BACKEND": backend}
    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        for n in workers:
            with LiveService(home, args=("--workers", str(n)), extra_env=env) as svc:
                with svc.client() as c:
                    counts = c.get("/api/v1/health").json()
                out = Path(tmp) / f"w{n}"
                # untimed: every worker loads its graph and builds its caches (ranking index)
                _locust(svc, LOCUSTFILE, "ReadUser", 40, max(secs // 2, 5), 1000, Path(f"{out}_w"))
                health_file = Path(tmp) / "health_locust.py"
                health_file.write_text(HEALTH_FILE, "utf-8")
                base = _locust(svc, health_file, "HealthUser", 40, secs, 0, Path(f"{out}_h"))
                reads = _locust(svc, LOCUSTFILE, "ReadUser", 40, secs, 1000, Path(f"{out}_r"))
                rows.append((n, base, reads))
    print(
        f"# Reads vs worker processes — chainatlas serve --workers N on 127.0.0.1 ({backend} "
        f"store: {counts['nodes']:,} nodes, {counts['relationships']:,} relationships)\n"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores (locust runs on them too); "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; 40 unpaced "
        f"users × {secs} s each\n"
    )
    print("| workers | /health req/s | reads req/s | × 1 worker | errors | p50 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    first = rows[0][2]["rps"] or 1.0
    for n, base, m in rows:
        print(
            f"| {n} | {base['rps']:.0f} | {m['rps']:.0f} | {m['rps'] / first:.2f} | "
            f"{m['failures'] + base['failures']:.0f} | {m['p50']:.0f} | {m['p99']:.0f} |"
        )
    for n, _, m in rows[1:]:
        report(
            f"API reads, serve --workers {n} ({backend})",
            "40 unpaced users",
            f"{m['rps']:.0f} req/s, p50 {m['p50']:.0f} ms, p99 {m['p99']:.0f} ms",
            f"1 worker {first:.0f} req/s",
            f"{m['rps'] / first:.2f}",
        )
    if any(m["failures"] or base["failures"] for _, base, m in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
