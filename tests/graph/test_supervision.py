"""The loop's own rules on a hand-built graph, with known dates: 五未 督办 items (one per project
and stall, closed when the stall ends, reopened when it comes back), 督办 before 办结 by the
office's setting, and 回头看 due some days after 办结 (the office's setting)."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.problems import (
    InvalidProblemStep,
    raise_problem,
    review,
    review_due,
    route,
    step,
)
from chainatlas.graph.workflows.supervision import item_id, supervision_items, sync_supervision


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    """Chain A; project S signed 2026-01-01 and not started (签约未开工 from 2026-07-01 with the
    default 180 days' grace); project T started and completed on time."""
    s = store
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node("A", "Chain", {"name": "甲链", "layout": "1366"}),
                Node(
                    "project:S",
                    "Project",
                    {"name": "签约项目", "region": "长兴县", "signed": "2026-01-01"},
                ),
                Node(
                    "project:T",
                    "Project",
                    {"name": "顺利项目", "signed": "2026-01-01", "started": "2026-02-01"},
                ),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("project:S", "IN_CHAIN", "A"),
                Relationship("project:T", "IN_CHAIN", "A"),
            ]
        )
    return s


def _items(g: GraphStore) -> list[Node]:
    return g.find_nodes("Problem", {"source": "五未"})


class TestSupervisionItems:
    def test_a_stall_raises_one_item_on_the_day_it_begins(self, g: GraphStore) -> None:
        assert not sync_supervision(g, today=date(2026, 6, 30)).changed
        r = sync_supervision(g, today=date(2026, 7, 1))
        assert r.opened == [item_id("project:S", "签约未开工")]
        (item,) = _items(g)
        assert item.props["status"] == "督办" and item.props["stall_from"] == "2026-07-01"
        assert item.props["assignee"] == "甲链牵头部门" and item.props["region"] == "长兴县"
        assert [n.id for _, n in g.neighbours(item.id, ["IN_CHAIN"], "out")] == ["A"]
        assert not sync_supervision(g, today=date(2026, 7, 2)).changed  # idempotent
        assert len(_items(g)) == 1

    def test_the_grace_period_is_the_offices_setting(self, g: GraphStore) -> None:
        assert sync_supervision(g, Grace(sign_to_start=30), date(2026, 2, 1)).opened
        assert _items(g)[0].props["stall_from"] == "2026-02-01"

    def test_it_closes_when_the_stall_ends_and_reopens_when_it_returns(self, g: GraphStore) -> None:
        sync_supervision(g, today=date(2026, 7, 1))
        iid = item_id("project:S", "签约未开工")
        g.upsert_nodes([Node("project:S", "Project", {"started": "2026-08-10"})])
        assert sync_supervision(g, today=date(2026, 8, 15)).closed == [iid]
        item = g.require_node(iid)
        assert item.props["status"] == "办结" and item.props["closed"] == "2026-08-10"
        assert "五未解除：开工 2026-08-10" in item.props["history"][-1]
        assert [x["state"] for x in supervision_items(g, "2026-07")] == ["本月新增"]
        assert [x["state"] for x in supervision_items(g, "2026-08")] == ["本月解除"]
        assert supervision_items(g, "2026-09") == [] and supervision_items(g, "2026-06") == []
        g.upsert_nodes([Node("project:S", "Project", {"started": None})])  # a wrong date removed
        assert sync_supervision(g, today=date(2026, 9, 1)).reopened == [iid]
        assert g.require_node(iid).props["status"] == "督办" and len(_items(g)) == 1

    def test_an_item_is_answered_but_never_closed_by_hand(self, g: GraphStore) -> None:
        sync_supervision(g, today=date(2026, 7, 1))
        iid = item_id("project:S", "签约未开工")
        step(g, iid, "反馈")
        with pytest.raises(InvalidProblemStep, match="自动办结"):
            step(g, iid, "办结")
        assert g.require_node(iid).props["status"] == "反馈"

    def test_an_item_reopened_by_review_is_left_to_people(self, g: GraphStore) -> None:
        sync_supervision(g, today=date(2026, 7, 1))
        iid = item_id("project:S", "签约未开工")
        g.upsert_nodes([Node("project:S", "Project", {"started": "2026-08-10"})])
        sync_supervision(g, today=date(2026, 8, 15))
        review(g, iid, "未见效", today=date(2026, 9, 20))
        assert not sync_supervision(g, today=date(2026, 9, 21)).changed  # not closed again
        step(g, iid, "反馈", today=date(2026, 9, 22))
        assert step(g, iid, "办结", today=date(2026, 9, 23)).props["status"] == "办结"


