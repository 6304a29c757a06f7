#!/usr/bin/env python3
"""Benchmark: the ranking index built once and kept (``chainatlas.matching.index_cache``).

Two measurements, each in fresh processes, with their baselines in the same run:

1. ``chainatlas map CHAIN --format json`` as a user runs it, on a data directory with the seed
   and sample data and, with ``--ckg-home``, one with the ckg data set imported: **cold** (no
   cache: the index is built, trained and stored), **warm** (an unchanged graph: the stored
   rankings are read back), **index only** (the rankings file removed: the pickled index is
   loaded, which imports scikit-learn), **after a follow-up** (a write that touches none of the
   index's inputs: the stored rankings are taken over by the new revision after the inputs'
   digest is checked), **after an input write** (a firm renamed: built again, like any write
   before the digest), against ``chainatlas stats`` (opening and reading the store: the floor
   of any command) and ``python -c "import fastapi"``.
2. The index of a synthetic scale-up of the ckg shape (every ckg firm replicated, each copy
   keeping each product with probability 0.85, as in ``bench/targets_latency.py``) at
   ``--sizes`` firms: build + training vs writing it (pickle, digest, atomic rename) vs loading
   it in a new process (module imports counted apart), with the file's size.

Usage: python -m bench.index_cache [--chain 1366:storage] [--ckg-home DIR] [--sizes 100000,1000000]
       [--repeat 3] [--skip-cli] [--skip-synthetic]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


# ---- 1. the map command ------------------------------------------------------------------------
def _timed(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - t


def _cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "chainatlas.api.cli", "--home", str(home), *args]


def _drop_cache(home: Path, *, ranks_only: bool = False) -> None:
    cache = home / "cache"
    if not cache.exists():
        return
    for f in cache.glob("targets-*.ranks.json" if ranks_only else "targets-*"):
        f.unlink()


_WRITE = """
from chainatlas.graph.model import Node
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.ledger import add_follow_up
with EmbeddedStore({db!r}) as s:
    if {follow_up!r}:
        add_follow_up(s, next(s.iter_nodes("Project")).id, "电话回访")
    else:
        firm = next(s.iter_nodes("Firm"))
        s.upsert_nodes([Node(firm.id, "Firm", {{"name": firm.name + "·"}})])
"""


def _write(home: Path, *, follow_up: bool) -> None:
    """A committed write in another process: a project's follow-up, or a firm renamed."""
    code = _WRITE.format(db=str(home / "graph.db"), follow_up=follow_up)
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=REPO)


