"""Warm answers: the service's p50 / p99 per endpoint once everything is loaded, for this code
and for an earlier commit of it in the same run (issue 20: start-up work must not cost the warm
figures).

Each version serves its own copy of the seeded store from a fresh process (``serve``); every
endpoint is asked ``--warmup`` times untimed, then ``--repeat`` times in turn with the other
version (alternating, so a change in the machine's load touches both alike).

Usage: python -m bench.warm [--baseline COMMIT] [--repeat 200]
(the baseline's code is checked out into a temporary git worktree and put first on PYTHONPATH.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.summary import report
from chainatlas.api.testing import LiveService, cli

REPO = Path(__file__).resolve().parent.parent
CHAIN = "1366:icv"
#: (name, path, rate-limited): a rate-limited endpoint (30 a minute per token) is asked with a
#: token of its own, at most :data:`LIMITED` times
ENDPOINTS = [
    ("health", "/api/v1/health", False),
    ("chain", f"/api/v1/chains/{CHAIN}", False),
    ("chain subgraph", f"/api/v1/chains/{CHAIN}/subgraph", False),
    ("fishbone json", f"/api/v1/maps/fishbone/{CHAIN}", False),
    ("projects", f"/api/v1/projects?chain={CHAIN}", False),
    ("gaps", f"/api/v1/gaps/{CHAIN}", True),
    ("招商图 json", f"/api/v1/maps/attraction/{CHAIN}", True),
]
LIMITED = 25


def _worktree(commit: str, where: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(where), commit],
        check=True,
        capture_output=True,
    )
    return where


def _env(code: Path | None) -> dict[str, str] | None:
    return {"PYTHONPATH": str(code)} if code else None


def _service(home: Path, code: Path | None) -> LiveService:
    cli(home, "init", extra_env=_env(code))
    return LiveService(home, extra_env=_env(code)).start()


def _client(svc: LiveService, code: Path | None) -> httpx.Client:
    """A client with a token of its own (its own rate-limit budget)."""
    out = cli(
        svc.home, "token", "create", "--role", "city", "--name", "bench", extra_env=_env(code)
    )
    token = out.strip().splitlines()[-1].strip()
    return httpx.Client(base_url=svc.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _ask(client: httpx.Client, path: str) -> float:
    t = time.perf_counter()
    r = client.get(path)
    dt = time.perf_counter() - t
    if r.status_code != 200:
        raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", default="ea48811", help="earlier commit to compare with")
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="warm-"))
    tree = _worktree(args.baseline, scratch / "code")
    load0 = os.getloadavg()[0]
    try:
        code = {"this code": None, f"baseline {args.baseline}": tree}
        services = {who: _service(scratch / str(i), c) for i, (who, c) in enumerate(code.items())}
        times: dict[tuple[str, str], list[float]] = {}
        for name, path, limited in ENDPOINTS:
            clients = {who: _client(s, code[who]) for who, s in services.items()}
            warmup = 2 if limited else args.warmup
            repeat = LIMITED if limited else args.repeat
            for c in clients.values():
                for _ in range(warmup):
                    _ask(c, path)
            for _ in range(repeat):
                for who, c in clients.items():
                    times.setdefault((name, who), []).append(_ask(c, path))
            print(f"{name}: done", file=sys.stderr, flush=True)
        for s in services.values():
            s.stop()
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)])
        shutil.rmtree(scratch, ignore_errors=True)
    rows = []
    for name, _, _ in ENDPOINTS:
        new, old = (times[(name, w)] for w in code)
        p50n, p50o = statistics.median(new) * 1e3, statistics.median(old) * 1e3
        p99n = sorted(new)[int(0.99 * len(new)) - 1] * 1e3
        p99o = sorted(old)[int(0.99 * len(old)) - 1] * 1e3
        rows.append((name, p50n, p99n, p50o, p99o, len(new)))
    load = f"load average {load0:.1f} → {os.getloadavg()[0]:.1f}"
    print(f"\nWarm answers, seeded store, alternating with {args.baseline} ({load})")
    print("| endpoint | requests | p50 ms | p99 ms | baseline p50 ms | baseline p99 ms | × |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, p50n, p99n, p50o, p99o, n in rows:
        print(
            f"| {name} | {n} | {p50n:.1f} | {p99n:.1f} | {p50o:.1f} | {p99o:.1f} | "
            f"{p50o / p50n:.2f} |"
        )
    worst = min(rows, key=lambda r: r[3] / r[1])
    report(
        "warm answers (p50, seeded store)",
        f"{len(rows)} endpoints",
        ", ".join(f"{r[0]} {r[1]:.1f} ms" for r in rows),
        f"{args.baseline}: " + ", ".join(f"{r[3]:.1f}" for r in rows),
        f"{worst[3] / worst[1]:.2f} at worst ({worst[0]})",
    )


if __name__ == "__main__":
    sys.exit(main())
