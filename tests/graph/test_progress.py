"""十个一, four lists and progress toward the 2026 targets on a hand-built graph."""

from __future__ import annotations

import pytest

from chainatlas.graph.embedded import EmbeddedStore
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.progress import checklist, four_lists, progress
from chainatlas.graph.store import GraphStore


@pytest.fixture
def g(memory_store: EmbeddedStore) -> GraphStore:
    s = memory_store
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node("OLD", "Chain", {"name": "旧链", "layout": "eight-2.0", "target_2026": 100}),
                Node(
                    "NEW",
                    "Chain",
                    {
                        "name": "新链",
                        "layout": "1366",
                        "leader": "张副市长",
                        "scenarios": ["场景一"],
                    },
                ),
                Node("seg:a", "Segment", {"name": "a"}),
                Node("seg:b", "Segment", {"name": "b"}),
                Node("firm:1", "Firm", {"name": "一", "region": "长兴县", "output": 30}),
                Node("firm:2", "Firm", {"name": "二", "region": "长兴县", "output": 10}),
                Node("firm:3", "Firm", {"name": "三", "region": "上海市", "output": 500}),
                Node("fund:x", "Fund", {"name": "基金X"}),
                Node("project:p", "Project", {"name": "项目P", "started": "2026-10-02"}),
                Node("problem:q", "Problem", {"title": "问题Q", "status": "交办"}),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("OLD", "EVOLVED_INTO", "NEW"),
                Relationship("OLD", "HAS_SEGMENT", "seg:a", {"stage": "upstream"}),
                Relationship("NEW", "HAS_SEGMENT", "seg:a", {"stage": "upstream"}),
                Relationship("seg:b", "SUBSEGMENT_OF", "seg:a"),
                Relationship("firm:1", "OPERATES_IN", "seg:a"),
                Relationship("firm:1", "OPERATES_IN", "seg:b"),  # counted once
                Relationship("firm:2", "OPERATES_IN", "seg:b"),
                Relationship("firm:3", "OPERATES_IN", "seg:a"),  # not local
                Relationship("fund:x", "SERVES", "NEW"),
                Relationship("project:p", "IN_CHAIN", "NEW"),
                Relationship("problem:q", "IN_CHAIN", "NEW"),
            ]
        )
    return s


def test_checklist(g: GraphStore) -> None:
    items = {c.item: c for c in checklist(g, "NEW")}
    assert len(items) == 10
    assert items["一名市领导领衔"].present and items["一名市领导领衔"].detail == "张副市长"
    assert items["一个基金配套"].present and not items["一个部门牵头"].present
    assert items["一批项目清单"].present and items["一批应用场景"].present
    assert not items["一批链主企业"].present and items["一批链主企业"].detail.startswith("缺")


def test_progress_from_local_output(g: GraphStore) -> None:
    rows = {r["chain"]: r for r in progress(g)["chains"]}
    assert rows["OLD"]["output"] == 40.0 and rows["OLD"]["share"] == 0.4
    assert rows["NEW"]["target_2026"] == 100 and "旧链" in rows["NEW"]["target_basis"]
    goal = progress(g)["goal_3566"]
    assert goal["total"] == 40.0 and goal["chains_over_100"] == 0


def test_four_lists(g: GraphStore) -> None:
    f = four_lists(g, "NEW", "2026-10")
    assert f["targets"]["2026"] == 100 and f["work"]["new_started"] == ["项目P"]
    assert f["work"]["open_problems"] == ["问题Q"] and f["policy"]["funds"] == ["基金X"]
