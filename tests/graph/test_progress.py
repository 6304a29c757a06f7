"""十个一, four lists and progress toward the 2026 targets on a hand-built graph."""

from __future__ import annotations

import pytest

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.progress import GOAL_3566, checklist, four_lists, progress
from tests.conftest import shared_or_skip


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
    assert goal["total"] == 40.0 and goal["chains_100"] == 0


def test_four_lists(g: GraphStore) -> None:
    f = four_lists(g, "NEW", "2026-10")
    assert f["targets"]["2026"] == 100 and f["work"]["new_started"] == ["项目P"]
    assert f["work"]["open_problems"] == ["问题Q"] and f["policy"]["funds"] == ["基金X"]


# ---- the 3566 goal as seed 001 states it ------------------------------------------------------
def _eight(store: GraphStore, outputs: dict[str, list[tuple[str, float]]]) -> GraphStore:
    """eight-2.0 chains, each with one segment and the local firms (id, output) given."""
    with store.batch() as b:
        for i, (chain, firms) in enumerate(outputs.items()):
            b.upsert_nodes(
                [
                    Node(chain, "Chain", {"name": chain, "layout": "eight-2.0", "order": i}),
                    Node(f"seg:{chain}", "Segment", {"name": f"{chain}环节"}),
                ]
            )
            b.upsert_relationships(
                [Relationship(chain, "HAS_SEGMENT", f"seg:{chain}", {"stage": "upstream"})]
            )
            for fid, out in firms:
                b.upsert_nodes(
                    [Node(fid, "Firm", {"name": fid, "region": "长兴县", "output": out})]
                )
                b.upsert_relationships([Relationship(fid, "OPERATES_IN", f"seg:{chain}")])
    return store


def test_a_thousand_chain_is_not_also_a_hundred_chain(memory_store: EmbeddedStore) -> None:
    g = _eight(
        memory_store,
        {
            "千": [("f1", 1200.0)],
            "百": [("f2", 100.0)],
            "近千": [("f3", 999.9)],
            "小": [("f4", 99.9)],
        },
    )
    goal = progress(g)["goal_3566"]
    assert goal["chains_1000"] == 1  # 千
    assert goal["chains_100"] == 2  # 百 (exactly 100) and 近千; not 千, not 小


def test_a_firm_in_two_chains_counts_once_in_the_total(memory_store: EmbeddedStore) -> None:
    g = _eight(memory_store, {"甲": [("f1", 300.0), ("both", 50.0)], "乙": [("both", 50.0)]})
    p = progress(g)
    per_chain = {r["chain"]: r["output"] for r in p["chains"]}
    assert per_chain == {"甲": 350.0, "乙": 50.0}  # each chain counts its own firms
    assert p["goal_3566"]["total"] == 350.0  # the eight together: "both" once
    assert "只计一次" in p["goal_3566"]["total_basis"]


def test_the_share_needs_the_offices_denominator(memory_store: EmbeddedStore) -> None:
    g = _eight(memory_store, {"甲": [("f1", 300.0)]})
    goal = progress(g)["goal_3566"]
    assert (
        goal["share_of_industrial_output"] is None and "未设置" in goal["industrial_output_basis"]
    )
    goal = progress(g, industrial_output=1200)["goal_3566"]
    assert goal["share_of_industrial_output"] == 0.25 and goal["industrial_output"] == 1200
    assert goal["industrial_output_basis"].startswith("本办设置")


def test_on_the_sample_the_total_is_less_than_the_sum_of_the_chains(seeded: EmbeddedStore) -> None:
    """Sample firms work in more than one eight-2.0 chain: the old total added them twice."""
    p = progress(seeded)
    e2 = [r for r in p["chains"] if r["layout"] == "eight-2.0"]
    assert p["goal_3566"]["total"] < round(sum(r["output"] for r in e2), 2)


def _seed_001() -> str:
    return shared_or_skip("seeds", "001_490d9b0e4adfd288.txt").read_text("utf-8")


def test_the_goal_is_quoted_from_seed_001() -> None:
    assert GOAL_3566 in _seed_001()


def test_seed_001s_own_targets_add_up_to_less_than_its_total(seeded: EmbeddedStore) -> None:
    """The eight chains' 2026 targets in seed 001 (read from its text) add up to 5300 亿元,
    less than the 6000 亿元 of its own 3566 goal; the progress answer says so, from the graph."""
    import re

    seed = _seed_001()
    targets = [int(x) for x in re.findall(r"到2026年规模突破(\d+)亿元", seed)]
    assert len(targets) == 8
    total_goal = int(re.search(r"产值突破(\d+)亿元", seed).group(1))  # type: ignore[union-attr]
    assert sum(targets) == 5300 and total_goal == 6000
    goal = progress(seeded)["goal_3566"]
    assert goal["chain_targets_sum"] == sum(targets)
    assert f"合计 {sum(targets)} 亿元，低于总目标 {total_goal} 亿元" in goal["chain_targets_note"]
