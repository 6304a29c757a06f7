"""A project written through ``PUT /records/projects/{id}`` (the web UI's 新建项目 and 编辑
forms) meets the ledger's date rules as a stage move does (review B, s6): dates in order and
not in the future, and a stage only with the dates it needs — refused in Chinese (422, the
field named), nothing written. Only what the write brings in is refused: an old record's
problem the edit leaves alone does not block the edit."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from chainatlas.graph.model import Node
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers, post_form

URL = "/api/v1/records/projects/project:dates-test"
PLACE = {"region": "长兴县", "chain": "新能源与新型储能"}


def _put(client: TestClient, **props: str) -> tuple[int, dict]:
    r = client.put(URL, json={"props": {"name": "日期检查项目", **props}, **PLACE})
    return r.status_code, r.json()


def test_dates_out_of_order_or_in_the_future_are_refused(client: TestClient) -> None:
    status, body = _put(client, signed="2026-05-01", started="2026-03-01")
    assert status == 422, body
    assert "开工日期 2026-03-01 早于签约日期 2026-05-01" in body["detail"]
    later = (date.today() + timedelta(days=3)).isoformat()
    status, body = _put(client, signed=later)
    assert status == 422 and "实际日期不能是将来" in body["detail"], body
    assert client.get(URL.replace("/records/projects/", "/projects/")).status_code == 404


def test_a_stage_needs_its_dates_from_the_start(client: TestClient) -> None:
    status, body = _put(client, stage="投产达效", signed="2025-01-01")
    assert status == 422, body
    assert body["detail"].startswith("阶段「投产达效」须填写开工、竣工、投产日期；")
    assert "阶段推进" in body["detail"]  # the web form has no date fields: the way there
    status, body = _put(
        client,
        stage="投产达效",
        signed="2025-01-01",
        started="2025-03-01",
        completed="2025-09-01",
        producing="2025-10-01",
    )
    assert status == 200, body
    r = client.put(URL, json={"props": {"producing": None}, **PLACE})  # a date taken away
    assert r.status_code == 422 and r.json()["detail"].startswith(
        "阶段「投产达效」须填写投产日期"
    ), r.text


def test_an_old_records_problem_does_not_block_an_edit_that_leaves_it(
    client: TestClient, seeded: EmbeddedStore
) -> None:
    """A record stored before the checks (at 落地开工 without 开工日期, 开工 before 签约) takes an
    edit of its 责任单位, sent with its stored values as the edit form sends them; a write
    that touches the faulty dates must mend them."""
    old = {"name": "日期检查项目", "stage": "落地开工", "signed": "2025-06-01"}
    seeded.upsert_nodes([Node("project:dates-test", "Project", old)])
    status, body = _put(
        client, stage="落地开工", signed="2025-06-01", responsible_unit="长兴县商务局"
    )
    assert status == 200, body
    status, body = _put(client, stage="落地开工", started="2025-05-01")
    assert status == 422 and "开工日期 2025-05-01 早于签约日期 2025-06-01" in body["detail"]
    status, body = _put(client, stage="落地开工", started="2025-07-01")
    assert status == 200, body


def test_the_new_project_form_at_a_late_stage_says_the_way(ui: Browsers) -> None:
    """The web form has no 开工 or 投产 fields: a project created at 落地开工 is refused with the
    way there (save earlier, then 阶段推进), what was typed kept, nothing written."""
    team = ui.as_("district", ["长兴县"], "长兴团队")
    fields = {"name": "晚阶段测试项目", "chain": "1366:storage", "region": "长兴县"}
    r = post_form(team, "/ui/projects/new", "/ui/projects/new", stage="落地开工", **fields)
    assert r.status_code == 422, r.text[-500:]
    assert "无法完成：阶段「落地开工」须填写签约、开工日期" in r.text and "阶段推进" in r.text
    assert not ui.store.find_nodes("Project", {"name": "晚阶段测试项目"})
    r = post_form(team, "/ui/projects/new", "/ui/projects/new", stage="研判会商", **fields)
    assert r.status_code == 303, r.text[-500:]
    assert ui.store.find_nodes("Project", {"name": "晚阶段测试项目"})
