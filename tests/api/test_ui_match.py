"""The 要素匹配 page over HTTP (TestClient, the real embedded store and auth store): templates for
every role, an upload matched with names and 0–100 scores, its workbook, one row per error; the
stored lists matched and their 对接 moved on through the API's route functions, with forms only
for those the API would let through, nothing written on a refusal."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.webui import ORIGIN, Browsers, csrf_of, post_form

LAND = {"kind": "土地", "description": "储能电池二期工业用地", "quantity": 50, "unit": "亩"}
PLOT = {
    "kind": "土地",
    "description": "长兴经开区工业地块",
    "quantity": 80,
    "unit": "亩",
    "provider": "长兴县自然资源和规划局",
}
DOCKING = "docking:demand:land:supply:plot"


def _status(ui: Browsers) -> str | None:
    node = ui.store.get_node(DOCKING)
    return node.props["status"] if node else None


@pytest.fixture
def office(ui: Browsers) -> Browsers:
    """The web UI with a stored demand (land, for a firm) and supply (a plot) of 长兴县."""
    city = {"Authorization": f"Bearer {ui.auth.create('city', [], 'setup')}"}
    with TestClient(ui.app) as c:
        for kind, rid, props in [
            ("demands", "demand:land", LAND),
            ("supplies", "supply:plot", PLOT),
        ]:
            body = {"props": props, "region": "长兴县"}
            r = c.put(f"/api/v1/records/{kind}/{rid}", json=body, headers=city)
            assert r.status_code == 200, r.text
        c.put(
            "/api/v1/records/demands/demand:land",
            json={"props": LAND, "region": "长兴县", "firm": "firm:sample-0001"},
            headers=city,
        )
    return ui


def _visible(html: str) -> str:
    """The page without its attribute values (hidden form fields carry ids, cells must not)."""
    return re.sub(r'="[^"]*"', '=""', html)


def _lists(tmp_path: Path, bad: bool = False) -> dict[str, Any]:
    d, s = tmp_path / "d.csv", tmp_path / "s.csv"
    demands = [
        {
            "需求类型*": "土地",
            "需求描述*": "新能源电池项目用地",
            "数量": 50,
            "单位": "亩",
            "所在区域*": "长兴县",
            "提出企业": "长合示例AI芯片科技有限公司",
        }
    ]
    if bad:
        demands += [
            {"需求类型*": "土地", "需求描述*": "", "数量": 5, "单位": "亩", "所在区域*": "长兴县"},
            {"需求类型*": "飞船", "需求描述*": "x", "数量": 5, "单位": "亩", "所在区域*": "长兴县"},
        ]
    pd.DataFrame(demands).to_csv(d, index=False)
    pd.DataFrame(
        [
            {
                "供给类型*": "土地",
                "供给描述*": "长兴工业用地",
                "数量": 60,
                "单位": "亩",
                "所在区域": "长兴县",
                "提供方": "长兴县自然资源和规划局",
            }
        ]
    ).to_csv(s, index=False)
    return {"demands": ("d.csv", d.read_bytes()), "supplies": ("s.csv", s.read_bytes())}


def test_templates_download_for_every_role(office: Browsers) -> None:
    for role, scope in [("chief", []), ("district", ["长兴县"]), ("city", [])]:
        c = office.as_(role, scope)
        page = c.get("/ui/match").text
        for kind, header in [("demands", "需求描述*"), ("supplies", "供给描述*")]:
            assert f'href="/ui/match/template/{kind}.xlsx"' in page
            r = c.get(f"/ui/match/template/{kind}.xlsx")
            assert r.status_code == 200, (role, r.text)
            book = load_workbook(io.BytesIO(r.content))
            assert header in [cell.value for cell in next(book.worksheets[0].iter_rows())]
    missing = c.get("/ui/match/template/firms2.xlsx")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_upload_shows_names_and_scores_and_its_workbook(office: Browsers, tmp_path: Path) -> None:
    c = office.as_("chief")
    r = post_form(c, "/ui/match", "/ui/match", files=_lists(tmp_path))
    assert r.status_code == 200, r.text
    table = r.text.split('id="assigned"')[1].split("</table>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells[0].startswith("新能源电池项目用地") and cells[2].startswith("长兴工业用地")
    assert cells[1] == "长合示例AI芯片科技有限公司" and cells[3] == "长兴县自然资源和规划局"
    assert re.fullmatch(r"\d{1,3}\.\d", cells[4]) and 0 <= float(cells[4]) <= 100
    assert "demand:" not in table and "supply:" not in table
    assert "0.6 × 描述相似度" in r.text  # the page says how the score is made
    x = post_form(c, "/ui/match", "/ui/match", files=_lists(tmp_path), format="xlsx")
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    book = load_workbook(io.BytesIO(x.content))
    assert {"分配结果", "候选", "未匹配"} <= set(book.sheetnames)
    sheet = book["分配结果"]
    head = [cell.value for cell in next(sheet.iter_rows())]
    row = dict(zip(head, [cell.value for cell in list(sheet.iter_rows())[1]], strict=True))
    assert row["供给"].startswith("长兴工业用地") and f"{row['得分'] * 100:.1f}" == cells[4]


def test_a_bad_list_answers_one_row_per_error(office: Browsers, tmp_path: Path) -> None:
    c = office.as_("city")
    r = post_form(c, "/ui/match", "/ui/match", files=_lists(tmp_path, bad=True))
    assert r.status_code == 422
    rows = r.text.split('id="row-errors"')[1].split("</table>")[0].count("<tr>") - 1
    assert rows == 2
    assert office.store.count_nodes("Docking") == 0


def test_stored_lists_matched_and_docking_moved_by_who_may(office: Browsers) -> None:
    city = office.as_("city")
    page = city.get("/ui/match/stored")
    assert page.status_code == 200 and "还没有对接记录" in page.text
    r = post_form(city, "/ui/match/stored", "/ui/match/stored")
    assert r.status_code == 200, r.text
    assert "新增对接 1" in r.text and _status(office) == "推荐"
    table = _visible(r.text.split('id="dockings"')[1].split("</table>")[0])
    for name in ("储能电池二期工业用地", "长兴经开区工业地块", "长兴县自然资源和规划局"):
        assert name in table
    assert "长合示例AI芯片科技有限公司" in table  # the demand's firm by name
    assert "demand:land" not in table and "supply:plot" not in table
    # another district sees no form and is refused; nothing changes
    wuxing = office.as_("district", ["吴兴区"])
    assert 'action="/ui/match/docking"' not in wuxing.get("/ui/match/stored").text
    audit = len(office.auth.audit_log())
    no = post_form(
        wuxing, "/ui/match/docking", "/ui/match/stored", docking=DOCKING, status="对接中"
    )
    assert no.status_code == 403 and "text/html" in no.headers["content-type"]
    assert _status(office) == "推荐" and len(office.auth.audit_log()) == audit
    # the district that owns the demand moves it on: 对接中 → 已落实; the month counts it
    cx = office.as_("district", ["长兴县"])
    assert 'action="/ui/match/docking"' in cx.get("/ui/match/stored").text
    for to in ("对接中", "已落实"):
        ok = post_form(cx, "/ui/match/docking", "/ui/match/stored", docking=DOCKING, status=to)
        assert ok.status_code == 303, ok.text
        assert _status(office) == to
    after = cx.get("/ui/match/stored").text
    month = cx.get("/ui/match/stored?month=2026-13")
    assert month.status_code == 422 and "text/html" in month.headers["content-type"]
    assert re.search(r'id="met-in-month">1<', after)
    # a step the ledger refuses: 400, nothing written
    bad = post_form(cx, "/ui/match/docking", "/ui/match/stored", docking=DOCKING, status="对接中")
    assert bad.status_code == 400 and _status(office) == "已落实"


def test_leaders_read_only_and_forms_need_csrf(office: Browsers) -> None:
    chief = office.as_("chief")
    page = chief.get("/ui/match/stored").text
    assert (
        'id="run-readonly"' in page and 'action="/ui/match/stored"' not in page.split("<h2>匹配")[1]
    )
    audit = len(office.auth.audit_log())
    r = post_form(chief, "/ui/match/stored", "/ui/match/stored")
    assert r.status_code == 403 and office.store.count_nodes("Docking") == 0
    assert len(office.auth.audit_log()) == audit
    city = office.as_("city")
    for data, origin in [
        ({}, ORIGIN),
        ({"csrf": csrf_of(city.get("/ui/match").text)}, "https://evil.example"),
    ]:
        r = city.post("/ui/match/stored", data=data, headers={"Origin": origin})
        assert r.status_code == 403
    assert office.store.count_nodes("Docking") == 0


def test_matching_the_stored_lists_from_the_page_counts_as_matching(office: Browsers) -> None:
    """Like ``POST /api/v1/match/stored``: 10 a minute per token, then a 429 page."""
    from chainatlas.api.limits import RATES

    city = office.as_("city")
    allowed = int(RATES["match"].split("/")[0])
    codes = [
        post_form(city, "/ui/match/stored", "/ui/match/stored").status_code for _ in range(allowed)
    ]
    assert set(codes) == {200}
    over = post_form(city, "/ui/match/stored", "/ui/match/stored")
    assert over.status_code == 429 and "text/html" in over.headers["content-type"]
