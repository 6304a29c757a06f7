"""Target ranking for a segment (补链 延链 强链 targets): which firms to go after, and why.

Candidates come from typed paths, scored with sparse matrix products (scipy) over an index built
once from the graph:

- ``product_1hop``: the firm makes a product adjacent to the segment in the product graph
  (``UPSTREAM_OF`` or ``SUBSEGMENT_OF``, either direction);
- ``product_2hop``: the same two steps away (3-hop paths firm → product → product → segment);
- ``cf``: item-based collaborative filtering (firms making the segment's products also make the
  firm's products; cosine on the firm–segment matrix);
- ``text_portfolio``: char n-gram TF-IDF similarity (scikit-learn) between the firm's product
  names and the segment's name;
- ``text_name``: the same between the firm's own name and the segment's name;
- ``industry``: share of the segment's firms that are in the firm's industry;
- ``size``: log of the firm's number of products, output and listed status.

A logistic regression (:class:`TargetRanker`, scikit-learn estimator contract) combines them;
it is fitted self-supervised on the index's own edges (hide some, learn to find them again).
Every target carries readable reasons naming the paths and numbers behind its score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.settings import HOME_AREA, is_local
from chainatlas.graph.store import GraphStore

__all__ = ["FEATURES", "RankedTarget", "TargetIndex", "TargetRanker", "resolve_segment"]

FEATURES = ("product_1hop", "product_2hop", "cf", "text_portfolio", "text_name", "industry", "size")

#: Coefficients used when a graph has too few edges to fit on (fitted on the ckg data set,
#: see bench/eval_targets.py); order of FEATURES, then the intercept.
DEFAULT_COEF = (2.0, 0.6, 1.5, 4.0, 1.0, 2.0, 0.3)
DEFAULT_INTERCEPT = -6.0


class TargetRanker(ClassifierMixin, BaseEstimator):
    """Logistic regression over the path features; ``decision_function`` is the score."""

    def __init__(self, *, C: float = 1.0, class_weight: str | None = "balanced") -> None:
        self.C = C
        self.class_weight = class_weight

    def fit(self, X: np.ndarray, y: np.ndarray) -> TargetRanker:
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        self.coef_ = self.model_.coef_[0]
        self.intercept_ = float(self.model_.intercept_[0])
        return self

    @classmethod
    def with_defaults(cls) -> TargetRanker:
        r = cls()
        r.coef_ = np.asarray(DEFAULT_COEF, dtype=float)
        r.intercept_ = DEFAULT_INTERCEPT
        r.classes_ = np.array([0, 1])
        return r

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_ + self.intercept_)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


@dataclass
class RankedTarget:
    firm: str
    name: str
    region: str | None
    score: float
    known: bool
    reasons: list[str]
    features: dict[str, float] = field(default_factory=dict)


def _tfidf() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=1, sublinear_tf=True)


class TargetIndex:
    """Sparse matrices over the firm–segment graph, built once, queried per segment."""

    def __init__(
        self,
        firms: Sequence[dict[str, Any]],
        segments: Sequence[tuple[str, str]],
        operates: Iterable[tuple[str, str, float]],
        product_edges: Iterable[tuple[str, str, str]],
        firm_industry: Iterable[tuple[str, str]] = (),
        *,
        home_area: tuple[str, ...] = HOME_AREA,
        max_posting_share: float = 0.05,
    ) -> None:
        self.firm_ids = [f["id"] for f in firms]
        self.firms = list(firms)
        self.fidx = {f: i for i, f in enumerate(self.firm_ids)}
        self.seg_ids = [s for s, _ in segments]
        self.seg_names = [n for _, n in segments]
        self.sidx = {s: i for i, s in enumerate(self.seg_ids)}
        self.home_area = home_area
        nf, ns = len(self.firm_ids), len(self.seg_ids)
        rows, cols, vals = [], [], []
        for f, s, w in operates:
            if f in self.fidx and s in self.sidx:
                rows.append(self.fidx[f])
                cols.append(self.sidx[s])
                vals.append(w if w and w > 0 else 1.0)
        self.F = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(nf, ns))
        self.F.sum_duplicates()
        self.F.data[:] = 1.0
        self.FT = self.F.T.tocsr()  # segments × firms
        # product graph, undirected, with edge kinds kept for explanations
        self.edge_kind: dict[tuple[int, int], str] = {}
        pr, pc = [], []
        for a, kind, b in product_edges:
            if a in self.sidx and b in self.sidx and a != b:
                i, j = self.sidx[a], self.sidx[b]
                pr += [i, j]
                pc += [j, i]
                self.edge_kind[(i, j)] = kind
                self.edge_kind.setdefault((j, i), f"~{kind}")
        A = sp.csr_matrix((np.ones(len(pr)), (pr, pc)), shape=(ns, ns))
        A.data[:] = 1.0
        self.A = A
        # CF: cosine between segment columns
        self.seg_norm = np.sqrt(np.maximum(np.diff(self.FT.indptr), 1))
        # text: char n-grams of segment names; firm portfolio = mean of its segments' vectors
        self.vec = _tfidf().fit(self.seg_names + [str(f.get("name", "")) for f in firms])
        self.T = self.vec.transform(self.seg_names)  # segments × grams
        self.FP = normalize(self.F @ self.T, norm="l2", axis=1).T.tocsr()  # grams × firms
        names = [f"{f.get('name', '')} {f.get('fullname', '')}" for f in firms]
        self.FN = normalize(self.vec.transform(names), norm="l2", axis=1).T.tocsr()  # grams × firms
        self.max_posting = max(200, int(max_posting_share * nf))
        self.fn_len = np.diff(self.FN.indptr)
        self.fp_len = np.diff(self.FP.indptr)
        # industry
        inds: dict[str, int] = {}
        ir, ic = [], []
        for f, ind in firm_industry:
            if f in self.fidx:
                ir.append(self.fidx[f])
                ic.append(inds.setdefault(ind, len(inds)))
        self.industries = list(inds)
        self.I = sp.csr_matrix((np.ones(len(ir)), (ir, ic)), shape=(nf, max(len(inds), 1)))
        self.I.data[:] = 1.0
        self.IT = self.I.T.tocsr()
        deg = np.asarray(self.F.sum(axis=1)).ravel()
        out = np.array([float(f.get("output") or 0) for f in firms])
        listed = np.array(
            [1.0 if "上市" in (f.get("tags") or []) or f.get("stock_code") else 0.0 for f in firms]
        )
        self.size = np.log1p(deg) + 0.1 * np.log1p(out) + 0.2 * listed
        self.local = np.array([is_local(f.get("region"), home_area) for f in firms])
        self.ranker = TargetRanker.with_defaults()

    # ---- building from a store ---------------------------------------------------------------
    @classmethod
    def from_store(
        cls, store: GraphStore, *, home_area: tuple[str, ...] = HOME_AREA, fit: bool = True
    ) -> TargetIndex:
        """The index of the store's graph; the ranker is fitted on it when it has enough edges."""
        firms = [{"id": n.id, **n.props} for n in store.iter_nodes("Firm")]
        segs = [(n.id, n.name) for n in store.iter_nodes("Segment")]
        ops = [
            (r.start, r.end, float(r.props.get("weight") or 1.0))
            for r in store.iter_relationships("OPERATES_IN")
        ]
        prod = [
            (r.start, r.type, r.end)
            for t in ("UPSTREAM_OF", "SUBSEGMENT_OF")
            for r in store.iter_relationships(t)
        ]
        inds = [(r.start, r.end) for r in store.iter_relationships("IN_INDUSTRY")]
        idx = cls(firms, segs, ops, prod, inds, home_area=home_area)
        if fit and len(ops) >= 200:
            idx.fit_ranker()
        return idx

    # ---- features ------------------------------------------------------------------------
    def features(self, s: int) -> tuple[np.ndarray, np.ndarray]:
        """(candidate firm indices, feature matrix) for segment index ``s``.

        Every feature is a sparse row over firms built from posting lists (rows of the
        segment→firm, gram→firm and industry→firm matrices), so the cost follows the number of
        paths, not the number of firms; candidates are the firms reached by any path.
        """
        nf = len(self.firm_ids)
        adj = self.A.indices[self.A.indptr[s] : self.A.indptr[s + 1]]
        rows: list[_Row | None] = [_srow(self.FT, adj, None, nf)]
        if len(adj):
            r2 = _srow(self.A, adj, None, self.A.shape[0])
            two = np.zeros(self.A.shape[0])
            if r2 is not None:
                two[r2.indices] = r2.data
            two[s] = 0
            two[adj] = 0
            nz2 = np.flatnonzero(two)
            rows.append(_srow(self.FT, nz2, np.log1p(two[nz2]), nf))
        else:
            rows.append(None)
        firms_in = self.FT.indices[self.FT.indptr[s] : self.FT.indptr[s + 1]]
        if len(firms_in):
            # cosine between segment columns: co-occurrence over the norms
            co = _srow(self.F, firms_in, None, self.F.shape[1])
            keep = co.indices != s  # type: ignore[union-attr]
            nzs = co.indices[keep]  # type: ignore[union-attr]
            vals = co.data[keep] / (self.seg_norm[nzs] * self.seg_norm[s])  # type: ignore[union-attr]
            rows.append(_srow(self.FT, nzs, vals, nf))
        else:
            rows.append(None)
        t = self.T[s]
        # grams shared by a large share of firms say little and would make every firm a
        # candidate: walk only the postings of the more selective grams
        g_fp = self.fp_len[t.indices] <= self.max_posting
        g_fn = self.fn_len[t.indices] <= self.max_posting
        rows.append(_srow(self.FP, t.indices[g_fp], t.data[g_fp], nf))
        rows.append(_srow(self.FN, t.indices[g_fn], t.data[g_fn], nf))
        if len(firms_in):
            prof = _srow(
                self.I, firms_in, np.full(len(firms_in), 1 / len(firms_in)), self.I.shape[1]
            )
            rows.append(_srow(self.IT, prof.indices, prof.data, nf))  # type: ignore[union-attr]
        else:
            rows.append(None)
        present = [r for r in rows if r is not None and r.nnz]
        if not present:
            return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
        mark = np.zeros(nf, dtype=bool)
        for r in present:
            mark[r.indices] = True
        cand = np.flatnonzero(mark)
        X = np.zeros((len(cand), len(FEATURES)))
        for j, row in enumerate(rows):
            if row is not None and row.nnz:
                X[np.searchsorted(cand, row.indices), j] = row.data
        X[:, 0] = np.minimum(X[:, 0], 3.0)
        X[:, 1] = np.log1p(X[:, 1])
        X[:, 2] = np.log1p(X[:, 2] * 10)
        X[:, 6] = self.size[cand]
        keep = (X[:, :6] > 0).any(axis=1)
        return cand[keep], X[keep]

    # ---- fitting ---------------------------------------------------------------------------
    def fit_ranker(
        self, *, holdout: float = 0.15, negatives: int = 20, seed: int = 0, max_segments: int = 600
    ) -> TargetRanker:
        """Fit the ranker self-supervised: hide ``holdout`` of the firm–segment edges, compute
        features on the rest, label hidden edges 1 and sampled candidates 0."""
        rng = np.random.default_rng(seed)
        coo = self.F.tocoo()
        n = coo.nnz
        hide = rng.random(n) < holdout
        hidden = list(zip(coo.row[hide], coo.col[hide], strict=True))
        sub = TargetIndex.__new__(TargetIndex)
        sub.__dict__.update(self.__dict__)
        keep = ~hide
        sub._set_F(
            sp.csr_matrix((np.ones(keep.sum()), (coo.row[keep], coo.col[keep])), shape=self.F.shape)
        )
        by_seg: dict[int, list[int]] = {}
        for f, s in hidden:
            by_seg.setdefault(int(s), []).append(int(f))
        Xs, ys = [], []
        items = list(by_seg.items())
        rng.shuffle(items)  # type: ignore[arg-type]
        for s, pos in items[:max_segments]:
            cand, X = sub.features(s)
            known = set(sub.FT.indices[sub.FT.indptr[s] : sub.FT.indptr[s + 1]])
            where = {int(c): i for i, c in enumerate(cand)}
            for f in pos:
                if f in where:
                    Xs.append(X[where[f]])
                    ys.append(1)
            pool = [i for i, c in enumerate(cand) if int(c) not in known and int(c) not in pos]
            for i in (
                rng.choice(pool, size=min(negatives, len(pool)), replace=False) if pool else []
            ):
                Xs.append(X[i])
                ys.append(0)
        if len(set(ys)) == 2:
            self.ranker = TargetRanker().fit(np.array(Xs), np.array(ys))
        return self.ranker

    def _set_F(self, F: sp.csr_matrix) -> None:
        self.F = F
        self.FT = F.T.tocsr()
        self.seg_norm = np.sqrt(np.maximum(np.diff(self.FT.indptr), 1))
        self.FP = normalize(self.F @ self.T, norm="l2", axis=1).T.tocsr()
        self.fp_len = np.diff(self.FP.indptr)
        deg = np.asarray(self.F.sum(axis=1)).ravel()
        self.size = np.log1p(deg)

    # ---- querying ----------------------------------------------------------------------------
    def rank(
        self,
        segment: str,
        *,
        top: int = 20,
        inferred_only: bool = False,
        outside_only: bool = True,
        explain: bool = True,
    ) -> list[RankedTarget]:
        """Ranked target firms for ``segment`` (an id in the index)."""
        if segment not in self.sidx:
            raise NodeNotFound(segment)
        s = self.sidx[segment]
        cand, X = self.features(s)
        known_set = set(self.FT.indices[self.FT.indptr[s] : self.FT.indptr[s + 1]].tolist())
        scores = self.ranker.decision_function(X)
        mask = np.ones(len(cand), dtype=bool)
        if outside_only:
            mask &= ~self.local[cand]
        if inferred_only:
            mask &= np.array([int(c) not in known_set for c in cand], dtype=bool)
        cand, X, scores = cand[mask], X[mask], scores[mask]
        k = min(top, len(cand))
        if k == 0:
            return []
        order = np.argpartition(-scores, k - 1)[:k]
        order = order[np.argsort(-scores[order], kind="stable")]
        out = []
        for i in order:
            f = int(cand[i])
            firm = self.firms[f]
            feats = dict(zip(FEATURES, (float(x) for x in X[i]), strict=True))
            out.append(
                RankedTarget(
                    self.firm_ids[f],
                    str(firm.get("name", self.firm_ids[f])),
                    firm.get("region"),
                    round(float(scores[i]), 4),
                    f in known_set,
                    self.explain(f, s, feats) if explain else [],
                    feats,
                )
            )
        return out

    def explain(self, f: int, s: int, feats: dict[str, float]) -> list[str]:
        """Readable reasons: the real paths and numbers behind a firm's score."""
        seg = self.seg_names[s]
        mine = self.F.indices[self.F.indptr[f] : self.F.indptr[f + 1]]
        reasons = []
        if s in set(mine.tolist()):
            reasons.append(f"已记录在环节「{seg}」")
        adj = set(self.A.indices[self.A.indptr[s] : self.A.indptr[s + 1]].tolist())
        for m in mine:
            m = int(m)
            if m in adj:
                kind = self.edge_kind.get((m, s), "")
                reasons.append(f"主营「{self.seg_names[m]}」{_arrow(kind)}「{seg}」")
                if len(reasons) >= 3:
                    break
        if feats["product_2hop"] > 0 and len(reasons) < 4:
            for m in mine:
                m = int(m)
                mid = adj & set(self.A.indices[self.A.indptr[m] : self.A.indptr[m + 1]].tolist())
                if mid:
                    x = min(mid)
                    reasons.append(
                        f"主营「{self.seg_names[m]}」{_arrow(self.edge_kind.get((m, x), ''))}"
                        f"「{self.seg_names[x]}」{_arrow(self.edge_kind.get((x, s), ''))}「{seg}」"
                    )
                    break
        if feats["cf"] > 0:
            firms_in = self.FT.indices[self.FT.indptr[s] : self.FT.indptr[s + 1]]
            for g in firms_in:
                shared = set(
                    self.F.indices[self.F.indptr[g] : self.F.indptr[g + 1]].tolist()
                ) & set(mine.tolist())
                if shared:
                    x = min(shared)
                    reasons.append(
                        f"与本环节企业「{self.firms[int(g)].get('name', '')}」"
                        f"同产「{self.seg_names[x]}」"
                    )
                    break
        if feats["industry"] > 0:
            reasons.append(f"本环节企业中 {feats['industry']:.0%} 与其同属一个行业")
        if feats["text_portfolio"] > 0.3:
            best = max(
                mine,
                key=lambda m: float((self.T[int(m)] @ self.T[s].T).toarray()[0, 0]),
                default=None,
            )
            if best is not None:
                reasons.append(
                    f"产品名称相近：「{self.seg_names[int(best)]}」~「{seg}」"
                    f"（相似度 {feats['text_portfolio']:.2f}）"
                )
        if feats["text_name"] > 0.3:
            reasons.append(f"企业名称与「{seg}」相近（相似度 {feats['text_name']:.2f}）")
        return reasons or [f"综合得分（{', '.join(f'{k}={v:.2f}' for k, v in feats.items())}）"]


