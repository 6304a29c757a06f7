"""The project page's 基本信息 reads right when a fact is missing (TestClient, the seeded
embedded store): a project stored without 总投资 shows 「—」, not a unit without a number."""

from __future__ import annotations

import re

from chainatlas.graph.model import Node
from tests.api.webui import Browsers


def _fact(html: str, label: str) -> str:
    m = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", html, re.S)
    assert m is not None, label
    return m.group(1).strip()


def test_a_project_without_investment_shows_a_dash(ui: Browsers) -> None:
    ui.store.upsert_nodes(
        [Node("project:无总投资", "Project", {"name": "无总投资", "stage": "招商引资"})]
    )
    ui.store.upsert_nodes(
        [Node("project:有总投资", "Project", {"name": "有总投资", "investment": 3.5})]
    )
    city = ui.as_("city", [], "市链长办")
    assert _fact(city.get("/ui/project/project:无总投资").text, "总投资") == "—"
    assert _fact(city.get("/ui/project/project:有总投资").text, "总投资") == "3.5 亿元"
