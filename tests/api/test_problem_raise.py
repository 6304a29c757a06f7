"""Raising a problem never replaces another (review S, A1), and the record always names the
token (review S, A3).

A1: the same title on the same record on the same day is refused with 409 naming the problem
that stands — over the API, in the web UI's problem form, on the command line, and when two
requests arrive at once (real uvicorn, threads released together); a problem filed elsewhere
(another district) is a problem of its own. A3: ``by`` is the officer beside the token's name
(「令牌名（经办：张三）」), never instead of it; a role's title is refused (422)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.ledger import follow_ups
from tests.api.conftest import bearers
from tests.api.webui import Browsers, post_form
from tests.conftest import served

PEOPLE = {
    "市链长办": ("city", []),
    "总链长": ("chief", []),
    "长兴县招商团队": ("district", ["长兴县"]),
    "德清县招商团队": ("district", ["德清县"]),
    "长兴县链长办": ("district-office", ["长兴县"]),
}


@dataclass
class Api:
    """The served app: a request as a person, each on a connection of its own."""

    base: str
    heads: dict[str, dict[str, str]]
    store: EmbeddedStore

    def call(self, method: str, path: str, who: str, **kw: Any) -> httpx.Response:
        with httpx.Client(base_url=self.base, headers=self.heads[who], timeout=60) as c:
            return c.request(method, "/api/v1" + path, **kw)

    def problem(self, pid: str) -> dict[str, Any]:
        return dict(self.store.require_node(pid, "Problem").props)


@pytest.fixture
def api(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[Api]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with served(create_app(settings, seeded, auth)) as port:
        yield Api(f"http://127.0.0.1:{port}", heads, seeded)
    auth.close()


def a_project(store: EmbeddedStore) -> str:
    """A sample project of 长兴县."""
    return next(p.id for p in store.find_nodes("Project") if p.props.get("region") == "长兴县")


def at_once(n: int, task: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``task(i)`` for i < n on n threads released together."""
    start = threading.Barrier(n)

    def run(i: int) -> httpx.Response:
        start.wait(timeout=60)
        return task(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# ---- A1: never replace -------------------------------------------------------------------------
def test_another_district_raising_the_same_title_leaves_the_city_problem_as_it_was(
    api: Api,
) -> None:
    """Review S, A1's steps: the city raises a 重大 problem in 长兴县 and assigns it; the
    德清县 team raises the same title in 德清县 the same day."""
    body = {
        "title": "跨区问题",
        "region": "长兴县",
        "level": "重大",
        "description": "长兴县的重大问题",
    }
    r = api.call("POST", "/problems", "市链长办", json=body)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = api.call("POST", f"/problems/{pid}/step", "市链长办", json={"to": "交办", "note": "已交办"})
    assert r.status_code == 200, r.text
    before = api.problem(pid)

    r = api.call(
        "POST", "/problems", "德清县招商团队", json={"title": "跨区问题", "region": "德清县"}
    )

    assert r.status_code == 201, r.text  # 德清县's own problem, filed under 德清县
    other = r.json()
    assert other["id"] != pid and other["props"]["region"] == "德清县"
    assert api.problem(pid) == before
    assert before["level"] == "重大" and before["status"] == "交办"
    assert before["region"] == "长兴县" and before["description"] == "长兴县的重大问题"
    assert [e.split("｜")[1] for e in before["history"]] == ["—→收集", "收集→交办"]


def test_the_same_title_on_the_same_record_and_day_is_refused_naming_the_problem(
    api: Api,
) -> None:
    project = a_project(api.store)
    body = {"title": "用地指标不足", "project": project, "level": "重大"}
    r = api.call("POST", "/problems", "总链长", json=body)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert (
        api.call("POST", f"/problems/{pid}/step", "总链长", json={"to": "交办"}).status_code == 200
    )
    before = api.problem(pid)

    again = {"title": "用地指标不足", "project": project, "description": "另一段说明"}
    for who in ("长兴县招商团队", "总链长"):
        r = api.call("POST", "/problems", who, json=again)
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        detail = r.json()["detail"]
        assert "今天已有同名问题「用地指标不足」" in detail and pid in detail and "交办" in detail
        assert api.problem(pid) == before
    assert [
        p.id for p in api.store.find_nodes("Problem") if p.props["title"] == "用地指标不足"
    ] == [pid]


def test_two_simultaneous_raises_record_one_problem_and_refuse_the_rest(api: Api) -> None:
    project = a_project(api.store)
    names = ["长兴县招商团队", "长兴县链长办"]

    def post(i: int) -> httpx.Response:
        body = {"title": "同时提出的问题", "project": project, "description": f"第{i}份"}
        return api.call("POST", "/problems", names[i % 2], json=body)

    rs = at_once(8, post)

    codes = sorted(r.status_code for r in rs)
    assert codes == [201] + [409] * 7, [r.text for r in rs]
    won = next(r for r in rs if r.status_code == 201)
    i = rs.index(won)
    stored = api.problem(won.json()["id"])
    assert stored["description"] == f"第{i}份"
    assert stored["history"][0].split("｜")[2] == names[i % 2]
    assert all(won.json()["id"] in r.json()["detail"] for r in rs if r.status_code == 409)


def test_the_project_pages_problem_form_refuses_it_too(ui: Browsers) -> None:
    project = a_project(ui.store)
    page = f"/ui/project/{project}"
    city = ui.as_("city", name="市链长办")
    team = ui.as_("district", ["长兴县"], name="长兴县招商团队")
    r = post_form(city, f"{page}/problem", page, title="园区道路未通", level="重大")
    assert r.status_code == 303
    (p,) = [p for p in ui.store.find_nodes("Problem") if p.props["title"] == "园区道路未通"]

    r = post_form(team, f"{page}/problem", page, title="园区道路未通", level="一般")

    assert r.status_code == 409
    assert "今天已有同名问题「园区道路未通」" in r.text and p.id in r.text
    assert ui.store.require_node(p.id).props == p.props


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Any]:
    runner = CliRunner()

    def _run(*args: str, ok: bool = True) -> Any:
        res = runner.invoke(main, ["--home", str(tmp_path / "home"), *args])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert (res.exit_code == 0) == ok, res.output
        return res

    _run("init")
    return _run


