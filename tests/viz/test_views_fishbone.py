"""The fishbone's layout data: every bone inside its stage's band, bones never overlapping,
roll-ups equal to the sub-segments' verdicts, every segment on the page once."""

from __future__ import annotations

from collections import Counter

import pytest

from chainatlas.graph.model import STAGES, Node, Relationship
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import Fishbone, SegmentView, fishbone
from chainatlas.viz.fishbone import GEOMETRY, FishboneLayout, fishbone_layout
from chainatlas.viz.fishbone_page import render_fishbone
from chainatlas.viz.views import fishbone_page


def _descendants(s: SegmentView) -> list[SegmentView]:
    out = []
    for c in s.subsegments:
        out.append(c)
        out.extend(_descendants(c))
    return out


def _check(fb: Fishbone, lay: FishboneLayout) -> None:
    g = GEOMETRY
    band = {b.stage: b for b in lay.bands}
    assert [b.stage for b in lay.bands] == list(STAGES)
    assert all(a.x1 == b.x0 for a, b in zip(lay.bands, lay.bands[1:], strict=False))
    assert lay.bands[-1].x1 < lay.head_x < lay.width
    assert [b.id for b in lay.bones] == [s.id for s in fb.segments]
    for bone, seg in zip(lay.bones, fb.segments, strict=True):
        b = band[seg.stage]
        # the box and the bone's root on the spine are inside the segment's own band
        assert b.x0 <= bone.x - g["box_w"] // 2 and bone.x + g["box_w"] // 2 <= b.x1, bone.name
        assert b.x0 <= bone.root <= b.x1
        # the roll-up counts the sub-segments' verdicts, at every depth
        want = Counter(c.verdict for c in _descendants(seg))
        assert bone.rollup == {v: want.get(v, 0) for v in ("strong", "weak", "missing")}
        assert Counter(r.verdict for r in bone.rows) == want
        assert [r.id for r in bone.rows if r.depth == 1] == sorted(
            (c.id for c in seg.subsegments),
            key=[r.id for r in bone.rows].index,
        )
    for side in (-1, 1):  # boxes on one side of the spine never overlap
        xs = sorted(b.x for b in lay.bones if b.side == side)
        assert all(q - p >= g["box_w"] for p, q in zip(xs, xs[1:], strict=False))
    for b in lay.bands:
        assert b.segments == sum(1 for s in fb.segments if s.stage == b.stage)
        assert sum(b.rollup.values()) == b.segments
    assert set(lay.info) == {s.id for s in fb.all_segments()}


def test_every_chain_of_the_seeds(seeded: EmbeddedStore) -> None:
    for chain in seeded.find_nodes("Chain"):
        fb = fishbone(seeded, chain.id)
        _check(fb, fishbone_layout(fb))


@pytest.fixture
def flooded(memory_store: EmbeddedStore) -> EmbeddedStore:
    """A chain like 智能装备及智能机器人 on the ckg data: one segment with 117 missing sub-types
    (one of them with sub-types of its own), a strong and a weak one beside them."""
    nodes = [
        Node("L", "Layout", {"name": "x", "code": "x"}),
        Node("C", "Chain", {"name": "机器人", "layout": "x"}),
        Node("f1", "Firm", {"name": "甲", "region": "长兴县", "output": 30.0}),
        Node("f2", "Firm", {"name": "乙", "region": "上海市", "output": 3.0}),
    ]
    rels = []
    for i, stage in enumerate(["upstream", "upstream", "midstream", "downstream"]):
        nodes.append(Node(f"s{i}", "Segment", {"name": f"环节{i}"}))
        rels.append(Relationship("C", "HAS_SEGMENT", f"s{i}", {"stage": stage, "order": i}))
    for j in range(117):
        nodes.append(Node(f"t{j}", "Segment", {"name": f"传感器{j}"}))
        rels.append(Relationship(f"t{j}", "SUBSEGMENT_OF", "s0"))
    nodes.append(Node("u", "Segment", {"name": "子子环节"}))
    rels += [
        Relationship("u", "SUBSEGMENT_OF", "t5"),
        Relationship("f1", "OPERATES_IN", "u"),
        Relationship("f2", "OPERATES_IN", "t7"),
        Relationship("f1", "OPERATES_IN", "s2"),
    ]
    with memory_store.batch() as b:
        b.upsert_nodes(nodes)
        b.upsert_relationships(rels)
    return memory_store


def test_a_flooded_chain_stays_folded(flooded: EmbeddedStore) -> None:
    fb = fishbone(flooded, "C")
    lay = fishbone_layout(fb)
    _check(fb, lay)
    big = lay.bones[0]
    # 118 sub-segments roll up into one box; the weak one (a local firm below it) comes first
    assert big.rollup == {"strong": 0, "weak": 2, "missing": 116}
    assert [r.name for r in big.rows[:2]] == ["传感器5", "子子环节"]
    assert [r.depth for r in big.rows[:2]] == [1, 2]
    # the side panel lists local firms first, then the outside ones by name
    info = lay.info["s0"]
    assert [f["name"] for f in info["local"]] == ["甲"]
    assert [f["name"] for f in info["outside"]] == ["乙"] and info["outside_total"] == 1
    # two bones upstream share one slot (above and below), so the band stays one slot wide
    assert [(b.side, b.stage) for b in lay.bones[:2]] == [(-1, "upstream"), (1, "upstream")]
    assert lay.width < 1000


def test_the_page_counts_every_segment_once(flooded: EmbeddedStore) -> None:
    page = fishbone_page(fishbone(flooded, "C"))
    text = render_fishbone(page)
    assert f'data-nodes="{4 + 118 + 1}"' in text
    assert "环节明细（122 行，点击展开）" in text  # the long table is folded
