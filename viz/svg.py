"""A static SVG of a fishbone for reports: stages as columns along a spine to the chain's head,
segments as boxes coloured by verdict, sub-segments indented under their segment.

A segment shows at most ``max_subsegments`` of its sub-segments (strongest first, so the local
strengths are never the ones folded away); the rest become one row that counts them by verdict,
so a chain whose segment has a hundred missing sub-types still fits a page.
"""

from __future__ import annotations

import html

from chainatlas.graph.model import STAGE_ZH, STAGES
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.workflows.maps import Fishbone, SegmentView
from chainatlas.viz.html import CJK_FONTS
from chainatlas.viz.tables import cell_value
from chainatlas.viz.views import VERDICT_COLOURS

__all__ = ["fishbone_svg"]

_COL_W, _ROW_H, _PAD, _HEAD_W = 250, 30, 20, 170


def _xml(text: str) -> str:
    """``text`` escaped for XML, characters XML cannot hold replaced (as in workbooks)."""
    return html.escape(cell_value(text))


_ORDER = {"strong": 0, "weak": 1, "missing": 2}
#: a row is a segment at its depth, or the folded rest of a segment's sub-segments
Row = tuple[SegmentView | str, int]


def _folded(rest: list[SegmentView]) -> str:
    counts = {v: sum(1 for s in rest if s.verdict == v) for v in _ORDER}
    by = " / ".join(f"{VERDICT_ZH[v]} {n}" for v, n in counts.items() if n)
    return f"… 另 {len(rest)} 个子环节（{by}）"


def _rows(s: SegmentView, depth: int, limit: int | None) -> list[Row]:
    out: list[Row] = [(s, depth)]
    subs = sorted(s.subsegments, key=lambda c: (_ORDER[c.verdict], -len(c.local_firms)))
    shown = subs if limit is None or len(subs) <= limit else subs[:limit]
    for c in shown:
        out.extend(_rows(c, depth + 1, limit))
    if len(shown) < len(subs):
        out.append((_folded(subs[len(shown) :]), depth + 1))
    return out


def fishbone_svg(fb: Fishbone, *, max_subsegments: int | None = 6) -> str:
    """The SVG document as a string; ``max_subsegments=None`` draws every sub-segment."""
    cols = {
        st: [r for s in fb.segments if s.stage == st for r in _rows(s, 0, max_subsegments)]
        for st in STAGES
    }
    height_rows = max(1, max(len(v) for v in cols.values()))
    top = 70
    width = _PAD * 2 + _COL_W * 3 + _HEAD_W
    height = top + height_rows * _ROW_H + 80
    spine_y = height - 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{CJK_FONTS.replace(chr(34), chr(39))}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_PAD}" y="28" font-size="20" font-weight="bold">产业链鱼骨图 · '
        f"{_xml(fb.chain.name)}</text>",
    ]
    summ = fb.summary()
    parts.append(
        f'<text x="{_PAD}" y="50" font-size="12" fill="#52606d">强 {summ["strong"]} · 弱 '
        f"{summ['weak']} · 缺 {summ['missing']}（★ 重点领域）</text>"
    )
    x_head = _PAD + 3 * _COL_W
    parts.append(
        f'<line x1="{_PAD}" y1="{spine_y}" x2="{x_head}" y2="{spine_y}" '
        'stroke="#243b53" stroke-width="4"/>'
    )
    parts.append(
        f'<polygon points="{x_head},{spine_y - 26} {x_head + _HEAD_W - 10},{spine_y} '
        f'{x_head},{spine_y + 26}" fill="#243b53"/>'
    )
    parts.append(
        f'<text x="{x_head + 8}" y="{spine_y + 5}" font-size="13" fill="#ffffff">'
        f"{_xml(fb.chain.name[:9])}</text>"
    )
    for i, st in enumerate(STAGES):
        x0 = _PAD + i * _COL_W
        parts.append(
            f'<text x="{x0 + 4}" y="{top - 6}" font-size="14" font-weight="bold">'
            f"{STAGE_ZH[st]}</text>"
        )
        parts.append(
            f'<line x1="{x0 + _COL_W - 20}" y1="{top}" x2="{x0 + _COL_W - 6}" '
            f'y2="{spine_y}" stroke="#9aa5b1" stroke-width="2"/>'
        )
        for j, (s, depth) in enumerate(cols[st]):
            y = top + j * _ROW_H
            x = x0 + 4 + depth * 16
            w = _COL_W - 40 - depth * 16
            if isinstance(s, str):
                parts.append(
                    f'<text x="{x + 6}" y="{y + 17}" font-size="11" fill="#52606d">{_xml(s)}</text>'
                )
                continue
            parts.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{_ROW_H - 6}" rx="4" '
                f'fill="{VERDICT_COLOURS[s.verdict]}" stroke="#52606d" stroke-width="0.6"/>'
            )
            label = f"{'★' if s.key else ''}{s.name}"
            if len(label) > 12 - depth:
                label = label[: 11 - depth] + "…"
            parts.append(
                f'<text x="{x + 6}" y="{y + 17}" font-size="12">{_xml(label)}'
                f"（{VERDICT_ZH[s.verdict]}·{len(s.local_firms)}家）"
                f"<title>{_xml(s.reason)}</title></text>"
            )
    legend_x = _PAD
    for v in ("strong", "weak", "missing"):
        parts.append(
            f'<rect x="{legend_x}" y="{height - 16}" width="12" height="12" '
            f'fill="{VERDICT_COLOURS[v]}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 16}" y="{height - 6}" font-size="12">{VERDICT_ZH[v]}</text>'
        )
        legend_x += 50
    parts.append("</svg>")
    return "\n".join(parts)