def test_the_command_line_refuses_it_and_acts_as_a_role(run: Callable[..., Any]) -> None:
    out = run("problems", "add", "跨区问题", "--level", "重大", "--region", "长兴县").output
    pid = out.split("：")[0]
    run("problems", "step", pid, "交办")
    refused = run("problems", "add", "跨区问题", "--region", "长兴县", ok=False).output
    assert "今天已有同名问题「跨区问题」" in refused and pid in refused
    assert "Traceback" not in refused
    team = ("--role", "招商团队", "--scope", "德清县")
    outside = run("problems", "add", "跨区问题", "--region", "长兴县", *team, ok=False).output
    assert "长兴县" in outside and "区县招商团队（德清县）" in outside
    own = run("problems", "add", "跨区问题", "--region", "德清县", *team, "--by", "张三").output
    assert own.split("：")[0] != pid
    listed = run("problems", "list").output
    assert f"{pid}\t交办\t重大" in listed


# ---- A3: the record names the token ------------------------------------------------------------
def test_a_role_title_as_officer_is_refused_and_nothing_is_written(api: Api) -> None:
    project = a_project(api.store)
    r = api.call("POST", "/problems", "市链长办", json={"title": "待交办", "project": project})
    pid = r.json()["id"]
    before = {x: api.store.require_node(x).props for x in (project, pid)}
    writes = [
        ("长兴县招商团队", "/problems", {"title": "冒名问题", "project": project}),
        ("长兴县招商团队", f"/projects/{project}/follow-ups", {"note": "冒名"}),
        ("长兴县招商团队", f"/projects/{project}/land", {"date": "2026-01-05"}),
        ("长兴县招商团队", f"/projects/{project}/stage", {"to": "投产达效"}),
        ("长兴县链长办", f"/problems/{pid}/step", {"to": "交办"}),
    ]
    for title in ("总链长", "市链长办", "链长", "区级链长", "生物医药链长", "长兴县链长办"):
        for who, path, body in writes:
            r = api.call("POST", path, who, json=body | {"by": title})
            assert r.status_code == 422, (path, title, r.text)
            assert "不能是角色或单位名称" in r.text
    assert not [p for p in api.store.find_nodes("Problem") if p.props["title"] == "冒名问题"]
    assert {x: api.store.require_node(x).props for x in (project, pid)} == before


