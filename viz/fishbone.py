"""Where everything on a fishbone page goes: bands along a spine, one bone per segment, the
sub-segments folded under their bone with their verdicts rolled up.

A force-directed drawing of a chain put every segment and sub-segment in one tangle (on the
ckg data set one segment, 传感器, has 95 sub-types: the chain drowned in red boxes). A fishbone
reads left to right: 上游 → 中游 → 下游 bands along a horizontal spine ending in the chain's
head; each top-level segment is a bone above or below the spine (alternating, so neighbours
never touch), its box showing its own verdict and the roll-up of its sub-segments'
("缺 12 / 弱 3 / 强 1"). Sub-segments are rows hung under their bone's box, folded by default.

Horizontal places are fixed here, in pixels, so that they can be tested (every bone inside
its band); how far the rows reach out from the spine depends on what the reader unfolds and
filters, so the page's script stacks the visible rows and sizes the drawing to them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chainatlas.graph.model import STAGE_ZH, STAGES
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.workflows.maps import FirmBrief, Fishbone, SegmentView

__all__ = [
    "GEOMETRY",
    "VERDICT_ORDER",
    "Band",
    "Bone",
    "FishboneLayout",
    "Row",
    "fishbone_layout",
    "rollup",
]

#: Sizes in CSS pixels at full size, shared with the page's script. Text is never drawn
#: smaller: the script fits a wide chain to its window by narrowing the bands only (boxes come
#: closer and narrower, the head and the heights keep their size), and scrolls past that.
GEOMETRY = {
    "slot": 172,  # distance between two bones on the same side of the spine
    "box_w": 156,  # a segment's box
    "box_h": 56,
    "bone": 56,  # from the spine to the near edge of a segment's box
    "slant": 34,  # a bone leans towards the head by this much
    "row_h": 26,  # one sub-segment row
    "indent": 12,  # per level of sub-segment
    "pad": 20,  # inside a band, at each end
    "margin": 16,  # left of the tail, right of the head
    "head": 132,  # the chain's head
    "top": 44,  # above the upper bones: the band titles
    "bottom": 16,
    "cap": 12,  # rows shown under an unfolded bone before "另 N 个"
}
#: Strong first: the rows a reader looks for first, and the order of every roll-up.
VERDICT_ORDER = ("strong", "weak", "missing")
#: Firms listed per segment in the page (the table and the workbook have all of them).
FIRMS_SHOWN = 200


@dataclass
class Band:
    """One stage's stretch of the spine, ``x0`` to ``x1``."""

    stage: str
    name: str
    x0: int
    x1: int
    segments: int
    rollup: dict[str, int]


@dataclass
class Row:
    """A sub-segment under its bone, ``depth`` 1 for a child of the segment, 2 below that."""

    id: str
    name: str
    depth: int
    verdict: str
    local: int
    subsegments: int
    rollup: dict[str, int]


@dataclass
class Bone:
    """A top-level segment: its box centred at ``x``, above (``side`` -1) or below (+1) the
    spine, the bone from the box to ``root`` on the spine."""

    id: str
    name: str
    stage: str
    side: int
    x: int
    root: int
    verdict: str
    key: bool
    cross_chain: bool
    local: int
    rollup: dict[str, int]
    rows: list[Row] = field(default_factory=list)


