"""Target ranking for a segment (补链 延链 强链 targets): which outside firms to go after, and why.

The question is the one an investment team asks: *this segment already has some firms — who
else should be in it?* The answer is learned from the graph itself:

- :mod:`~chainatlas.matching.rank_features` turns a segment into candidates and features
  (collaborative filtering on the firms' product portfolios, an item model with industries,
  product-graph paths, the text of product names, industry codes, revenue shares, firm size),
  the expensive ones only for a pool of the best candidates;
- :meth:`TargetIndex.fit` trains on the same kind of query it answers: it hides 30 % of the
  product edges of half the firms on segments with 3–150 firms
  (:func:`~chainatlas.matching.holdout.hide_edges`), rebuilds the features from what is left,
  and learns to find the hidden firms among the pool (:class:`TargetRanker`, gradient-boosted
  trees of scikit-learn); the first stage's blend is a logistic regression fitted on the same
  queries;
- scores are calibrated on held-out training queries (isotonic regression): a score of 20 means
  that, among held-out candidates scored about 20, about one in five was in fact in the segment
  (under that hiding protocol). The same scale holds in every segment, so tiers have fixed
  cut-offs (:data:`TIERS`); firms below the last cut-off, or without a reason found in the
  graph, are not proposed;
- reasons come from :mod:`~chainatlas.matching.reasons`: facts of the graph, never features.

Measured on held-out firms of the public ckg graph (``bench/eval_targets.py``, firms the ranker
was not developed on), the ranker finds about 1.4 times as many hidden firms in its top 10 as
the best simple reference (sparse collaborative filtering with industry codes). A graph too
small to train on (fewer than :data:`MIN_TRAINING_QUERIES` such queries) is ranked by the first
stage's blend with a fixed calibration fitted on ckg.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import Target
from chainatlas.matching.holdout import hide_edges
from chainatlas.matching.index_inputs import IndexInputs
from chainatlas.matching.rank_features import (
    CANDIDATE_FEATURES,
    DEFAULT_BLEND,
    FEATURES,
    Catalogue,
    EdgeView,
    Query,
    blend_features,
    candidates,
    query,
)
from chainatlas.matching.reasons import Explainer, ReasonFacts, generic_products

__all__ = [
    "FEATURES",
    "MIN_SCORE",
    "TIERS",
    "TargetIndex",
    "TargetRanker",
    "resolve_segment",
    "tier_of",
]

#: Tiers by calibrated score (0–100), best first; below the last cut-off a firm is not proposed.
TIERS = ((25.0, "重点"), (12.0, "推荐"), (5.0, "备选"))
MIN_SCORE = TIERS[-1][0]
#: Tier of a firm already recorded in the segment.
KNOWN_TIER = "已记录"
#: Fewer training queries than this: the graph is ranked by the blend with FALLBACK_CALIBRATION.
MIN_TRAINING_QUERIES = 60
#: Logistic calibration of the first-stage blend with DEFAULT_BLEND (slope, intercept), fitted
#: on the pools of the ckg development group's held-out queries (seeds 1 and 2); used only when
#: a graph is too small to fit its own ranker.
FALLBACK_CALIBRATION = (1.12, -6.53)


def tier_of(score: float) -> str | None:
    """The tier of a calibrated score, or None below :data:`MIN_SCORE`.

    >>> tier_of(42.0), tier_of(20.0), tier_of(5.0), tier_of(4.9)
    ('重点', '推荐', '备选', None)
    """
    for cut, name in TIERS:
        if score >= cut:
            return name
    return None


class TargetRanker(ClassifierMixin, BaseEstimator):
    """Gradient-boosted trees over a pool's features (:data:`FEATURES`).

    ``predict_proba`` is the chance that a pool candidate is one of the segment's missing
    firms, as learned from sampled training queries (not calibrated: see
    :meth:`TargetIndex.fit`). Small trees (4 leaves) generalised best on the ckg development
    group. At query time the fitted trees are walked all at once as flat arrays
    (:class:`_Trees`, ~0.3 ms for a 150-firm pool and 150 trees).
    """

    def __init__(
        self,
        *,
        max_iter: int = 150,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 4,
        min_samples_leaf: int = 200,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> TargetRanker:
        self.model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        ).fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.trees_ = _Trees.of(self.model_)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = self.decision_function(X)
        return np.column_stack([1.0 - p, p])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The chance of being a missing firm, from every tree at once (:class:`_Trees`)."""
        check_is_fitted(self, "model_")
        if len(X) == 0:
            return np.zeros(0)
        trees = getattr(self, "trees_", None)
        if trees is None:  # fitted before the trees were compiled
            self.trees_ = trees = _Trees.of(self.model_)
        return np.asarray(1.0 / (1.0 + np.exp(-trees.raw(X))))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0.5).astype(int)


