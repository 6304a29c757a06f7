"""The audit log is written ahead of the graph: SIGKILL the running service (``chainatlas
serve``) at random moments while clients write through the API, and after each kill every
record that is in the graph has its audit row — ``pending`` when the kill came between the
graph write and the row's completion, ``done`` for every write the API acknowledged. (Before,
the row was written after the graph, and a kill in between left a change with no row.)"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from chainatlas.api.testing import LiveService, cli
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.crash_clients import write_until_killed

ROUNDS = 12


def _audit_rows(home: Path) -> dict[str, set[str]]:
    """target → the statuses of its PUT rows."""
    con = sqlite3.connect(home / "auth.db")
    try:
        cols = {r[1] for r in con.execute("PRAGMA table_info(audit)")}
        status = "status" if "status" in cols else "'done'"
        rows = con.execute(f"SELECT target, {status} FROM audit WHERE method='PUT'").fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for target, st in rows:
        out.setdefault(target, set()).add(st)
    return out


def test_sigkill_never_leaves_a_change_without_its_audit_row(tmp_path: Path) -> None:
    rng = random.Random(19)
    home = tmp_path / "home"
    cli(home, "init")
    svc = LiveService(home)
    total_written = 0
    for round_ in range(ROUNDS):
        acked = write_until_killed(
            svc,
            ids=f"firm:audit-{round_}",
            names=f"审计企业{round_}",
            after=rng.uniform(0.3, 1.5),
        )
        rows = _audit_rows(home)
        with EmbeddedStore(home / "graph.db") as store:
            written = [
                n.id for n in store.find_nodes("Firm") if n.id.startswith(f"firm:audit-{round_}-")
            ]
        missing = [f for f in written if f not in rows]
        assert not missing, f"round {round_}: in the graph without an audit row: {missing}"
        for firm in acked:
            assert "done" in rows.get(firm, set()), f"round {round_}: {firm} acknowledged, not done"
        total_written += len(written)
    assert total_written > ROUNDS, "the clients hardly wrote: the test proved little"
