"""Edits that must not lose or strand data (review S): a firm PUT merges like a record body
(A4) and refuses a credit code another firm holds (B9); a record written on an old version is
refused with 409 when the writer says which version (``If-Match``, A5); deletes take their
follow-ups and idle dockings with them and are refused while open problems or live dockings
point at the record (B1); ``sample`` is not a writable property (C6). Real HTTP through
TestClient over the seeded embedded store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.conftest import bearers
from tests.conftest import served

FIRM = "firm:sample-0010"  # 长兴县, with credit code, tags, output and employees (sample data)
PROJECT = "project:1366:iot:1"  # 长兴县 (sample data)
API = "/api/v1"


@pytest.fixture
def people(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    cast = {
        "市链长办": ("city", []),
        "长兴招商": ("district", ["长兴县"]),
        "长兴链长办": ("district-office", ["长兴县"]),
    }
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, bearers(auth, cast), auth
    auth.close()


# ---- A4: a firm PUT keeps what it does not name -----------------------------------------------
def test_a_firm_put_keeps_the_fields_it_leaves_out(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, _ = people
    before = seeded.require_node(FIRM).props
    body = {"name": before["name"], "region": "长兴县"}  # the review's "no change"
    r = c.put(f"{API}/firms/{FIRM}", json=body, headers=h["长兴招商"])
    assert r.status_code == 200, r.text
    assert seeded.require_node(FIRM).props == before
    # a new name changes the name only; null removes a field, [] the tags
    body = {"name": "长兴改名企业", "region": "长兴县", "output": None, "tags": []}
    r = c.put(f"{API}/firms/{FIRM}", json=body, headers=h["长兴招商"])
    after = seeded.require_node(FIRM).props
    assert r.status_code == 200 and after["name"] == "长兴改名企业"
    assert "output" not in after and not after.get("tags")
    assert (after["credit_code"], after["employees"]) == (
        before["credit_code"],
        before["employees"],
    )


# ---- B9: one credit code, one firm --------------------------------------------------------------
def test_a_credit_code_another_firm_holds_is_refused(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, _ = people
    code = seeded.require_node(FIRM).props["credit_code"]
    body = {"name": "评审企业", "region": "长兴县", "credit_code": code.lower()}
    r = c.put(f"{API}/firms/firm:revS-f3", json=body, headers=h["长兴招商"])
    assert r.status_code == 409, r.text
    detail = r.json()["detail"]
    assert FIRM in detail and seeded.require_node(FIRM).name in detail and code in detail
    assert seeded.get_node("firm:revS-f3") is None
    # the firm that holds it keeps writing it
    body = {"name": seeded.require_node(FIRM).name, "region": "长兴县", "credit_code": code}
    assert c.put(f"{API}/firms/{FIRM}", json=body, headers=h["长兴招商"]).status_code == 200


# ---- C6: sample is set by init and imports only ------------------------------------------------
def test_a_team_cannot_mark_its_records_as_sample_data(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, _ = people
    body = {
        "props": {"name": "评审项目S9", "sample": True},
        "region": "长兴县",
        "chain": "1366:iot",
    }
    r = c.put(f"{API}/records/projects/project:revS-9", json=body, headers=h["长兴招商"])
    assert r.status_code == 422 and "演示数据" in r.json()["detail"], r.text
    assert seeded.get_node("project:revS-9") is None
    firm = {"name": "评审企业", "region": "长兴县", "sample": True}
    r = c.put(f"{API}/firms/firm:revS-f9", json=firm, headers=h["长兴招商"])
    assert r.status_code == 422 and seeded.get_node("firm:revS-f9") is None
    # a sample record edited by a team stays marked as it was
    r = c.put(
        f"{API}/records/projects/{PROJECT}",
        json={"props": {"responsible_unit": "长兴县经信局"}},
        headers=h["长兴招商"],
    )
    assert r.status_code == 200 and seeded.require_node(PROJECT).props["sample"] is True


# ---- A5: If-Match --------------------------------------------------------------------------------
def test_a_write_on_an_old_version_is_refused(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, _ = people
    url = f"{API}/records/projects/{PROJECT}"
    read = c.get(url, headers=h["长兴招商"])
    etag = read.headers["ETag"]
    assert read.status_code == 200 and read.json()["props"] == seeded.require_node(PROJECT).props
    # officer B changes the 责任单位 (without If-Match: last write wins, as before)
    r = c.put(url, json={"props": {"responsible_unit": "B改的责任单位"}}, headers=h["长兴链长办"])
    assert r.status_code == 200
    # officer A writes on the version read before: 409, B's change kept, A's not written
    stale = {**h["长兴招商"], "If-Match": etag}
    r = c.put(url, json={"props": {"investment": 88}}, headers=stale)
    assert r.status_code == 409, r.text
    assert "该项目已被他人修改" in r.json()["detail"] and "请刷新页面后再改" in r.json()["detail"]
    props = seeded.require_node(PROJECT).props
    assert (props["responsible_unit"], props["investment"]) == ("B改的责任单位", 2.0)
    # with the new version the write goes through, and the version changes with it
    fresh = c.get(url, headers=h["长兴招商"]).headers["ETag"]
    assert fresh != etag
    r = c.put(url, json={"props": {"investment": 88}}, headers={**h["长兴招商"], "If-Match": fresh})
    assert r.status_code == 200 and seeded.require_node(PROJECT).props["investment"] == 88.0
    assert c.get(url, headers=h["长兴招商"]).headers["ETag"] != fresh
    # a link moved is a change too (the project's chain)
    etag = c.get(url, headers=h["长兴招商"]).headers["ETag"]
    r = c.put(url, json={"chain": "1366:robot"}, headers=h["市链长办"])
    assert r.status_code == 200
    r = c.put(url, json={"props": {"investment": 9}}, headers={**h["市链长办"], "If-Match": etag})
    assert r.status_code == 409
    # If-Match on a record that is not there: nothing is created
    r = c.put(
        f"{API}/records/projects/project:revS-new",
        json={"props": {"name": "新项目"}, "region": "长兴县", "chain": "1366:iot"},
        headers={**h["长兴招商"], "If-Match": "*"},
    )
    assert r.status_code == 409 and "不存在或已被他人删除" in r.json()["detail"], r.text
    assert seeded.get_node("project:revS-new") is None


# ---- B1: deletes leave no orphans --------------------------------------------------------------
def _docked(c: TestClient, h: dict[str, dict[str, str]]) -> str:
    """The review's fixture: a demand and a supply of 长兴县 in 1366:alloy, matched."""
    for kind, rid, props in (
        (
            "demands",
            "demand:rev1",
            {"kind": "土地", "description": "新增工业用地", "quantity": 120},
        ),
        ("supplies", "supply:rev1", {"kind": "土地", "description": "工业用地", "quantity": 200}),
    ):
        body = {"props": props, "region": "长兴县", "chain": "1366:alloy"}
        r = c.put(f"{API}/records/{kind}/{rid}", json=body, headers=h["市链长办"])
        assert r.status_code == 200, r.text
    r = c.post(f"{API}/match/stored", json={"chain": "1366:alloy"}, headers=h["市链长办"])
    assert "docking:demand:rev1:supply:rev1" in r.json()["new_dockings"], r.text
    return "docking:demand:rev1:supply:rev1"


