"""One project's file over HTTP: the dossier, follow-ups at any stage, 拿地, demands that belong
to the project, and the office's settings in the monthly report (TestClient, real SQLite)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

PROBLEM = "application/problem+json"


@dataclass
class World:
    client: TestClient
    store: EmbeddedStore
    auth: AuthStore
    tokens: dict[str, str | None]

    def h(self, who: str) -> dict[str, str]:
        token = self.tokens[who]
        return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture
def world(seeded: EmbeddedStore, tmp_path: Path) -> Iterator[World]:
    """Project P in 长兴县 on the storage chain, started 2026-03-01, with a 责任单位; the office
    has its own settings (not the defaults)."""
    settings = Settings(
        home=tmp_path / "home",
        grace_sign_to_start=100,
        problem_days_general=20,
        land_to_start_days=5,
        industrial_output=4000,
    )
    with seeded.batch() as b:
        b.upsert_nodes(
            [
                Node(
                    "project:P",
                    "Project",
                    {
                        "name": "测试项目",
                        "region": "长兴县",
                        "stage": "落地开工",
                        "signed": "2026-01-10",
                        "started": "2026-03-01",
                        "responsible_unit": "长兴县投资促进局",
                    },
                ),
                Node("firm:F", "Firm", {"name": "测试企业", "region": "上海市"}),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("project:P", "IN_CHAIN", "1366:storage"),
                Relationship("project:P", "LOCATED_IN", "region:长兴县"),
                Relationship("project:P", "FOR_FIRM", "firm:F"),
            ]
        )
    auth = AuthStore(tmp_path / "auth.db")
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "city": auth.create("city", [], "链长办"),
        "chain in scope": auth.create("chain", ["1366:storage"], "储能链牵头部门"),
        "chain out of scope": auth.create("chain", ["1366:bio"]),
        "district in scope": auth.create("district", ["长兴县"], "长兴县投促局"),
        "district out of scope": auth.create("district", ["德清县"]),
    }
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield World(c, seeded, auth, tokens)
    auth.close()


# ---- the dossier --------------------------------------------------------------------------------
def test_dossier_json_gathers_the_project(world: World) -> None:
    r = world.client.get("/api/v1/projects/project:P/dossier", headers=world.h("district in scope"))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["project"]["name"] == "测试项目" and d["responsible_unit"] == "长兴县投资促进局"
    assert [f["name"] for f in d["firms"]] == ["测试企业"]
    assert [c["id"] for c in d["chains"]] == ["1366:storage"] and d["regions"] == ["长兴县"]
    assert [s["stage"] for s in d["stages"]][3] == "落地开工"
    setting = {s["setting"]: s["value"] for s in d["settings"]}
    assert setting["CHAINATLAS_GRACE_SIGN_TO_START"] == 100  # the office's, not the default
    assert setting["CHAINATLAS_LAND_TO_START_DAYS"] == 5


def test_dossier_html_is_a_sandboxed_document(world: World) -> None:
    r = world.client.get(
        "/api/v1/projects/project:P/dossier", params={"format": "html"}, headers=world.h("city")
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "sandbox" in r.headers["content-security-policy"]
    assert "项目档案：测试项目" in r.text and "长兴县投资促进局" in r.text


@pytest.mark.parametrize(
    "path, params, status",
    [
        ("/api/v1/projects/project:nope/dossier", {}, 404),
        ("/api/v1/projects/firm:F/dossier", {}, 404),  # a firm is not a project
        ("/api/v1/projects/project:P/dossier", {"format": "pdf"}, 422),
    ],
)
def test_dossier_errors(world: World, path: str, params: dict[str, str], status: int) -> None:
    r = world.client.get(path, params=params, headers=world.h("city"))
    assert r.status_code == status and r.headers["content-type"] == PROBLEM
    assert any("\u4e00" <= c <= "\u9fff" for c in r.json()["detail"] + r.json()["title"])


def test_dossier_needs_a_token(world: World) -> None:
    assert world.client.get("/api/v1/projects/project:P/dossier").status_code == 401


# ---- follow-ups at any stage --------------------------------------------------------------------
FOLLOW = {"note": "走访企业，协调用电", "by": ""}


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 401),
        ("chain out of scope", 403),
        ("district out of scope", 403),
        ("chain in scope", 201),
        ("district in scope", 201),
        ("city", 201),
    ],
)
def test_follow_up_is_scope_checked_like_a_stage_move(world: World, who: str, status: int) -> None:
    before = world.store.counts()
    r = world.client.post(
        "/api/v1/projects/project:P/follow-ups", json=FOLLOW, headers=world.h(who)
    )
    assert r.status_code == status, r.text
    stage = world.client.post(
        "/api/v1/projects/project:P/stage", json={"to": "投产达效"}, headers=world.h(who)
    )
    if status != 201:
        assert r.headers["content-type"] == PROBLEM
        assert world.store.counts() == before
        assert stage.status_code == status  # the same answer as a stage move
        return
    f = r.json()
    assert f["note"] == FOLLOW["note"] and f["stage"] == "落地开工"
    assert f["date"] == date.today().isoformat()
    assert f["by"] == {"city": "链长办", "chain in scope": "储能链牵头部门"}.get(
        who, "长兴县投促局"
    )
    assert world.store.require_node("project:P").props["stage"] == "落地开工"  # not moved
    listed = world.client.get("/api/v1/projects/project:P/follow-ups", headers=world.h(who)).json()
    assert [x["id"] for x in listed] == [f["id"]]


def test_follow_up_by_defaults_to_the_token_name_and_is_audited(world: World) -> None:
    r = world.client.post(
        "/api/v1/projects/project:P/follow-ups",
        json={"note": "协调用地", "date": "2026-03-05"},
        headers=world.h("district in scope"),
    )
    assert r.status_code == 201 and r.json()["by"] == "长兴县投促局"
    assert r.json()["date"] == "2026-03-05"
    log = world.client.get("/api/v1/audit", headers=world.h("city")).json()["data"][0]
    assert log["method"] == "POST" and log["path"] == "/api/v1/projects/project:P/follow-ups"
    assert log["target"] == "project:P" and log["status"] == "done" and "协调用地" in log["after"]
    assert log["role"] == "district"


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"note": ""}, 422, "note"),
        ({"note": "   "}, 422, "不能为空"),
        ({"note": "x" * 2001}, 422, "note"),
        ({"note": "x", "date": "2999-01-01"}, 422, "将来"),
        ({"note": "x", "date": "2026-02-30"}, 422, "date"),
        ({"note": "x\x07"}, 422, "note"),
        ({"note": 5}, 422, "note"),
        ({}, 422, "note"),
    ],
)
def test_bad_follow_ups_write_nothing(world: World, body: dict, status: int, words: str) -> None:  # type: ignore[type-arg]
    before = world.store.counts()
    r = world.client.post(
        "/api/v1/projects/project:P/follow-ups", json=body, headers=world.h("city")
    )
    assert r.status_code == status and r.headers["content-type"] == PROBLEM, r.text
    assert words in r.text
    assert world.store.counts() == before


def test_follow_up_on_an_unknown_project(world: World) -> None:
    r = world.client.post(
        "/api/v1/projects/project:nope/follow-ups", json=FOLLOW, headers=world.h("city")
    )
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


# ---- 拿地 ----------------------------------------------------------------------------------------
def test_land_is_recorded_audited_and_measured(world: World) -> None:
    h = world.h("district in scope")
    r = world.client.post("/api/v1/projects/project:P/land", json={"date": "2026-02-26"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["props"]["land_date"] == "2026-02-26"
    d = world.client.get("/api/v1/projects/project:P/dossier", headers=h).json()
    assert d["land_to_start"]["days"] == 3 and d["land_to_start"]["met"]  # within 5 days
    assert d["follow_ups"][-1]["note"] == "拿地 2026-02-26"
    log = world.client.get("/api/v1/audit", headers=world.h("city")).json()["data"][0]
    assert log["path"].endswith("/land") and log["status"] == "done"


def test_land_after_start_is_refused_in_chinese(world: World) -> None:
    before = world.store.counts()
    r = world.client.post(
        "/api/v1/projects/project:P/land", json={"date": "2026-03-02"}, headers=world.h("city")
    )
    assert r.status_code == 400 and "晚于开工日期" in r.json()["detail"]
    assert world.store.counts() == before
    assert "land_date" not in world.store.require_node("project:P").props
    r = world.client.post(
        "/api/v1/projects/project:P/land",
        json={"date": "2026-01-01"},
        headers=world.h("district out of scope"),
    )
    assert r.status_code == 403


def test_land_date_through_the_records_api(world: World) -> None:
    r = world.client.put(
        "/api/v1/records/projects/project:P",
        json={"props": {"land_date": "2026-02-01"}},
        headers=world.h("city"),
    )
    assert r.status_code == 200 and r.json()["props"]["land_date"] == "2026-02-01"
    bad = world.client.put(
        "/api/v1/records/projects/project:P",
        json={"props": {"land_date": "二月"}},
        headers=world.h("city"),
    )
    assert bad.status_code == 422


# ---- demands belong to projects ------------------------------------------------------------------
DEMAND = {
    "props": {"kind": "土地", "description": "二期用地", "quantity": 50, "unit": "亩"},
    "region": "长兴县",
    "firm": "firm:F",
    "project": "project:P",
}


def test_a_demand_belongs_to_its_project_and_firm(world: World) -> None:
    r = world.client.put(
        "/api/v1/records/demands/demand:D", json=DEMAND, headers=world.h("district in scope")
    )
    assert r.status_code == 200, r.text
    links = {x.type: n.id for x, n in world.store.neighbours("demand:D", None, "out")}
    assert links["FOR_PROJECT"] == "project:P" and links["FOR_FIRM"] == "firm:F"
    d = world.client.get("/api/v1/projects/project:P/dossier", headers=world.h("city")).json()
    assert [x["id"] for x in d["demands"]] == ["demand:D"]
    assert d["demands"][0]["firm"] == "测试企业"
    # naming another project moves the demand
    world.store.upsert_nodes([Node("project:Q", "Project", {"name": "另一项目"})])
    r = world.client.put(
        "/api/v1/records/demands/demand:D",
        json={"props": {}, "project": "project:Q"},
        headers=world.h("city"),
    )
    assert r.status_code == 200
    assert [n.id for _, n in world.store.neighbours("demand:D", ["FOR_PROJECT"], "out")] == [
        "project:Q"
    ]


def test_a_demand_for_a_missing_project_writes_nothing(world: World) -> None:
    before = world.store.counts()
    r = world.client.put(
        "/api/v1/records/demands/demand:D",
        json=DEMAND | {"project": "project:nope"},
        headers=world.h("city"),
    )
    assert 400 <= r.status_code < 500 and r.headers["content-type"] == PROBLEM
    assert world.store.counts() == before


# ---- the monthly report, lists, problems and progress: the office's settings -------------------
def test_report_header_names_the_office_settings_in_every_format(world: World) -> None:
    h = world.h("city")
    url = "/api/v1/ledger/report"
    data = world.client.get(url, params={"month": "2026-10"}, headers=h).json()
    named = {s["setting"]: s for s in data["settings"]}
    assert named["CHAINATLAS_GRACE_SIGN_TO_START"]["value"] == 100
    assert named["CHAINATLAS_PROBLEM_DAYS_GENERAL"]["value"] == 20
    assert {s["basis"] for s in data["settings"]} == {"本办设置"}
    assert data["land_to_start"]["within_days"] == 5
    page = world.client.get(url, params={"month": "2026-10", "format": "html"}, headers=h).text
    head = page[page.index("<body>") : page.index("<h2>")]
    assert (
        "本办设置" in head
        and "签约未开工宽限期 100 天" in head
        and "一般问题办理时限 20 天" in head
    )
    xlsx = world.client.get(url, params={"month": "2026-10", "format": "xlsx"}, headers=h)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[0] == "本办设置"
    rows = list(wb["本办设置"].iter_rows(values_only=True))
    assert rows[0] == ("设置", "取值", "单位", "依据", "环境变量")
    assert ("签约未开工宽限期", 100, "天", "本办设置", "CHAINATLAS_GRACE_SIGN_TO_START") in rows
    assert "按责任单位" in wb.sheetnames and "拿地即开工" in wb.sheetnames


def test_lists_name_the_responsible_unit(world: World) -> None:
    h = world.h("city")
    lists = world.client.get("/api/v1/ledger/lists", params={"month": "2026-10"}, headers=h).json()
    mine = next(x for x in lists["在建"] if x["id"] == "project:P")
    assert mine["responsible_unit"] == "长兴县投资促进局"
    xlsx = world.client.get(
        "/api/v1/ledger/lists", params={"month": "2026-10", "format": "xlsx"}, headers=h
    )
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(xlsx.content))["在建"][1]]
    assert "责任单位" in header and "拿地日期" in header and "signed" not in header


def test_problems_are_due_by_the_offices_time_limit(world: World) -> None:
    r = world.client.post(
        "/api/v1/problems",
        json={"title": "用电增容", "project": "project:P"},
        headers=world.h("city"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["props"]["due"] == (date.today() + timedelta(days=20)).isoformat()


def test_progress_uses_the_offices_denominator(world: World) -> None:
    g = world.client.get("/api/v1/progress", headers=world.h("city")).json()["goal_3566"]
    assert g["industrial_output"] == 4000
    assert g["share_of_industrial_output"] == round(g["total"] / 4000, 4)
    assert g["industrial_output_basis"].startswith("本办设置")
