"""Two officers editing one project (review S, A5): the 编辑 form carries the version it was
built from, so a form opened before another officer's change is refused (409) instead of
writing the old values back — and comes back with the other change shown and this user's own
edits kept, ready to be saved again. Over HTTP (TestClient, the seeded embedded store), the
form read and posted as a browser does (every field it holds)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.api.webui import ORIGIN, Browsers

P = "project:1366:iot:1"  # 长兴县, 责任单位 长兴县投资促进部门, 总投资 2.0 (sample data)
EDIT = f"/ui/project/{P}/edit"


def form_of(page: str) -> dict[str, str]:
    """What a browser posts for the page's project form, as it stands (as review S's script)."""
    form: dict[str, str] = {}
    body = page[page.index('id="form-project"') :]
    for m in re.finditer(r"<input[^>]*>", body):
        tag = m.group(0)
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        form[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r"<option([^>]*) selected>([^<]*)", m.group(2))
        if chosen is None:
            form[m.group(1)] = ""
        else:
            value = re.search(r'value="([^"]*)"', chosen.group(1))
            form[m.group(1)] = html.unescape(value.group(1) if value else chosen.group(2))
    return form


def _post(c: TestClient, form: dict[str, str]) -> object:
    return c.post(EDIT, data=form, headers={"Origin": ORIGIN}, follow_redirects=False)


def _error(page: str) -> str:
    m = re.search(r'id="form-error">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


def _officer_b(ui: Browsers, unit: str) -> None:
    """Officer B (区级链长办 长兴县) changes the 责任单位 through the API meanwhile."""
    token = ui.auth.create("district-office", ["长兴县"], "长兴链长办")
    with TestClient(ui.app, headers={"Authorization": f"Bearer {token}"}) as api:
        r = api.put(f"/api/v1/records/projects/{P}", json={"props": {"responsible_unit": unit}})
        assert r.status_code == 200, r.text


def test_a_form_opened_before_another_change_is_refused(ui: Browsers) -> None:
    a = ui.as_("district", ["长兴县"], "长兴招商")
    form = form_of(a.get(EDIT).text)
    assert form["responsible_unit"] == "长兴县投资促进部门" and form["rev"] and form["base"]
    _officer_b(ui, "B改的责任单位")
    r = _post(a, {**form, "investment": "88"})  # officer A changed 总投资 only
    assert r.status_code == 409, r.status_code  # type: ignore[attr-defined]
    page = r.text  # type: ignore[attr-defined]
    why = _error(page)
    assert why == (
        "无法保存：该项目已被他人修改（责任单位改为「B改的责任单位」），未保存。"
        "下面已换成最新内容，并保留了您改动的总投资（亿元）；请核对后再保存"
    ), why
    props = ui.store.require_node(P).props
    assert (props["responsible_unit"], props["investment"]) == ("B改的责任单位", 2.0)
    # the form again: the other change shown, A's own edit kept, built from the new version
    again = form_of(page)
    assert (again["investment"], again["responsible_unit"]) == ("88", "B改的责任单位")
    assert again["rev"] != form["rev"]
    r = _post(a, again)
    assert r.status_code == 303, _error(r.text)  # type: ignore[attr-defined]
    props = ui.store.require_node(P).props
    assert (props["responsible_unit"], props["investment"]) == ("B改的责任单位", 88.0)


def test_a_refused_form_keeps_the_version_it_was_opened_on(ui: Browsers) -> None:
    """A form refused for its input (422) keeps its old version: fixing the input and saving
    must not write over a change made in the meantime."""
    a = ui.as_("district", ["长兴县"], "长兴招商")
    form = form_of(a.get(EDIT).text)
    _officer_b(ui, "B改的责任单位")
    r = _post(a, {**form, "investment": "88", "name": " "})
    assert r.status_code == 422 and "项目名称" in _error(r.text)  # type: ignore[attr-defined]
    again = form_of(r.text)  # type: ignore[attr-defined]
    assert again["rev"] == form["rev"] and again["investment"] == "88"
    r = _post(a, {**again, "name": form["name"]})
    assert r.status_code == 409  # type: ignore[attr-defined]
    assert ui.store.require_node(P).props["responsible_unit"] == "B改的责任单位"


def test_the_form_sends_only_what_was_changed(ui: Browsers) -> None:
    """Without a version (an old page), the form still writes only the fields the user
    changed: the others, changed meanwhile, are not put back."""
    a = ui.as_("district", ["长兴县"], "长兴招商")
    form = form_of(a.get(EDIT).text)
    _officer_b(ui, "B改的责任单位")
    r = _post(a, {**form, "rev": "", "investment": "88"})
    assert r.status_code == 303  # type: ignore[attr-defined]
    props = ui.store.require_node(P).props
    assert (props["responsible_unit"], props["investment"]) == ("B改的责任单位", 88.0)


def test_the_unit_field_suggests_the_units_in_use(ui: Browsers) -> None:
    """Review R B6: 责任单位 offers the units the district's projects already name (a
    datalist; free text stays allowed), so that one unit keeps one spelling."""
    a = ui.as_("district", ["长兴县"], "长兴招商")
    for path in (EDIT, "/ui/projects/new"):
        page = a.get(path).text
        assert 'list="pf-units"' in page
        datalist = re.search(r'<datalist id="pf-units">(.*?)</datalist>', page, re.S)
        assert datalist is not None
        units = re.findall(r'<option value="([^"]*)">', datalist.group(1))
        assert "长兴县投资促进部门" in units and "德清县投资促进部门" not in units, units
    city = ui.as_("city")
    assert "德清县投资促进部门" in city.get("/ui/projects/new").text
