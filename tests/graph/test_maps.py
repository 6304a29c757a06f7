"""两图两库 on small hand-built graphs whose answers are known."""

from __future__ import annotations

import pytest

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.rules import Thresholds
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import (
    attraction_map,
    fishbone,
    local_ratios,
    masters_library,
    projects_library,
    resolve_chain,
)


def _firm(i: str, region: str, output: float, tags: list[str] | None = None) -> Node:
    return Node(
        f"firm:{i}", "Firm", {"name": i, "region": region, "output": output, "tags": tags or []}
    )


@pytest.fixture
def small(memory_store: EmbeddedStore) -> GraphStore:
    """Two layouts; chain A (new) with segments s1 (3 local firms, 30亿), s2 (1 local + 1 outside),
    s3 (outside only) with sub-segment s3a (1 local firm); chain B (same layout) shares s2;
    chain OLD (old layout) shares s1 and evolved into A."""
    s = memory_store
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node("layout:new", "Layout", {"name": "new", "code": "new"}),
                Node("layout:old", "Layout", {"name": "old", "code": "old"}),
                Node("A", "Chain", {"name": "甲链", "layout": "new"}),
                Node("B", "Chain", {"name": "乙链", "layout": "new"}),
                Node("OLD", "Chain", {"name": "旧链", "layout": "old", "aliases": ["旧称"]}),
                *[Node(f"seg:{x}", "Segment", {"name": x}) for x in ("s1", "s2", "s3", "s3a")],
                _firm("l1", "长兴县", 10),
                _firm("l2", "吴兴区", 10, ["规上"]),
                _firm("l3", "德清县", 10),
                _firm("l4", "安吉县", 2),
                _firm("o1", "上海市", 50),
                _firm("o2", "苏州市", 80),
                _firm("l5", "南浔区", 1),
                _firm("o3", "合肥市", 5),
                Node("region:长兴县", "Region", {"name": "长兴县"}),
                Node("park:p1", "Park", {"name": "园一", "region": "长兴县", "vacancy": 0.3}),
                Node("park:p2", "Park", {"name": "园二", "region": "长兴县", "vacancy": 0.1}),
                Node("platform:x", "Platform", {"name": "平台X"}),
                Node(
                    "project:1",
                    "Project",
                    {"name": "项目一", "stage": "招商引资", "region": "长兴县"},
                ),
                Node(
                    "project:2",
                    "Project",
                    {"name": "项目二", "stage": "落地开工", "region": "吴兴区"},
                ),
            ]
        )
        rels = [
            Relationship("A", "IN_LAYOUT", "layout:new"),
            Relationship("B", "IN_LAYOUT", "layout:new"),
            Relationship("OLD", "IN_LAYOUT", "layout:old"),
            Relationship("OLD", "EVOLVED_INTO", "A", {"basis": "测试"}),
            Relationship("OLD", "FOCUS_REGION", "region:长兴县"),
            Relationship("A", "HAS_SEGMENT", "seg:s1", {"stage": "upstream", "order": 1}),
            Relationship("A", "HAS_SEGMENT", "seg:s2", {"stage": "midstream", "order": 1}),
            Relationship("A", "HAS_SEGMENT", "seg:s3", {"stage": "downstream", "order": 1}),
            Relationship("B", "HAS_SEGMENT", "seg:s2", {"stage": "upstream"}),
            Relationship("OLD", "HAS_SEGMENT", "seg:s1", {"stage": "upstream"}),
            Relationship("seg:s3a", "SUBSEGMENT_OF", "seg:s3"),
            Relationship("platform:x", "SERVES", "seg:s2"),
            Relationship("firm:l2", "CHAIN_MASTER_OF", "A"),
            Relationship("project:1", "IN_CHAIN", "A"),
            Relationship("project:1", "IN_SEGMENT", "seg:s1"),
            Relationship("project:2", "IN_CHAIN", "B"),
        ]
        for f in ("l1", "l2", "l3"):
            rels.append(Relationship(f"firm:{f}", "OPERATES_IN", "seg:s1"))
        rels += [
            Relationship("firm:l4", "OPERATES_IN", "seg:s2"),
            Relationship("firm:o1", "OPERATES_IN", "seg:s2", {"weight": 0.5}),
            Relationship("firm:o2", "OPERATES_IN", "seg:s3"),
            Relationship("firm:o3", "OPERATES_IN", "seg:s3a"),
            Relationship("firm:l5", "OPERATES_IN", "seg:s3a"),
            # supply links of the chain master l2: 2 local (values 1, 3), 2 outside (4, none)
            Relationship("firm:l1", "SUPPLIES", "firm:l2", {"value": 1.0}),
            Relationship("firm:l3", "SUPPLIES", "firm:l2", {"value": 3.0}),
            Relationship("firm:o1", "SUPPLIES", "firm:l2", {"value": 4.0}),
            Relationship("firm:o2", "SUPPLIES", "firm:l2"),
            Relationship("firm:l2", "SUPPLIES", "firm:o3"),
            Relationship("firm:l4", "PARTNER_OF", "firm:l2"),
        ]
        b.upsert_relationships(rels)
    return s


def _by_name(fb):  # type: ignore[no-untyped-def]
    return {s.name: s for s in fb.all_segments()}


