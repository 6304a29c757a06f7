#!/usr/bin/env python3
"""Benchmark: one segment's target list at 10⁴, 10⁵ and 10⁶ firms.

The firm pool is a synthetic scale-up of the ckg shape: every ckg firm is replicated with a
suffixed name, each replica keeping each of the original's products with probability 0.85
(same product graph, same industries). Reports index build time, peak memory (RSS of a fresh
process), the ranker's training time (on up to 700 of the graph's own held-out queries, fewer at
10⁶ to bound the run), and p50/p95 latency of ``TargetIndex.rank(top=20)`` without and with
reasons over 200 random segments that have firms. The machine is shared: the p50 of the
process's own CPU time per query and the load average during the queries are reported too
(on a busy machine the wall-clock figures include the time spent waiting for a core).
Baseline in the same run: the first stage's walks done as dense length-N products over every
firm (then the same pool and trees), on 100 of the same queries.

Usage: python -m bench.targets_latency [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def _dense_rank(idx, s: int, top: int) -> list:  # type: ignore[no-untyped-def]
    """The same ranking with the first stage's walks done as dense length-N products over every
    firm (then the same pool, features, trees and calibration)."""
    from chainatlas.matching import rank_features as rf

    v = idx.view
    nf = v.F.shape[0]

    def rows(v, s, K):  # type: ignore[no-untyped-def]
        cat = v.cat
        out = []
        co = np.asarray(v.F[K].sum(axis=0)).ravel() if len(K) else np.zeros(v.F.shape[1])
        co = co / (v.seg_norm * v.seg_norm[s])
        co[s] = 0.0
        out.append(v.F @ co)
        prof = np.asarray(v.Fi[K].sum(axis=0)).ravel() if len(K) else np.zeros(v.F.shape[1])
        out.append(v.Fi @ prof)
        j = v.ease_col[s]
        out.append(v.ease_inputs.T @ v.ease_B[:, j].toarray().ravel() if j >= 0 else np.zeros(nf))
        out.append(np.asarray(v.FP @ cat.T[s].T.toarray()).ravel())
        kp = np.asarray(v.FP[K].sum(axis=0)).ravel() if len(K) else np.zeros(v.FP.shape[1])
        out.append(v.FP @ (kp / (np.linalg.norm(kp) or 1.0)))
        share = np.asarray(cat.I3[K].mean(axis=0)).ravel() if len(K) else np.zeros(cat.I3.shape[1])
        out.append(cat.I3 @ share)
        adj = np.zeros(v.F.shape[1])
        adj[cat.A.indices[cat.A.indptr[s] : cat.A.indptr[s + 1]]] = 1.0
        out.append(v.F @ adj)
        return [rf._Row(np.flatnonzero(x), x[x != 0]) for x in out]

    sparse = rf._candidate_rows
    rf._candidate_rows = rows
    try:
        return idx.rank(idx.seg_ids[s], top=top, explain=False)
    finally:
        rf._candidate_rows = sparse


def scaled_up(
    n: int, bundle: Path, rng: np.random.Generator
) -> tuple[list[dict[str, Any]], Any, list[Any], Any, list[Any]]:
    """``TargetIndex``'s inputs for ``n`` firms replicated from the ckg bundle: copy ``k`` of a
    firm keeps each of its segments with probability 0.85 (the first copy keeps them all)."""
    from bench.eval_targets import load

    firms, segs, ops, prod, inds = load(bundle)
    by_firm: dict[str, list[str]] = {}
    for f, s in zip(ops[":START_ID"], ops[":END_ID"], strict=True):
        by_firm.setdefault(f, []).append(s)
    ind_of = dict(inds)
    big_firms: list[dict[str, Any]] = []
    big_ops: list[Any] = []
    big_inds: list[Any] = []
    k = 0
    while len(big_firms) < n:
        for f in firms:
            if len(big_firms) >= n:
                break
            fid = f"{f['id']}#{k}"
            big_firms.append({**f, "id": fid, "name": f"{f['name']}{k}"})
            for s in by_firm.get(str(f["id"]), []):
                if k == 0 or rng.random() < 0.85:
                    big_ops.append((fid, s, 1.0))
            if str(f["id"]) in ind_of:
                big_inds.append((fid, ind_of[str(f["id"])]))
        k += 1
    return big_firms, segs, big_ops, prod, big_inds


def _child(n: int, bundle: str) -> None:
    import resource

    from chainatlas.matching.targets import TargetIndex

    rng = np.random.default_rng(1)
    args = scaled_up(n, Path(bundle), rng)
    t = time.perf_counter()
    idx = TargetIndex(*args)
    build = time.perf_counter() - t
    t = time.perf_counter()
    # the ranker trains on the graph's own held-out queries; at scale a bounded number of them
    idx.fit(rounds=1, max_queries=700 if n <= 100_000 else 300)
    fit = time.perf_counter() - t
    with_firms = np.flatnonzero(np.diff(idx.FT.indptr) > 0)
    queries = [idx.seg_ids[i] for i in rng.choice(with_firms, size=200, replace=False)]
    lat, lat_x, cpu = [], [], []
    load = os.getloadavg()[0]
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        idx.rank(q, top=20, explain=False)
        lat.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        t = time.perf_counter()
        idx.rank(q, top=20, explain=True)
        lat_x.append(time.perf_counter() - t)
    # baseline: the same features as dense length-N vectors over all firms, then top-k
    base = []
    for q in queries[:100]:
        t = time.perf_counter()
        _dense_rank(idx, idx.sidx[q], 20)
        base.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "firms": n,
                "edges": len(args[2]),
                "build": build,
                "fit": fit,
                "trained": idx.ranker_ is not None,
                "peak_mib": peak,
                "p50": float(np.median(lat)),
                "p95": float(np.percentile(lat, 95)),
                "p50_explain": float(np.median(lat_x)),
                "p50_cpu": float(np.median(cpu)),
                "load": (load + os.getloadavg()[0]) / 2,
                "base_p50": float(np.median(base)),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckg", default=str(REPO.parent / "shared" / "data" / "ckg"))
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1])
        return
    from bench.child import run_child
    from bench.summary import report
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle

    print("# Target list latency — synthetic scale-up of the ckg shape\n")
    print(
        "| firms | firm→product edges | index build s | ranker fit s | peak RSS MiB | p50 ms | "
        "p95 ms | p50 with reasons ms | p50 CPU ms | load average | dense baseline p50 ms | "
        "× baseline |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "ckg"
        ckg_to_bundle(Path(args.ckg), bundle)
        for n in (int(x) for x in args.sizes.split(",")):
            r = run_child("bench.targets_latency", str(n), str(bundle))
            report(
                "target list (one segment, top 20)",
                f"{r['firms']:,} firms",
                f"p50 {1000 * r['p50']:.1f} ms",
                f"dense vectors p50 {1000 * r['base_p50']:.1f} ms",
                f"{r['base_p50'] / r['p50']:.1f}",
            )
            print(
                f"| {r['firms']:,} | {r['edges']:,} | {r['build']:.1f} | {r['fit']:.1f}"
                f"{'' if r['trained'] else ' (untrained)'} | {r['peak_mib']:.0f} | "
                f"{1000 * r['p50']:.1f} | {1000 * r['p95']:.1f} | {1000 * r['p50_explain']:.1f} | "
                f"{1000 * r['p50_cpu']:.1f} | {r['load']:.1f} | "
                f"{1000 * r['base_p50']:.1f} | {r['base_p50'] / r['p50']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
