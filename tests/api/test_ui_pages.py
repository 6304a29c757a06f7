"""The web UI's pages over HTTP (FastAPI's TestClient, the real embedded store): the 驾驶舱's
figures and links, the working lists with their filters, pages and Excel, the forms shown only
to those the API lets through and posted to the API's own routes, and errors as Chinese pages
with the right status."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.io.seeds import load_seeds
from chainatlas.graph.rules import Grace
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.ledger import LISTS, NEW_LISTS, project_row, stall_of
from chainatlas.graph.workflows.problems import raise_problem
from chainatlas.graph.workflows.report import monthly_report
from tests.api.webui import ORIGIN, Browsers, login, post_form
from tests.conftest import SEEDS

P = "project:1366:storage:1"  # a 新能源与新型储能 project (sample data)


def _data(html: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))  # type: ignore[no-any-return]


# ---- 驾驶舱 ------------------------------------------------------------------------------------
def test_home_cards_count_what_their_lists_list(ui: Browsers) -> None:
    c = ui.as_("city")
    html = c.get("/").text
    local = [f for f in ui.store.find_nodes("Firm") if is_local(f.props.get("region"), HOME_AREA)]
    pairs = re.findall(
        r'<a class="kpi[^"]*" href="([^"]+)"[^>]*>\s*<span class="kpi-value">([\d.]+)</span>', html
    )
    cards = dict(pairs[::-1])  # the first card of a list
    assert int(cards["/ui/firms?local=1"]) == len(local)
    above = sum(1 for f in local if "规上" in f.props.get("tags", []))
    assert int(cards["/ui/firms?local=1&amp;tag=规上"]) == above
    # the card's figure is the count of the list it links to
    listed = c.get("/ui/firms?local=1&tag=规上").text
    assert f"找到 {above} 家企业" in listed
    today, grace = date.today(), Grace()
    rows = [project_row(ui.store, p) for p in ui.store.find_nodes("Project")]
    stalled = [r for r in rows if stall_of(r, today, grace) == "开工未竣工"]
    assert int(cards["/ui/projects?stall=开工未竣工"]) == len(stalled) > 0
    assert f"项目 {len(stalled)} 个" in c.get("/ui/projects?stall=开工未竣工").text
    assert int(cards["/ui/projects"]) == len(rows)


def test_home_charts_keep_the_two_layouts_apart(ui: Browsers) -> None:
    data = _data(ui.as_("city").get("/").text)
    layout = {c.id: c.props["layout"] for c in ui.store.find_nodes("Chain")}
    for code in ("1366", "eight-2.0"):
        ids = [r["id"] for r in data["progress"][code]]
        assert ids and all(layout[i] == code for i in ids)
        assert len(ids) == len(set(ids))  # no chain twice
    assert len(data["progress"]["1366"]) == 16 and len(data["progress"]["eight-2.0"]) == 8
    # the Huzhou map: a value for every district and zone; zones with the districts they overlap
    firms = data["huzhou"]["values"]["firms"]
    assert set(firms) >= {"吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "南太湖新区", "长合区"}
    local = [f for f in ui.store.find_nodes("Firm") if f.props.get("region") in firms]
    assert sum(firms.values()) == len(local)
    zones = {z["name"]: z["overlaps"] for z in data["huzhou"]["zones"]}
    assert zones["长合区"] == ["长兴县", "安吉县"] or set(zones["长合区"]) == {"长兴县", "安吉县"}
    # the China map: a chain's recorded outside targets, each firm once
    china = data["china"]
    assert china["count"] == len({f["name"] for f in china["firms"]}) > 0
    assert not any(is_local(f["region"], HOME_AREA) for f in china["firms"])


def test_home_china_map_follows_the_chain_asked(ui: Browsers) -> None:
    c = ui.as_("city")
    assert _data(c.get("/?chain=1366:storage").text)["china"]["chain"]["id"] == "1366:storage"
    r = c.get("/?chain=no-such-chain")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_sample_banner_only_with_sample_data(ui: Browsers, tmp_path: Path) -> None:
    assert 'id="demo-banner"' in ui.as_("city").get("/").text
    bare = EmbeddedStore(tmp_path / "bare.db")
    load_seeds(bare, SEEDS, sample=False)
    auth = AuthStore(tmp_path / "bare-auth.db")
    with TestClient(create_app(Settings(home=tmp_path / "h2"), bare, auth)) as c:
        login(c, auth.create("city", [], "x"))
        for path in ("/", "/ui/projects", "/ui/ledger"):
            r = c.get(path)
            assert r.status_code == 200 and 'id="demo-banner"' not in r.text, path
    auth.close()
    bare.close()


# ---- errors are pages --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, status, text",
    [
        ("/ui/chain/no-such-chain", 404, "no-such-chain"),
        ("/ui/chain/no-such-chain/masters", 404, "no-such-chain"),
        ("/ui/project/project:none", 404, "project:none"),
        ("/ui/no-such-page", 404, "没有这个页面"),
        ("/ui/ledger?month=2026-13", 422, "月份：应为年月 YYYY-MM，如 2026-10"),
        ("/ui/projects?p=0", 422, "p"),
        ("/ui/problems?view=x", 422, "视图：应为 open（未办结）"),
    ],
)
def test_errors_are_chinese_pages_with_their_status(
    ui: Browsers, path: str, status: int, text: str
) -> None:
    r = ui.as_("city").get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert f'data-status="{status}"' in r.text and text in r.text
    assert '"detail"' not in r.text  # not problem+json
    # the API itself still answers problem+json
    api = ui.as_("city").get("/api/v1/maps/fishbone/no-such-chain")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_a_refused_login_is_a_401_page(ui: Browsers) -> None:
    c = TestClient(ui.app)
    with c:
        r = login(c, "not-a-token")
        assert r.status_code == 401 and 'id="token"' in r.text and "令牌" in r.text


# ---- projects -----------------------------------------------------------------------------------
def test_projects_filter_page_and_export_the_filter(ui: Browsers) -> None:
    import openpyxl

    c = ui.as_("city")
    rows = [project_row(ui.store, p) for p in ui.store.find_nodes("Project")]
    assert len(rows) > 50  # paged
    first = c.get("/ui/projects").text
    assert f"项目 {len(rows)} 个" in first and 'id="next-page"' in first
    second = c.get("/ui/projects?p=2").text
    names = lambda h: re.findall(r'<a href="/ui/project/[^"]+">([^<]+)</a>', h)  # noqa: E731
    assert len(names(first)) == 50 and len(names(second)) == len(rows) - 50
    assert not set(names(first)) & set(names(second))
    major = sorted(r.name for r in rows if r.major and r.region == "长兴县")
    page = c.get("/ui/projects?major=1&region=长兴县").text
    assert sorted(names(page)) == major
    x = c.get("/ui/projects.xlsx?major=1&region=长兴县")
    assert x.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    header = [c.value for c in ws[1]]
    at = header.index("项目名称")
    got = [r[at] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(got) == major
    assert c.get("/ui/projects?chain=1366:storage&segment=no-such").text.count("没有符合条件") == 1


def test_project_page_forms_follow_the_role_table(ui: Browsers) -> None:
    city = ui.as_("city").get(f"/ui/project/{P}").text
    for form in ("form-stage", "form-follow", "form-land", "form-problem"):
        assert f'id="{form}"' in city
    region = ui.store.require_node(P).props["region"]
    other = next(d for d in ("吴兴区", "安吉县") if d != region)
    outside = ui.as_("district", [other]).get(f"/ui/project/{P}").text
    assert 'id="forms"' not in outside and 'id="read-only"' in outside
    mine = ui.as_("district", [region]).get(f"/ui/project/{P}").text
    assert 'id="form-follow"' in mine
    leader = ui.as_("chain-leader", ["1366:storage"]).get(f"/ui/project/{P}").text
    assert 'id="form-follow"' not in leader and 'id="form-problem"' in leader  # decides only


def test_forms_write_through_the_api_and_refuse_as_it_does(ui: Browsers) -> None:
    # a project whose next stage needs no dates (企业服务 → 政策争取)
    q = next(p for p in ui.store.find_nodes("Project") if p.props.get("stage") == "企业服务")
    page, region = f"/ui/project/{q.id}", q.props["region"]
    other = next(d for d in ("吴兴区", "安吉县") if d != region)
    # a team of another district posts anyway: 403 page, nothing written
    outside = ui.as_("district", [other], "别区")
    r = post_form(outside, f"{page}/follow-up", page, note="越权跟进")
    assert r.status_code == 403 and "无权" in r.text
    assert r.headers["content-type"].startswith("text/html")
    assert ui.store.require_node(q.id).props == q.props
    assert not ui.store.neighbours(q.id, ["FOLLOWS_UP"], "in")
    # the district's own team: an empty note is refused (422) and writes nothing
    team = ui.as_("district", [region], "本区团队")
    r = post_form(team, f"{page}/follow-up", page, note="   ")
    assert r.status_code == 422 and "跟进内容不能为空" in r.text
    assert not ui.store.neighbours(q.id, ["FOLLOWS_UP"], "in")
    r = post_form(team, f"{page}/follow-up", page, note="走访企业，协调用电", date="2026-11-02")
    assert r.status_code == 303 and r.headers["location"].endswith("?ok=follow")
    shown = team.get(r.headers["location"]).text
    assert "跟进已记录" in shown and "走访企业，协调用电" in shown
    # the stage move the page offers: written and audited like the API's
    nxt = re.search(r'name="to" value="([^"]+)"', shown)
    assert nxt is not None and nxt.group(1) == "政策争取"
    r = post_form(team, f"{page}/stage", page, to="政策争取", note="申报政策")
    assert r.status_code == 303, r.text
    assert ui.store.require_node(q.id).props["stage"] == "政策争取"
    done = [x for x in ui.auth.audit_log(status="done") if x["target"] == q.id]
    assert len(done) == 2 and {x["actor"] for x in done} == {"本区团队"}
    # the last stage: no stage form any more; a move posted anyway gets the ledger's reason
    assert 'id="form-stage"' not in team.get(page).text
    r = post_form(team, f"{page}/stage", page, to="企业服务")
    assert r.status_code == 400 and "只能进入下一阶段" in r.text
    # without the form's CSRF token: the 403 page
    r = team.post(f"{page}/land", data={"date": "2026-01-01"}, headers={"Origin": ORIGIN})
    assert r.status_code == 403 and "跨站" in r.text


# ---- problems -----------------------------------------------------------------------------------
def _raise(ui: Browsers, level: str = "一般") -> str:
    return raise_problem(ui.store, f"用地指标（{level}）", level, project=P, today=date.today()).id


def _steps(html: str, pid: str) -> list[str]:
    row = re.search(rf'<tr[^>]*data-id="{re.escape(pid)}">(.*?)</tr>', html, re.S)
    assert row is not None, pid
    return re.findall(r'data-step="([^"]+)"', row.group(1))


def test_problem_buttons_only_for_the_role_that_may_take_them(ui: Browsers) -> None:
    pid = _raise(ui)
    region = ui.store.require_node(P).props["region"]
    lead = ui.as_("chain", ["1366:storage"], "牵头部门")
    team = ui.as_("district", [region], "招商团队")
    office = ui.as_("district-office", [region], "区链长办")
    city = ui.as_("city", [], "市链长办")
    view = "/ui/problems?view=all"
    assert _steps(lead.get(view).text, pid) == ["交办"]
    assert _steps(office.get(view).text, pid) == ["交办"]
    assert _steps(team.get(view).text, pid) == []  # collects only
    # 交办 by the lead department, through the API's route (audited)
    r = post_form(lead, f"/ui/problems/{pid}/step", view, to="交办", back=view)
    assert r.status_code == 303
    assert ui.store.require_node(pid).props["status"] == "交办"
    # the notice names the problem and where it stands, read from the store
    done = re.search(r'id="done">([^<]*)<', lead.get(r.headers["location"]).text)
    assert done is not None and done.group(1) == "已办理：问题「用地指标（一般）」现为「交办」。"
    assert _steps(lead.get(view).text, pid) == ["反馈"]  # 督办 is the city office's
    assert _steps(city.get(view).text, pid) == ["督办", "反馈"]
    # the team posts a step anyway: 403 page, nothing changed
    r = post_form(team, f"/ui/problems/{pid}/step", view, to="反馈", back=view)
    assert r.status_code == 403 and "须由" in r.text
    assert ui.store.require_node(pid).props["status"] == "交办"
    # "待我办理" lists it for the lead department, not for the team
    assert pid in lead.get("/ui/problems?view=todo").text
    assert pid not in team.get("/ui/problems?view=todo").text


def test_major_problems_close_only_after_supervision(ui: Browsers) -> None:
    pid = _raise(ui, "重大")
    city = ui.as_("city", [], "市链长办")
    view = "/ui/problems?view=all"
    for to in ("交办", "反馈"):
        assert post_form(city, f"/ui/problems/{pid}/step", view, to=to).status_code == 303
    html = city.get(view).text
    assert "办结" not in _steps(html, pid) and "须经市链长办督办后才能办结" in html
    assert post_form(city, f"/ui/problems/{pid}/step", view, to="督办").status_code == 303
    assert post_form(city, f"/ui/problems/{pid}/step", view, to="反馈").status_code == 303
    assert "办结" in _steps(city.get(view).text, pid)


# ---- ledger and firms ---------------------------------------------------------------------------
def test_ledger_month_page_print_view_and_lists(ui: Browsers) -> None:
    c = ui.as_("city")
    r = monthly_report(ui.store, "2026-10", Grace())
    html = c.get("/ui/ledger?month=2026-10").text
    sizes = re.search(r'<table id="list-sizes">.*?<tbody><tr>(.*?)</tr>', html, re.S)
    assert sizes is not None
    got = [int(x) for x in re.findall(r">(\d+)</a>", sizes.group(1))]
    assert got == [r.lists[k] for k in (*LISTS, *NEW_LISTS)]  # 新开工 is in both
    assert f"五未项目（{len(r.stalled)}）" in html
    printed = c.get("/ui/ledger/print?month=2026-10").text
    assert "<nav" not in printed and f"五未项目（{len(r.stalled)}）" in printed
    lists = c.get("/ui/ledger/lists?month=2026-10").text
    for pre, names in (("list", LISTS), ("new", NEW_LISTS)):
        for k in names:
            assert f'id="{pre}-{k}"><h2>{k}（{r.lists[k]}）' in lists


def test_firm_search_finds_products_and_codes_and_pages(ui: Browsers) -> None:
    c = ui.as_("city")
    # a firm found through the segment (product) it operates in, not its name
    seg = ui.store.require_node("seg:储能变流器")
    makers = {f.name for _, f in ui.store.neighbours(seg.id, ["OPERATES_IN"], "in")}
    html = c.get("/ui/firms?q=储能变流器").text
    for name in makers:
        assert name in html
    code = next(f for f in ui.store.find_nodes("Firm") if f.props.get("credit_code"))
    html = c.get(f"/ui/firms?q={code.props['credit_code']}").text
    assert "找到 1 家企业" in html and code.name in html
    # more than one page: the true count and a second page, no cap
    outside = [
        f for f in ui.store.find_nodes("Firm") if not is_local(f.props.get("region"), HOME_AREA)
    ]
    assert len(outside) > 50
    first = c.get("/ui/firms?local=0").text
    assert f"找到 {len(outside)} 家企业" in first and 'id="next-page"' in first
    last = c.get(f"/ui/firms?local=0&p={(len(outside) + 49) // 50}").text
    assert len(re.findall(r"<tr><td>", last)) == len(outside) - 50 * ((len(outside) - 1) // 50)