@dataclass
class _Trees:
    """A fitted ``HistGradientBoostingClassifier``'s trees as flat arrays, walked all at once.

    scikit-learn walks one tree at a time, each call with OpenMP threads: for one query's pool
    (150 rows) that is ~150 small parallel sections, slow on a busy machine. Here every
    (row, tree) pair takes one step down per level of depth in a few NumPy gathers, with the
    same rule as scikit-learn's predictor (left when ``x <= threshold``; a missing value goes
    where the split sent missing values), so the raw values agree with ``model._raw_predict``.
    A leaf's children are itself, so rows that reach a leaf early stay there.
    """

    feature: np.ndarray  # per node of every tree (flat): the feature tested (0 at a leaf)
    threshold: np.ndarray  # +inf at a leaf
    missing_left: np.ndarray
    child: np.ndarray  # child[2 * node] left, child[2 * node + 1] right (flat indices)
    value: np.ndarray
    roots: np.ndarray  # flat index of each tree's root
    depth: int
    baseline: float

    @classmethod
    def of(cls, model: HistGradientBoostingClassifier) -> _Trees:
        nodes = [p[0].nodes for p in model._predictors]
        sizes = [len(n) for n in nodes]
        starts = (np.cumsum(sizes) - sizes).astype(np.int64)
        flat = np.concatenate(nodes)
        shift = np.repeat(starts, sizes)
        leaf = flat["is_leaf"].astype(bool)
        me = np.arange(len(flat))
        child = np.empty(2 * len(flat), dtype=np.int64)
        child[0::2] = np.where(leaf, me, flat["left"].astype(np.int64) + shift)
        child[1::2] = np.where(leaf, me, flat["right"].astype(np.int64) + shift)
        return cls(
            feature=np.where(leaf, 0, flat["feature_idx"]).astype(np.int64),
            threshold=np.where(leaf, np.inf, flat["num_threshold"]).astype(np.float64),
            missing_left=flat["missing_go_to_left"].astype(bool) & ~leaf,
            child=child,
            value=flat["value"].astype(np.float64),
            roots=starts,
            depth=int(flat["depth"].max()),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
        )

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Sum over the trees of the leaf each row of ``X`` falls in, plus the baseline."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        n, width = X.shape
        flat, missing = X.ravel(), bool(np.isnan(X).any())
        at = (np.arange(n, dtype=np.int64) * width)[:, None]
        node = np.broadcast_to(self.roots, (n, len(self.roots)))
        for _ in range(self.depth):
            x = flat[at + self.feature[node]]
            right = ~(x <= self.threshold[node])
            if missing:
                right &= ~(np.isnan(x) & self.missing_left[node])
            node = self.child[2 * node + right]
        return self.value[node].sum(axis=1) + self.baseline