class TestLoopRules:
    def test_routing_follows_the_seed(self, g: GraphStore) -> None:
        assert route(g, "一般", chain="A") == "甲链牵头部门"
        assert route(g, "一般", region="长兴县") == "长兴县链长办"
        assert route(g, "重大", chain="A") == "甲链链长"
        assert route(g, "重大", region="长兴县").startswith("市链长办")
        assert route(g, "特别重大", chain="A") == "总链长（一事一议）"

    @pytest.mark.parametrize(
        "level, supervise, must",
        [
            ("特别重大", ("重大", "特别重大"), True),
            ("重大", ("重大", "特别重大"), True),
            ("一般", ("重大", "特别重大"), False),
            ("重大", ("特别重大",), False),
            ("一般", ("一般",), True),
        ],
    )
    def test_levels_that_must_pass_supervision_are_a_setting(
        self, g: GraphStore, level: str, supervise: tuple[str, ...], must: bool
    ) -> None:
        p = raise_problem(g, f"问题{level}{supervise}", level, project="project:S")
        step(g, p.id, "交办")
        step(g, p.id, "反馈")
        if must:
            with pytest.raises(InvalidProblemStep, match="须经市链长办督办"):
                step(g, p.id, "办结", supervise=supervise)
            assert g.require_node(p.id).props["status"] == "反馈"
        else:
            assert step(g, p.id, "办结", supervise=supervise).props["status"] == "办结"

    def test_closing_does_not_escalate(self, g: GraphStore) -> None:
        p = raise_problem(g, "问题", "一般", project="project:S")
        for s in ("交办", "督办", "反馈"):
            step(g, p.id, s)
        with pytest.raises(InvalidProblemStep, match="办结时不能升级"):
            step(g, p.id, "办结", escalate="重大")

    def test_due_dates_are_the_offices_setting(self, g: GraphStore) -> None:
        p = raise_problem(
            g, "期限", "一般", region="长兴县", due_days={"一般": 10}, today=date(2026, 1, 1)
        )
        assert p.props["due"] == "2026-01-11" and p.props["due_basis"] == "本办设置：一般问题 10 天"
        q = raise_problem(
            g, "指定", "一般", region="长兴县", due=date(2026, 3, 1), today=date(2026, 1, 1)
        )
        assert q.props["due_basis"] == "提出时指定"


class TestReview:
    def _closed(self, g: GraphStore, title: str, on: date) -> str:
        p = raise_problem(g, title, "一般", project="project:S", today=on)
        for s in ("交办", "督办", "反馈", "办结"):
            step(g, p.id, s, today=on)
        return p.id

    def test_review_falls_due_days_after_closing(self, g: GraphStore) -> None:
        a = self._closed(g, "甲", date(2026, 3, 1))
        b = self._closed(g, "乙", date(2026, 3, 10))
        assert review_due(g, date(2026, 3, 30)) == []  # 30 days by default
        assert [p.id for p in review_due(g, date(2026, 3, 31))] == [a]
        assert [p.id for p in review_due(g, date(2026, 4, 9))] == [a, b]
        assert [p.id for p in review_due(g, date(2026, 3, 2), after_days=1)] == [a]

    def test_review_confirms_or_reopens(self, g: GraphStore) -> None:
        a = self._closed(g, "甲", date(2026, 3, 1))
        b = self._closed(g, "乙", date(2026, 3, 1))
        ok = review(g, a, "见效", by="市链长办", today=date(2026, 4, 1))
        assert ok.props["status"] == "办结" and ok.props["reviewed"] == "2026-04-01"
        back = review(g, b, "未见效", today=date(2026, 4, 1))
        assert back.props["status"] == "督办" and "closed" not in back.props
        assert "回头看：未见效" in back.props["history"][-1]
        assert review_due(g, date(2026, 12, 1)) == []
        with pytest.raises(InvalidProblemStep, match="只有办结的问题才回头看"):
            review(g, b, "见效")
        with pytest.raises(InvalidProblemStep, match="回头看结果应为"):
            review(g, a, "差不多")
