"""十个一 on a hand-built graph: the items as seed 000 names them, inferred links that never tick,
链创平台 only of the seed's three kinds, and every slot set and cleared."""

from __future__ import annotations

import re

import pytest

from chainatlas.graph.errors import ValidationFailed
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.checklist import (
    PLATFORM_KINDS,
    SEED,
    SLOTS,
    UnknownSlot,
    checklist,
    clear_slot,
    set_slot,
)
from tests.conftest import shared_or_skip


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    s = store
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node("C", "Chain", {"name": "甲链", "layout": "1366"}),
                Node("seg:a", "Segment", {"name": "a"}),
                Node("lab", "Platform", {"name": "某重点实验室", "kind": "全国重点实验室"}),
                Node("pilot", "Platform", {"name": "某中试平台", "kind": "中试平台"}),
                Node("poc", "Platform", {"name": "某概念验证中心", "kind": "概念验证中心"}),
                Node("fund:g", "Fund", {"name": "猜测基金"}),
                Node("fund:r", "Fund", {"name": "产业基金"}),
                Node("firm:m", "Firm", {"name": "链主甲"}),
                Node("project:p", "Project", {"name": "项目P"}),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("C", "HAS_SEGMENT", "seg:a", {"stage": "upstream"}),
                Relationship("lab", "SERVES", "C"),  # a lab is not a 链创平台 of the seed's kinds
                Relationship("pilot", "SERVES", "C", {"basis": "推断：名称相近"}),
                Relationship("fund:g", "SERVES", "seg:a", {"basis": "推断"}),
                Relationship("firm:m", "CHAIN_MASTER_OF", "C", {"basis": "推断：产值最大"}),
            ]
        )
    return s


def _items(g: GraphStore) -> dict[str, tuple[bool, str]]:
    return {x.item: (x.present, x.detail) for x in checklist(g, "C")}


def test_the_ten_items_and_the_platform_kinds_are_the_seeds_words() -> None:
    seed = shared_or_skip("seeds", "000_1bff7c389d9baca2.txt").read_text("utf-8")
    assert SEED in seed
    assert [s.item for s in SLOTS] == re.sub(r"（[^）]*）", "", SEED).split("、")
    kinds = re.search(r"一批链创平台（含(.+?)）", seed)
    assert kinds and tuple(re.split("、|和", kinds.group(1))) == PLATFORM_KINDS


def test_inferred_links_and_other_platform_kinds_never_tick(g: GraphStore) -> None:
    items = _items(g)
    present, detail = items["一批链创平台"]
    assert not present and detail.startswith("缺：产业创新联合体、中试平台、概念验证中心")
    assert "1 个推断链接不计" in detail and "1 个平台不属" in detail
    assert not items["一个基金配套"][0] and "1 个推断链接不计" in items["一个基金配套"][1]
    assert not items["一批链主企业"][0]
    g.upsert_relationships([Relationship("poc", "SERVES", "seg:a")])  # recorded, right kind
    assert _items(g)["一批链创平台"][0]


@pytest.mark.parametrize(
    "slot, value",
    [
        ("leader", "张副市长"),
        ("一个部门牵头", "市经信局"),
        ("plan", "甲链一链一策行动方案"),
        ("fund", "产业基金"),
        ("team", "甲链招商专班"),
        ("platforms", "poc"),
        ("masters", "链主甲"),
        ("think-tank", "甲链专家委员会"),
        ("projects", "project:p"),
        ("scenarios", "智慧工厂"),
    ],
)
def test_every_slot_is_set_and_cleared(g: GraphStore, slot: str, value: str) -> None:
    item = set_slot(g, "甲链", slot, value, by="牵头部门")
    assert item.present and (value in item.detail or "1 个" in item.detail)
    assert _items(g)[item.item][0]
    cleared = clear_slot(g, "C", slot)
    assert not cleared.present and cleared.detail.startswith("缺")
    assert not _items(g)[item.item][0]


def test_a_link_set_by_the_checklist_is_marked_and_only_such_links_are_cleared(
    g: GraphStore,
) -> None:
    set_slot(g, "C", "masters", "firm:m", by="市链长办")  # the inferred link becomes a record
    (rel,) = [r for r, _ in g.neighbours("C", ["CHAIN_MASTER_OF"], "in")]
    assert rel.props["basis"].startswith("十个一登记（市链长办，")
    g.upsert_relationships([Relationship("project:p", "IN_CHAIN", "C")])  # from the ledger
    with pytest.raises(ValidationFailed, match="来自图谱数据"):
        clear_slot(g, "C", "projects", "项目P")
    clear_slot(g, "C", "projects")
    assert g.neighbours("C", ["IN_CHAIN"], "in")  # the ledger's link stays


def test_lists_add_and_remove_one_value(g: GraphStore) -> None:
    set_slot(g, "C", "scenarios", "场景一")
    set_slot(g, "C", "scenarios", "场景二")
    set_slot(g, "C", "scenarios", "场景一")  # no duplicate
    assert g.require_node("C").props["scenarios"] == ["场景一", "场景二"]
    clear_slot(g, "C", "scenarios", "场景一")
    assert g.require_node("C").props["scenarios"] == ["场景二"]
    with pytest.raises(ValidationFailed, match="没有「场景九」"):
        clear_slot(g, "C", "scenarios", "场景九")


@pytest.mark.parametrize(
    "slot, value, says",
    [
        ("platforms", "lab", "一批链创平台只计产业创新联合体、中试平台、概念验证中心"),
        ("platforms", "火星平台", "图谱中没有「火星平台」"),
        ("masters", "fund:r", "图谱中没有「fund:r」"),
        ("leader", "  ", "不能为空"),
        ("leader", "张\n副市长", "换行"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(
    g: GraphStore, slot: str, value: str, says: str
) -> None:
    before = (g.require_node("C").props, g.counts())
    with pytest.raises(ValidationFailed, match=says):
        set_slot(g, "C", slot, value)
    assert (g.require_node("C").props, g.counts()) == before


def test_an_unknown_slot_names_the_ten() -> None:
    from chainatlas.graph.workflows.checklist import find_slot

    with pytest.raises(UnknownSlot, match="一批应用场景（scenarios）"):
        find_slot("一个篮球队")
