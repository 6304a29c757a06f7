"""The workflows' read-modify-writes done at the same moment, on every backend (review S, A2):
threads released together, half of them through a second store over the same data (as a second
service process): every write that returned is stored, and every transition is checked against
the state it changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.checklist import set_slot
from chainatlas.graph.workflows.dockings import NEXT, Proposal, save_dockings, set_status
from chainatlas.graph.workflows.ledger import (
    InvalidTransition,
    add_follow_up,
    follow_ups,
    move_stage,
)
from tests.conftest import open_backend
from tests.graph.concurrently import in_parallel

TODAY = date(2026, 11, 30)


@pytest.fixture
def two(store: GraphStore, tmp_path: Path) -> Iterator[tuple[GraphStore, GraphStore]]:
    """The store and a second one over the same data, with a chain, a project at 招商引资 and
    a docking (推荐)."""
    other = open_backend(store.backend, tmp_path)  # Neo4j: clears, so before any write
    store.upsert_nodes(
        [
            Node("chain:c", "Chain", {"name": "甲链", "layout": "1366"}),
            Node("project:p", "Project", {"name": "项目P", "stage": "招商引资"}),
            Node("demand:d", "Demand", {"kind": "技术", "description": "需求"}),
            Node("supply:s", "Supply", {"kind": "技术", "description": "供给"}),
        ]
    )
    save_dockings(store, [Proposal("demand:d", "supply:s", "供给", 0.5, False)], TODAY)
    yield store, other
    other.close()


def test_every_follow_up_is_stored_with_its_own_number(
    two: tuple[GraphStore, GraphStore],
) -> None:
    results = in_parallel(
        12, lambda i: add_follow_up(two[i % 2], "project:p", f"跟进{i}", today=TODAY)
    )
    assert all(isinstance(r, dict) for r in results), results
    stored = follow_ups(two[0], "project:p")
    assert sorted(f["note"] for f in stored) == sorted(f"跟进{i}" for i in range(12))
    assert [f["seq"] for f in stored] == list(range(1, 13))  # the order they were stored in


def test_a_stage_move_and_follow_ups_at_once_keep_the_move_record(
    two: tuple[GraphStore, GraphStore],
) -> None:
    def go(i: int) -> object:
        if i == 3:
            return move_stage(two[1], "project:p", "研判会商", today=TODAY)
        return add_follow_up(two[i % 2], "project:p", f"跟进{i}", today=TODAY)

    results = in_parallel(8, go)
    assert not [r for r in results if isinstance(r, BaseException)], results
    notes = [f["note"] for f in follow_ups(two[0], "project:p")]
    assert len(notes) == 8 and "阶段 招商引资 → 研判会商" in notes
    assert two[0].require_node("project:p").props["stage"] == "研判会商"


def test_of_parallel_stage_moves_one_is_made(two: tuple[GraphStore, GraphStore]) -> None:
    results = in_parallel(6, lambda i: move_stage(two[i % 2], "project:p", "研判会商"))
    assert sum(isinstance(r, Node) for r in results) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 5, results
    assert [f["note"] for f in follow_ups(two[0], "project:p")] == ["阶段 招商引资 → 研判会商"]


def test_every_scenario_added_at_once_is_kept(two: tuple[GraphStore, GraphStore]) -> None:
    results = in_parallel(8, lambda i: set_slot(two[i % 2], "chain:c", "一批应用场景", f"场景{i}"))
    assert not [r for r in results if isinstance(r, BaseException)], results
    stored = two[0].require_node("chain:c").props["scenarios"]
    assert sorted(stored) == sorted(f"场景{i}" for i in range(8))


def test_a_dockings_history_is_the_changes_that_were_made(
    two: tuple[GraphStore, GraphStore],
) -> None:
    docking = "docking:demand:d:supply:s"

    def change(i: int) -> object:
        status = ["对接中", "未落实"][i % 2]
        return set_status(two[i % 2], docking, status, on=TODAY, note=f"n{i}")

    results = in_parallel(12, change)
    made = {f"n{i}": r["status"] for i, r in enumerate(results) if isinstance(r, dict)}
    history = two[0].require_node(docking).props["history"][1:]  # after 推荐
    assert len(history) == len(made), (history, results)
    states = ["推荐"]
    for entry in history:  # each change allowed from the state before it, and made
        _, rest = entry.split(" ", 1)
        state, note = rest.split("：")
        assert state in NEXT[states[-1]], history
        assert made[note] == state
        states.append(state)
