"""A refusal over another district's record names the record as people know it, by its kind and
name, not by its id (review R, B4): raising a problem on another district's project (the
project page's form posted by hand, and the API), and linking a demand to it. Over HTTP
(TestClient, the seeded embedded store); nothing is written."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import bearers
from tests.api.webui import Browsers, post_form

P = "project:1366:icv:4"  # 德清县 (sample data)
NAME = "智能网联新能源汽车示例项目4"
THEIRS = f"项目「{NAME}」"


def test_a_problem_on_another_districts_project_names_the_project(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"], "长兴县招商团队")
    page = "/ui/project/project:1366:robot:2"  # a form of the team's own project, posted by hand
    r = post_form(team, f"/ui/project/{P}/problem", page, title="R越权问题", level="一般")
    assert r.status_code == 403
    why = re.search(r'id="form-error">(.*?)</p>', r.text, re.S)
    assert why is not None and why.group(1).endswith(f"无权提交本辖范围以外的记录（{THEIRS}）")
    assert P not in why.group(1)
    heads = bearers(ui.auth, {"长兴": ("district", ["长兴县"])})["长兴"]
    with TestClient(ui.app, headers=heads) as api:
        r = api.post("/api/v1/problems", json={"title": "R越权问题", "project": P})
        assert r.status_code == 403 and THEIRS in r.json()["detail"], r.text
        assert P not in r.json()["detail"]
        demand = {
            "props": {"kind": "土地", "description": "R越权需求"},
            "region": "长兴县",
            "project": P,
        }
        r = api.put("/api/v1/records/demands/demand:R越权需求", json=demand)
        assert r.status_code == 403, r.text
        assert r.json()["detail"].endswith(f"无权关联本辖范围以外的{THEIRS}"), r.text
    assert not [p for p in ui.store.find_nodes("Problem") if p.props["title"] == "R越权问题"]
    assert ui.store.get_node("demand:R越权需求") is None
