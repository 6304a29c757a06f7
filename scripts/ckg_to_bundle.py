#!/usr/bin/env python3
"""Convert ../shared/data/ckg to a chainatlas bundle: ``scripts/ckg_to_bundle.py SRC OUT``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from chainatlas.graph.io.sources.ckg import ckg_to_bundle


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ckg")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "bench/out/ckg-bundle")
    t = time.perf_counter()
    rep = ckg_to_bundle(src, out)
    print(
        f"企业 {rep.firms}（重复代码 {rep.duplicate_codes} 已合并），环节 {rep.segments}，"
        f"行业 {rep.industries}，关系 {sum(rep.relationships.values())}：{rep.relationships}"
    )
    print(f"剔除: {rep.dropped}")
    print(f"写入 {out}（{time.perf_counter() - t:.1f} 秒）")


if __name__ == "__main__":
    main()
