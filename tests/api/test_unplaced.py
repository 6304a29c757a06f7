"""Records stored in 湖州市 before the districts-only rule (所在区域 must be a district, county
or functional zone): found (graph.workflows.unplaced), announced on the 驾驶舱, 重点项目库 and
要素匹配's 已存清单 to those who may fix them, fixed one by one on 补填所在区域 through the
records route, refused by the project edit form until a district is chosen, and listed by
``chainatlas stats``. The old records are written straight through the store API, as an older
release left them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from chainatlas.api.cli import main
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.unplaced import unplaced_records
from tests.api.webui import ORIGIN, Browsers, post_form

OLD = "project:湖州老项目"
DEMAND = "demand:湖州老需求"
SUPPLY = "supply:吴兴供给"  # placed in a district: not listed


def _store_old_records(store: GraphStore) -> None:
    """A project and a demand in 湖州市 (property and LOCATED_IN, as the old import wrote
    them), and a supply in 吴兴区."""
    store.upsert_nodes(
        [
            Node(OLD, "Project", {"name": "湖州老项目", "region": "湖州市", "stage": "招商引资"}),
            Node(
                DEMAND,
                "Demand",
                {"kind": "土地", "description": "新增工业用地", "region": "湖州市"},
            ),
            Node(SUPPLY, "Supply", {"kind": "土地", "description": "标准厂房", "region": "吴兴区"}),
        ]
    )
    store.upsert_relationships(
        [
            Relationship(OLD, "LOCATED_IN", "region:湖州市"),
            Relationship(OLD, "IN_CHAIN", "1366:robot"),
            Relationship(DEMAND, "LOCATED_IN", "region:湖州市"),
            Relationship(SUPPLY, "LOCATED_IN", "region:吴兴区"),
        ]
    )


@pytest.fixture
def old_ui(ui: Browsers) -> Browsers:
    _store_old_records(ui.store)
    return ui


def _notice(html: str) -> str:
    m = re.search(r'id="unplaced-notice">(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


def _region(store: GraphStore, node_id: str) -> tuple[object, list[str]]:
    located = [n.id for _, n in store.neighbours(node_id, ["LOCATED_IN"], "out")]
    return store.require_node(node_id).props.get("region"), located


def test_found_by_their_region(seeded: EmbeddedStore) -> None:
    assert unplaced_records(seeded) == []  # the sample's projects are all in districts
    _store_old_records(seeded)
    found = [(u.id, u.label_zh, u.name, u.region) for u in unplaced_records(seeded)]
    assert found == [
        (OLD, "项目", "湖州老项目", "湖州市"),
        (DEMAND, "需求", "土地：新增工业用地", "湖州市"),
    ]


def test_the_city_office_is_told_on_its_home_page(old_ui: Browsers) -> None:
    office = old_ui.as_("city")
    notice = _notice(office.get("/").text)
    assert notice.startswith("2 条记录的所在区域不是区县") and 'href="/ui/unplaced"' in notice
    assert _notice(office.get("/ui/projects").text).startswith("1 个项目的所在区域不是区县")
    stored = _notice(office.get("/ui/match/stored").text)
    assert stored.startswith("1 条需求或供给的所在区域不是区县")
    # a district team cannot reach them (nor fix them): no notice
    team = old_ui.as_("district", ["吴兴区"])
    for path in ("/", "/ui/projects", "/ui/match/stored"):
        assert _notice(team.get(path).text) == ""
    # a chain department sees those of its chains: the project of 1366:robot, not the demand
    dept = old_ui.as_("chain", ["1366:robot"])
    assert _notice(dept.get("/").text).startswith("1 条记录")


def test_no_notice_without_such_records(ui: Browsers) -> None:
    office = ui.as_("city")
    assert _notice(office.get("/").text) == ""
    page = office.get("/ui/unplaced").text
    assert 'id="none"' in page and "待补填 0 条" in page


def test_fixed_one_by_one(old_ui: Browsers) -> None:
    office = old_ui.as_("city")
    page = office.get("/ui/unplaced").text
    assert "待补填 2 条" in page and "湖州老项目" in page and "土地：新增工业用地" in page
    assert f'href="/ui/project/{quote(OLD)}/edit"' in page  # a project: its edit form too
    assert "标准厂房" not in page
    target = f"/ui/unplaced/demands/{quote(DEMAND)}"
    # no district chosen, or the city again: refused, nothing written
    for region in ("", "湖州市"):
        r = post_form(office, target, "/ui/unplaced", region=region)
        assert r.status_code == 422 and "区县或功能区" in r.text, r.text
        assert _region(old_ui.store, DEMAND) == ("湖州市", ["region:湖州市"])
    r = post_form(office, target, "/ui/unplaced", region="南浔区")
    assert r.status_code == 303
    done = office.get(r.headers["location"]).text
    assert "已保存「土地：新增工业用地」的所在区域" in done and "待补填 1 条" in done
    assert _region(old_ui.store, DEMAND) == ("南浔区", ["region:南浔区"])
    assert old_ui.store.require_node(DEMAND).props["description"] == "新增工业用地"  # kept
    r = post_form(office, f"/ui/unplaced/projects/{quote(OLD)}", "/ui/unplaced", region="长兴县")
    assert r.status_code == 303
    assert _region(old_ui.store, OLD) == ("长兴县", ["region:长兴县"])
    assert _notice(office.get("/").text) == ""
    # now the district team sees it
    team = old_ui.as_("district", ["长兴县"])
    assert "湖州老项目" in team.get("/ui/projects?region=长兴县").text


def test_a_district_team_cannot_place_them(old_ui: Browsers) -> None:
    team = old_ui.as_("district", ["吴兴区"])
    assert "待补填 0 条" in team.get("/ui/unplaced").text
    r = post_form(team, f"/ui/unplaced/demands/{quote(DEMAND)}", "/ui/unplaced", region="吴兴区")
    assert r.status_code == 403
    assert _region(old_ui.store, DEMAND) == ("湖州市", ["region:湖州市"])


def test_the_edit_form_asks_for_a_district(old_ui: Browsers) -> None:
    """Before: the form's empty region kept the stored one, and 湖州市 was saved back."""
    office = old_ui.as_("city")
    edit = f"/ui/project/{quote(OLD)}/edit"
    form = office.get(edit).text
    assert "原所在区域「湖州市」不是区县或功能区" in form
    assert re.search(r'<option value="">请选择</option>', form)
    assert "<option selected>湖州市" not in form
    r = post_form(office, edit, edit, name="湖州老项目", investment="3")
    assert r.status_code == 422 and "请选择项目所在的区县或功能区" in r.text
    assert _region(old_ui.store, OLD) == ("湖州市", ["region:湖州市"])
    assert "investment" not in old_ui.store.require_node(OLD).props  # nothing written
    r = post_form(office, edit, edit, name="湖州老项目", investment="3", region="德清县")
    assert r.status_code == 303
    assert _region(old_ui.store, OLD) == ("德清县", ["region:德清县"])
    assert "原所在区域" not in office.get(edit).text


