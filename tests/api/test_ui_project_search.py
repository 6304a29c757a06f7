"""重点项目库's search by 项目名称 or 企业 (review R, B11), over HTTP (TestClient, the seeded
embedded store): a part of a project's name or of its firm's name finds it, with the other
filters; the pager and the Excel of the list keep the search; an over-long one is refused in
Chinese."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from chainatlas.graph.model import Relationship
from tests.api.webui import Browsers

P = "project:1366:robot:2"  # 长兴县 (sample data)
FIRM = "firm:sample-0001"


def _shown(page: str) -> list[str]:
    """The projects the table lists, by their page links."""
    table = page.split('id="projects"')[1].split("</table>")[0]
    return re.findall(r'<a href="/ui/project/([^"]+)">', table)


def _named(ui: Browsers, part: str) -> set[str]:
    return {p.id for p in ui.store.find_nodes("Project") if part in p.name}


def test_a_part_of_the_name_finds_the_projects(ui: Browsers) -> None:
    city = ui.as_("city")
    page = city.get("/ui/projects", params={"q": "示例项目4"}).text
    assert {re.sub("%3A", ":", x) for x in _shown(page)} == _named(ui, "示例项目4") != set()
    assert re.search(r'<input[^>]*name="q"[^>]*value="示例项目4"', page)
    # with another filter: both apply
    page = city.get("/ui/projects", params={"q": "示例项目4", "region": "德清县"}).text
    want = {
        p for p in _named(ui, "示例项目4") if ui.store.require_node(p).props["region"] == "德清县"
    }
    assert {re.sub("%3A", ":", x) for x in _shown(page)} == want != set()
    # nothing found: said so
    assert "没有符合条件的项目" in city.get("/ui/projects", params={"q": "不存在的项目"}).text


def test_the_firms_name_finds_its_project(ui: Browsers) -> None:
    ui.store.upsert_relationships([Relationship(P, "FOR_FIRM", FIRM)])
    firm = ui.store.require_node(FIRM).name
    page = ui.as_("city").get("/ui/projects", params={"q": f"  {firm[2:8]} "}).text
    assert [re.sub("%3A", ":", x) for x in _shown(page)] == [P], firm


def test_the_pager_and_the_excel_keep_the_search(ui: Browsers) -> None:
    city = ui.as_("city")
    many = _named(ui, "示例项目")
    assert len(many) > 20  # more than one page
    page = city.get("/ui/projects", params={"q": "示例项目"}).text
    nxt = re.search(r'href="(/ui/projects\?[^"]*)" rel="next"', page)
    assert nxt is not None and "q=%E7%A4%BA%E4%BE%8B%E9%A1%B9%E7%9B%AE" in nxt.group(1)
    export = re.search(r'id="export" href="([^"]+)"', page)
    assert export is not None and "q=" in export.group(1)
    book = load_workbook(io.BytesIO(city.get(export.group(1).replace("&amp;", "&")).content))
    assert book["重点项目库"].max_row - 1 == len(many)  # every row found, not one page
    one = city.get("/ui/projects.xlsx", params={"q": "示例项目4"}).content
    sheet = load_workbook(io.BytesIO(one))["重点项目库"]
    assert sheet.max_row - 1 == len(_named(ui, "示例项目4"))


def test_an_over_long_search_is_refused_in_chinese(ui: Browsers) -> None:
    r = ui.as_("city").get("/ui/projects", params={"q": "项" * 101})
    assert r.status_code == 422 and "搜索词" in r.text
