#!/usr/bin/env python3
"""Evaluation of the target ranking on held-out real data (../shared/data/ckg).

Hides a share of the firm → product (OPERATES_IN) edges, builds the index on the rest, and for
every hidden edge ranks all firms not already recorded in that segment. Reports Hits@10, Hits@50
and MRR for: a popularity baseline (firms with more products first), a plain sparse item-based
collaborative-filtering baseline (cosine on the firm–segment matrix), and chainatlas's ranker —
all computed in the same run on the same split. Ties (and firms a method cannot score) are broken
by popularity for every method.

Usage: python bench/eval_targets.py [--holdout 0.2] [--seed 7] [--max-pairs 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.summary import report  # noqa: E402
from chainatlas.graph.sources.ckg import ckg_to_bundle  # noqa: E402
from chainatlas.matching.targets import FEATURES, TargetIndex  # noqa: E402


def load(
    bundle: Path,
) -> tuple[
    list[dict[str, object]],
    list[tuple[str, str]],
    pd.DataFrame,
    list[tuple[str, str, str]],
    list[tuple[str, str]],
]:
    firms = pd.read_csv(bundle / "nodes_Firm.csv", dtype=str, keep_default_na=False)
    segs = pd.read_csv(bundle / "nodes_Segment.csv", dtype=str, keep_default_na=False)
    ops = pd.read_csv(bundle / "rels_OPERATES_IN.csv", dtype=str, keep_default_na=False)
    up = pd.read_csv(bundle / "rels_UPSTREAM_OF.csv", dtype=str, keep_default_na=False)
    sub = pd.read_csv(bundle / "rels_SUBSEGMENT_OF.csv", dtype=str, keep_default_na=False)
    ind = pd.read_csv(bundle / "rels_IN_INDUSTRY.csv", dtype=str, keep_default_na=False)
    firm_rows = [
        {
            "id": r["id:ID"],
            "name": r["name"],
            "fullname": r["fullname"],
            "region": r["region"],
            "tags": ["上市"],
            "stock_code": r["stock_code"],
        }
        for r in firms.to_dict("records")
    ]
    seg_rows = list(zip(segs["id:ID"], segs["name"], strict=True))
    prod = [(a, "UPSTREAM_OF", b) for a, b in zip(up[":START_ID"], up[":END_ID"], strict=True)]
    prod += [(a, "SUBSEGMENT_OF", b) for a, b in zip(sub[":START_ID"], sub[":END_ID"], strict=True)]
    inds = list(zip(ind[":START_ID"], ind[":END_ID"], strict=True))
    return firm_rows, seg_rows, ops, prod, inds


def ranks_for(scores: np.ndarray, pop: np.ndarray, exclude: np.ndarray, target: int) -> int:
    """1-based rank of ``target`` by (score desc, popularity desc), excluded firms removed."""
    s, p = scores.copy(), pop
    s[exclude] = -np.inf
    ts, tp = s[target], p[target]
    better = (s > ts) | ((s == ts) & (p > tp))
    better[exclude] = False
    return int(better.sum()) + 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckg", default=str(REPO.parent / "shared" / "data" / "ckg"))
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-pairs", type=int, default=3000)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "ckg"
        ckg_to_bundle(Path(args.ckg), bundle)
        firms, segs, ops, prod, inds = load(bundle)
    hide = rng.random(len(ops)) < args.holdout
    train, test = ops[~hide], ops[hide]
    t = time.perf_counter()
    idx = TargetIndex(
        firms,
        segs,
        zip(train[":START_ID"], train[":END_ID"], [1.0] * len(train), strict=True),
        prod,
        inds,
    )
    build = time.perf_counter() - t
    t = time.perf_counter()
    idx.fit_ranker(seed=args.seed)
    fit = time.perf_counter() - t
    pairs = [
        (idx.fidx[f], idx.sidx[s])
        for f, s in zip(test[":START_ID"], test[":END_ID"], strict=True)
        if f in idx.fidx and s in idx.sidx
    ]
    rng.shuffle(pairs)  # type: ignore[arg-type]
    pairs = pairs[: args.max_pairs]
    nf = len(idx.firm_ids)
    pop = np.asarray(idx.F.sum(axis=1)).ravel()
    by_seg: dict[int, list[int]] = {}
    for f, s in pairs:
        by_seg.setdefault(s, []).append(f)
    results: dict[str, list[int]] = {
        "popularity": [],
        "collaborative filtering": [],
        "chainatlas": [],
    }
    t = time.perf_counter()
    for s, fs in by_seg.items():
        known = idx.FT.indices[idx.FT.indptr[s] : idx.FT.indptr[s + 1]]
        exclude = np.zeros(nf, dtype=bool)
        exclude[known] = True
        cand, X = idx.features(s)
        ours = np.full(nf, -np.inf)
        ours[cand] = idx.ranker.decision_function(X)
        cf = np.zeros(nf)
        cf[cand] = X[:, 2]
        for f in fs:
            if exclude[f]:
                continue
            results["popularity"].append(ranks_for(np.zeros(nf), pop, exclude, f))
            results["collaborative filtering"].append(ranks_for(cf, pop, exclude, f))
            results["chainatlas"].append(ranks_for(ours, pop, exclude, f))
    rank_time = time.perf_counter() - t
    n_pairs = len(results["chainatlas"])
    print(
        f"# Target ranking evaluation — ckg, {args.holdout:.0%} of {len(ops):,} firm→product "
        f"edges held out (seed {args.seed}); {n_pairs:,} held-out pairs in {len(by_seg):,} "
        f"segments ranked over {nf:,} firms\n"
    )
    print(
        f"index build {build:.1f} s, ranker fit {fit:.1f} s, ranking {rank_time:.1f} s "
        f"({1000 * rank_time / max(len(by_seg), 1):.1f} ms per segment)\n"
    )
    print("| method | Hits@10 | Hits@50 | MRR | Hits@10 × CF |")
    print("|---|---:|---:|---:|---:|")
    cf10 = np.mean(np.array(results["collaborative filtering"]) <= 10)
    for name, r in results.items():
        a = np.array(r)
        h10, h50, mrr = np.mean(a <= 10), np.mean(a <= 50), np.mean(1 / a)
        print(
            f"| {name} | {h10:.3f} | {h50:.3f} | {mrr:.3f} | "
            f"{(h10 / cf10 if cf10 else float('inf')):.2f} |"
        )
    ours = np.array(results["chainatlas"])
    report(
        "target ranking quality (held-out ckg edges)",
        f"{n_pairs:,} hidden pairs over {nf:,} firms",
        f"Hits@10 {np.mean(ours <= 10):.3f}",
        f"collaborative filtering {cf10:.3f}",
        f"{np.mean(ours <= 10) / cf10:.1f}" if cf10 else "—",
    )
    coef = dict(zip(FEATURES, np.round(idx.ranker.coef_, 2).tolist(), strict=True))
    print(f"\nranker coefficients: {coef}, intercept {idx.ranker.intercept_:.2f}")


if __name__ == "__main__":
    main()
