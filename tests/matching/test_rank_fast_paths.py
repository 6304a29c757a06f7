"""The query-time shortcuts of the target ranking give exactly what the slow paths give.

Per query the ranker walks its trees itself (all at once, :class:`_Trees`), calibrates with
``np.interp`` instead of ``IsotonicRegression.predict``, merges the first stage's walks in one
pass and checks that a reason exists without writing it (:meth:`Explainer.has_reason`). Each is
checked here against scikit-learn or the full code path, on the synthetic graph of
``test_ranking`` and on random inputs (with missing values) for the trees.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression

from chainatlas.matching import rank_features as rf
from chainatlas.matching.reasons import Explainer
from chainatlas.matching.targets import TargetIndex, TargetRanker, _calibrate, _Trees
from tests.matching.test_ranking import _store, _synthetic


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetIndex]:
    nodes, rels = _synthetic(seed=1)
    with _store(tmp_path_factory.mktemp("fast") / "graph.db", nodes, rels) as s:
        yield TargetIndex.from_store(s)


def _data(n: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, width))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.5, size=n) > 0.5).astype(int)
    X[rng.random(X.shape) < 0.05] = np.nan  # missing values, learned and predicted
    return X, y


@pytest.mark.parametrize("leaves", [2, 4, 9])
def test_trees_walked_at_once_agree_with_scikit_learn(leaves: int) -> None:
    X, y = _data(3000, 6, seed=leaves)
    model = HistGradientBoostingClassifier(
        max_iter=40, max_leaf_nodes=leaves, early_stopping=False, random_state=0
    ).fit(X, y)
    Xt, _ = _data(500, 6, seed=100 + leaves)
    np.testing.assert_allclose(_Trees.of(model).raw(Xt), model._raw_predict(Xt).ravel())


def test_ranker_probabilities_are_scikit_learns() -> None:
    X, y = _data(3000, 5, seed=7)
    r = TargetRanker(max_iter=30, min_samples_leaf=20).fit(X, y)
    np.testing.assert_allclose(r.predict_proba(X), r.model_.predict_proba(X))
    del r.trees_  # an index fitted before the trees were compiled (a pickle) compiles them
    np.testing.assert_allclose(r.decision_function(X), r.model_.predict_proba(X)[:, 1])


def test_calibration_by_interpolation_is_isotonic_predict() -> None:
    rng = np.random.default_rng(0)
    x = rng.random(400)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(x, (rng.random(400) < x).astype(float))
    probe = np.concatenate([rng.random(200), [-1.0, 0.0, 1.0, 2.0]])
    np.testing.assert_allclose(_calibrate(iso, probe), iso.predict(probe))


def test_has_reason_is_whether_reasons_finds_one(index: TargetIndex) -> None:
    seen = {True: 0, False: 0}
    for s in range(len(index.seg_ids)):
        why = Explainer(index.view, index.facts, s)
        for f in range(len(index.firm_ids)):
            has = bool(why.reasons(f))
            assert why.has_reason(f) == has, (index.seg_ids[s], index.firm_ids[f])
            seen[has] += 1
    assert seen[True] and seen[False]  # both outcomes were exercised


def test_merged_walks_are_the_sums_of_each_walk(index: TargetIndex) -> None:
    """One pass over every walk's entries gives, per firm and walk, the walk's total."""
    v = index.view
    for s in range(len(index.seg_ids)):
        K = v.known(s)
        rows = rf._candidate_rows(v, s, K)
        reached, C = rf.candidates(v, s, K)
        dense = np.zeros((len(index.firm_ids), len(rows)))
        for j, r in enumerate(rows):
            np.add.at(dense[:, j], r.indices, r.data)
        hit = np.zeros(len(index.firm_ids), dtype=bool)  # an entry in some walk
        for r in rows:
            hit[r.indices] = True
        allowed = v.cat.outside.copy()
        allowed[K] = False
        np.testing.assert_array_equal(reached, np.flatnonzero(hit & allowed))
        np.testing.assert_allclose(C, dense[reached])


def test_blend_score_is_the_blend_features_product(index: TargetIndex) -> None:
    v = index.view
    for s in range(0, len(index.seg_ids), 3):
        K = v.known(s)
        reached, C = rf.candidates(v, s, K)
        full = rf.blend_features(v, K, reached, C) @ index.blend_
        np.testing.assert_allclose(rf.blend_score(v, K, reached, C, index.blend_), full)


def test_a_pickled_index_ranks_the_same(index: TargetIndex) -> None:
    back = pickle.loads(pickle.dumps(index))
    for seg in index.seg_ids[::5]:
        assert back.rank(seg, top=10) == index.rank(seg, top=10)