class TargetIndex:
    """The graph's firms, segments and their links, built once, ranked per segment.

    Parameters
    ----------
    firms : dicts with ``id`` and optionally ``name``, ``fullname``, ``region``.
    segments : (id, name) pairs.
    operates : (firm, segment, weight) ``OPERATES_IN`` edges; weight is the revenue share.
    product_edges : (a, kind, b) with kind ``UPSTREAM_OF`` or ``SUBSEGMENT_OF``.
    firm_industry : (firm, industry) pairs, the most specific industry known.
    industry_parents : (industry, parent) pairs (``SUBINDUSTRY_OF``).
    industry_names : industry id → name, for the reasons.
    chain_masters : firm ids of chain masters (``CHAIN_MASTER_OF``); local ones appear in reasons.
    pool : how many first-stage candidates the second stage scores.
    """

    def __init__(
        self,
        firms: Sequence[dict[str, Any]],
        segments: Sequence[tuple[str, str]],
        operates: Iterable[tuple[str, str, float | None]],
        product_edges: Iterable[tuple[str, str, str]],
        firm_industry: Iterable[tuple[str, str]] = (),
        *,
        industry_parents: Iterable[tuple[str, str]] = (),
        industry_names: dict[str, str] | None = None,
        chain_masters: Iterable[str] = (),
        home_area: tuple[str, ...] = HOME_AREA,
        pool: int = 150,
    ) -> None:
        self.firms = list(firms)
        self.firm_ids = [str(f["id"]) for f in self.firms]
        self.fidx = {f: i for i, f in enumerate(self.firm_ids)}
        self.seg_ids = [s for s, _ in segments]
        self.seg_names = [n for _, n in segments]
        self.sidx = {s: i for i, s in enumerate(self.seg_ids)}
        self.home_area = home_area
        self.pool = pool
        nf, ns = len(self.firm_ids), len(self.seg_ids)
        rows, cols, self.weights = [], [], {}
        for f, s, w in operates:
            if f in self.fidx and s in self.sidx:
                i, j = self.fidx[f], self.sidx[s]
                rows.append(i)
                cols.append(j)
                if isinstance(w, int | float) and 0 < w <= 1:
                    self.weights[(i, j)] = float(w)
        F = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(nf, ns))
        prod = [
            (self.sidx[a], kind, self.sidx[b])
            for a, kind, b in product_edges
            if a in self.sidx and b in self.sidx
        ]
        codes, names = _industry_levels(
            self.fidx, firm_industry, industry_parents, industry_names or {}
        )
        self.local = np.array([is_local(f.get("region"), home_area) for f in self.firms], bool)
        self.cat = Catalogue.build(self.seg_names, prod, codes, ~self.local)
        wi = list(self.weights)
        self.revenue = sp.csr_matrix(
            ([self.weights[k] for k in wi], ([i for i, _ in wi], [j for _, j in wi])),
            shape=(nf, ns),
        )
        self.view = EdgeView(self.cat, F, revenue=self.revenue)
        masters = [self.fidx[m] for m in chain_masters if m in self.fidx]
        self.facts = ReasonFacts(
            self.seg_names,
            [str(f.get("name") or f["id"]) for f in self.firms],
            codes[:2],
            names[:2],
            np.array([m for m in masters if self.local[m]], dtype=int),
            self.weights,
            generic_products(self.view.FT, np.asarray(codes[2])),
        )
        self.blend_ = DEFAULT_BLEND.copy()
        self.ranker_: TargetRanker | None = None
        self.calibrator_: IsotonicRegression | None = None
        self.fit_report_: dict[str, float] = {}

    @property
    def F(self) -> sp.csr_matrix:
        """Firm × segment matrix of the edges the index holds."""
        return self.view.F

    @property
    def FT(self) -> sp.csr_matrix:
        return self.view.FT

    # ---- building from a store ---------------------------------------------------------------
    @classmethod
    def from_store(
        cls,
        store: GraphStore,
        *,
        home_area: tuple[str, ...] = HOME_AREA,
        fit: bool = True,
        inputs: IndexInputs | None = None,
    ) -> TargetIndex:
        """The index of the store's graph (of ``inputs`` read from it, when given); its ranker
        is fitted on it when it has enough queries to learn from."""
        src = IndexInputs.read(store) if inputs is None else inputs
        idx = cls(
            src.firms,
            src.segments,
            src.operates,
            src.product_edges,
            src.firm_industry,
            industry_parents=src.industry_parents,
            industry_names=src.industry_names,
            chain_masters=src.chain_masters,
            home_area=home_area,
        )
        return idx.fit() if fit else idx

    # ---- fitting ---------------------------------------------------------------------------
    def fit(
        self,
        *,
        seed: int = 0,
        rounds: int = 3,
        share: float = 0.3,
        firm_share: float = 0.5,
        max_queries: int = 700,
        negative_rate: float = 0.3,
        calibration_share: float = 0.25,
        ranker: TargetRanker | None = None,
    ) -> TargetIndex:
        """Learn the blend, the ranker and the calibration from the index's own edges.

        The training queries come from :meth:`training_rounds`. A ``calibration_share`` of them
        is kept aside to calibrate the scores; of the other queries' pool candidates, all the
        hidden firms and ``negative_rate`` of the others (weighted back) train the ranker. A
        graph with fewer than :data:`MIN_TRAINING_QUERIES` queries keeps the fallback.
        """
        rng = np.random.default_rng(seed)
        rows: list[tuple[np.ndarray, np.ndarray]] = []
        n_queries = 0
        blend = DEFAULT_BLEND.copy()
        rounds_ = self.training_rounds(
            rng, rounds=rounds, share=share, firm_share=firm_share, max_queries=max_queries
        )
        for r, (v, qs) in enumerate(rounds_):  # one round's view in memory at a time
            n_queries += len(qs)
            if r == 0:
                blend = self._fit_blend(v, qs, rng)
            for s, answers in qs:
                q = query(v, s, pool=self.pool, blend=blend)
                rows.append((q.X, np.isin(q.pool, answers).astype(float)))
        self.fit_report_ = {"queries": float(n_queries)}
        if n_queries < MIN_TRAINING_QUERIES:
            return self  # the fallback: the default blend and its fixed calibration
        calib = rng.random(len(rows)) < calibration_share
        X, y = _stack([r for r, c in zip(rows, calib, strict=True) if not c])
        Xc, yc = _stack([r for r, c in zip(rows, calib, strict=True) if c])
        keep = (y == 1) | (rng.random(len(y)) < negative_rate)
        if y[keep].sum() < 20 or (y[keep] == 0).sum() < 20 or yc.sum() < 5:
            return self
        model = clone(ranker or TargetRanker(random_state=seed))
        model.fit(X[keep], y[keep], sample_weight=np.where(y == 1, 1.0, 1 / negative_rate)[keep])
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(model.decision_function(Xc), yc)
        self.blend_, self.ranker_, self.calibrator_ = blend, model, iso
        self.fit_report_.update(
            {"rows": float(keep.sum()), "positives": float(y.sum()), "calibration": float(len(yc))}
        )
        return self

    def training_rounds(
        self,
        rng: np.random.Generator,
        *,
        rounds: int = 3,
        share: float = 0.3,
        firm_share: float = 0.5,
        max_queries: int = 700,
    ) -> Iterator[tuple[EdgeView, list[tuple[int, np.ndarray]]]]:
        """Training queries, each round with its own view of the edges (built when asked for).

        A round draws ``firm_share`` of the firms, hides ``share`` of their edges on segments
        with 3–150 firms (up to 1 % of the firms with products in a larger graph;
        :func:`~chainatlas.matching.holdout.hide_edges`), and rebuilds every
        edge-derived matrix from what is left, so that no feature sees the answers; it keeps up
        to ``max_queries`` of its queries as (segment index, hidden firm indices).
        """
        coo = self.view.F.tocoo()
        edges = list(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
        # segments of 3–150 firms, as in the evaluation; a larger graph's mid-sized segments
        # are larger: up to 1 % of the firms that have products
        largest = max(150, int((self.view.deg > 0).sum()) // 100)
        for _ in range(rounds):
            group = None
            if firm_share < 1.0:
                group = np.flatnonzero(rng.random(self.F.shape[0]) < firm_share).tolist()
            h = hide_edges(edges, group, rng, share=share, max_firms=largest)
            qs = [(int(s), np.array(sorted(a), dtype=int)) for s, a in sorted(h.queries.items())]
            if len(qs) > max_queries:
                qs = [qs[i] for i in sorted(rng.choice(len(qs), max_queries, replace=False))]
            vis = np.array(h.visible, dtype=int).reshape(-1, 2)
            F = sp.csr_matrix((np.ones(len(vis)), (vis[:, 0], vis[:, 1])), shape=self.F.shape)
            yield EdgeView(self.cat, F, revenue=self.revenue), qs

    def _fit_blend(
        self, v: EdgeView, qs: list[tuple[int, np.ndarray]], rng: np.random.Generator
    ) -> np.ndarray:
        """Logistic regression of "hidden firm" on the first stage's relative features, over
        every candidate reached (negatives sampled, then weighted back)."""
        Xs, ys, ws = [], [], []
        for s, answers in qs[:300]:
            K = v.known(s)
            reached, raw = candidates(v, s, K)
            if len(reached) == 0:
                continue
            C = blend_features(v, K, reached, raw)
            hit = np.isin(reached, answers)
            neg = np.flatnonzero(~hit)
            take = neg if len(neg) <= 100 else rng.choice(neg, 100, replace=False)
            idx = np.concatenate([np.flatnonzero(hit), take])
            Xs.append(C[idx])
            ys.append(hit[idx].astype(int))
            ws.append(np.where(hit[idx], 1.0, len(neg) / max(len(take), 1)))
        y = np.concatenate(ys) if ys else np.zeros(0, dtype=int)
        if y.sum() < 20:
            return DEFAULT_BLEND.copy()
        lr = LogisticRegression(C=1.0, max_iter=2000)
        lr.fit(np.vstack(Xs), y, sample_weight=np.concatenate(ws))
        coef = np.asarray(lr.coef_[0], dtype=float)
        return coef if (coef[: len(CANDIDATE_FEATURES)] > 0).any() else DEFAULT_BLEND.copy()

    # ---- scoring ---------------------------------------------------------------------------
    def _scores(self, q: Query) -> tuple[np.ndarray, np.ndarray]:
        """(order key, calibrated 0–100 score) of the pool's firms."""
        if self.ranker_ is None or self.calibrator_ is None:
            a, b = FALLBACK_CALIBRATION
            key = q.X[:, FEATURES.index("blend")] if len(q.pool) else np.zeros(0)
            return key, 100.0 / (1.0 + np.exp(-(a * key + b)))
        if len(q.pool) == 0:
            return np.zeros(0), np.zeros(0)
        raw = self.ranker_.decision_function(q.X)
        return raw, 100.0 * _calibrate(self.calibrator_, raw)

    def score_all(self, s: int) -> np.ndarray:
        """A ranking key for every firm (higher first): the pool by the ranker, then the other
        candidates reached by the blend, then the rest (for evaluations)."""
        q = query(self.view, s, pool=self.pool, blend=self.blend_)
        out = np.full(len(self.firm_ids), -3.0)
        if len(q.reached):
            b = q.blend
            out[q.reached] = -2.0 + b / (b.max() + 1e-9)
        key, _ = self._scores(q)
        if len(key):
            lo, hi = key.min(), key.max()
            out[q.pool] = 1.0 + (key - lo) / (hi - lo + 1e-12)
        return out

    # ---- querying ----------------------------------------------------------------------------
    def rank(
        self,
        segment: str,
        *,
        top: int = 20,
        inferred_only: bool = False,
        outside_only: bool = True,
        explain: bool = True,
        min_score: float | None = None,
    ) -> list[Target]:
        """Target firms for ``segment`` (an id in the index): first the firms already recorded
        in it (``known``, unless ``inferred_only``), then inferred firms by score, down to
        ``min_score`` (default :data:`MIN_SCORE`) and only those with a reason in the graph."""
        if segment not in self.sidx:
            raise NodeNotFound(segment)
        s = self.sidx[segment]
        floor = MIN_SCORE if min_score is None else min_score
        allowed = ~self.local if outside_only else np.ones(len(self.firm_ids), dtype=bool)
        known = self.view.known(s)
        allowed_inferred = allowed.copy()
        allowed_inferred[known] = False
        q = query(self.view, s, pool=self.pool, blend=self.blend_, allowed=allowed_inferred)
        key, score = self._scores(q)
        why = Explainer(self.view, self.facts, s)
        out: list[Target] = []
        if not inferred_only:
            rec = known[allowed[known]]
            order = sorted(rec.tolist(), key=lambda f: -self.weights.get((f, s), 0.0))
            for f in order[:top]:
                out.append(self._target(f, 100.0, True, KNOWN_TIER, why, explain))
        for i in np.argsort(-key, kind="stable"):
            if len(out) >= top or score[i] < floor:
                break
            f, sc = int(q.pool[i]), float(score[i])
            if explain:
                t = self._target(f, sc, False, tier_of(sc), why, True)
                if t.reasons:
                    out.append(t)
            elif why.has_reason(f):  # proposed only with a reason, even if not asked for it
                out.append(self._target(f, sc, False, tier_of(sc), why, False))
        return out

    def _target(
        self, f: int, score: float, known: bool, tier: str | None, why: Explainer, explain: bool
    ) -> Target:
        firm = self.firms[f]
        return Target(
            self.firm_ids[f],
            str(firm.get("name") or self.firm_ids[f]),
            firm.get("region"),
            round(score, 1),
            known,
            why.reasons(f) if explain else [],
            tier,
        )

    def explain(self, f: int, s: int, feats: dict[str, float] | None = None) -> list[str]:
        """Reasons, from facts of the graph, why firm index ``f`` fits segment index ``s``."""
        return Explainer(self.view, self.facts, s).reasons(f)


def _calibrate(iso: IsotonicRegression, raw: np.ndarray) -> np.ndarray:
    """``iso.predict(raw)`` for a calibrator fitted with ``out_of_bounds="clip"``: the same
    piecewise-linear interpolation, without scikit-learn's input checks (a large share of a
    query's time)."""
    return np.interp(raw, iso.X_thresholds_, iso.y_thresholds_)


def _stack(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.zeros((0, len(FEATURES))), np.zeros(0)
    return np.vstack([x for x, _ in rows]), np.concatenate([y for _, y in rows])


def _industry_levels(
    fidx: dict[str, int],
    firm_industry: Iterable[tuple[str, str]],
    parents: Iterable[tuple[str, str]],
    names: dict[str, str],
) -> tuple[list[np.ndarray], list[list[str]]]:
    """Each firm's industry index at its own level and the two above it (-1: none), and the
    industries' names per level."""
    parent = dict(parents)
    current = {fidx[f]: i for f, i in firm_industry if f in fidx}
    codes: list[np.ndarray] = []
    level_names: list[list[str]] = []
    for _ in range(3):
        ids = sorted(set(current.values()))
        pos = {c: j for j, c in enumerate(ids)}
        arr = np.full(len(fidx), -1, dtype=np.int64)
        for f, c in current.items():
            arr[f] = pos[c]
        codes.append(arr)
        level_names.append([names.get(c, c) for c in ids])
        current = {f: parent[c] for f, c in current.items() if c in parent}
    return codes, level_names


def resolve_segment(store: GraphStore, key: str) -> str:
    """A segment id from an id or a name."""
    node = store.get_node(key)
    if node is not None and node.label == "Segment":
        return node.id
    found = store.find_nodes("Segment", {"name": key})
    if found:
        return found[0].id
    raise NodeNotFound(key)
