"""Writes numbered batches into an embedded store forever, printing each number once the
store has acknowledged it. Used by test_crash.py, which kills it with SIGKILL."""

from __future__ import annotations

import sys

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore


def main() -> None:
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    store = EmbeddedStore(sys.argv[1])
    i = 0
    while True:
        b = Batch().upsert_nodes(
            Node(f"seg:b{i}-{k}", "Segment", {"name": f"b{i}-{k}", "batch": i}) for k in range(size)
        )
        b.upsert_relationships(
            Relationship(f"seg:b{i}-{k}", "UPSTREAM_OF", f"seg:b{i}-{k + 1}")
            for k in range(size - 1)
        )
        store.apply(b)
        print(i, flush=True)
        i += 1


if __name__ == "__main__":
    main()