def test_deleting_a_demand_takes_its_idle_dockings(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, auth = people
    dock = _docked(c, h)
    r = c.delete(f"{API}/records/demands/demand:rev1", headers=h["长兴招商"])
    assert r.status_code == 204
    assert seeded.get_node(dock) is None
    rows = c.get(f"{API}/dockings", headers=h["长兴招商"]).json()
    rows = rows["data"] if isinstance(rows, dict) else rows
    assert all(row.get("demand") for row in rows)
    row = next(x for x in auth.audit_log(status="done") if x["target"] == "demand:rev1")
    assert dock in str(row["before"])
    # the demand made again and matched again: a docking with both ends, the team may move it
    dock = _docked(c, h)
    r = c.put(f"{API}/dockings/{dock}/status", json={"status": "对接中"}, headers=h["长兴招商"])
    assert r.status_code == 200, r.text
    # now under way: neither the demand nor the supply can go
    for kind, rid in (("demands", "demand:rev1"), ("supplies", "supply:rev1")):
        r = c.delete(f"{API}/records/{kind}/{rid}", headers=h["长兴招商"])
        assert r.status_code == 409 and dock in r.json()["detail"], r.text
        assert seeded.get_node(rid) is not None
    # 未落实: it goes with the demand
    r = c.put(f"{API}/dockings/{dock}/status", json={"status": "未落实"}, headers=h["长兴招商"])
    assert r.status_code == 200
    assert c.delete(f"{API}/records/supplies/supply:rev1", headers=h["长兴招商"]).status_code == 204
    assert seeded.get_node(dock) is None


def test_deleting_a_project_with_open_problems_is_refused(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, auth = people
    body = {"props": {"name": "评审项目1"}, "region": "长兴县", "chain": "1366:iot"}
    url = f"{API}/records/projects/project:revS-1"
    assert c.put(url, json=body, headers=h["长兴招商"]).status_code == 200
    r = c.post(
        f"{API}/projects/project:revS-1/follow-ups", json={"note": "走访"}, headers=h["长兴招商"]
    )
    assert r.status_code == 201, r.text
    follow_up = r.json()["id"]
    r = c.post(
        f"{API}/problems",
        json={"title": "用地指标不足", "project": "project:revS-1"},
        headers=h["长兴招商"],
    )
    assert r.status_code == 201, r.text
    problem = r.json()["id"]
    r = c.delete(url, headers=h["长兴招商"])
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == ("该项目还有 1 个未办结的问题：「用地指标不足」，请先办结或转出")
    assert seeded.get_node("project:revS-1") is not None and seeded.get_node(follow_up)
    # once the problem is closed, the project goes with its follow-ups; the problem stays
    for step in ("交办", "反馈", "办结"):
        r = c.post(f"{API}/problems/{problem}/step", json={"to": step}, headers=h["长兴链长办"])
        assert r.status_code == 200, r.text
    assert c.delete(url, headers=h["长兴招商"]).status_code == 204
    assert seeded.get_node("project:revS-1") is None and seeded.get_node(follow_up) is None
    assert seeded.require_node(problem).props["status"] == "办结"
    row = next(x for x in auth.audit_log(status="done") if x["target"] == "project:revS-1")
    assert follow_up in str(row["before"])


def test_deleting_a_firm_with_an_open_problem_is_refused(people, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, h, _ = people
    r = c.post(f"{API}/problems", json={"title": "融资难", "firm": FIRM}, headers=h["长兴招商"])
    assert r.status_code == 201, r.text
    r = c.delete(f"{API}/firms/{FIRM}", headers=h["长兴招商"])
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "该企业还有 1 个未办结的问题：「融资难」，请先办结或转出"
    assert seeded.get_node(FIRM) is not None


def test_of_two_writes_on_one_version_one_passes(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> None:
    """Six officers send a write based on the same version at the same moment, over real HTTP
    (uvicorn, threads released together): exactly one is written, five answer 409."""
    auth = AuthStore(tmp_path / "auth.db")
    h = bearers(auth, {"长兴招商": ("district", ["长兴县"])})["长兴招商"]
    url = f"/api/v1/records/projects/{PROJECT}"
    with served(create_app(settings, seeded, auth)) as port:
        base = f"http://127.0.0.1:{port}"
        etag = httpx.get(base + url, headers=h).headers["ETag"]
        start = threading.Barrier(6)

        def write(i: int) -> int:
            body = {"props": {"responsible_unit": f"单位{i}"}}
            start.wait()
            return httpx.put(base + url, json=body, headers={**h, "If-Match": etag}).status_code

        with ThreadPoolExecutor(6) as pool:
            codes = sorted(pool.map(write, range(6)))
    auth.close()
    assert codes == [200, 409, 409, 409, 409, 409], codes
    assert seeded.require_node(PROJECT).props["responsible_unit"].startswith("单位")
