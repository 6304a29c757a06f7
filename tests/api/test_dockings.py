"""The 关键需求清单 and 核心供给清单 kept in the graph are matched (#16): ``POST /match/stored``
records each proposal as a 对接 (推荐), users move it on (对接中 → 已落实 / 未落实) within their
scope, audited, and the office reads how many needs were met."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.conftest import bearers
from tests.conftest import shared_or_skip

PEOPLE = {
    "市链长办": ("city", []),
    "招商团队·长兴": ("district", ["长兴县"]),
    "招商团队·吴兴": ("district", ["吴兴区"]),
    "牵头部门·生物医药": ("chain", ["1366:bio"]),
    "总链长": ("chief", []),
}
LAND = {"kind": "土地", "description": "储能电池二期工业用地", "quantity": 50, "unit": "亩"}
PLOT = {"kind": "土地", "description": "工业用地地块", "quantity": 80, "unit": "亩"}
MONEY = {"kind": "资金", "description": "设备购置贷款", "quantity": 3000, "unit": "万元"}


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], EmbeddedStore, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with TestClient(create_app(settings, seeded, auth)) as c:
        city = heads["市链长办"]
        for kind, rid, props, where in [
            ("demands", "demand:land", LAND, {"region": "长兴县", "chain": "1366:storage"}),
            ("demands", "demand:money", MONEY, {"region": "吴兴区"}),
            ("supplies", "supply:plot", PLOT, {"region": "长兴县"}),
        ]:
            r = c.put(f"/api/v1/records/{kind}/{rid}", json={"props": props, **where}, headers=city)
            assert r.status_code == 200, r.text
        yield c, heads, seeded, auth
    auth.close()


def _dockings(store: EmbeddedStore) -> dict[str, dict[str, Any]]:
    return {n.id: n.props for n in store.iter_nodes("Docking")}


def test_the_stored_lists_are_matched_and_saved_as_recommendations(api: Any) -> None:
    client, heads, store, auth = api
    r = client.post("/api/v1/match/stored", json={}, headers=heads["市链长办"])
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["demands"], out["supplies"]) == (2, 1)
    assert [(m["demand"], m["supply"]) for m in out["assigned"]] == [("demand:land", "supply:plot")]
    assert out["unmatched"] == [{"demand": "demand:money", "reason": "无「资金」类供给"}]
    docking = out["new_dockings"][0]
    assert _dockings(store)[docking]["status"] == "推荐"
    ends = {x.type: n.id for x, n in store.neighbours(docking, None, "out")}
    assert ends == {"DOCKS_DEMAND": "demand:land", "DOCKS_SUPPLY": "supply:plot"}
    assert auth.audit_log()[0]["path"] == "/api/v1/match/stored"
    # run again: nothing new, the state users set is kept
    client.put(
        f"/api/v1/dockings/{docking}/status", json={"status": "对接中"}, headers=heads["市链长办"]
    )
    again = client.post("/api/v1/match/stored", json={}, headers=heads["市链长办"]).json()
    assert again["new_dockings"] == [] and _dockings(store)[docking]["status"] == "对接中"


def test_chain_and_region_narrow_the_demands(api: Any) -> None:
    client, heads, _, _ = api
    city = heads["市链长办"]
    by_chain = client.post("/api/v1/match/stored", json={"chain": "新能源与新型储能"}, headers=city)
    assert by_chain.json()["demands"] == 1
    by_region = client.post("/api/v1/match/stored", json={"region": "吴兴区"}, headers=city)
    assert by_region.json()["demands"] == 1 and by_region.json()["assigned"] == []
    # an eight-2.0 chain is its own chain: the 1366 chain's demand is not under it
    old = client.post("/api/v1/match/stored", json={"chain": "绿色能源"}, headers=city)
    assert old.status_code == 200 and old.json()["demands"] == 0
    unknown = client.post("/api/v1/match/stored", json={"chain": "不存在的链"}, headers=city)
    assert unknown.status_code == 404 and "不存在的链" in unknown.json()["detail"]


def test_statuses_move_on_as_the_seed_lists_them(api: Any) -> None:
    client, heads, store, _ = api
    city = heads["市链长办"]
    docking = client.post("/api/v1/match/stored", json={}, headers=city).json()["new_dockings"][0]
    url = f"/api/v1/dockings/{docking}/status"
    bad = client.put(url, json={"status": "已落实"}, headers=city)  # 推荐 cannot jump to 已落实
    assert bad.status_code == 400 and "对接中" in bad.json()["detail"]
    assert _dockings(store)[docking]["status"] == "推荐"
    assert client.put(url, json={"status": "对接中"}, headers=city).status_code == 200
    done = client.put(url, json={"status": "已落实", "note": "已供地"}, headers=city)
    assert done.status_code == 200 and done.json()["status"] == "已落实"
    assert done.json()["history"][-1].endswith("已落实（市链长办）：已供地")
    final = client.put(url, json={"status": "未落实"}, headers=city)
    assert final.status_code == 400  # 已落实 is final
    unknown = client.put(url, json={"status": "完成"}, headers=city)
    assert unknown.status_code == 422
    assert client.get("/api/v1/dockings?status=已落实", headers=city).json()[0]["id"] == docking


def test_only_who_may_edit_the_demand_moves_its_docking(api: Any) -> None:
    client, heads, store, auth = api
    docking = client.post("/api/v1/match/stored", json={}, headers=heads["市链长办"]).json()[
        "new_dockings"
    ][0]
    url = f"/api/v1/dockings/{docking}/status"
    rows = len(auth.audit_log())
    for who in (
        "招商团队·吴兴",
        "牵头部门·生物医药",
        "总链长",
    ):  # another district, chain; a leader
        r = client.put(url, json={"status": "对接中"}, headers=heads[who])
        assert r.status_code == 403, (who, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert _dockings(store)[docking]["status"] == "推荐" and len(auth.audit_log()) == rows
    ok = client.put(url, json={"status": "对接中"}, headers=heads["招商团队·长兴"])
    assert ok.status_code == 200
    assert auth.audit_log()[0]["target"] == docking
    # a district team matches only its own demands
    mine = client.post("/api/v1/match/stored", json={}, headers=heads["招商团队·吴兴"]).json()
    assert mine["demands"] == 1 and mine["unmatched"][0]["demand"] == "demand:money"
    leader = client.post("/api/v1/match/stored", json={}, headers=heads["总链长"])
    assert leader.status_code == 403


def test_the_office_reads_how_many_needs_were_met(api: Any) -> None:
    client, heads, _, _ = api
    city = heads["市链长办"]
    docking = client.post("/api/v1/match/stored", json={}, headers=city).json()["new_dockings"][0]
    today = date.today()
    month = f"{today:%Y-%m}"
    before = client.get(f"/api/v1/dockings/summary?month={month}", headers=city).json()
    assert before["demands"] == 2 and before["demands_met"] == 0
    assert before["by_status"] == {"推荐": 1, "对接中": 0, "已落实": 0, "未落实": 0}
    url = f"/api/v1/dockings/{docking}/status"
    client.put(url, json={"status": "对接中"}, headers=city)
    client.put(url, json={"status": "已落实"}, headers=city)
    after = client.get(f"/api/v1/dockings/summary?month={month}", headers=city).json()
    assert (after["demands_met"], after["demands_met_in_month"], after["met_share"]) == (1, 1, 0.5)
    assert after["by_status"]["已落实"] == 1
    bad = client.get("/api/v1/dockings/summary?month=2026-13", headers=city)
    assert bad.status_code == 422
    # the monthly report carries the same figure: JSON and a sheet of the workbook
    report = client.get(f"/api/v1/ledger/report?month={month}", headers=city)
    assert report.json()["dockings"] == after
    book = client.get(f"/api/v1/ledger/report?month={month}&format=xlsx", headers=city)
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(book.content))["要素对接"]
    head, values = [c.value for c in ws[1]], [c.value for c in ws[2]]
    assert dict(zip(head, values, strict=True))["已落实需求（截至月末）"] == 1


def test_the_seed_names_the_two_lists() -> None:
    seed = shared_or_skip("seeds", "000_1bff7c389d9baca2.txt").read_text("utf-8")
    assert "定期梳理排摸关键需求清单、核心供给清单，深入推进产业链供应链创新链对接" in seed
    import chainatlas.graph.workflows.dockings as d

    assert "关键需求清单、核心供给清单" in (d.__doc__ or "")
