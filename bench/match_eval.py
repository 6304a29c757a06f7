#!/usr/bin/env python3
"""Quality of element matching on two labelled sets with known answers.

1. Constraint-defined: every demand has exactly one supply that passes every hard constraint,
   plus one near-miss distractor per constraint (other kind, too small after unit conversion,
   incompatible region, incompatible chain, non-overlapping dates) carrying the *same*
   description as the demand, so that only the constraints can tell them apart. Truth: the one
   valid supply. Every assignment is also re-checked by an independent checker written here.
2. ckg: "需要X配套" demands for products X of the ckg data set; truth: the firms operating in X
   or its sub-segments.

Precision, recall and F1 of the assignments (set 1) and of the top-k graph candidates (set 2).
Usage: python -m bench.match_eval [--n 2000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from bench.match_data import KINDS, LOCAL, WORDS
from chainatlas.graph.io.seeds import load_seeds
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.element_graph import ElementGraph
from chainatlas.matching.elements import Element, match
from chainatlas.matching.units import UNITS

REPO = Path(__file__).resolve().parent.parent

# districts never compatible with each other (no zone overlaps two of them)
FAR = {
    "吴兴区": "安吉县",
    "南浔区": "德清县",
    "德清县": "南浔区",
    "长兴县": "南浔区",
    "安吉县": "吴兴区",
}
UNRELATED = {"1366:icv": "1366:bio", "1366:bio": "1366:textile", "1366:textile": "1366:icv"}


def violations(d: Element, s: Element, g: ElementGraph) -> list[str]:
    """An independent check of the hard constraints for one assigned pair."""
    out = []
    if d.kind != s.kind:
        out.append("kind")
    if d.quantity is not None and s.quantity is not None:
        if UNITS[d.unit or ""][0] != UNITS[s.unit or ""][0]:
            out.append("unit")
        elif d.quantity * UNITS[d.unit or ""][1] > s.quantity * UNITS[s.unit or ""][1] + 1e-9:
            out.append("quantity")
    if not g.region_compatible(d.region, s.region):
        out.append("region")
    if (
        (d.chain or d.segment)
        and (s.chain or s.segment)
        and (s.segment or s.chain) not in g.family(d.chain, d.segment)
    ):
        out.append("chain")
    lo = max(d.valid_from or date.min, s.valid_from or date.min)
    hi = min(d.valid_to or date.max, s.valid_to or date.max)
    if lo > hi:
        out.append("dates")
    return out


def brute_force(ds: list[Element], ss: list[Element], store: GraphStore) -> list[tuple[str, str]]:
    """Baseline: check every pair in Python, take each demand's first valid supply greedily."""
    g = ElementGraph(store, ("湖州市",) + tuple(LOCAL) + ("南太湖新区", "长合区"))
    used: dict[str, int] = {}
    out = []
    for d in ds:
        for s in ss:
            if not violations(d, s, g) and used.get(s.id, 0) < (s.capacity or 1):
                used[s.id] = used.get(s.id, 0) + 1
                out.append((d.id, s.id))
                break
    return out


def constraint_set(n: int, seed: int) -> tuple[list[Element], list[Element], dict[str, str]]:
    rng = random.Random(seed)
    ds, ss, truth = [], [], {}
    for i in range(n):
        kind = rng.choice(list(KINDS))
        unit, f = rng.choice(KINDS[kind])
        # disjoint validity windows make the truth unique: another demand's valid supply
        # always fails the date constraint
        start = date(2026, 1, 1) + timedelta(days=30 * i)
        end = start + timedelta(days=5)
        chain = rng.choice(list(UNRELATED))
        region = rng.choice(list(FAR))
        q = round(rng.uniform(5, 50) / f, 4)
        desc = f"{rng.choice(WORDS[kind])}{i}"
        d = Element(
            f"d{i}",
            "demand",
            kind,
            desc,
            q,
            unit,
            region,
            chain,
            None,
            start,
            end,
            rng.random() < 0.2,
            tier="新兴",
        )
        ds.append(d)
        # the valid supply: compatible in every way, quantity in another unit of the dimension
        s_unit, s_f = rng.choice(KINDS[kind])
        good = Element(
            f"t{i}",
            "supply",
            kind,
            f"{desc}（可供）",
            round(q * f * 1.2 / s_f, 4),
            s_unit,
            rng.choice([region, "湖州市"]),
            rng.choice([chain, None]),
            None,
            start - timedelta(days=2),
            end + timedelta(days=2),
            capacity=1,
        )
        ss.append(good)
        truth[d.id] = good.id
        other_kind = rng.choice([k for k in KINDS if k != kind])
        ou, of = KINDS[other_kind][0]
        ss += [
            replace(
                good,
                id=f"x{i}k",
                kind=other_kind,
                unit=ou,
                quantity=q * f * 2 / of,
                description=desc,
            ),
            replace(good, id=f"x{i}q", quantity=round(q * f * 0.8 / s_f, 4), description=desc),
            replace(good, id=f"x{i}r", region=FAR[region], description=desc),
            replace(good, id=f"x{i}c", chain=UNRELATED[chain], description=desc),
            replace(
                good,
                id=f"x{i}d",
                valid_from=end + timedelta(days=3),
                valid_to=end + timedelta(days=12),
                description=desc,
            ),
        ]
    rng.shuffle(ss)
    return ds, ss, truth


