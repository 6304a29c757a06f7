"""一项目一档案: a project's dossier gathers everything linked to it (hand-built graph)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.dossier import project_dossier
from chainatlas.graph.workflows.ledger import add_follow_up, move_stage, record_land
from chainatlas.graph.workflows.problems import raise_problem
from chainatlas.viz.dossier import dossier_html, dossier_json

TODAY = date(2026, 11, 15)


@pytest.fixture
def g(memory_store: EmbeddedStore) -> GraphStore:
    s = memory_store
    with s.batch() as b:
        b.upsert_nodes(
            [
                Node(
                    "C", "Chain", {"name": "储能链", "layout": "1366", "lead_department": "经信局"}
                ),
                Node("seg:x", "Segment", {"name": "锂电储能"}),
                Node("region:长兴县", "Region", {"name": "长兴县", "kind": "县"}),
                Node("park:p", "Park", {"name": "长兴经开区", "region": "长兴县"}),
                Node("firm:f", "Firm", {"name": "某储能科技", "region": "上海市"}),
                Node(
                    "project:p",
                    "Project",
                    {
                        "name": "储能电池项目",
                        "region": "长兴县",
                        "responsible_unit": "长兴县投资促进局",
                        "investment": 20.0,
                        "signed": "2026-03-01",
                        "started": "2026-05-10",
                    },
                ),
                Node("project:other", "Project", {"name": "别的项目"}),
                Node(
                    "demand:land",
                    "Demand",
                    {"kind": "土地", "description": "用地", "quantity": 120, "unit": "亩"},
                ),
                Node("demand:energy", "Demand", {"kind": "能耗", "description": "能耗指标"}),
                Node(
                    "demand:elsewhere", "Demand", {"kind": "人才", "description": "别的项目的需求"}
                ),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("project:p", "IN_CHAIN", "C"),
                Relationship("project:p", "IN_SEGMENT", "seg:x"),
                Relationship("project:p", "LOCATED_IN", "region:长兴县"),
                Relationship("project:p", "IN_PARK", "park:p"),
                Relationship("project:p", "FOR_FIRM", "firm:f"),
                Relationship("demand:land", "FOR_PROJECT", "project:p"),
                Relationship("demand:land", "FOR_FIRM", "firm:f"),
                Relationship("demand:energy", "FOR_PROJECT", "project:p"),
                Relationship("demand:elsewhere", "FOR_PROJECT", "project:other"),
            ]
        )
    for st in ("产业研究", "招商引资"):
        move_stage(s, "project:p", st, by="投促局", today=TODAY)
    add_follow_up(s, "project:p", "与企业洽谈", by="投促局", on=date(2026, 2, 1), today=TODAY)
    move_stage(s, "project:p", "研判会商", today=TODAY)
    s.upsert_nodes([Node("project:p", "Project", {"stage": "落地开工"})])  # set directly
    record_land(s, "project:p", date(2026, 5, 1), by="自然资源局", today=TODAY)
    raise_problem(s, "用地指标", project="project:p", today=date(2026, 9, 1))
    raise_problem(s, "别的问题", project="project:other", today=date(2026, 9, 1))
    return s


def test_everything_linked_is_gathered(g: GraphStore) -> None:
    d = project_dossier(g, "project:p", today=TODAY)
    assert d.project["name"] == "储能电池项目" and d.responsible_unit == "长兴县投资促进局"
    assert [f["name"] for f in d.firms] == ["某储能科技"]
    assert [c["name"] for c in d.chains] == ["储能链"] and d.chains[0]["layout"] == "1366"
    assert [s["name"] for s in d.segments] == ["锂电储能"]
    assert d.regions == ["长兴县"] and [p["name"] for p in d.parks] == ["长兴经开区"]
    assert {x["id"] for x in d.demands} == {"demand:land", "demand:energy"}
    assert next(x for x in d.demands if x["id"] == "demand:land")["firm"] == "某储能科技"
    assert [p["title"] for p in d.problems] == ["用地指标"]
    assert d.problems[0]["overdue"]  # due 10-01, open on 11-15


def test_stage_history_with_follow_ups_and_the_gaps(g: GraphStore) -> None:
    d = project_dossier(g, "project:p", today=TODAY)
    by = {s["stage"]: s for s in d.stages}
    assert [s["stage"] for s in d.stages][:7] == [
        "产业研究",
        "招商引资",
        "研判会商",
        "落地开工",
        "投产达效",
        "企业服务",
        "政策争取",
    ]
    assert by["招商引资"]["status"] == "已经过"
    assert [f["note"] for f in by["招商引资"]["follow_ups"]] == [
        "阶段 产业研究 → 招商引资",
        "与企业洽谈",
    ]
    assert by["落地开工"]["status"] == "当前阶段"
    # 落地开工 was set without a stage move; its only follow-up is the 拿地 record
    assert [f["note"] for f in by["落地开工"]["follow_ups"]] == ["拿地 2026-05-01"]
    assert not by["落地开工"]["missing_follow_up"] and not by["研判会商"]["missing_follow_up"]
    assert by["投产达效"]["status"] == "未到" and not by["投产达效"]["missing_follow_up"]
    assert len(d.follow_ups) == 5


def test_a_stage_passed_without_follow_up_is_flagged(g: GraphStore) -> None:
    g.upsert_nodes([Node("project:other", "Project", {"stage": "研判会商"})])
    d = project_dossier(g, "project:other", today=TODAY)
    flagged = [s["stage"] for s in d.stages if s["missing_follow_up"]]
    assert flagged == ["产业研究", "招商引资", "研判会商"]
    assert dossier_html(d).count("缺跟进记录") == 3


def test_land_to_start_per_project(g: GraphStore) -> None:
    x = project_dossier(g, "project:p", today=TODAY).land_to_start
    assert (x["land_date"], x["started"], x["days"], x["met"]) == (
        "2026-05-01",
        "2026-05-10",
        9,
        False,
    )
    assert x["verdict"] == "拿地后 9 天开工"
    x = project_dossier(g, "project:p", today=TODAY, land_to_start_days=10).land_to_start
    assert x["met"] and x["verdict"] == "拿地后 9 天开工（拿地即开工）"
    assert (
        project_dossier(g, "project:other", today=TODAY).land_to_start["verdict"]
        == "未登记拿地日期"
    )


def test_ledger_state_and_settings_named(g: GraphStore) -> None:
    d = project_dossier(g, "project:p", today=TODAY, grace=Grace(start_to_complete=100))
    assert d.ledger["stall"] == "开工未竣工" and "在建" in d.ledger["lists"]
    assert d.ledger["month"] == "2026-11" and d.as_of == "2026-11-15"
    assert {s["basis"] for s in d.settings} == {"本办设置"}
    assert {s["setting"]: s["value"] for s in d.settings}[
        "CHAINATLAS_GRACE_START_TO_COMPLETE"
    ] == 100


def test_unknown_project(g: GraphStore) -> None:
    with pytest.raises(NodeNotFound):
        project_dossier(g, "project:nope")
    with pytest.raises(NodeNotFound):
        project_dossier(g, "firm:f")  # not a project


def test_json_and_html(g: GraphStore) -> None:
    d = project_dossier(g, "project:p", today=TODAY)
    data = json.loads(dossier_json(d))
    assert data["responsible_unit"] == "长兴县投资促进局" and len(data["stages"]) == 7
    page = dossier_html(d)
    for text in (
        "项目档案：储能电池项目",
        "长兴县投资促进局",
        "某储能科技",
        "储能链",
        "锂电储能",
        "用地指标",
        "逾期",
        "拿地后 9 天开工",
        "与企业洽谈",
        "本办设置",
    ):
        assert text in page, text
    assert "<script" not in page


def test_html_escapes_what_users_wrote(g: GraphStore) -> None:
    add_follow_up(g, "project:p", "<script>alert(1)</script>", today=TODAY)
    page = dossier_html(project_dossier(g, "project:p", today=TODAY))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
