"""The 所属环节 of 新建项目 / 编辑 against the chosen 产业链 (review R, B3), over HTTP (TestClient,
the seeded embedded store), the form read and posted as a browser without script does: a
segment of another chain is refused naming both by their names, not their ids; moving a
project to another chain with 环节 left as it was clears the old chain's segment instead of
refusing a field the user never touched; the select groups its segments by chain (the hook
the page's script filters on)."""

from __future__ import annotations

import html
import re

from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.test_ui_project_edit_conflict import form_of
from tests.api.webui import ORIGIN, Browsers, post_form

P = "project:1366:robot:2"  # 长兴县, 智能装备及智能机器人, 环节 伺服电机及减速器 (sample data)
EDIT = f"/ui/project/{P}/edit"
NEW = "/ui/projects/new"


def _error(page: str) -> str:
    m = re.search(r'id="form-error">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


def _links(store: EmbeddedStore, pid: str) -> set[tuple[str, str]]:
    return {(r.type, n.id) for r, n in store.neighbours(pid, ["IN_CHAIN", "IN_SEGMENT"], "out")}


def test_a_segment_of_another_chain_is_refused_by_name(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"], "长兴团队")
    fields = {"name": "R环节测试项目", "chain": "1366:icv", "region": "长兴县"}
    r = post_form(team, NEW, NEW, **fields, segment="seg:AI芯片")
    assert r.status_code == 422
    assert _error(r.text) == "无法完成：环节「AI芯片」不属于「智能网联新能源汽车」", _error(r.text)
    assert ui.store.get_node("project:R环节测试项目") is None
    # the same through 编辑: the stored chain named by its name too
    r = post_form(team, EDIT, EDIT, **{**form_of(team.get(EDIT).text), "segment": "seg:AI芯片"})
    assert r.status_code == 422
    assert _error(r.text) == "无法完成：环节「AI芯片」不属于「智能装备及智能机器人」", _error(
        r.text
    )
    assert ("IN_SEGMENT", "seg:伺服电机及减速器") in _links(ui.store, P)


def test_moving_to_another_chain_clears_the_segment_left_as_it_was(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"], "长兴团队")
    form = form_of(team.get(EDIT).text)
    assert (form["chain"], form["segment"]) == ("1366:robot", "seg:伺服电机及减速器")
    r = team.post(
        EDIT, data={**form, "chain": "1366:bio"}, headers={"Origin": ORIGIN}, follow_redirects=False
    )
    assert r.status_code == 303, _error(r.text)
    assert _links(ui.store, P) == {("IN_CHAIN", "1366:bio")}
    page = team.get(r.headers["location"]).text
    assert "原环节「伺服电机及减速器」不属于「生物医药」，已清除" in page
    # the form now offers 不填 for the empty segment (nothing is left to keep)
    again = team.get(EDIT).text
    assert re.search(r'id="pf-segment"[^>]*>\s*<option value="">不填</option>', again)
    # a segment of the new chain chosen with the move is kept
    form = form_of(again)
    r = team.post(
        EDIT,
        data={**form, "chain": "1366:robot", "segment": "seg:工程机械"},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert r.status_code == 303, _error(r.text)
    assert _links(ui.store, P) == {("IN_CHAIN", "1366:robot"), ("IN_SEGMENT", "seg:工程机械")}
    assert "已清除" not in team.get(r.headers["location"]).text


def test_the_segment_select_groups_segments_by_chain(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"])
    page = team.get(NEW).text
    select = page.split('id="pf-segment"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="[^"]*" data-chain="([^"]+)">', select)
    assert "1366:icv" in groups and "1366:robot" in groups
    icv = select.split('data-chain="1366:icv">')[1].split("</optgroup>")[0]
    assert "车规级芯片" in icv and "AI芯片" not in icv
