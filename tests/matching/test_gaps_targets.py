"""Gap classes and target rankings on small hand-built graphs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.gaps import derive_fishbone, gaps
from chainatlas.matching.targets import TargetIndex, TargetRanker
from tests.matching.test_ranking import GraphFacts, check_reason


def _seg(n: str) -> Node:
    return Node(f"seg:{n}", "Segment", {"name": n})


def _firm(i: str, region: str, name: str | None = None) -> Node:
    return Node(f"firm:{i}", "Firm", {"name": name or i, "region": region, "output": 5.0})


@pytest.fixture
def g(memory_store: EmbeddedStore) -> GraphStore:
    """Chain C: 正极材料 (upstream) > 锂电池 (midstream) > 整车 (downstream).
    Local: two firms in 锂电池 (weak), one in 整车 (master, depends on the others), none in
    正极材料.
    Outside: p makes 正极材料 (known target); q makes 负极材料, which feeds 锂电池 (inferred,
    1 hop); r makes 石墨, input of 负极材料 (2 hops); z makes 服装 (unrelated).
    负极材料 is adjacent to the chain but not in it (延链)."""
    s = memory_store
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node("layout:x", "Layout", {"name": "x", "code": "x"}),
                Node("C", "Chain", {"name": "电池链", "layout": "x"}),
                *[_seg(n) for n in ("正极材料", "锂电池", "整车", "负极材料", "石墨", "服装")],
                _firm("l1", "长兴县"),
                _firm("l2", "长兴县"),
                _firm("m", "吴兴区"),
                _firm("p", "上海市", "上海正极材料股份"),
                _firm("q", "深圳市"),
                _firm("r", "合肥市"),
                _firm("z", "苏州市", "苏州服装"),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("C", "IN_LAYOUT", "layout:x"),
                Relationship("C", "HAS_SEGMENT", "seg:正极材料", {"stage": "upstream"}),
                Relationship("C", "HAS_SEGMENT", "seg:锂电池", {"stage": "midstream"}),
                Relationship("C", "HAS_SEGMENT", "seg:整车", {"stage": "downstream"}),
                Relationship("seg:正极材料", "UPSTREAM_OF", "seg:锂电池"),
                Relationship("seg:锂电池", "UPSTREAM_OF", "seg:整车"),
                Relationship("seg:负极材料", "UPSTREAM_OF", "seg:锂电池"),
                Relationship("seg:石墨", "UPSTREAM_OF", "seg:负极材料"),
                Relationship("firm:l1", "OPERATES_IN", "seg:锂电池"),
                Relationship("firm:l2", "OPERATES_IN", "seg:锂电池"),
                Relationship("firm:m", "OPERATES_IN", "seg:整车"),
                Relationship("firm:m", "CHAIN_MASTER_OF", "C"),
                Relationship("firm:p", "OPERATES_IN", "seg:正极材料"),
                Relationship("firm:q", "OPERATES_IN", "seg:负极材料"),
                Relationship("firm:r", "OPERATES_IN", "seg:石墨"),
                Relationship("firm:z", "OPERATES_IN", "seg:服装"),
            ]
        )
    return s


class TestGaps:
    def test_classes_and_numbers(self, g: GraphStore) -> None:
        res = gaps(g, "C")
        by = {x.name: x for x in res.segments}
        assert by["正极材料"].kind == "补链" and by["锂电池"].kind == "强链"
        assert by["整车"].kind == "强链"  # one local firm: weak
        assert (res.local_total, res.national_total) == (3, 7)
        # 锂电池: local 2/3 vs national 2/7 → LQ = (2/3)/(2/7) = 2.333
        assert by["锂电池"].lq_count == pytest.approx(2.333, abs=1e-3)
        assert by["正极材料"].lq_count == 0.0
        # 正极材料 feeds 锂电池 and, through it, 整车, where the local master operates
        assert by["正极材料"].dependents == 2 and by["正极材料"].masters_depending == 1
        assert res.segments[0].name == "正极材料"  # missing and most depended on: first

    def test_extension_candidates(self, g: GraphStore) -> None:
        ext = gaps(g, "C").extensions
        assert [e.name for e in ext] == ["负极材料"]
        assert ext[0].kind == "延链" and ext[0].stage == "upstream"
        assert "锂电池" in ext[0].reasons[0]

    def test_derived_fishbone(self, g: GraphStore) -> None:
        d = derive_fishbone(g, ["seg:锂电池"], depth=2)
        ups = {name: dist for _, name, dist in d.stages["upstream"]}
        assert ups == {"正极材料": 1, "负极材料": 1, "石墨": 2}
        assert [n for _, n, _ in d.stages["downstream"]] == ["整车"]
        assert [n for _, n, _ in d.stages["midstream"]] == ["锂电池"]


class TestTargets:
    def test_ranking_prefers_connected_firms(self, g: GraphStore) -> None:
        idx = TargetIndex.from_store(g, fit=False)
        ranked = idx.rank("seg:锂电池", top=10, min_score=0.0)
        names = [t.firm for t in ranked]
        # local firms are never targets; the unrelated firm is no candidate at all
        assert not {"firm:l1", "firm:l2", "firm:m", "firm:z"} & set(names)
        assert "firm:q" in names  # makes an input of 锂电池
        assert "firm:r" not in names[: names.index("firm:q")]  # two steps away: not before q
        assert all(not t.known for t in ranked)
        # a graph this small cannot train a ranker: the blend's fixed calibration keeps weak
        # paths below the cut-off, so nothing is proposed by default
        assert idx.ranker_ is None and idx.rank("seg:锂电池", top=10) == []

    def test_known_and_inferred(self, g: GraphStore) -> None:
        idx = TargetIndex.from_store(g, fit=False)
        ranked = idx.rank("seg:正极材料", top=10, min_score=0.0)
        known = {t.firm: t.known for t in ranked}
        assert known["firm:p"] is True and ranked[0].firm == "firm:p"
        assert ranked[0].score == 100.0 and ranked[0].tier == "已记录"
        assert ranked[0].reasons == ["已记录在环节「正极材料」"]
        inferred = idx.rank("seg:正极材料", top=10, inferred_only=True, min_score=0.0)
        assert "firm:p" not in {t.firm for t in inferred}
        with pytest.raises(NodeNotFound):
            idx.rank("seg:没有")

    def test_reasons_are_true_in_the_graph(self, g: GraphStore) -> None:
        idx = TargetIndex.from_store(g, fit=False)
        facts = GraphFacts(g)
        seen = 0
        for seg in idx.seg_ids:
            for t in idx.rank(seg, top=10, min_score=0.0):
                assert t.reasons
                for reason in t.reasons:
                    check_reason(facts, t.firm, seg, reason)
                    seen += 1
        assert seen >= 5

    def test_ranker_follows_the_estimator_contract(self) -> None:
        rng = np.random.default_rng(0)
        X = rng.random((2000, 7))
        y = (X[:, 3] > 0.5).astype(int)
        r = TargetRanker(max_iter=30, min_samples_leaf=20).fit(X, y)
        assert r.get_params()["max_iter"] == 30 and r.get_params()["max_leaf_nodes"] == 4
        assert (r.predict(X) == y).mean() > 0.9
        assert r.predict_proba(X).shape == (2000, 2)
        from sklearn.exceptions import NotFittedError

        with pytest.raises(NotFittedError):
            TargetRanker().decision_function(X)


def test_an_untrained_index_keeps_the_blend_its_fallback_was_calibrated_for(
    seeded: EmbeddedStore,
) -> None:
    """The seed graph has queries to train on but every firm makes one product, so the ranker
    cannot learn; the blend must then be the default one FALLBACK_CALIBRATION was fitted for."""
    from chainatlas.matching.rank_features import DEFAULT_BLEND

    idx = TargetIndex.from_store(seeded)
    assert idx.fit_report_["queries"] >= 60 and idx.ranker_ is None
    assert np.array_equal(idx.blend_, DEFAULT_BLEND)
    for seg in idx.seg_ids[:40]:
        assert all(5.0 <= t.score <= 100.0 for t in idx.rank(seg, top=10))