@dataclass
class FishboneLayout:
    """The page's drawing in data: bands, bones and the head, ``width`` pixels wide; ``info``
    holds what the side panel shows for each segment, by id."""

    chain: str
    width: int
    head_x: int
    bands: list[Band]
    bones: list[Bone]
    info: dict[str, dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """What the page's script reads (``script_json`` of it)."""
        from dataclasses import asdict

        return {**asdict(self), "geometry": GEOMETRY, "verdicts": VERDICT_ZH}


def rollup(segment: SegmentView) -> dict[str, int]:
    """How many of ``segment``'s sub-segments (at every depth) are strong, weak and missing.

    >>> from chainatlas.graph.workflows.maps import SegmentView
    >>> def seg(v, subs=()):
    ...     return SegmentView("s", "s", "upstream", False, 0, None, [], 0, 0.0, {}, [], [],
    ...                        v, "", [], False, list(subs))
    >>> rollup(seg("weak", [seg("missing"), seg("strong", [seg("missing")])]))
    {'strong': 1, 'weak': 0, 'missing': 2}
    """
    c: Counter[str] = Counter()
    todo = list(segment.subsegments)
    while todo:
        s = todo.pop()
        c[s.verdict] += 1
        todo.extend(s.subsegments)
    return {v: c.get(v, 0) for v in VERDICT_ORDER}


def _rows(segment: SegmentView, depth: int = 1) -> list[Row]:
    """``segment``'s sub-segments as rows, each followed by its own; siblings strongest first,
    then by local firms (the rows worth reading come before the long tail of 缺)."""
    subs = sorted(
        segment.subsegments,
        key=lambda s: (VERDICT_ORDER.index(s.verdict), -len(s.local_firms), s.order),
    )
    out: list[Row] = []
    for s in subs:
        out.append(
            Row(s.id, s.name, depth, s.verdict, len(s.local_firms), len(s.subsegments), rollup(s))
        )
        out.extend(_rows(s, depth + 1))
    return out


def _bands(fb: Fishbone) -> list[Band]:
    """The three bands left to right, each as wide as its bones need (two bones to a slot, one
    above and one below the spine; an empty stage keeps one slot so the band still shows)."""
    g = GEOMETRY
    x = g["margin"]
    out = []
    for stage in STAGES:
        segs = [s for s in fb.segments if s.stage == stage]
        slots = max(1, (len(segs) + 1) // 2)
        width = slots * g["slot"] + 2 * g["pad"]
        c = Counter(s.verdict for s in segs)
        rolled = {v: c.get(v, 0) for v in VERDICT_ORDER}
        out.append(Band(stage, STAGE_ZH[stage], x, x + width, len(segs), rolled))
        x += width
    return out


def _bones(fb: Fishbone, bands: list[Band]) -> list[Bone]:
    """One bone per top-level segment, in its stage's band: the n-th segment of a stage goes
    to slot n // 2, above the spine when n is even and below when odd."""
    g = GEOMETRY
    out = []
    for band in bands:
        segs = [s for s in fb.segments if s.stage == band.stage]
        for n, s in enumerate(segs):
            x = band.x0 + g["pad"] + (n // 2) * g["slot"] + g["slot"] // 2 - g["slant"] // 2
            out.append(
                Bone(
                    s.id,
                    s.name,
                    s.stage,
                    -1 if n % 2 == 0 else 1,
                    x,
                    x + g["slant"],
                    s.verdict,
                    s.key,
                    s.cross_chain,
                    len(s.local_firms),
                    rollup(s),
                    _rows(s),
                )
            )
    return out


def _firm(f: FirmBrief) -> dict[str, Any]:
    return {"id": f.id, "name": f.name, "region": f.region, "output": f.output, "tags": f.tags}


def _info(s: SegmentView) -> dict[str, Any]:
    """What the side panel shows for one segment: local firms first, then outside ones."""
    return {
        "name": s.name,
        "stage": STAGE_ZH[s.stage],
        "verdict": s.verdict,
        "reason": s.reason,
        "key": s.key,
        "local": [_firm(f) for f in s.local_firms[:FIRMS_SHOWN]],
        "local_total": len(s.local_firms),
        "outside": [_firm(f) for f in s.outside[:FIRMS_SHOWN]],
        "outside_total": s.outside_firms,
        "output": s.local_output,
        "masters": [m.name for m in s.chain_masters],
        "serving": [r.name for r in s.serving],
        "shared": [r.name for r in s.shared_with],
        "subsegments": [c.id for c in s.subsegments],
    }


def fishbone_layout(fb: Fishbone) -> FishboneLayout:
    """Place ``fb``'s bands and bones along the spine.

    Examples
    --------
    >>> from chainatlas.graph.rules import Thresholds
    >>> from chainatlas.graph.workflows.maps import Fishbone, Ref, SegmentView
    >>> def seg(i, stage):
    ...     return SegmentView(i, i, stage, False, 0, None, [], 0, 0.0, {}, [], [],
    ...                        "missing", "", [], False)
    >>> fb = Fishbone(Ref("c", "链", "Chain"), "1366", None, Thresholds(),
    ...               [seg("a", "upstream"), seg("b", "upstream"), seg("c", "downstream")],
    ...               [], [], [], [], [])
    >>> lay = fishbone_layout(fb)
    >>> [(b.name, b.x0, b.x1) for b in lay.bands]
    [('上游', 16, 228), ('中游', 228, 440), ('下游', 440, 652)]
    >>> [(b.id, b.side, b.x) for b in lay.bones]
    [('a', -1, 105), ('b', 1, 105), ('c', -1, 529)]
    """
    bands = _bands(fb)
    head_x = bands[-1].x1 + 8
    info = {s.id: _info(s) for s in fb.all_segments()}
    return FishboneLayout(
        fb.chain.name,
        head_x + GEOMETRY["head"] + GEOMETRY["margin"],
        head_x,
        bands,
        _bones(fb, bands),
        info,
    )
