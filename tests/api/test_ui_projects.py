"""A project in the web UI from start to end, over HTTP (TestClient, the seeded embedded store):
the stage form asks for the dates the next stage needs and takes a district's project through
all seven stages; a refused form keeps its own input; a role that may not write is told who
may; 新建项目 and 编辑 write through the records route with its scope rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import unquote

from fastapi.testclient import TestClient

from chainatlas.graph.model import PROJECT_STAGES, Node
from tests.api.webui import ORIGIN, Browsers, post_form

P = "project:1366:robot:2"  # 长兴县, 招商引资, no dates (sample data)
PAGE = f"/ui/project/{P}"


def _value(html: str, id_: str) -> str | None:
    """The value of the input with id ``id_`` (None when there is no such input)."""
    m = re.search(rf'<input[^>]*id="{id_}"[^>]*>', html)
    if m is None:
        return None
    v = re.search(r'value="([^"]*)"', m.group(0))
    return v.group(1) if v else ""


def _textarea(html: str, id_: str) -> str:
    m = re.search(rf'<textarea[^>]*id="{id_}"[^>]*>(.*?)</textarea>', html, re.S)
    assert m is not None, id_
    return m.group(1)


def _error(html: str) -> str:
    """The page's error line (empty when there is none)."""
    m = re.search(r'id="form-error">(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


def _done(ui: Browsers, target: str) -> int:
    return sum(1 for x in ui.auth.audit_log(status="done") if x["target"] == target)


# ---- A1: the stage form asks for the dates -------------------------------------------------------
def test_a_district_team_takes_a_project_through_all_seven_stages(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"], "长兴团队")
    assert ui.store.require_node(P).props["stage"] == "招商引资"
    r = post_form(team, f"{PAGE}/stage", PAGE, to="研判会商", note="会商通过")
    assert r.status_code == 303 and r.headers["location"].endswith("?ok=stage")
    # 落地开工 needs 签约 and 开工: the form asks for exactly those, as dates
    html = team.get(PAGE).text
    assert _value(html, "stage-signed") == "" and _value(html, "stage-started") == ""
    assert _value(html, "stage-completed") is None and _value(html, "stage-filed") is None
    assert 'type="date" name="signed"' in html
    before, audited = ui.store.require_node(P).props, _done(ui, P)
    # one date missing, dates out of order, a date in the future: refused, nothing written
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for dates, reason in (
        ({"signed": "2026-03-01"}, "须填写开工日期"),
        ({"signed": "2026-03-01", "started": "2026-02-01"}, "早于签约日期"),
        ({"signed": "2026-03-01", "started": tomorrow}, "实际日期不能是将来"),
        ({"signed": "2026-02-30", "started": "2026-03-01"}, "签约日期"),
    ):
        r = post_form(team, f"{PAGE}/stage", PAGE, to="落地开工", note="签约开工", **dates)
        assert r.status_code in (400, 422) and reason in r.text, (dates, r.text[-800:])
        assert ui.store.require_node(P).props == before and _done(ui, P) == audited
        assert _value(r.text, "stage-signed") == dates["signed"]  # what was typed stays
    r = post_form(
        team, f"{PAGE}/stage", PAGE, to="落地开工", signed="2026-03-01", started="2026-04-01"
    )
    assert r.status_code == 303, r.text[-800:]
    props = ui.store.require_node(P).props
    assert (props["stage"], props["signed"], props["started"]) == (
        "落地开工",
        "2026-03-01",
        "2026-04-01",
    )
    # 投产达效 needs 竣工 and 投产; a date stored already is offered as stored
    ui.store.upsert_nodes([Node(P, "Project", {"completed": "2026-06-01"})])
    html = team.get(PAGE).text
    assert _value(html, "stage-completed") == "2026-06-01" and _value(html, "stage-producing") == ""
    r = post_form(
        team, f"{PAGE}/stage", PAGE, to="投产达效", completed="2026-06-01", producing="2026-07-01"
    )
    assert r.status_code == 303, r.text[-800:]
    for to in ("企业服务", "政策争取"):
        assert _value(team.get(PAGE).text, "stage-signed") is None
        assert post_form(team, f"{PAGE}/stage", PAGE, to=to).status_code == 303
    props = ui.store.require_node(P).props
    assert props["stage"] == PROJECT_STAGES[-1] and props["producing"] == "2026-07-01"
    assert 'id="form-stage"' not in team.get(PAGE).text


# ---- B1: each form keeps its own input; C15: who may write ---------------------------------------
def test_a_refused_stage_move_keeps_its_note_in_its_own_form(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"])
    assert post_form(team, f"{PAGE}/stage", PAGE, to="研判会商").status_code == 303
    r = post_form(team, f"{PAGE}/stage", PAGE, to="落地开工", note="测试推进 1")
    assert r.status_code == 400 and "须填写签约、开工日期" in r.text
    assert _value(r.text, "stage-note") == "测试推进 1"
    assert _textarea(r.text, "follow-note") == "" and _value(r.text, "land-note") == ""
    # and a refused follow-up keeps its note there, not in the stage form
    r = post_form(team, f"{PAGE}/follow-up", PAGE, note="走访", date="2099-01-01")
    assert r.status_code == 422 and _textarea(r.text, "follow-note") == "走访"
    assert _value(r.text, "stage-note") == "" and _value(r.text, "follow-date") == "2099-01-01"
    # a form that went through answers with a redirect to the page (a reload re-posts nothing)
    r = post_form(team, f"{PAGE}/follow-up", PAGE, note="走访企业")
    assert r.status_code == 303 and unquote(r.headers["location"]) == f"{PAGE}?ok=follow"


def test_a_role_that_may_not_write_is_told_who_may(ui: Browsers) -> None:
    leader = ui.as_("chain-leader", ["1366:robot"]).get(PAGE).text
    assert 'id="form-problem"' in leader and 'id="form-stage"' not in leader
    line = re.search(r'id="read-only">(.*?)</p>', leader, re.S)
    assert line is not None and line.group(1).startswith("只读：")
    for who in (
        "市链长办",
        "「智能装备及智能机器人」的产业链牵头部门",
        "长兴县的区级链长办或区县招商团队",
    ):
        assert who in line.group(1), line.group(1)
    assert "链长（" in line.group(1)  # the caller's own role
    mine = ui.as_("district", ["长兴县"]).get(PAGE).text
    assert 'id="read-only"' not in mine and 'id="edit"' in mine
    assert 'id="edit"' not in leader


# ---- A1: 新建项目 and 编辑 ---------------------------------------------------------------------
NEW = "/ui/projects/new"


def test_a_district_team_creates_a_project_in_its_own_district(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"], "长兴团队")
    assert 'href="/ui/projects/new"' in team.get("/ui/projects").text
    form = team.get(NEW).text
    assert re.findall(
        r"<option>([^<]+)</option>", form.split('id="pf-region"')[1].split("</select>")[0]
    ) == ["长兴县"]
    fields = {
        "name": "年产 5GWh 储能电池测试项目",
        "chain": "1366:storage",
        "segment": "seg:储能变流器",
        "region": "长兴县",
        "investment": "12.5",
        "stage": "招商引资",
        "major": "1",
        "attraction_method": "产业链招商",
        "responsible_unit": "长兴县投资促进局",
        "signed": "2026-03-01",
    }
    pid = "project:年产 5GWh 储能电池测试项目"
    # another district, text for a number, a date in no calendar: refused, nothing written
    for bad, reason, status in (
        ({"region": "吴兴区"}, "无权", 403),
        ({"investment": "五亿"}, "总投资（亿元）", 422),
        ({"signed": "2026-02-30"}, "签约日期", 422),
        ({"name": ""}, "项目名称", 422),
    ):
        r = post_form(team, NEW, NEW, **{**fields, **bad})
        assert r.status_code == status and reason in _error(r.text), (bad, _error(r.text))
        assert ui.store.get_node(pid) is None and not ui.auth.audit_log(status="done")
    assert _value(r.text, "pf-unit") == "长兴县投资促进局"  # what was typed stays
    r = post_form(team, NEW, NEW, **fields)
    assert r.status_code == 303, r.text[-600:]
    assert r.headers["location"].endswith("?ok=created")
    p = ui.store.require_node(pid, "Project")
    assert p.props["investment"] == 12.5 and p.props["major"] is True
    assert p.props["region"] == "长兴县" and p.props["signed"] == "2026-03-01"
    links = {(r.type, n.id) for r, n in ui.store.neighbours(pid, ["IN_CHAIN", "IN_SEGMENT"], "out")}
    assert links == {("IN_CHAIN", "1366:storage"), ("IN_SEGMENT", "seg:储能变流器")}
    assert "项目已新建" in team.get(r.headers["location"]).text
    r = post_form(team, NEW, NEW, **fields)  # the same name again
    assert r.status_code == 422 and "已有同名项目" in _error(r.text)
    # a name with a slash still makes a page that opens
    r = post_form(team, NEW, NEW, **{**fields, "name": "年产 10 万吨/年 测试项目"})
    assert r.status_code == 303 and team.get(r.headers["location"]).status_code == 200


def test_only_writers_get_the_forms(ui: Browsers) -> None:
    leader = ui.as_("chain-leader", ["1366:robot"])
    assert 'href="/ui/projects/new"' not in leader.get("/ui/projects").text
    assert leader.get(NEW).status_code == 403
    assert leader.get(f"{PAGE}/edit").status_code == 403
    other = ui.as_("district", ["吴兴区"])
    assert other.get(f"{PAGE}/edit").status_code == 403
    r = post_form(other, f"{PAGE}/edit", "/ui/projects", name="改名", investment="1")
    assert r.status_code == 403 and "无权" in r.text
    assert ui.store.require_node(P).props["name"] != "改名"
    team = ui.as_("district", ["长兴县"])
    r = team.post(f"{PAGE}/edit", data={"name": "改名"}, headers={"Origin": ORIGIN})
    assert r.status_code == 403 and "跨站" in r.text  # no CSRF token


def test_a_district_team_edits_its_project(ui: Browsers) -> None:
    team: TestClient = ui.as_("district", ["长兴县"])
    edit = f"{PAGE}/edit"
    form = team.get(edit).text
    stored = ui.store.require_node(P).props
    assert _value(form, "pf-name") == stored["name"]
    assert _value(form, "pf-investment") == str(stored["investment"])
    assert 'name="stage"' not in form  # the stage moves on the project page
    fields = {
        "name": stored["name"],
        "chain": "1366:robot",
        "region": "长兴县",
        "investment": "8",
        "responsible_unit": "长兴县经信局",
        "signed": "2026-05-01",
    }
    # a segment of another chain, an emptied name: refused, nothing written
    r = post_form(team, edit, edit, **fields, segment="seg:CRO及CDMO服务")
    assert r.status_code == 422 and "不属于" in _error(r.text)
    r = post_form(team, edit, edit, **{**fields, "name": " "})
    assert r.status_code == 422 and "项目名称" in _error(r.text), _error(r.text)
    assert ui.store.require_node(P).props == stored
    r = post_form(team, edit, edit, **fields)
    assert r.status_code == 303 and unquote(r.headers["location"]) == f"{PAGE}?ok=edit"
    props = ui.store.require_node(P).props
    assert (props["investment"], props["signed"], props["responsible_unit"]) == (
        8.0,
        "2026-05-01",
        "长兴县经信局",
    )
    assert props["stage"] == stored["stage"] and props["major"] is False
    page = team.get(r.headers["location"]).text
    assert "项目信息已保存" in page and "2026-05-01" in page