def prf(tp: int, n_pred: int, n_true: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--ckg", default=str(REPO.parent / "shared" / "data" / "ckg"))
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "g.db")
        load_seeds(store, REPO / "seeds", sample=False)
        g = ElementGraph(store, ("湖州市",) + tuple(LOCAL) + ("南太湖新区", "长合区"))
        ds, ss, truth = constraint_set(args.n, args.seed)
        res = match(ds, ss, store=store, top=5)
        smap = {s.id: s for s in ss}
        dmap = {d.id: d for d in ds}
        tp = sum(1 for m in res.assigned if truth.get(m.demand) == m.supply)
        bad = [
            (m.demand, m.supply, v)
            for m in res.assigned
            if (v := violations(dmap[m.demand], smap[m.supply], g))
        ]
        p, r, f1 = prf(tp, len(res.assigned), len(truth))
        from bench.summary import report

        report(
            "matching quality (1 valid + 5 near misses per demand)",
            f"{len(ds):,} demands × {len(ss):,} supplies",
            f"F1 {f1:.3f}, {len(bad)} constraint violations",
            "—",
            "—",
        )
        print("# Element matching quality\n")
        print("| set | demands | supplies | precision | recall | F1 | constraint violations |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(
            f"| constraint-defined (1 valid + 5 near misses each) | {len(ds):,} | {len(ss):,} | "
            f"{p:.3f} | {r:.3f} | {f1:.3f} | {len(bad)} |"
        )
        ckg = Path(args.ckg)
        if ckg.exists():
            from chainatlas.graph.io.bundle import import_bundle
            from chainatlas.graph.io.sources.ckg import ckg_to_bundle

            ckg_to_bundle(ckg, Path(tmp) / "ckg")
            import_bundle(store, Path(tmp) / "ckg", progress=False)
            rng = random.Random(args.seed)
            segs = [
                n.id
                for n in store.iter_nodes("Segment")
                if store.neighbours(n.id, ["OPERATES_IN"], "in")
            ]
            pick = rng.sample(segs, min(500, len(segs)))
            g2 = ElementGraph(store, ("湖州市",))
            demands = [
                Element(
                    f"p{i}",
                    "demand",
                    "配套",
                    f"需要{store.get_node(s).name}配套",  # type: ignore[union-attr]
                    None,
                    None,
                    "长兴县",
                    None,
                    s,
                )
                for i, s in enumerate(pick)
            ]
            k = 10
            res2 = match(demands, [], store=store, top=k)
            pred: dict[str, set[str]] = {}
            for m in res2.candidates:
                pred.setdefault(m.demand, set()).add(m.supply)
            tp2 = n_pred = n_true = 0
            for d in demands:
                true = {f for f, *_ in g2.segment_firms(d.segment or "")}
                got = pred.get(d.id, set())
                tp2 += len(got & true)
                n_pred += len(got)
                n_true += min(len(true), k)
            p2, r2, f2 = prf(tp2, n_pred, n_true)
            print(
                f"| ckg 需要X配套 (top {k} firms from the graph) | {len(demands):,} | — | "
                f"{p2:.3f} | {r2:.3f} | {f2:.3f} | — |"
            )
        store.close()
        if bad:
            print("violations:", bad[:10])


if __name__ == "__main__":
    main()
