"""A form posted with a required field left empty — as a browser without its ``required`` check,
or a hand-made request, sends it — is refused naming the field as the form labels it (review
R, C7: 「跟进内容不能为空」, not 「不能为空」), and writes nothing. Over HTTP (TestClient, the
seeded embedded store)."""

from __future__ import annotations

import html
import re

import pytest

from chainatlas.graph.workflows.checklist import SLOTS
from tests.api.webui import Browsers, post_form

P = "project:1366:robot:2"  # 长兴县 (sample data)
PAGE = f"/ui/project/{P}"


def _error(page: str) -> str:
    m = re.search(r'id="form-error">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


@pytest.mark.parametrize(
    ("form", "fields", "said"),
    [
        ("follow-up", {"note": ""}, "无法完成：跟进内容不能为空"),
        ("follow-up", {"note": "走访", "date": "2026-13-01"}, "无法完成：跟进日期："),
        ("land", {"date": "", "note": "拿地"}, "无法完成：拿地日期不能为空"),
        ("problem", {"title": "", "level": "一般"}, "无法完成：问题不能为空"),
        ("problem", {"title": "道路未通", "level": "很大"}, "无法完成：级别：取值应为"),
        ("stage", {"to": ""}, "无法完成：目标阶段不能为空"),
        ("stage", {"to": "开工"}, "无法完成：目标阶段：取值应为"),
    ],
)
def test_an_empty_field_is_named(
    ui: Browsers, form: str, fields: dict[str, str], said: str
) -> None:
    team = ui.as_("district", ["长兴县"], "长兴团队")
    before = ui.store.require_node(P).props
    audited = len(ui.auth.audit_log())
    r = post_form(team, f"{PAGE}/{form}", PAGE, **fields)
    assert r.status_code == 422
    assert _error(r.text).startswith(said), _error(r.text)
    assert ui.store.require_node(P).props == before and len(ui.auth.audit_log()) == audited


def test_an_empty_checklist_entry_is_named(ui: Browsers) -> None:
    slot = SLOTS[0]
    chain = "/ui/chain/1366:robot"
    r = post_form(ui.as_("city"), f"{chain}/checklist/{slot.key}", chain, value="")
    assert r.status_code == 422
    assert _error(r.text) == f"无法完成：「{slot.item}」不能为空", _error(r.text)
