"""已存清单匹配 with a filter outside one's scope (review R, B5), over HTTP (TestClient, the real
embedded store and auth store): the form offers only the caller's districts and chains, and a
district or chain typed by hand outside the scope is refused by name (403) — over the page and
the API alike — instead of the false 「范围内没有可匹配的需求」; nothing is matched or audited."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.api.conftest import bearers
from tests.api.test_ui_match import office  # noqa: F401  (the fixture: a stored 长兴县 demand)
from tests.api.webui import Browsers, post_form

STORED = "/ui/match/stored"


def _error(page: str) -> str:
    m = re.search(r'id="form-error">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


def _options(page: str, id_: str) -> list[str]:
    select = page.split(f'id="{id_}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_a_district_outside_the_scope_is_refused_by_name(office: Browsers) -> None:  # noqa: F811
    team = office.as_("district", ["长兴县"], "长兴县招商团队")
    rows = len(office.auth.audit_log())
    page = team.get(STORED).text
    assert _options(page, "region") == ["", "长兴县"]
    assert len(_options(page, "chain")) > 20  # a district matches in every chain
    r = post_form(team, STORED, STORED, region="吴兴区")
    assert r.status_code == 403
    assert _error(r.text) == "无权操作：吴兴区不在您的范围（长兴县）内", _error(r.text)
    assert office.store.count_nodes("Docking") == 0 and len(office.auth.audit_log()) == rows
    heads = bearers(office.auth, {"长兴": ("district", ["长兴县"])})["长兴"]
    with TestClient(office.app, headers=heads) as api:
        r = api.post("/api/v1/match/stored", json={"region": "吴兴区"})
        assert r.status_code == 403 and r.json()["detail"] == "吴兴区不在您的范围（长兴县）内"
    assert office.store.count_nodes("Docking") == 0 and len(office.auth.audit_log()) == rows
    # its own district matches its demand
    r = post_form(team, STORED, STORED, region="长兴县")
    assert r.status_code == 200 and "新增对接 1" in r.text, _error(r.text)


def test_a_chain_outside_the_scope_is_refused_by_name(office: Browsers) -> None:  # noqa: F811
    dept = office.as_("chain", ["1366:bio"], "生物医药牵头部门")
    rows = len(office.auth.audit_log())
    page = dept.get(STORED).text
    assert _options(page, "chain") == ["", "1366:bio"]
    assert "吴兴区" in _options(page, "region")
    r = post_form(dept, STORED, STORED, chain="智能网联新能源汽车")
    assert r.status_code == 403
    why = _error(r.text)
    assert why == "无权操作：产业链「智能网联新能源汽车」不在您的范围（生物医药）内", why
    assert office.store.count_nodes("Docking") == 0 and len(office.auth.audit_log()) == rows
