"""The static SVG fishbone folds a segment's sub-segments beyond a limit into one counted row."""

from __future__ import annotations

import re

from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import SegmentView, fishbone
from chainatlas.viz.svg import fishbone_svg


def _names_drawn(svg: str) -> set[str]:
    return set(re.findall(r'font-size="12">★?([^<（]+?)(?:…)?（', svg))


def _with_subsegments(store: EmbeddedStore) -> tuple[str, SegmentView]:
    for chain in store.find_nodes("Chain"):
        fb = fishbone(store, chain.id)
        for s in fb.segments:
            if len(s.subsegments) >= 2:
                return chain.id, s
    raise AssertionError("the sample data has no segment with two sub-segments")


def test_sub_segments_beyond_the_limit_are_counted_not_drawn(seeded: EmbeddedStore) -> None:
    chain, seg = _with_subsegments(seeded)
    fb = fishbone(seeded, chain)
    everything = fishbone_svg(fb, max_subsegments=None)
    folded = fishbone_svg(fb, max_subsegments=1)
    subs = {c.name for c in seg.subsegments}
    assert subs <= _names_drawn(everything)
    assert len(subs & _names_drawn(folded)) == 1
    rest = len(seg.subsegments) - 1
    assert f"… 另 {rest} 个子环节" in folded
    assert "另" not in everything
    # the folded row counts the hidden ones by verdict
    row = re.search(rf"… 另 {rest} 个子环节（([^）]+)）", folded)
    assert row is not None
    counted = sum(int(n) for n in re.findall(r"\d+", row.group(1)))
    assert counted == rest
    assert all(part.split()[0] in VERDICT_ZH.values() for part in row.group(1).split(" / "))
    assert folded.count("<rect") < everything.count("<rect")


def test_the_strongest_sub_segment_is_the_one_kept(seeded: EmbeddedStore) -> None:
    chain, seg = _with_subsegments(seeded)
    order = {"strong": 0, "weak": 1, "missing": 2}
    best = min(seg.subsegments, key=lambda c: (order[c.verdict], -len(c.local_firms)))
    folded = fishbone_svg(fishbone(seeded, chain), max_subsegments=1)
    assert best.name[:8] in folded