def test_the_history_names_the_token_with_its_officer_beside_it(api: Api) -> None:
    project = a_project(api.store)
    team, office = "长兴县招商团队", "长兴县链长办"
    r = api.call(
        "POST", "/problems", team, json={"title": "经办问题", "project": project, "by": "张三"}
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = api.call("POST", f"/problems/{pid}/step", office, json={"to": "交办", "by": "李四"})
    assert r.status_code == 200, r.text
    r = api.call("POST", f"/problems/{pid}/step", office, json={"to": "反馈"})
    assert r.status_code == 200, r.text
    who = [e.split("｜")[2] for e in api.problem(pid)["history"]]
    assert who == [f"{team}（经办：张三）", f"{office}（经办：李四）", office]

    r = api.call(
        "POST", f"/projects/{project}/follow-ups", team, json={"note": "走访", "by": "市委书记"}
    )
    assert r.status_code == 201 and r.json()["by"] == f"{team}（经办：市委书记）", r.text
    r = api.call("POST", f"/projects/{project}/follow-ups", team, json={"note": "电话"})
    assert r.status_code == 201 and r.json()["by"] == team, r.text

    # the dossier shows the follow-up as stored (the problems page: the test below)
    dossier = api.call("GET", f"/projects/{project}/dossier", team, params={"format": "html"})
    assert f"{team}（经办：市委书记）" in dossier.text


def test_my_problems_include_those_raised_with_an_officer(ui: Browsers) -> None:
    """「我提交的」 lists what the token raised, with or without an officer beside its name."""
    project = a_project(ui.store)
    team = ui.as_("district", ["长兴县"], name="长兴县招商团队")
    bearer = {"Authorization": f"Bearer {ui.auth.create('district', ['长兴县'], '长兴县招商团队')}"}
    for title, by in (("经办提的问题", "张三"), ("团队提的问题", "")):
        body = {"title": title, "project": project, "by": by}
        r = team.post("/api/v1/problems", json=body, headers=bearer)
        assert r.status_code == 201, r.text
    mine = team.get("/ui/problems?view=mine").text
    assert "经办提的问题" in mine and "长兴县招商团队（经办：张三）" in mine
    assert "团队提的问题" in mine


def test_the_command_line_signs_follow_ups_stages_and_land_the_same_way(
    run: Callable[..., Any], tmp_path: Path
) -> None:
    project = "project:1366:storage:1"  # a sample project
    refused = run("project", "follow-up", project, "--note", "冒名", "--by", "总链长", ok=False)
    assert "不能是角色或单位名称「总链长」" in refused.output
    run("project", "follow-up", project, "--note", "走访", "--by", "张三")
    run("project", "follow-up", project, "--note", "电话")
    store = EmbeddedStore(tmp_path / "home" / "graph.db")
    try:
        who = [(f["note"], f["by"]) for f in follow_ups(store, project)]
    finally:
        store.close()
    assert ("冒名", "总链长") not in who
    assert ("走访", "命令行（市链长办）（经办：张三）") in who and (
        "电话",
        "命令行（市链长办）",
    ) in who
