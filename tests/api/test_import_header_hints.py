"""The import page's answers about a table's header and rows (review R, A2 and B7): a missing
required column or a title row above the header named in office words, never the CLI's."""

from __future__ import annotations

import html
import io
import re

from openpyxl import Workbook, load_workbook

from tests.api.webui import Browsers, post_form


def _template(
    ui: Browsers, rows: list[dict[str, str]], *, drop: str = "", title: str = ""
) -> bytes:
    """The downloaded 项目模板 filled with ``rows``; without the column ``drop``; with a title
    row ``title`` inserted above the header."""
    city = ui.as_("city")
    wb = load_workbook(io.BytesIO(city.get("/ui/admin/template/projects.xlsx").content))
    ws = wb["数据"]
    headers = [str(c.value) for c in ws[1]]
    if drop:
        ws.delete_cols(headers.index(drop) + 1)
        headers.remove(drop)
    for row in rows:
        ws.append([row.get(h.rstrip("*"), "") for h in headers])
    if title:
        ws.insert_rows(1)
        ws.cell(1, 1, title)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = {"项目名称": "表头测试项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}


def _text(page: str, id_: str) -> str:
    m = re.search(rf'<(p|div|table)\b[^>]*id="{id_}"[^>]*>(.*?)</\1>', page, re.S)
    assert m is not None, id_
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(2))))


def _import(ui: Browsers, data: bytes, name: str = "项目.xlsx", **form: str) -> tuple[int, str]:
    city = ui.as_("city")
    files = {"file": (name, data, "application/x")}
    r = post_form(city, "/ui/admin/import", "/ui/admin/import", files=files, **form)
    return r.status_code, r.text


def test_a_missing_required_column_names_the_closest_template(ui: Browsers) -> None:
    status, page = _import(ui, _template(ui, [GOOD], drop="所在区域*"))
    assert status == 422
    table = _text(page, "row-errors")
    assert "按表头最接近「项目模板」，缺少必填列：所在区域" in table
    assert "chainatlas" not in page and "--kind" not in page


def test_a_title_row_above_the_header_is_named(ui: Browsers) -> None:
    for kind in ("", "projects"):  # detected, and chosen
        status, page = _import(ui, _template(ui, [GOOD], title="2026 年重点项目"), kind=kind)
        assert status == 422
        text = _text(page, "import-error") + _text(page, "row-errors")
        assert "第 1 行不是表头" in text and "表头在第 2 行" in text, text
        assert "请删除表头上方" in text and "chainatlas" not in page
    city = ui.as_("city")
    assert "表头测试项目" not in city.get("/ui/projects").text  # nothing written


def test_a_csv_title_row_is_named(ui: Browsers) -> None:
    csv = (
        "2026 年重点项目,,\n项目名称*,所属产业链*,所在区域*\n表头测试项目,新能源与新型储能,长兴县\n"
    )
    status, page = _import(ui, csv.encode("utf-8-sig"), "项目.csv")
    assert status == 422 and "表头在第 2 行" in _text(page, "row-errors")


def test_a_header_like_no_template_shows_what_a_header_is(ui: Browsers) -> None:
    wb = Workbook()
    wb.active.append(["公司", "地点"])
    wb.active.append(["甲", "乙"])
    buf = io.BytesIO()
    wb.save(buf)
    status, page = _import(ui, buf.getvalue())
    assert status == 422
    text = _text(page, "row-errors")
    assert "无法识别模板类型" in text and "项目名称*" in text
    assert "chainatlas" not in page and "--kind" not in page


def test_row_errors_name_chain_choices_in_row_order(ui: Browsers) -> None:
    """B7: an unknown chain lists the chains (closest first); the table reads in row order;
    a Chinese sentence has a Chinese colon."""
    rows = [
        GOOD | {"项目名称": "坏日期", "签约日期": "2026-13-45"},
        GOOD | {"项目名称": "火星链", "所属产业链": "火星产业"},
        GOOD | {"项目名称": "湖州市", "所在区域": "湖州市"},
        GOOD | {"项目名称": "将来", "签约日期": "2099-05-01"},
        GOOD | {"项目名称": "新能源", "所属产业链": "新能源与新型储"},
    ]
    status, page = _import(ui, _template(ui, rows))
    assert status == 422
    cell = r"<td[^>]*>([^<]*)</td>"
    lines = re.findall(r'<td class="num"[^>]*>(\d+)</td>' + cell + cell, page)
    numbers = [int(n) for n, _, _ in lines]
    assert numbers == sorted(numbers) and set(numbers) == {2, 3, 4, 5, 6}
    reasons = {int(n): html.unescape(why) for n, _, why in lines}
    assert "未知产业链 '火星产业'（可填 " in reasons[3]
    assert "（可填 新能源与新型储能" in reasons[6]  # the closest first
    assert "不是有效日期：'2026-13-45'" in reasons[2]
