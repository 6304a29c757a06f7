"""Which candidate each demand gets: an optimal allocation under the supplies' capacities.

A minimum-cost full bipartite matching (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``)
of demands to capacity slots, each demand also having a private "unmatched" slot that costs more
than any real one, with weight = score + priority + 0.1 × tightness of fit, so that major projects
and high-tier chains are served first and tight fits leave room for others. A supply gets as many
slots as its capacity allows and no more than the most of its candidates that fit in its quantity
together. Slots cannot express "the quantities of the demands served add up to at most the
supply's", so the solution is checked per supply: an overflowing supply loses its weakest demands
(those with an alternative first) and the matching is solved again; a greedy repair after the last
solve guarantees that no allocation breaks a constraint, and gives what is left to the demands
left out, strongest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from chainatlas.matching.element_candidates import Match
from chainatlas.matching.element_reading import Element

__all__ = ["assign"]

#: Extra cost of a demand's "unmatched" slot over the dearest real one.
_FAR = 10_000
_EPS = 1e-9
_Array = np.ndarray[Any, Any]


def assign(
    demands: list[Element],
    supplies: list[Element],
    candidates: list[Match],
    unmatched: dict[str, str],
) -> list[Match]:
    """The allocated candidates, one per served demand, sorted by demand; every demand left
    without one gets its reason in ``unmatched``."""
    if not candidates:
        for d in demands:
            unmatched.setdefault(d.id, "无候选供给")
        return []
    p = _Problem.of(demands, supplies, candidates)
    active = np.ones(len(candidates), dtype=bool)
    chosen = np.zeros(0, dtype=int)
    for _round in range(2):
        chosen = p.solve(active)
        used = np.bincount(p.c_s[chosen], weights=p.c_q[chosen], minlength=p.n_s)
        over = np.flatnonzero(used > p.qty + _EPS)
        if len(over) == 0:
            break
        p.drop_weakest(active, chosen, used, over)
    keep = p.repair(active, chosen)
    allocated = [candidates[int(k)] for k in keep]
    served = {m.demand for m in allocated}
    for d in demands:
        if d.id not in served and d.id not in unmatched:
            unmatched[d.id] = "候选供给已分配给优先级或匹配度更高的需求，或剩余数量不足"
    return sorted(allocated, key=lambda m: m.demand)


@dataclass
class _Problem:
    """The candidates as arrays: demand index, supply index, weight and demand quantity per
    candidate; explicit capacity, quantity and "one demand only" per supply."""

    n_d: int
    n_s: int
    c_d: _Array
    c_s: _Array
    c_w: _Array
    c_q: _Array
    cap_explicit: _Array  # -1: none
    qty: _Array  # inf: none
    single: _Array  # no capacity and no quantity: serves one demand
    pair_all: dict[tuple[int, int], int]  # (demand, supply) → candidate

    @classmethod
    def of(
        cls, demands: list[Element], supplies: list[Element], candidates: list[Match]
    ) -> _Problem:
        smap = {s.id: s for s in supplies}
        dmap = {d.id: d for d in demands}
        d_ix = {d: i for i, d in enumerate(sorted({c.demand for c in candidates}))}
        s_ix = {x: i for i, x in enumerate(sorted({c.supply for c in candidates}))}
        n_s = len(s_ix)
        c_d = np.array([d_ix[c.demand] for c in candidates])
        c_s = np.array([s_ix[c.supply] for c in candidates])
        cap_explicit = np.full(n_s, -1)
        qty = np.full(n_s, np.inf)
        single = np.zeros(n_s, dtype=bool)
        for x, i in s_ix.items():
            sup = smap.get(x)
            if sup is None:
                continue  # a firm from the graph (配套): serves any number of demands
            if sup.capacity is not None:
                cap_explicit[i] = sup.capacity
            if sup.base_quantity is not None:
                qty[i] = sup.base_quantity
            elif sup.capacity is None:
                single[i] = True
        return cls(
            n_d=len(d_ix),
            n_s=n_s,
            c_d=c_d,
            c_s=c_s,
            c_w=np.array([c.score + c.priority + 0.1 * c.fit for c in candidates]),
            c_q=np.array([dmap[c.demand].base_quantity or 0.0 for c in candidates]),
            cap_explicit=cap_explicit,
            qty=qty,
            single=single,
            pair_all={(int(a), int(b)): k for k, (a, b) in enumerate(zip(c_d, c_s, strict=True))},
        )

    def slots(self, act: _Array) -> _Array:
        """Slots per supply among the active candidates ``act``: at most its capacity, one
        for a single-demand supply, and no more than fit in its quantity together (smallest
        first), but at least one while it has a candidate."""
        c_s, c_q, qty = self.c_s, self.c_q, self.qty
        n_c = np.bincount(c_s[act], minlength=self.n_s)
        cap = np.where(self.cap_explicit >= 0, np.minimum(self.cap_explicit, n_c), n_c)
        cap = np.where(self.single, np.minimum(cap, 1), cap)
        order = act[np.lexsort((c_q[act], c_s[act]))]
        grp = c_s[order]
        csum = np.cumsum(c_q[order])
        starts = np.searchsorted(grp, np.arange(self.n_s))
        base = np.where(starts > 0, csum[np.maximum(starts - 1, 0)], 0.0)
        within = csum - base[grp]
        fits = np.bincount(grp[within <= qty[grp] + _EPS], minlength=self.n_s)
        return np.where(
            np.isfinite(qty), np.maximum(np.minimum(cap, fits), np.minimum(n_c, 1)), cap
        )

    def solve(self, active: _Array) -> _Array:
        """The chosen candidates of an optimal matching of demands to the slots of the active
        candidates' supplies."""
        act = np.flatnonzero(active)
        cap = self.slots(act)
        n_d, c_s = self.n_d, self.c_s
        slot_start = np.cumsum(cap) - cap
        n_slots = int(cap.sum())
        reps = cap[c_s[act]]
        rows = np.repeat(self.c_d[act], reps)
        first = np.cumsum(reps) - reps
        cols = np.repeat(slot_start[c_s[act]] - first, reps) + np.arange(int(reps.sum()))
        big = float(self.c_w.max()) + 1.0
        vals = np.repeat(big - self.c_w[act], reps)
        rows = np.concatenate([rows, np.arange(n_d)])
        cols = np.concatenate([cols, n_slots + np.arange(n_d)])
        vals = np.concatenate([vals, np.full(n_d, big + _FAR)])
        M = sp.csr_matrix((vals, (rows, cols)), shape=(n_d, n_slots + n_d))
        _, col = min_weight_full_bipartite_matching(M)
        slot_supply = np.repeat(np.arange(self.n_s), cap)
        pair_to_c = {pair: k for pair, k in self.pair_all.items() if active[k]}
        return np.array(
            [pair_to_c[(i, int(slot_supply[j]))] for i, j in enumerate(col) if j < n_slots],
            dtype=int,
        )

    def drop_weakest(self, active: _Array, chosen: _Array, used: _Array, over: _Array) -> None:
        """Deactivate, per overflowing supply, its weakest chosen candidates (those of demands
        with an alternative first) until the rest fit in its quantity."""
        c_d, c_s, c_w, c_q = self.c_d, self.c_s, self.c_w, self.c_q
        n_opts = np.bincount(c_d[np.flatnonzero(active)], minlength=self.n_d)
        over_set = set(over.tolist())
        by_supply: dict[int, list[int]] = {}
        for k in chosen.tolist():
            if int(c_s[k]) in over_set:
                by_supply.setdefault(int(c_s[k]), []).append(k)
        for sidx, ks in by_supply.items():
            ks.sort(key=lambda k: (n_opts[c_d[k]] <= 1, c_w[k]))
            total = float(used[sidx])
            for k in ks:
                if total <= self.qty[sidx] + _EPS:
                    break
                active[k] = False
                total -= c_q[k]

    def repair(self, active: _Array, chosen: _Array) -> list[int]:
        """The chosen candidates kept so that no supply exceeds its quantity or capacity
        (strongest first), then the active candidates of demands left out that still fit."""
        left = np.maximum(self.qty, 0.0).astype(float)
        slots_left = np.where(self.cap_explicit >= 0, self.cap_explicit, np.iinfo(np.int64).max)
        slots_left = np.where(self.single, 1, slots_left)
        c_d, c_s, c_w, c_q = self.c_d, self.c_s, self.c_w, self.c_q

        def take(k: int) -> bool:
            si = int(c_s[k])
            if c_q[k] <= left[si] + _EPS and slots_left[si] > 0:
                left[si] -= c_q[k]
                slots_left[si] -= 1
                return True
            return False

        keep = [k for k in sorted(chosen.tolist(), key=lambda k: -c_w[k]) if take(k)]
        served = {int(c_d[k]) for k in keep}
        for k in np.argsort(-c_w, kind="stable").tolist():
            di = int(c_d[k])
            if di not in served and active[k] and take(k):
                keep.append(k)
                served.add(di)
        return keep
