"""Headline figures of a benchmark, one JSON line each on stderr, for ``bench/run_all.py``."""

from __future__ import annotations

import json
import sys

__all__ = ["PREFIX", "report"]

PREFIX = "##chainatlas-summary## "


def report(benchmark: str, size: str, measured: str, baseline: str, ratio: str) -> None:
    """``measured`` and ``baseline`` (same run) as the reader should see them; ``ratio`` says
    how many times better than the baseline (``"—"`` when there is none)."""
    line = {
        "benchmark": benchmark,
        "size": size,
        "measured": measured,
        "baseline": baseline,
        "ratio": ratio,
    }
    print(PREFIX + json.dumps(line, ensure_ascii=False), file=sys.stderr, flush=True)
