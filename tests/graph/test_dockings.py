"""对接 records on both stores: saved once per pair, moved on by the allowed steps only, counted
per month by the day each step was taken."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.graph.errors import ValidationFailed
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dockings import (
    DockingStep,
    Proposal,
    docking_summary,
    save_dockings,
    set_status,
)


def _lists(store: GraphStore) -> None:
    store.upsert_nodes(
        [
            Node("demand:a", "Demand", {"kind": "土地", "description": "用地", "region": "长兴县"}),
            Node(
                "demand:b", "Demand", {"kind": "人才", "description": "工程师", "region": "吴兴区"}
            ),
            Node("supply:x", "Supply", {"kind": "土地", "description": "地块", "region": "长兴县"}),
        ]
    )


def test_a_docking_is_saved_once_and_counted_by_month(store: GraphStore) -> None:
    _lists(store)
    p = Proposal("demand:a", "supply:x", "地块", 0.5, False)
    [docking] = save_dockings(store, [p], date(2026, 9, 20))
    assert save_dockings(store, [p], date(2026, 10, 1)) == []
    set_status(store, docking, "对接中", on=date(2026, 9, 28), by="长兴县")
    with pytest.raises(DockingStep):
        set_status(store, docking, "推荐", on=date(2026, 10, 2))
    with pytest.raises(ValidationFailed):  # before it was recommended
        set_status(store, docking, "已落实", on=date(2026, 9, 1))
    row = set_status(store, docking, "已落实", on=date(2026, 10, 12))
    assert row["demand"] == "demand:a" and row["supply"] == "supply:x"
    sep, octo = docking_summary(store, "2026-09"), docking_summary(store, "2026-10")
    assert sep["by_status"]["对接中"] == 1 and sep["demands_met"] == 0
    assert octo["by_status"]["已落实"] == 1
    assert (octo["demands_met"], octo["demands_met_in_month"], octo["demands"]) == (1, 1, 2)
    assert docking_summary(store, "2026-08")["dockings"] == 0
