"""Re-matching links a docking back to its re-created demand, on every backend: a store may hold
a docking whose demand was deleted before deletes took their dockings along (notes G-to-F)."""

from __future__ import annotations

from datetime import date

from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dockings import Proposal, save_dockings, set_status

ON = date(2026, 11, 2)
DOCKING = "docking:demand:d:supply:s"
PAIR = Proposal("demand:d", "supply:s", "供给", 0.5, False)


def _demand() -> Node:
    return Node("demand:d", "Demand", {"kind": "技术", "description": "需求"})


def test_rematching_relinks_a_recreated_demand_and_keeps_the_docking(store: GraphStore) -> None:
    store.upsert_nodes(
        [_demand(), Node("supply:s", "Supply", {"kind": "技术", "description": "供"})]
    )
    assert save_dockings(store, [PAIR], ON) == [DOCKING]
    set_status(store, DOCKING, "对接中", on=ON, note="已约谈")
    store.delete_nodes(["demand:d"])  # as deletes did before they took dockings along
    assert store.neighbours(DOCKING, ["DOCKS_DEMAND"], "out") == []
    store.upsert_nodes([_demand()])

    assert save_dockings(store, [PAIR], date(2026, 11, 30)) == []  # not a new docking
    assert [n.id for _, n in store.neighbours(DOCKING, ["DOCKS_DEMAND"], "out")] == ["demand:d"]
    assert [n.id for _, n in store.neighbours(DOCKING, ["DOCKS_SUPPLY"], "out")] == ["supply:s"]
    kept = store.require_node(DOCKING).props
    assert kept["status"] == "对接中" and kept["created"] == ON.isoformat()
    assert len(kept["history"]) == 2


def test_a_docking_whose_demand_is_gone_stays_unlinked(store: GraphStore) -> None:
    """Proposals of a recorded docking whose demand does not exist write no link (and no
    error): the other proposals are still recorded."""
    store.upsert_nodes(
        [_demand(), Node("supply:s", "Supply", {"kind": "技术", "description": "供"})]
    )
    save_dockings(store, [PAIR], ON)
    store.delete_nodes(["demand:d"])
    store.upsert_nodes([Node("demand:e", "Demand", {"kind": "技术", "description": "另一需求"})])
    other = Proposal("demand:e", "supply:s", "供给", 0.4, False)
    assert save_dockings(store, [PAIR, other], ON) == ["docking:demand:e:supply:s"]
    assert store.neighbours(DOCKING, ["DOCKS_DEMAND"], "out") == []
