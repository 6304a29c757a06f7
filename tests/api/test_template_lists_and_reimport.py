"""Templates with drop-down lists, and a re-import that says what changed (review R, C3, C5)."""

from __future__ import annotations

import html
import io
import re

from openpyxl import load_workbook

from chainatlas.graph.model import PROJECT_STAGES
from tests.api.webui import Browsers, post_form


def _lists(data: bytes) -> dict[str, list[str]]:
    """Header → the choices of its drop-down list, read from the workbook as Excel does."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["数据"]
    headers = {c.column_letter: str(c.value).rstrip("*") for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        column = str(dv.sqref).split(":")[0].rstrip("0123456789")
        sheet, cells = dv.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        src = wb[sheet.strip("'")]
        out[headers[column]] = [str(c[0].value) for c in src[first:last]]
    return out


def test_the_project_template_offers_drop_down_lists(ui: Browsers) -> None:
    city = ui.as_("city")
    lists = _lists(city.get("/ui/admin/template/projects.xlsx").content)
    assert lists["当前阶段"] == list(PROJECT_STAGES)
    assert lists["是否重大项目"] == ["是", "否"]
    assert "长兴县" in lists["所在区域"] and "湖州市" not in lists["所在区域"]
    assert "新能源与新型储能" in lists["所属产业链"]


def test_the_demand_template_offers_its_kinds(ui: Browsers) -> None:
    lists = _lists(ui.as_("city").get("/ui/match/template/demands.xlsx").content)
    assert "土地" in lists["需求类型"] and "吴兴区" in lists["所在区域"]


def _filled(ui: Browsers, rows: list[dict[str, str]]) -> bytes:
    wb = load_workbook(io.BytesIO(ui.as_("city").get("/ui/admin/template/projects.xlsx").content))
    ws = wb["数据"]
    headers = [str(c.value).rstrip("*") for c in ws[1]]
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _report(ui: Browsers, data: bytes) -> str:
    files = {"file": ("重点项目.xlsx", data, "application/x")}
    r = post_form(ui.as_("city"), "/ui/admin/import", "/ui/admin/import", files=files)
    assert r.status_code == 200, r.text
    m = re.search(r'id="import-report"><p[^>]*>(.*?)</p>', r.text, re.S)
    assert m is not None
    return html.unescape(m.group(1))


def test_a_second_import_says_nothing_changed(ui: Browsers) -> None:
    row = {"所属产业链": "新能源与新型储能", "所在区域": "长兴县", "当前阶段": "招商引资"}
    rows = [row | {"项目名称": f"重复导入{i}"} for i in range(3)]
    assert "新增 3 个项目" in _report(ui, _filled(ui, rows))
    again = _report(ui, _filled(ui, rows))
    assert "3 个项目与库中相同，无变化" in again and "节点" not in again
    rows[0] = rows[0] | {"总投资（亿元）": "5"}
    rows.append(row | {"项目名称": "重复导入新"})
    assert "新增 1 个项目，更新 1 个，无变化 2 个" in _report(ui, _filled(ui, rows))