def test_a_placed_project_is_edited_as_before(ui: Browsers) -> None:
    """The rule touches only records outside the districts: a form without a region keeps a
    district project's district."""
    p = "project:1366:robot:2"  # 长兴县 (sample)
    office = ui.as_("city")
    edit = f"/ui/project/{p}/edit"
    r = office.post(
        edit,
        data={
            "csrf": re.findall(r'name="csrf" value="([0-9a-f]*)"', office.get(edit).text)[0],
            "name": ui.store.require_node(p).props["name"],
        },
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert r.status_code == 303 and _region(ui.store, p)[0] == "长兴县"


def test_stats_lists_them(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def run(*args: str) -> tuple[int, str]:
        res = CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)
        return res.exit_code, res.output

    assert run("init")[0] == 0
    code, out = run("stats", "--check")
    assert code == 0 and "全部项目、需求、供给都在区县或功能区" in out
    with EmbeddedStore(home / "graph.db") as store:
        _store_old_records(store)
    code, out = run("stats")
    assert code == 0 and "所在区域须补填 2 条" in out
    assert "项目  湖州老项目  所在区域 湖州市" in out and "需求  土地：新增工业用地" in out
    assert "/ui/unplaced" in out and "标准厂房" not in out
    assert run("stats", "--check")[0] == 1
    code, out = run("stats", "--json")
    assert code == 0
    assert [u["id"] for u in json.loads(out)["unplaced"]] == [OLD, DEMAND]
