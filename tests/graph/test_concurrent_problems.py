"""The problem loop's read-modify-writes done at the same moment, on every backend (review S,
A2): threads released together, half of them through a second store over the same data (as a
second service process). Every step is checked against the state it changes and every step
that returned is in the history — also when the 五未督办 pass runs at the same time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.problems import InvalidProblemStep, raise_problem, review, step
from chainatlas.graph.workflows.supervision import item_id, sync_supervision
from tests.conftest import open_backend
from tests.graph.concurrently import in_parallel

RAISED = date(2026, 11, 2)
TODAY = date(2026, 11, 30)


@pytest.fixture
def two(store: GraphStore, tmp_path: Path) -> Iterator[tuple[GraphStore, GraphStore]]:
    """The store and a second one over the same data, with a chain and a project."""
    other = open_backend(store.backend, tmp_path)  # Neo4j: clears, so before any write
    with store.batch() as b:
        b.upsert_nodes(
            [
                Node("chain:c", "Chain", {"name": "甲链", "layout": "1366"}),
                Node("project:p", "Project", {"name": "项目P", "region": "长兴县"}),
            ]
        )
        b.upsert_relationships([Relationship("project:p", "IN_CHAIN", "chain:c")])
    yield store, other
    other.close()


def _problem(store: GraphStore) -> str:
    return raise_problem(store, "用地指标不足", project="project:p", today=RAISED).id


def _moves(p: Node) -> list[str]:
    """The history's moves (``收集→交办`` …), in order."""
    return [str(e).split("｜")[1] for e in p.props["history"]]


def test_of_parallel_assignments_one_is_made(two: tuple[GraphStore, GraphStore]) -> None:
    pid = _problem(two[0])
    results = in_parallel(6, lambda i: step(two[i % 2], pid, "交办", note=f"n{i}", today=TODAY))
    assert sum(isinstance(r, Node) for r in results) == 1, results
    assert sum(isinstance(r, InvalidProblemStep) for r in results) == 5, results
    assert _moves(two[0].require_node(pid)) == ["—→收集", "收集→交办"]


def test_parallel_steps_each_checked_against_the_state_before(
    two: tuple[GraphStore, GraphStore],
) -> None:
    pid = _problem(two[0])
    step(two[0], pid, "交办", today=TODAY)
    order = ["督办", "反馈", "督办", "反馈", "办结"]  # 交办 → 督办 → 反馈 → 督办 → 反馈 → 办结

    def go(i: int) -> object:
        return step(two[i % 2], pid, order[i % len(order)], note=f"n{i}", today=TODAY)

    results = in_parallel(10, go)
    made = [r for r in results if isinstance(r, Node)]
    moves = _moves(two[0].require_node(pid))[2:]
    assert len(moves) == len(made), (moves, results)
    state = "交办"
    for move in moves:  # every recorded move starts where the one before ended
        frm, to = move.split("→")
        assert frm == state, moves
        state = to


def test_of_parallel_reviews_one_reopens(two: tuple[GraphStore, GraphStore]) -> None:
    pid = _problem(two[0])
    for to in ("交办", "反馈", "办结"):
        step(two[0], pid, to, today=TODAY)
    results = in_parallel(6, lambda i: review(two[i % 2], pid, "未见效", today=TODAY))
    assert sum(isinstance(r, Node) for r in results) == 1, results
    assert sum(isinstance(r, InvalidProblemStep) for r in results) == 5, results
    p = two[0].require_node(pid)
    assert p.props["status"] == "督办" and _moves(p)[-1] == "办结→督办"
    assert _moves(p).count("办结→督办") == 1


def test_a_step_on_a_supervision_item_during_the_sync_pass_is_kept(
    two: tuple[GraphStore, GraphStore],
) -> None:
    """Thirty projects stalled (签约未开工) with their 督办 items, then all started: the pass
    closes the items while officers answer (反馈) them; each answer made is in its item's
    history, and the pass closes the item from the state the answer left."""
    store = two[0]
    ids = [f"project:s{i:02}" for i in range(30)]
    with store.batch() as b:
        b.upsert_nodes([Node(p, "Project", {"name": p, "signed": "2026-01-01"}) for p in ids])
        b.upsert_relationships([Relationship(p, "IN_CHAIN", "chain:c") for p in ids])
    assert len(sync_supervision(store, today=date(2026, 7, 1)).opened) == len(ids)
    store.upsert_nodes([Node(p, "Project", {"started": "2026-08-10"}) for p in ids])
    items = [item_id(p, "签约未开工") for p in ids]

    def go(i: int) -> object:
        if i == 0:
            return sync_supervision(two[0], today=TODAY)
        made = []
        for iid in items[i - 1 :: 5]:
            try:
                step(two[i % 2], iid, "反馈", by=f"officer{i}", note=f"答复{iid}", today=TODAY)
            except InvalidProblemStep:
                continue  # the pass closed it first
            made.append(iid)
        return made

    results = in_parallel(6, go)
    assert not [r for r in results if isinstance(r, BaseException)], results
    answered = {iid for r in results[1:] if isinstance(r, list) for iid in r}
    for iid in items:
        item = store.require_node(iid)
        assert item.props["status"] == "办结", item.props
        moves = _moves(item)
        assert moves[-1] in ("督办→办结", "反馈→办结"), moves
        assert (iid in answered) == ("督办→反馈" in moves), (iid, moves)