class TestFishbone:
    def test_verdicts_and_numbers(self, small: GraphStore) -> None:
        segs = _by_name(fishbone(small, "A"))
        assert (segs["s1"].verdict, len(segs["s1"].local_firms), segs["s1"].local_output) == (
            "strong",
            3,
            30.0,
        )
        assert (segs["s2"].verdict, len(segs["s2"].local_firms), segs["s2"].outside_firms) == (
            "weak",
            1,
            1,
        )
        # s3 has no local firm of its own, but its sub-segment s3a has one
        assert segs["s3"].verdict == "weak" and [f.id for f in segs["s3"].local_firms] == [
            "firm:l5"
        ]
        assert segs["s3"].outside_firms == 2
        assert segs["s3a"].parent == "seg:s3" and segs["s3a"].stage == "downstream"
        assert "本地企业3家" in segs["s1"].reason and "≥3家" in segs["s1"].reason

    def test_thresholds_are_configurable(self, small: GraphStore) -> None:
        segs = _by_name(fishbone(small, "A", thresholds=Thresholds(strong_firms=4)))
        assert segs["s1"].verdict == "weak"
        segs = _by_name(fishbone(small, "A", thresholds=Thresholds(weak_firms=2)))
        assert segs["s2"].verdict == "missing"

    def test_masters_tiers_and_serving(self, small: GraphStore) -> None:
        segs = _by_name(fishbone(small, "A"))
        assert [m.id for m in segs["s1"].chain_masters] == ["firm:l2"]
        assert segs["s1"].tiers == {"规上": 1}
        assert [r.name for r in segs["s2"].serving] == ["平台X"]

    def test_cross_chain_marks(self, small: GraphStore) -> None:
        segs = _by_name(fishbone(small, "A"))
        assert segs["s2"].cross_chain and [r.id for r in segs["s2"].shared_with] == ["B"]
        # shared only with a chain of the other layout: marked shared, not cross-chain
        assert not segs["s1"].cross_chain and [r.id for r in segs["s1"].shared_with] == ["OLD"]
        assert not segs["s3"].shared_with

    def test_lineage_both_ways(self, small: GraphStore) -> None:
        assert [r.id for r in fishbone(small, "OLD").evolved_into] == ["A"]
        assert [r.id for r in fishbone(small, "A").evolved_from] == ["OLD"]

    def test_summary(self, small: GraphStore) -> None:
        assert fishbone(small, "A").summary() == {"strong": 1, "weak": 3, "missing": 0}


class TestAttractionMap:
    def test_targets_are_outside_firms_of_weak_segments(self, small: GraphStore) -> None:
        am = attraction_map(small, "A")
        segs = {s.name: s for s in am.segments}
        assert set(segs) == {"s2", "s3", "s3a"}  # s1 is strong
        assert [t.firm for t in segs["s2"].targets] == ["firm:o1"]
        # s3 includes its sub-segment's outside firms, largest output first
        assert [t.firm for t in segs["s3"].targets] == ["firm:o2", "firm:o3"]
        assert segs["s3"].by_region == {"苏州市": ["o2"], "合肥市": ["o3"]}
        assert all(t.known and t.reasons for s in am.segments for t in s.targets)

    def test_landing_from_predecessor_focus_regions(self, small: GraphStore) -> None:
        am = attraction_map(small, "A")
        assert [s.region for s in am.landing] == ["长兴县"]
        assert "旧链" in am.landing[0].basis
        assert [p["name"] for p in am.landing[0].parks] == ["园一", "园二"]  # by vacancy


class TestMasters:
    def test_local_supporting_ratio(self, small: GraphStore) -> None:
        lib = {m.firm.id: m for m in masters_library(small, "A")}
        m = lib["firm:l2"]
        assert m.role == "链主"
        assert m.local_ratio == 0.5  # 2 of 4 supplier relationships are local
        assert m.local_ratio_value == pytest.approx(4 / 8)  # (1+3) / (1+3+4), o2 has no value
        assert sorted(c.firm for c in m.candidates) == ["firm:o1", "firm:o2"]
        assert [c.firm for c in m.customers] == ["firm:o3"]
        assert lib["firm:l4"].role == "链主伙伴" and lib["firm:l4"].local_ratio is None

    def test_ratio_edge_cases(self) -> None:
        assert local_ratios([]) == (None, None)


class TestProjectsAndNames:
    def test_filters(self, small: GraphStore) -> None:
        assert [p["id"] for p in projects_library(small, chain="甲链")] == ["project:1"]
        assert [p["id"] for p in projects_library(small, stage="落地开工")] == ["project:2"]
        assert [p["id"] for p in projects_library(small, region="长兴")] == ["project:1"]
        assert [p["id"] for p in projects_library(small, segment="s1")] == ["project:1"]
        assert projects_library(small)[0]["segment"] == "s1"

    def test_resolve_chain(self, small: GraphStore) -> None:
        assert resolve_chain(small, "A").id == "A"
        assert resolve_chain(small, "乙链").id == "B"
        assert resolve_chain(small, "旧称").id == "OLD"
        with pytest.raises(NodeNotFound):
            resolve_chain(small, "没有的链")
