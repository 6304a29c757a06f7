"""Why a firm is proposed for a segment, in plain Chinese, from facts of the graph.

Every reason is a fact a person can check in the graph, written from a fixed template (listed
in :data:`TEMPLATES`, so that a test can read each one back and check it): a product path
(主营「负极材料」，是「锂电池」的上游), a shared product with a firm already in the segment,
how many firms making one of its products also make the segment, a shared Shenwan industry, a
product name containing the segment's, a link through a local chain master. Model features
never appear in a reason; a candidate for whom no such fact exists is not proposed (see
:meth:`chainatlas.matching.targets.TargetIndex.rank`).

A shared product is a reason only when it says something about the segment. A business line
that firms of every trade report (租赁, 贸易, 物业管理, 技术服务…) does not: two firms that both
rent out property are no evidence that one belongs in the other's 医药中间体 segment. Such
*generic* products (:func:`generic_products`: made by at least :data:`GENERIC_MIN_FIRMS`
firms spread over Shenwan level-1 industries with an entropy of at least
:data:`GENERIC_MIN_BITS` bits — about seven or more trades equally) are left out of the
shared-product reasons. This is an inference of ours, not a rule of the seeds; the cut-offs
were read off the ckg data, where they mark 租赁, 材料销售, 贸易, 房地产, 劳务, 技术服务 and
their like, and leave 医疗器械, 药品, 电力销售, 原料药 and the products of one trade alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from chainatlas.matching.rank_features import EdgeView, _pairs

__all__ = [
    "GENERIC_MIN_BITS",
    "GENERIC_MIN_FIRMS",
    "TEMPLATES",
    "Explainer",
    "ReasonFacts",
    "generic_products",
    "share_text",
]

#: A product made by fewer firms than this is never generic.
GENERIC_MIN_FIRMS = 8
#: Entropy (bits) of the Shenwan level-1 industries of a product's makers from which the
#: product is a business line of every trade (2.9 bits ≈ 7.5 industries equally).
GENERIC_MIN_BITS = 2.9

#: One template per kind of reason; ``{}`` fields are names from the graph.
TEMPLATES = {
    "known": "已记录在环节「{seg}」",
    "known_weight": "已记录在环节「{seg}」（业务占比 {share}）",
    "input": "主营「{prod}」，是「{seg}」的上游",
    "output": "主营「{prod}」，以「{seg}」为上游",
    "subtype": "主营「{prod}」，属于「{seg}」的细分品类",
    "supertype": "主营「{prod}」，「{seg}」是其细分品类",
    "contains": "主营「{prod}」，名称含「{seg}」",
    "within": "主营「{prod}」，是「{seg}」名称的一部分",
    "co_product": "与本环节企业「{firm}」同产「{prod}」",
    "co_product2": "与本环节企业「{firm}」同产「{prod}」「{prod2}」",
    "co_count": "主营「{prod}」，做「{prod}」的企业中 {n} 家也在「{seg}」",
    "industry": "与本环节企业「{firm}」等 {n} 家同属申万行业「{industry}」",
    "industry1": "与本环节企业「{firm}」同属申万行业「{industry}」",
    "master": (
        "与本地链主「{firm}」同属申万行业「{industry}」，该链主主营「{prod}」，以「{seg}」为上游"
    ),
    "two_steps": "主营「{prod}」，经「{via}」与「{seg}」相连",
}


def share_text(w: float) -> str:
    """A business share (业务占比, 0–1) as a reason shows it: whole percent, and 「<1%」 for a
    share that would round to 0 % (a recorded segment is never shown as 0 %).

    >>> share_text(0.9), share_text(0.005), share_text(0.0051)
    ('90%', '<1%', '1%')
    """
    text = f"{w:.0%}"
    return "<1%" if w > 0 and text == "0%" else text


def generic_products(FT: sp.csr_matrix, level1: np.ndarray) -> np.ndarray:
    """Which segments are business lines of every trade (see the module's notes): a boolean
    per row of ``FT`` (segment × firm), from each firm's Shenwan level-1 industry in
    ``level1`` (-1: none; firms without one are not counted).

    >>> import scipy.sparse as sp
    >>> FT = sp.csr_matrix(np.array([[1] * 8 + [0] * 8, [1] * 16]))  # 2 segments × 16 firms
    >>> generic_products(FT, np.arange(16)).tolist()  # 8 trades: 3 bits; 16 trades: 4 bits
    [True, True]
    >>> generic_products(FT, np.repeat(np.arange(4), 4)).tolist()  # 4 trades at most: 2 bits
    [False, False]
    """
    out = np.zeros(FT.shape[0], dtype=bool)
    deg = np.diff(FT.indptr)
    for s in np.flatnonzero(deg >= GENERIC_MIN_FIRMS):
        codes = level1[FT.indices[FT.indptr[s] : FT.indptr[s + 1]]]
        codes = codes[codes >= 0]
        if len(codes) < GENERIC_MIN_FIRMS:
            continue
        p = np.unique(codes, return_counts=True)[1] / len(codes)
        out[s] = float(-(p * np.log2(p)).sum()) >= GENERIC_MIN_BITS
    return out


@dataclass
class ReasonFacts:
    """Names and facts the reasons are written from, indexed like the ranking index."""

    seg_names: Sequence[str]
    firm_names: Sequence[str]
    industry: Sequence[np.ndarray]  # per level (3, then 2): each firm's industry index, -1 none
    industry_names: Sequence[Sequence[str]]  # per level: the industries' names
    masters: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # local 链主
    weights: dict[tuple[int, int], float] = field(default_factory=dict)
    #: per segment: a business line of every trade (:func:`generic_products`); empty: none
    generic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def specific(self, products: np.ndarray) -> np.ndarray:
        """``products`` without the generic ones."""
        if len(self.generic) == 0 or len(products) == 0:
            return products
        return products[~self.generic[products]]


class Explainer:
    """The reasons for one segment's candidates (what they share is computed once)."""

    def __init__(self, v: EdgeView, facts: ReasonFacts, s: int) -> None:
        self.v, self.facts, self.s = v, facts, s
        self.seg = facts.seg_names[s]
        self.known = v.known(s)

    @cached_property
    def known_products(self) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``known``, product) of every specific (not generic) product of the
        known firms."""
        ki, kj = _pairs(self.v.F, self.known)
        if len(self.facts.generic) == 0:
            return ki, kj
        keep = ~self.facts.generic[kj]
        return ki[keep], kj[keep]

    @cached_property
    def known_makers(self) -> tuple[np.ndarray, np.ndarray]:
        """(product, how many known firms make it), products sorted."""
        prods, counts = np.unique(self.known_products[1], return_counts=True)
        return prods, counts

    def has_reason(self, f: int) -> bool:
        """Whether :meth:`reasons` finds any for firm ``f`` (without writing them; the
        cheapest facts are looked at first)."""
        mine = self.v.products(f)
        i = int(np.searchsorted(self.known, f))
        if i < len(self.known) and self.known[i] == f:
            return True
        shared = self.facts.specific(mine)
        if len(shared) and np.isin(shared, self.known_makers[0]).any():  # a shared product
            return True
        return bool(
            self._industries(f)
            or self._product_paths(mine)
            or self._masters(f)
            or self._two_steps(mine)
        )

    def reasons(self, f: int, *, limit: int = 4) -> list[str]:
        """Up to ``limit`` reasons why firm ``f`` belongs in the segment, strongest kinds
        first; none when the graph holds no such fact."""
        mine = self.v.products(f)
        i = int(np.searchsorted(self.known, f))
        if i < len(self.known) and self.known[i] == f:  # recorded in the segment
            w = self.facts.weights.get((f, self.s))
            if w:
                return [TEMPLATES["known_weight"].format(seg=self.seg, share=share_text(w))]
            return [TEMPLATES["known"].format(seg=self.seg)]
        out = self._product_paths(mine)
        out += self._shared_products(self.facts.specific(mine))
        out += self._co_counts(self.facts.specific(mine))
        out += self._industries(f)
        out += self._masters(f)
        if not out:
            out += self._two_steps(mine)
        return list(dict.fromkeys(out))[:limit]

    def _product_paths(self, mine: np.ndarray) -> list[str]:
        cat, s, names, out = self.v.cat, self.s, self.facts.seg_names, []
        links = (("input", cat.UT), ("output", cat.U), ("subtype", cat.ST), ("supertype", cat.S))
        for kind, M in links:
            hit = np.intersect1d(mine, M.indices[M.indptr[s] : M.indptr[s + 1]])
            if len(hit):
                out.append(TEMPLATES[kind].format(prod=names[int(hit[0])], seg=self.seg))
        for m in mine.tolist():
            if len(self.seg) >= 2 and self.seg in names[m] and m != s:
                out.append(TEMPLATES["contains"].format(prod=names[m], seg=self.seg))
                break
        for m in mine.tolist():
            if len(names[m]) >= 2 and names[m] in self.seg and m != s:
                out.append(TEMPLATES["within"].format(prod=names[m], seg=self.seg))
                break
        return out[:2]

    def _shared_products(self, mine: np.ndarray) -> list[str]:
        """The known firm sharing the rarest products with the candidate."""
        if len(self.known) == 0 or len(mine) == 0:
            return []
        v = self.v
        ki, kj = self.known_products
        hit = np.isin(kj, mine)
        w = 1.0 / np.log(2.0 + v.sdeg[kj[hit]])
        score = np.bincount(ki[hit], weights=w, minlength=len(self.known))
        i = int(np.argmax(score))
        if score[i] <= 0:
            return []
        g = int(self.known[i])
        shared = np.intersect1d(mine, v.products(g))
        shared = shared[np.argsort(v.sdeg[shared], kind="stable")]
        names = [self.facts.seg_names[int(x)] for x in shared[:2]]
        firm = self.facts.firm_names[g]
        if len(names) == 2:
            return [TEMPLATES["co_product2"].format(firm=firm, prod=names[0], prod2=names[1])]
        return [TEMPLATES["co_product"].format(firm=firm, prod=names[0])]

    def _co_counts(self, mine: np.ndarray) -> list[str]:
        """The candidate's product that most of the segment's firms also make (at least 2)."""
        if len(self.known) == 0 or len(mine) == 0:
            return []
        prods, made = self.known_makers
        at = np.minimum(np.searchsorted(prods, mine), max(len(prods) - 1, 0))
        counts = np.where(prods[at] == mine, made[at], 0) if len(prods) else np.zeros(len(mine))
        i = int(np.argmax(counts))
        if counts[i] < 2:
            return []
        prod = self.facts.seg_names[int(mine[i])]
        return [TEMPLATES["co_count"].format(prod=prod, n=int(counts[i]), seg=self.seg)]

    def _industries(self, f: int) -> list[str]:
        for codes, names in zip(self.facts.industry, self.facts.industry_names, strict=True):
            mine = int(codes[f])
            if mine < 0 or len(self.known) == 0:
                continue
            same = self.known[codes[self.known] == mine]
            if len(same):
                firm, industry = self.facts.firm_names[int(same[0])], names[mine]
                if len(same) == 1:
                    return [TEMPLATES["industry1"].format(firm=firm, industry=industry)]
                return [TEMPLATES["industry"].format(firm=firm, n=len(same), industry=industry)]
        return []

    def _masters(self, f: int) -> list[str]:
        """A local chain master in the candidate's industry making something the segment
        is an input of."""
        codes, names = self.facts.industry[0], self.facts.industry_names[0]
        mine = int(codes[f])
        if mine < 0 or len(self.facts.masters) == 0:
            return []
        U = self.v.cat.U
        fed = U.indices[U.indptr[self.s] : U.indptr[self.s + 1]]
        for z in self.facts.masters:
            if int(codes[z]) != mine:
                continue
            hit = np.intersect1d(self.v.products(int(z)), fed)
            if len(hit):
                text = TEMPLATES["master"].format(
                    firm=self.facts.firm_names[int(z)],
                    industry=names[mine],
                    prod=self.facts.seg_names[int(hit[0])],
                    seg=self.seg,
                )
                return [text]
        return []

    def _two_steps(self, mine: np.ndarray) -> list[str]:
        A = self.v.cat.A
        adj = A.indices[A.indptr[self.s] : A.indptr[self.s + 1]]
        for m in mine:
            via = np.intersect1d(adj, A.indices[A.indptr[m] : A.indptr[m + 1]])
            if len(via):
                return [
                    TEMPLATES["two_steps"].format(
                        prod=self.facts.seg_names[int(m)],
                        via=self.facts.seg_names[int(via[0])],
                        seg=self.seg,
                    )
                ]
        return []