def _arrow(kind: str) -> str:
    return {
        "UPSTREAM_OF": " →投入→ ",
        "~UPSTREAM_OF": " ←投入← ",
        "SUBSEGMENT_OF": " →属于→ ",
        "~SUBSEGMENT_OF": " ←子类← ",
    }.get(kind, " — ")


@dataclass
class _Row:
    """A sparse row: sorted column ``indices`` and their ``data``."""

    indices: np.ndarray
    data: np.ndarray

    @property
    def nnz(self) -> int:
        return len(self.indices)


def _srow(M: sp.csr_matrix, rows: np.ndarray, w: np.ndarray | None, n: int) -> _Row | None:
    """The (weighted) sum of some rows of the CSR matrix ``M``, gathered straight from its
    arrays (the cost follows the postings touched, not ``n``); None when no rows."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return None
    starts = M.indptr[rows].astype(np.int64)
    lens = M.indptr[rows + 1].astype(np.int64) - starts
    total = int(lens.sum())
    if total == 0:
        return _Row(np.zeros(0, dtype=np.int64), np.zeros(0))
    firsts = np.cumsum(lens) - lens
    offsets = np.repeat(starts - firsts, lens) + np.arange(total)
    idx = M.indices[offsets]
    vals = M.data[offsets] * (np.repeat(np.asarray(w, dtype=float), lens) if w is not None else 1.0)
    uniq, inv = np.unique(idx, return_inverse=True)
    return _Row(uniq, np.bincount(inv, weights=vals, minlength=len(uniq)))


def resolve_segment(store: GraphStore, key: str) -> str:
    """A segment id from an id or a name."""
    node = store.get_node(key)
    if node is not None and node.label == "Segment":
        return node.id
    found = store.find_nodes("Segment", {"name": key})
    if found:
        return found[0].id
    raise NodeNotFound(key)
