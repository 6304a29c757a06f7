"""要素匹配's upload errors (review R, B7): a headline over the table, not the table run on
in a paragraph; no 「未写入任何数据」 for lists that are never stored; an unknown region or
chain lists the choices."""

from __future__ import annotations

import html
import io
import re

from openpyxl import load_workbook

from tests.api.webui import Browsers, post_form


def _list(ui: Browsers, kind: str, rows: list[dict[str, str]]) -> bytes:
    city = ui.as_("city")
    wb = load_workbook(io.BytesIO(city.get(f"/ui/match/template/{kind}.xlsx").content))
    ws = wb["数据"]
    headers = [str(c.value).rstrip("*") for c in ws[1]]
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_bad_list_gets_a_headline_and_choices(ui: Browsers) -> None:
    demand = {
        "需求类型": "土地",
        "需求描述": "用地",
        "数量": "50",
        "单位": "亩",
        "所在区域": "长兴县",
    }
    demands = _list(
        ui,
        "demands",
        [demand | {"所在区域": "火星"}, demand | {"所属产业链": "火星产业"}, demand],
    )
    supplies = _list(ui, "supplies", [{"供给类型": "土地", "供给描述": "地块", "数量": "120"}])
    files = {
        "demands": ("需求.xlsx", demands, "application/x"),
        "supplies": ("供给.xlsx", supplies, "application/x"),
    }
    r = post_form(ui.as_("city"), "/ui/match", "/ui/match", files=files)
    assert r.status_code == 422
    m = re.search(r'id="match-error">([^<]*)<', r.text)
    assert m is not None
    headline = html.unescape(m.group(1))
    assert "2 行有错误" in headline and "见下表" in headline
    assert "未写入" not in headline and "火星" not in headline  # the errors are in the table
    table = html.unescape(r.text[r.text.index('id="row-errors"') :])
    assert "未知区域 '火星'（可填 " in table and "长兴县" in table
    assert "未知产业链 '火星产业'（可填 " in table
