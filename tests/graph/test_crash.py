"""Kill a writing process with SIGKILL at random points; after restart every acknowledged
write is present, no batch or import is present in part, and the store opens cleanly.

With ``tests/api/test_crash_service.py`` (the service killed during HTTP writes) these make 50
kills: 20 of a batch writer, 15 of ``chainatlas import`` and 15 of ``chainatlas serve``."""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from chainatlas.graph.store.embedded import EmbeddedStore
from tests.graph import crash_writer

WRITER = Path(crash_writer.__file__)
REPO = WRITER.parents[2]


def _run_and_kill(db: Path, delay: float, size: int) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), str(size)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return [int(x) for x in out.split()]


def test_sigkill_loses_no_acknowledged_batch_and_leaves_no_half_batch(tmp_path: Path) -> None:
    rng = random.Random(9)
    db = tmp_path / "crash.db"
    acked_all: set[int] = set()
    kills = 20
    for round_ in range(kills):
        size = rng.choice([50, 500, 3000])
        acked = _run_and_kill(db, rng.uniform(0.8, 2.5), size)
        with EmbeddedStore(db) as store:
            nodes = Counter(n.props["batch"] for n in store.iter_nodes("Segment"))
            rels = Counter(r.start.split("-")[0] for r in store.iter_relationships("UPSTREAM_OF"))
            # every acknowledged batch of this round is there
            for i in acked:
                assert nodes[i] == size, f"round {round_}: acknowledged batch {i} lost"
            # no half batch: each batch present has all its nodes and relationships; at most
            # one batch beyond the acknowledged ones (committed just before the kill)
            for i, count in nodes.items():
                assert count == size, f"round {round_}: batch {i} has {count}/{size} nodes"
                assert rels[f"seg:b{i}"] == size - 1, f"round {round_}: batch {i} half written"
            assert len(nodes) - len(acked) in (0, 1)
            store.clear()
        _assert_opens_cleanly(db)
        acked_all.update(acked)
    assert acked_all, "the writer never acknowledged a batch: the test proved nothing"


def _assert_opens_cleanly(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def _bundle(d: Path, tag: str, n: int) -> Path:
    """A bundle of ``n`` segments in a chain (``n - 1`` relationships), ids tagged ``tag``."""
    d.mkdir(parents=True)
    with (d / "nodes.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id:ID", ":LABEL", "name", "round"])
        w.writerows([f"seg:{tag}-{k}", "Segment", f"环节{tag}-{k}", tag] for k in range(n))
    with (d / "rels.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([":START_ID", ":END_ID", ":TYPE"])
        w.writerows([f"seg:{tag}-{k}", f"seg:{tag}-{k + 1}", "UPSTREAM_OF"] for k in range(n - 1))
    return d


def test_sigkill_of_an_import_leaves_all_of_it_or_none(tmp_path: Path) -> None:
    rng = random.Random(15)
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CHAINATLAS_HOME": str(home)}
    n = 30_000
    outcomes: Counter[str] = Counter()

    def start(bundle: Path) -> subprocess.Popen[str]:
        cmd = [sys.executable, "-c", "from chainatlas.api.cli import main; main()"]
        return subprocess.Popen(
            [*cmd, "import", "--quiet", str(bundle)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )

    # calibrate: the kills are spread around one uninterrupted import's own duration on this
    # machine, so they land before and after the commit however fast the import has become
    t0 = time.perf_counter()
    start(_bundle(tmp_path / "calib", "calib", n)).communicate()
    whole = time.perf_counter() - t0
    with EmbeddedStore(home / "graph.db") as store:
        store.clear()
    for round_ in range(15):
        bundle = _bundle(tmp_path / f"b{round_}", f"r{round_}", n)
        proc = start(bundle)
        time.sleep(rng.uniform(0.4, 1.4) * whole)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged = "已导入" in out
        con = sqlite3.connect(home / "graph.db")  # the durable state itself
        lo, hi = f"seg:r{round_}-", f"seg:r{round_}."  # "." sorts right after "-"
        present = con.execute("SELECT count(*) FROM nodes WHERE id >= ? AND id < ?", (lo, hi))
        present = present.fetchone()[0]
        rels = con.execute("SELECT count(*) FROM rels WHERE start >= ? AND start < ?", (lo, hi))
        rels = rels.fetchone()[0]
        con.close()
        assert (present, rels) in ((0, 0), (n, n - 1)), (
            f"round {round_}: {present} nodes, {rels} rels"
        )
        if acknowledged:
            assert present == n, f"round {round_}: acknowledged import lost"
        outcomes["all" if present else "none"] += 1
        _assert_opens_cleanly(home / "graph.db")
        with EmbeddedStore(home / "graph.db") as store:  # opens, and starts the next round empty
            store.clear()
    # the kills landed on both sides of the commit: the test proved something
    assert outcomes["all"] and outcomes["none"], outcomes
