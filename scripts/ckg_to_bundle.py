#!/usr/bin/env python3
"""Convert ../shared/data/ckg to a chainatlas bundle: ``scripts/ckg_to_bundle.py SRC OUT``.

A broken source folder (a file missing or empty, a column missing, not UTF-8, a row of the
wrong width), an output path that is not a bundle folder or cannot be written is one line on
stderr, starting 错误：, and exit status 2; nothing is written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from chainatlas.graph.io.sources.ckg import CkgError, ckg_to_bundle

USAGE = "用法：python scripts/ckg_to_bundle.py [ckg 数据目录] [输出目录]"


def main(argv: list[str]) -> int:
    if len(argv) > 2 or any(a in ("-h", "--help") for a in argv):
        print(USAGE, file=sys.stderr if len(argv) > 2 else sys.stdout)
        return 2 if len(argv) > 2 else 0
    src = Path(argv[0] if argv else "../shared/data/ckg")
    out = Path(argv[1] if len(argv) > 1 else "bench/out/ckg-bundle")
    t = time.perf_counter()
    try:
        rep = ckg_to_bundle(src, out)
    except CkgError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    print(
        f"企业 {rep.firms}（重复代码 {rep.duplicate_codes} 已合并），环节 {rep.segments}，"
        f"行业 {rep.industries}，关系 {sum(rep.relationships.values())}：{rep.relationships}"
    )
    print(f"剔除: {rep.dropped}")
    print(f"写入 {out}（{time.perf_counter() - t:.1f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
