"""The office's settable rules the workflows apply: when a segment is strong, weak or missing,
and how long a project may stay in a stage before it counts as stalled (五未).

Neither is a seed's number: the seeds name the verdicts and the five stalls, not their limits.
The values here are defaults; :class:`chainatlas.graph.settings.Settings` sets them (本办设置),
and every report that uses them shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VERDICT_ZH", "Grace", "Thresholds"]

VERDICT_ZH = {"strong": "强", "weak": "弱", "missing": "缺"}


@dataclass(frozen=True)
class Thresholds:
    """When a segment counts as strong / weak / missing locally.

    strong: at least ``strong_firms`` local firms *and* their output at least ``strong_output``
    亿元; weak: at least ``weak_firms`` local firm(s); missing: fewer.
    """

    strong_firms: int = 3
    strong_output: float = 20.0
    weak_firms: int = 1

    def verdict(self, firms: int, output: float) -> tuple[str, str]:
        """(verdict, reason in Chinese with the numbers and thresholds)."""
        rule = (
            f"强：本地企业≥{self.strong_firms}家且产值≥{self.strong_output:g}亿元；"
            f"弱：≥{self.weak_firms}家；否则为缺"
        )
        have = f"本地企业{firms}家，产值{output:g}亿元"
        if firms >= self.strong_firms and output >= self.strong_output:
            v = "strong"
        elif firms >= self.weak_firms:
            v = "weak"
        else:
            v = "missing"
        return v, f"{have} → {VERDICT_ZH[v]}（{rule}）"


@dataclass(frozen=True)
class Grace:
    """Days a project may stay in a state before it counts as stalled (configurable)."""

    sign_to_start: int = 180
    start_to_complete: int = 730
    complete_to_produce: int = 90
    produce_to_above_scale: int = 365
    above_scale_to_capacity: int = 365
