"""The import page's messages as a new user met them (review B, s6): skipped rows counted as
rows, an old .xls told how to convert, no 「行 0」 for a file as a whole."""

from __future__ import annotations

import html
import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.webui import Browsers, post_form


def _projects(ui: Browsers, rows: list[dict[str, str]]) -> bytes:
    city = ui.as_("city")
    wb = load_workbook(io.BytesIO(city.get("/ui/admin/template/projects.xlsx").content))
    ws = wb["数据"]
    headers = [str(c.value).rstrip("*") for c in ws[1]]
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = {"项目名称": "网页导入好项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
BAD = [
    GOOD | {"项目名称": "坏一", "所在区域": "湖州市", "当前阶段": "开工", "总投资（亿元）": "五亿"},
    GOOD | {"项目名称": "坏二", "签约日期": "2026-02-30", "是否重大项目": "也许"},
]


def _element(page: str, id_: str) -> str:
    """The markup inside the element with ``id_`` (a ``<p>``, ``<div>`` or ``<table>``)."""
    m = re.search(rf'<(p|div|table)\b[^>]*id="{id_}"[^>]*>(.*?)</\1>', page, re.S)
    assert m is not None, id_
    return m.group(2)


def _text(page: str, id_: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _element(page, id_))))


def test_skipped_rows_are_rows_not_errors(ui: Browsers) -> None:
    """B2: two bad rows with five errors between them: 「跳过 2 行（5 处错误）」."""
    city = ui.as_("city")
    files = {"file": ("bad-projects.xlsx", _projects(ui, [GOOD, *BAD]), "application/x")}
    r = post_form(city, "/ui/admin/import", "/ui/admin/import", files=files, skip_bad="1")
    assert r.status_code == 200
    assert "跳过 2 行（5 处错误）" in _text(r.text, "import-report")
    assert _element(r.text, "skipped").count("<tr>") == 1 + 5  # the header and five errors


def test_a_refused_import_counts_rows_and_errors(ui: Browsers) -> None:
    city = ui.as_("city")
    files = {"file": ("bad-projects.xlsx", _projects(ui, BAD), "application/x")}
    r = post_form(city, "/ui/admin/import", "/ui/admin/import", files=files)
    assert r.status_code == 422
    assert "2 行有错误（共 5 处）" in _text(r.text, "import-error")


def test_the_api_says_how_many_rows_were_skipped(ui: Browsers, client: TestClient) -> None:
    files = {"file": ("bad-projects.xlsx", _projects(ui, [GOOD, *BAD]), "application/x")}
    r = client.post("/api/v1/import?skip_bad=true", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["skipped_rows"] == 2 and r.json()["skipped_count"] == 5


def test_an_old_xls_is_told_to_save_as_xlsx(ui: Browsers) -> None:
    """B10: an Excel 97-2003 upload is told to 另存为 .xlsx, and the table shows no 行 0."""
    city = ui.as_("city")
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # the OLE2 signature
    files = {"file": ("old.xls", xls, "application/vnd.ms-excel")}
    r = post_form(city, "/ui/admin/import", "/ui/admin/import", files=files)
    assert r.status_code == 422
    message = _text(r.text, "import-error")
    assert "另存为" in message and ".xlsx" in message and "只接受" not in message
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', _element(r.text, "row-errors"))
    assert cells and "0" not in cells


def test_the_api_keeps_records_in_the_districts_too(ui: Browsers, client: TestClient) -> None:
    """A3 through the API: a project put in 湖州市 or 上海市 is refused (422), nothing written;
    a district is taken."""
    before = ui.store.counts()
    for place in ("湖州市", "上海市"):
        body = {"props": {"name": "区域接口测试"}, "region": place}
        r = client.put("/api/v1/records/projects/project:region-test", json=body)
        assert r.status_code == 422 and "不是湖州市的区县或功能区" in r.json()["detail"], r.text
        assert "长合区" in r.json()["detail"]
    assert ui.store.counts() == before
    body = {"props": {"name": "区域接口测试"}, "region": "南太湖新区"}
    r = client.put("/api/v1/records/projects/project:region-test", json=body)
    assert r.status_code == 200, r.text
    linked = ui.store.neighbours("project:region-test", ["LOCATED_IN"])
    assert [n.name for _, n in linked] == ["南太湖新区"]
