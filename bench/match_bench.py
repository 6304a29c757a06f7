#!/usr/bin/env python3
"""Benchmark: element matching end to end on synthetic lists (10k × 10k, 100k × 100k).

Stage times (prepare, candidates, assignment) and peak memory are printed for each size.
Baseline in the same run (smallest size only): the brute-force way — every demand checked
against every supply in Python, then a greedy allocation.

Usage: python -m bench.match_bench [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _child(n: int) -> None:
    import resource

    from bench.match_data import lists
    from chainatlas.graph.io.seeds import load_seeds
    from chainatlas.graph.store.embedded import EmbeddedStore
    from chainatlas.matching.elements import match

    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "g.db")
        load_seeds(store, REPO / "seeds", sample=False)
        t = time.perf_counter()
        ds, ss = lists(n, n, seed=1)
        gen = time.perf_counter() - t
        t = time.perf_counter()
        res = match(ds, ss, store=store, top=5)
        total = time.perf_counter() - t
        base = None
        if n <= 10_000:
            from bench.match_eval import brute_force

            k = 1000  # brute force on a slice, extrapolated per demand
            t = time.perf_counter()
            brute_force(ds[:k], ss, store)
            base = (time.perf_counter() - t) * n / k
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "n": n,
                "gen": gen,
                "total": total,
                **res.timings,
                "peak": peak,
                "assigned": len(res.assigned),
                "unmatched": len(res.unmatched),
                "n_candidates": len(res.candidates),
                "base": base,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child)
        return
    from bench.child import run_child
    from bench.summary import report

    print("# Element matching benchmark (synthetic lists, top 5 candidates per demand)\n")
    print(
        "| demands × supplies | prepare s | candidates s | assignment s | total s | "
        "peak RSS MiB | assigned | unmatched | brute-force baseline s | × baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (int(x) for x in args.sizes.split(",")):
        r = run_child("bench.match_bench", str(n))
        base = f"{r['base']:.1f}" if r["base"] else "—"
        ratio = f"{r['base'] / r['total']:.1f}" if r["base"] else "—"
        report(
            "element matching (candidates + optimal allocation)",
            f"{n:,} demands × {n:,} supplies",
            f"{r['total']:.2f} s",
            f"brute force {base} s" if r["base"] else "—",
            ratio,
        )
        print(
            f"| {n:,} × {n:,} | {r['prepare']:.2f} | {r['candidates']:.2f} | "
            f"{r['assignment']:.2f} | {r['total']:.2f} | {r['peak']:.0f} | {r['assigned']:,} | "
            f"{r['unmatched']:,} | {base} | {ratio} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
