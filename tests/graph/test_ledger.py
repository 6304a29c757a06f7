"""The one ledger and the problem loop on a hand-built ledger with known answers."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.graph.errors import NodeNotFound, ValidationFailed
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.ledger import (
    LAND_TO_START,
    LAND_TO_START_SOURCE,
    NO_UNIT,
    InvalidTransition,
    add_follow_up,
    check_dates,
    follow_ups,
    month_lists,
    month_range,
    move_stage,
    record_land,
    stalls,
)
from chainatlas.graph.workflows.problems import (
    InvalidProblemStep,
    overdue,
    raise_problem,
    route,
    step,
)
from chainatlas.graph.workflows.report import monthly_report

TODAY = date(2026, 11, 15)


def P(i: str, chain: str = "A", region: str = "长兴县", **dates: str | bool) -> tuple[Node, str]:
    return Node(f"project:{i}", "Project", {"name": i, "region": region, **dates}), chain


@pytest.fixture
def ledger(memory_store: EmbeddedStore) -> GraphStore:
    """Month under review: 2026-10 (ends 10-31). Default grace: 180/730/90/365/365 days."""
    s = memory_store
    projects = [
        P("reserve"),  # 储备
        P("new_start", started="2026-10-05", signed="2026-09-01"),  # 新开工, 在建
        P("building", started="2026-03-01", signed="2026-01-10", filed="2026-02-01"),  # 在建
        P("sign_stall", signed="2026-04-01"),  # 213 days unstarted: 签约未开工
        P("sign_edge", signed="2026-05-04"),  # exactly 180 days: not yet stalled
        P("build_stall", chain="B", signed="2023-01-01", started="2024-10-30"),  # 731 days
        P(
            "produce_stall",
            chain="B",
            region="吴兴区",
            started="2024-01-01",
            completed="2026-07-01",
        ),  # 122 days, 竣工未投产
        P(
            "scale_stall", started="2022-01-01", completed="2023-06-01", producing="2025-09-01"
        ),  # 425 days, 投产未上规
        P(
            "cap_stall",
            started="2021-01-01",
            completed="2022-01-01",
            producing="2022-06-01",
            above_scale="2025-10-01",
        ),  # 395 days, 上规未达产
        P(
            "new_above",
            started="2021-01-01",
            completed="2022-01-01",
            producing="2022-06-01",
            above_scale="2026-10-20",
            major=True,
        ),  # 新升规, 重大, 竣工投产
        P("new_filed", filed="2026-10-31"),  # 新备案 (last day of the month)
        P(
            "new_prod",
            region="吴兴区",
            started="2025-01-01",
            completed="2026-09-01",
            producing="2026-10-01",
        ),  # 新投产, 竣工投产
    ]
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node(
                    "A", "Chain", {"name": "甲链", "layout": "x", "lead_department": "甲链牵头部门"}
                ),
                Node("B", "Chain", {"name": "乙链", "layout": "x"}),
            ]
        )
        b.upsert_nodes([n for n, _ in projects])
        b.upsert_relationships([Relationship(n.id, "IN_CHAIN", c) for n, c in projects])
    return s


def ids(rows) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.id.removeprefix("project:") for r in rows}


class TestLists:
    def test_six_and_three(self, ledger: GraphStore) -> None:
        lists = month_lists(ledger, "2026-10")
        assert ids(lists["储备"]) == {"reserve", "sign_stall", "sign_edge", "new_filed"}
        assert ids(lists["新开工"]) == {"new_start"}
        # completed but not producing: in neither 在建 nor 竣工投产 (it is a stall)
        assert ids(lists["在建"]) == {"new_start", "building", "build_stall"}
        assert ids(lists["竣工投产"]) == {"scale_stall", "cap_stall", "new_above", "new_prod"}
        assert ids(lists["重大项目"]) == {"new_above"}
        assert ids(lists["新升规"]) == {"new_above"}
        assert ids(lists["新备案"]) == {"new_filed"}
        assert ids(lists["新投产"]) == {"new_prod"}

    def test_month_boundaries(self, ledger: GraphStore) -> None:
        assert ids(month_lists(ledger, "2026-11")["新备案"]) == set()
        assert ids(month_lists(ledger, "2026-09")["在建"]) == {"building", "build_stall"}
        assert ids(month_lists(ledger, "2026-08")["在建"]) == {
            "building",
            "build_stall",
            "new_prod",
        }
        assert month_range("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
        with pytest.raises(ValidationFailed):
            month_range("2026-13")


class TestStalls:
    def test_each_stall_and_boundaries(self, ledger: GraphStore) -> None:
        st = {k: ids(v) for k, v in stalls(ledger, "2026-10").items()}
        assert st == {
            "签约未开工": {"sign_stall"},
            "开工未竣工": {"build_stall"},
            "竣工未投产": {"produce_stall"},
            "投产未上规": {"scale_stall"},
            "上规未达产": {"cap_stall"},
        }
        # sign_edge crosses its boundary one day later
        assert "sign_edge" in ids(stalls(ledger, "2026-11")["签约未开工"])

    def test_grace_is_configurable(self, ledger: GraphStore) -> None:
        st = stalls(ledger, "2026-10", Grace(complete_to_produce=200))
        assert ids(st["竣工未投产"]) == set()


class TestReport:
    def test_figures(self, ledger: GraphStore) -> None:
        r = monthly_report(ledger, "2026-10")
        assert r.previous == "2026-09"
        assert r.stalls == {
            "签约未开工": 1,
            "开工未竣工": 1,
            "竣工未投产": 1,
            "投产未上规": 1,
            "上规未达产": 1,
        }
        # a month earlier: build_stall had 701 days (not yet), produce_stall 92 days (yes)
        assert r.stalls_previous["开工未竣工"] == 0 and r.stalls_previous["竣工未投产"] == 1
        chains = {c["name"]: c for c in r.by_chain}
        assert chains["乙链"]["stalled"] == 2 and chains["乙链"]["change"] == 1
        assert chains["甲链"]["stalled"] == 3 and chains["甲链"]["projects"] == 10
        assert [c["name"] for c in r.by_chain] == ["甲链", "乙链"]  # 3/10 before 2/2
        regions = {x["name"]: x for x in r.by_region}
        assert regions["吴兴区"]["竣工未投产"] == 1
        assert {x["name"] for x in r.stalled} == {
            "sign_stall",
            "build_stall",
            "produce_stall",
            "scale_stall",
            "cap_stall",
        }


class TestStages:
    def test_forward_one_step_only(self, ledger: GraphStore) -> None:
        p = move_stage(ledger, "project:building", "产业研究", today=TODAY)
        assert p.props["stage"] == "产业研究"
        move_stage(ledger, "project:building", "招商引资", today=TODAY)
        with pytest.raises(InvalidTransition, match="只能进入下一阶段"):
            move_stage(ledger, "project:building", "落地开工", today=TODAY)  # skips 研判会商
        with pytest.raises(InvalidTransition):
            move_stage(ledger, "project:building", "产业研究", today=TODAY)  # backwards
        move_stage(ledger, "project:building", "研判会商", by="长兴县投促局", today=TODAY)
        move_stage(ledger, "project:building", "落地开工", today=TODAY)
        hist = follow_ups(ledger, "project:building")
        assert [h["stage"] for h in hist] == ["产业研究", "招商引资", "研判会商", "落地开工"]

    def test_stage_needs_dates(self, ledger: GraphStore) -> None:
        for st in ("产业研究", "招商引资", "研判会商"):
            move_stage(ledger, "project:reserve", st, today=TODAY)
        with pytest.raises(InvalidTransition, match="签约、开工"):
            move_stage(ledger, "project:reserve", "落地开工", today=TODAY)

    def test_impossible_dates(self) -> None:
        assert check_dates({"signed": "2026-01-01", "started": "2025-12-01"}, today=TODAY)
        assert check_dates({"started": "2026-01-01", "filed": "2026-02-01"}, today=TODAY)
        assert check_dates({"producing": "2027-01-01"}, today=TODAY)
        assert not check_dates({"signed": "2026-01-01", "started": "2026-01-01"}, today=TODAY)

    def test_follow_up(self, ledger: GraphStore) -> None:
        add_follow_up(ledger, "project:building", "协调用地指标", by="甲", on=date(2026, 10, 1))
        assert follow_ups(ledger, "project:building")[0]["note"] == "协调用地指标"


class TestProblems:
    def test_routing(self, ledger: GraphStore) -> None:
        assert route(ledger, "一般", chain="A") == "甲链牵头部门"
        assert route(ledger, "一般", region="吴兴区") == "吴兴区链长办"
        assert route(ledger, "重大", chain="B") == "乙链链长"
        assert route(ledger, "特别重大", chain="A").startswith("总链长")

    def test_loop_escalation_and_overdue(self, ledger: GraphStore) -> None:
        p = raise_problem(
            ledger, "用地指标未落实", "一般", project="project:building", today=date(2026, 10, 1)
        )
        assert p.props["assignee"] == "甲链牵头部门" and p.props["due"] == "2026-10-31"
        with pytest.raises(InvalidProblemStep):
            step(ledger, p.id, "办结", today=date(2026, 10, 2))
        step(ledger, p.id, "交办", by="链长办", today=date(2026, 10, 2))
        p = step(ledger, p.id, "督办", escalate="重大", today=date(2026, 10, 20))
        assert p.props["level"] == "重大" and p.props["assignee"] == "甲链链长"
        assert [x.id for x in overdue(ledger, date(2026, 11, 1))] == [p.id]
        assert overdue(ledger, date(2026, 10, 31)) == []  # due today is not overdue
        step(ledger, p.id, "反馈", today=date(2026, 11, 2))
        p = step(ledger, p.id, "办结", today=date(2026, 11, 3))
        assert overdue(ledger, date(2026, 12, 1)) == [] and p.props["closed"] == "2026-11-03"
        assert len(p.props["history"]) == 6
        with pytest.raises(InvalidProblemStep):
            step(ledger, p.id, "督办")


class TestFollowUpsAndLand:
    def test_follow_up_at_any_stage_without_moving(self, ledger: GraphStore) -> None:
        before = ledger.require_node("project:building").props.get("stage")
        f = add_follow_up(ledger, "project:building", "走访", by="乙", on=date(2026, 10, 2))
        g = add_follow_up(ledger, "project:building", "再次走访", today=TODAY)
        assert f["seq"] == 1 and g["seq"] == 2 and g["date"] == TODAY.isoformat()
        assert f["stage"] == "—"  # no stage yet: recorded as such
        assert ledger.require_node("project:building").props.get("stage") == before
        move_stage(ledger, "project:building", "产业研究", today=TODAY)
        h = add_follow_up(ledger, "project:building", "研究报告初稿", today=TODAY)
        assert h["stage"] == "产业研究"
        assert [x["note"] for x in follow_ups(ledger, "project:building")][-1] == "研究报告初稿"

    def test_bad_follow_ups_write_nothing(self, ledger: GraphStore) -> None:
        before = ledger.counts()
        with pytest.raises(ValidationFailed, match="不能为空"):
            add_follow_up(ledger, "project:building", "  \n")
        with pytest.raises(ValidationFailed, match="将来"):
            add_follow_up(ledger, "project:building", "x", on=date(2026, 12, 1), today=TODAY)
        with pytest.raises(ValidationFailed, match="不能超过"):
            add_follow_up(ledger, "project:building", "长" * 2001)
        with pytest.raises(NodeNotFound):
            add_follow_up(ledger, "project:nope", "x")
        with pytest.raises(NodeNotFound):  # a chain is not a project
            add_follow_up(ledger, "A", "x")
        assert ledger.counts() == before

    def test_a_deleted_follow_up_does_not_make_the_next_overwrite_one(
        self, ledger: GraphStore
    ) -> None:
        for note in ("一", "二", "三"):
            add_follow_up(ledger, "project:building", note, today=TODAY)
        first = follow_ups(ledger, "project:building")[0]["id"]
        ledger.delete_nodes([first])
        add_follow_up(ledger, "project:building", "四", today=TODAY)
        notes = [x["note"] for x in follow_ups(ledger, "project:building")]
        assert notes == ["二", "三", "四"]

    def test_land_is_an_event_with_a_follow_up(self, ledger: GraphStore) -> None:
        p = record_land(ledger, "project:building", date(2026, 2, 20), by="自然资源局", today=TODAY)
        assert p.props["land_date"] == "2026-02-20"
        assert follow_ups(ledger, "project:building")[-1]["note"] == "拿地 2026-02-20"
        record_land(ledger, "project:building", date(2026, 2, 25), note="更正", today=TODAY)
        assert (
            "由 2026-02-20 更正为 2026-02-25：更正"
            in follow_ups(ledger, "project:building")[-1]["note"]
        )

    def test_land_after_start_or_in_the_future_is_refused(self, ledger: GraphStore) -> None:
        before = ledger.counts()
        with pytest.raises(InvalidTransition, match="拿地日期 2026-03-02 晚于开工日期 2026-03-01"):
            record_land(ledger, "project:building", date(2026, 3, 2), today=TODAY)
        with pytest.raises(ValidationFailed, match="将来"):
            record_land(ledger, "project:reserve", date(2026, 11, 16), today=TODAY)
        assert ledger.counts() == before
        assert "land_date" not in ledger.require_node("project:building").props
        assert check_dates({"land_date": "2026-03-02", "started": "2026-03-01"}, today=TODAY)
        assert not check_dates({"land_date": "2026-03-01", "started": "2026-03-01"}, today=TODAY)


class TestReportSettingsUnitsAndLand:
    def _with_units_and_land(self, s: GraphStore) -> None:
        with s.batch() as b:
            b.upsert_nodes(
                [
                    Node(
                        "project:new_start",
                        "Project",
                        {"responsible_unit": "长兴县投促局", "land_date": "2026-10-05"},
                    ),
                    Node(
                        "project:building",
                        "Project",
                        {"responsible_unit": "长兴县投促局", "land_date": "2026-02-19"},
                    ),
                    Node("project:sign_stall", "Project", {"responsible_unit": "吴兴区经信局"}),
                ]
            )

    def test_responsible_unit_in_lists_and_report(self, ledger: GraphStore) -> None:
        self._with_units_and_land(ledger)
        lists = month_lists(ledger, "2026-10")
        units = {r.id: r.responsible_unit for r in lists["在建"]}
        assert units["project:building"] == "长兴县投促局"
        assert units["project:build_stall"] == NO_UNIT
        r = monthly_report(ledger, "2026-10")
        stalled = {x["id"]: x for x in r.stalled}
        assert stalled["project:sign_stall"]["responsible_unit"] == "吴兴区经信局"
        by_unit = {x["name"]: x for x in r.by_unit}
        assert by_unit["吴兴区经信局"]["stalled"] == 1 and by_unit["吴兴区经信局"]["projects"] == 1
        assert by_unit["长兴县投促局"]["stalled"] == 0 and by_unit["长兴县投促局"]["projects"] == 2
        blank = r.by_unit[-1]  # no unit is not a unit: not ranked, last
        assert blank["rank"] is None and blank["name"] == f"未填写（{blank['projects']} 个项目）"
        assert blank["stalled"] == 4 and NO_UNIT not in by_unit

    def test_land_to_start_count_and_median(self, ledger: GraphStore) -> None:
        self._with_units_and_land(ledger)
        r = monthly_report(ledger, "2026-10")
        x = r.land_to_start
        assert x["measure"] == "拿地即开工" and x["within_days"] == 0
        # 新开工 this month: new_start, 拿地 the same day
        assert x["month"] == {"started": 1, "with_land_date": 1, "within": 1, "median_days": 0}
        # started by 10-31: 8 projects, two with 拿地 dates: 0 and 10 days
        assert x["to_date"] == {"started": 8, "with_land_date": 2, "within": 1, "median_days": 5}
        wider = monthly_report(ledger, "2026-10", land_to_start_days=10).land_to_start
        assert wider["to_date"]["within"] == 2 and "10 天内" in wider["basis"]

    def test_header_names_the_office_settings_used(self, ledger: GraphStore) -> None:
        r = monthly_report(
            ledger,
            "2026-10",
            Grace(sign_to_start=100),
            due_days={"一般": 20, "重大": 10, "特别重大": 5},
            land_to_start_days=3,
        )
        by = {x["setting"]: x for x in r.settings}
        assert by["CHAINATLAS_GRACE_SIGN_TO_START"]["value"] == 100
        assert by["CHAINATLAS_GRACE_SIGN_TO_START"]["name"] == "签约未开工宽限期"
        assert by["CHAINATLAS_PROBLEM_DAYS_MAJOR"]["value"] == 10
        assert by["CHAINATLAS_LAND_TO_START_DAYS"]["value"] == 3
        assert {x["basis"] for x in r.settings} == {"本办设置"} and len(r.settings) == 9
        # every setting named is one the office can set
        from chainatlas.graph.settings import Settings

        fields = {f"CHAINATLAS_{k.upper()}" for k in Settings.model_fields}
        assert set(by) <= fields

    def test_the_settings_are_the_ones_the_report_used(self, ledger: GraphStore) -> None:
        assert monthly_report(ledger, "2026-10", Grace(sign_to_start=300)).stalls["签约未开工"] == 0


def test_the_land_to_start_wording_is_the_seeds() -> None:
    from tests.conftest import shared_or_skip

    seed = shared_or_skip("seeds", "000_1bff7c389d9baca2.txt").read_text("utf-8")
    assert LAND_TO_START_SOURCE in seed and f"“{LAND_TO_START}”" in seed
    section = seed[seed.index("（二）项目提质") : seed.index("（三）")]
    assert LAND_TO_START_SOURCE in section
