"""The held-out query protocol on tiny graphs: what is hidden, what becomes a query, and that
neither the evaluated index nor the ranker's own training rounds can see a hidden edge."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from chainatlas.matching.holdout import code_group, hide_edges
from chainatlas.matching.rank_features import query
from chainatlas.matching.targets import TargetIndex


def _graph() -> list[tuple[str, str]]:
    """Segments of 2, 3, 6 and 160 firms; firm f0 is in all of them."""
    sizes = {"two": 2, "three": 3, "six": 6, "big": 160}
    return [(f"f{i}", seg) for seg, n in sizes.items() for i in range(n)]


class TestCodeGroup:
    def test_fixed_and_balanced(self) -> None:
        ids = [f"firm:{i:06d}" for i in range(4000)]
        groups = [code_group(f) for f in ids]
        assert groups == [code_group(f) for f in ids]  # no seed, no order: the id decides
        assert 0.45 < groups.count("report") / len(ids) < 0.55
        assert set(groups) == {"report", "dev"}


class TestHideEdges:
    def test_only_the_group_and_mid_sized_segments(self) -> None:
        edges = _graph()
        group = {f"f{i}" for i in range(0, 200, 2)}  # even firms
        h = hide_edges(edges, group, np.random.default_rng(0), share=1.0)
        assert set(h.visible).isdisjoint(h.hidden)
        assert sorted(h.visible + h.hidden) == sorted(edges)
        assert {f for f, _ in h.hidden} <= group
        assert {s for _, s in h.hidden} == {"three", "six"}  # not 2 firms, not 160
        # every hidden edge of a segment that keeps a known firm is an answer of its query
        assert h.queries == {"three": {"f0", "f2"}, "six": {"f0", "f2", "f4"}}

    def test_a_segment_without_a_known_firm_left_is_no_query(self) -> None:
        edges = [(f"f{i}", "s") for i in range(3)]
        h = hide_edges(edges, None, np.random.default_rng(0), share=1.0)
        assert h.visible == [] and len(h.hidden) == 3 and h.queries == {}
        h0 = hide_edges(edges, None, np.random.default_rng(0), share=1.0, min_known=0)
        assert h0.queries == {"s": {"f0", "f1", "f2"}}

    def test_share(self) -> None:
        edges = [(f"f{i}", f"s{i % 20}") for i in range(2000)]
        h = hide_edges(edges, None, np.random.default_rng(1), share=0.3)
        assert 0.26 < len(h.hidden) / len(edges) < 0.34


def _index(edges: list[tuple[str, str]]) -> TargetIndex:
    firms = sorted({f for f, _ in edges} | {"outsider"})
    segs = sorted({s for _, s in edges})
    return TargetIndex(
        [{"id": f, "name": f, "region": "上海市"} for f in firms],
        [(s, s) for s in segs],
        [(f, s, None) for f, s in edges],
        [],
    )


class TestNoLeak:
    def test_the_evaluated_index_holds_no_hidden_edge(self) -> None:
        edges = _graph()
        h = hide_edges(edges, None, np.random.default_rng(0), share=0.5)
        idx = _index(h.visible)
        for seg, answers in h.queries.items():
            s = idx.sidx[seg]
            q = query(idx.view, s)
            known = set(idx.view.known(s).tolist())
            for a in answers:
                assert idx.F[idx.fidx[a], s] == 0
                assert idx.fidx[a] not in known
            assert not known & set(q.pool.tolist())  # known firms are never candidates

    def test_training_rounds_rebuild_every_feature_without_their_answers(self) -> None:
        seg_of = {i: f"s{i % 12}" for i in range(300)}
        edges = [(f"f{i}", seg_of[i]) for i in range(300)]
        edges += [(f"f{i}", seg_of[(i + 1) % 300]) for i in range(300)]
        idx = _index(edges)
        rounds = idx.training_rounds(np.random.default_rng(0), rounds=2)
        assert sum(len(qs) for _, qs in rounds) > 0
        for v, qs in rounds:
            FP = normalize(v.F @ idx.cat.T)
            for s, answers in qs:
                for a in answers:
                    assert v.F[a, s] == 0 and idx.F[a, s] == 1  # hidden here, there in the index
                    assert v.W[a, s] == 0 and v.Fi[a, s] == 0
                    assert abs(v.FP[a] - FP[a]).sum() < 1e-9  # product names: visible ones only
                    col = v.ease_col[s]
                    if col >= 0:  # the item model's inputs are the visible edges
                        assert v.ease_inputs[col, a] == 0
            assert sp.csr_matrix(v.F).nnz < idx.F.nnz