def _map_runs(home: Path, chain: str, repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {
        k: [] for k in ("floor", "stats", "cold", "warm", "index", "follow-up", "input")
    }
    cmd = _cli(home, "map", chain, "--format", "json")
    for _ in range(repeat):
        runs["floor"].append(_timed([sys.executable, "-c", "import fastapi"]))
        runs["stats"].append(_timed(_cli(home, "stats")))
        _drop_cache(home)
        runs["cold"].append(_timed(cmd))
        runs["warm"].append(_timed(cmd))
        _drop_cache(home, ranks_only=True)
        runs["index"].append(_timed(cmd))
        _timed(cmd)  # rankings stored again
        _write(home, follow_up=True)
        runs["follow-up"].append(_timed(cmd))
        _write(home, follow_up=False)
        runs["input"].append(_timed(cmd))
        _timed(cmd)  # rankings stored again for the next round's warm run
    return runs


def _row(label: str, runs: dict[str, list[float]]) -> str:
    def m(k: str) -> str:
        xs = runs[k]
        return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"

    cold, warm = statistics.median(runs["cold"]), statistics.median(runs["warm"])
    return (
        f"| {label} | {m('cold')} | {m('warm')} | {m('index')} | {m('follow-up')} | "
        f"{m('input')} | {m('stats')} | {m('floor')} | {cold / warm:.1f} |"
    )


def _sample_home(tmp: Path) -> Path:
    home = tmp / "sample"
    subprocess.run(_cli(home, "init"), check=True, capture_output=True, cwd=REPO)
    return home


def cli_bench(chain: str, ckg_home: Path | None, repeat: int) -> None:
    from bench.summary import report

    print(f"## `chainatlas map {chain} --format json` (median of {repeat}, range; seconds)\n")
    print(
        "| data | cold (build, train, store) | warm (stored rankings) | index only (pickle, "
        "scikit-learn) | after a follow-up (inputs digest, rankings kept) | after an input "
        "write (built again) | `stats` (store floor) | `import fastapi` | cold / warm |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        homes = [("seed + sample data", _sample_home(Path(tmp)))]
        if ckg_home is not None:
            copy = Path(tmp) / "ckg"
            copy.mkdir()
            shutil.copy(ckg_home / "graph.db", copy / "graph.db")
            homes.append(("seed + sample + ckg (80k nodes)", copy))
        for label, home in homes:
            runs = _map_runs(home, chain, repeat)
            print(_row(label, runs), flush=True)
            report(
                "chainatlas map (warm: graph unchanged)",
                label,
                f"{statistics.median(runs['warm']):.2f} s",
                f"cold {statistics.median(runs['cold']):.2f} s; store floor "
                f"{statistics.median(runs['stats']):.2f} s",
                f"{statistics.median(runs['cold']) / statistics.median(runs['warm']):.1f}",
            )
    print()


# ---- 2. the index at scale -----------------------------------------------------------------------
def _synthetic(n: int, bundle: Path):  # type: ignore[no-untyped-def]
    """The TargetIndex of ``n`` firms replicated from the ckg bundle (not fitted)."""
    import numpy as np

    from bench.targets_latency import scaled_up
    from chainatlas.matching.targets import TargetIndex

    return TargetIndex(*scaled_up(n, bundle, np.random.default_rng(1)))


def _child_build(n: int, bundle: str, path: str) -> None:
    import resource

    from chainatlas.matching.index_cache import save_index

    t = time.perf_counter()
    idx = _synthetic(n, Path(bundle))
    build = time.perf_counter() - t
    t = time.perf_counter()
    idx.fit(rounds=1, max_queries=700 if n <= 100_000 else 300)  # as bench.targets_latency
    fit = time.perf_counter() - t
    t = time.perf_counter()
    assert save_index(idx, Path(path), "bench-1")
    save = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seg = idx.seg_ids[int(idx.FT.indptr[1:].argmax())]
    ranked = [t.firm for t in idx.rank(seg, top=20)]
    print(
        json.dumps(
            {
                "build": build,
                "fit": fit,
                "save": save,
                "peak_mib": peak,
                "bytes": os.path.getsize(path),
                "segment": seg,
                "ranked": ranked,
            }
        )
    )


def _child_load(path: str, seg: str) -> None:
    import resource

    t = time.perf_counter()
    import chainatlas.matching.targets  # noqa: F401  (scikit-learn, scipy, numpy)
    from chainatlas.matching.index_cache import load_index

    imports = time.perf_counter() - t
    t = time.perf_counter()
    idx = load_index(Path(path), "bench-1")
    load = time.perf_counter() - t
    assert idx is not None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ranked = [t.firm for t in idx.rank(seg, top=20)]
    print(json.dumps({"imports": imports, "load": load, "peak_mib": peak, "ranked": ranked}))


def synthetic_bench(sizes: list[int], ckg: Path) -> None:
    from bench.child import run_child
    from bench.summary import report
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle

    print("## The index at scale (synthetic scale-up of the ckg shape; fresh process each)\n")
    print(
        "| firms | build s | train s | write s | file MB | peak RSS build MiB | load s "
        "(+ imports s) | peak RSS load MiB | build+train / load | same ranking |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "ckg"
        ckg_to_bundle(ckg, bundle)
        for n in sizes:
            path = Path(tmp) / "cache" / f"targets-{n}.pkl"
            b = run_child("bench.index_cache", "build", str(n), str(bundle), str(path))
            ld = run_child("bench.index_cache", "load", str(path), b["segment"])
            total = b["build"] + b["fit"]
            ratio = total / ld["load"]
            print(
                f"| {n:,} | {b['build']:.1f} | {b['fit']:.1f} | {b['save']:.1f} | "
                f"{b['bytes'] / 1e6:.0f} | {b['peak_mib']:.0f} | {ld['load']:.2f} "
                f"(+ {ld['imports']:.2f}) | {ld['peak_mib']:.0f} | {ratio:.0f} | "
                f"{'yes' if ld['ranked'] == b['ranked'] else 'NO'} |",
                flush=True,
            )
            report(
                "target index: load a stored index vs build and train",
                f"{n:,} firms",
                f"load {ld['load']:.2f} s (+ imports {ld['imports']:.2f} s)",
                f"build + train {total:.1f} s",
                f"{ratio:.0f}",
            )
            path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chain", default="1366:storage")
    ap.add_argument("--ckg-home", type=Path, default=None, help="数据目录：种子 + 已导入 ckg")
    ap.add_argument("--ckg", type=Path, default=REPO.parent / "shared" / "data" / "ckg")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.child[0] == "build":
            _child_build(int(args.child[1]), args.child[2], args.child[3])
        else:
            _child_load(args.child[1], args.child[2])
        return
    print("# The ranking index, built once and kept\n")
    print(f"load average {os.getloadavg()[0]:.1f} at the start (2 shared cores)\n")
    if not args.skip_cli:
        cli_bench(args.chain, args.ckg_home, args.repeat)
    if not args.skip_synthetic:
        synthetic_bench([int(x) for x in args.sizes.split(",")], args.ckg)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
