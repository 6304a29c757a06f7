"""The chain page's work over HTTP (TestClient, the real embedded store): 十个一 with set and
clear forms only for the bodies that own each slot, written through the API's routes (403
page and nothing written otherwise); the 四张清单 with the 招商引资目标 form; the gaps report
with its Excel."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.checklist import checklist
from chainatlas.graph.workflows.goals import chain_goals
from chainatlas.matching.gaps import gaps
from tests.api.webui import ORIGIN, Browsers, post_form

CHAIN = "1366:storage"


@pytest.fixture
def clients(ui: Browsers) -> dict[str, TestClient]:
    return {
        name: ui.as_(role, scope, name)
        for name, role, scope in (
            ("city", "city", []),
            ("chain", "chain", [CHAIN]),
            ("other", "chain", ["1366:hydrogen"]),
            ("district", "district", ["长兴县"]),
        )
    }


def _post(c: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    return post_form(c, path, f"/ui/chain/{CHAIN}", **data)


def _item(store: EmbeddedStore, item: str):  # type: ignore[no-untyped-def]
    return next(x for x in checklist(store, CHAIN) if x.item == item)


def test_checklist_forms_by_owner(clients: dict[str, TestClient], seeded: EmbeddedStore) -> None:
    city, chain, other = clients["city"], clients["chain"], clients["other"]
    page = chain.get(f"/ui/chain/{CHAIN}").text
    assert 'id="checklist-table"' in page
    # the lead department keeps the plan, the city appoints the leader
    assert f'action="/ui/chain/{CHAIN}/checklist/plan"' in page
    assert f'action="/ui/chain/{CHAIN}/checklist/leader"' not in page
    assert f'action="/ui/chain/{CHAIN}/checklist/leader"' in city.get(f"/ui/chain/{CHAIN}").text
    assert "checklist/plan" not in other.get(f"/ui/chain/{CHAIN}").text
    r = _post(chain, f"/ui/chain/{CHAIN}/checklist/plan", value="储能一链一策行动方案")
    assert r.status_code == 303
    assert _item(seeded, "一个行动方案").detail == "储能一链一策行动方案"
    # another chain's department and a slot above the owner: 403 pages, nothing written
    r = _post(other, f"/ui/chain/{CHAIN}/checklist/plan", value="别人的方案")
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    r = _post(chain, f"/ui/chain/{CHAIN}/checklist/leader", value="某副市长")
    assert r.status_code == 403 and "市链长办" in r.text
    assert _item(seeded, "一个行动方案").detail == "储能一链一策行动方案"
    assert (
        not _item(seeded, "一名市领导领衔").present
        or "某副市长" not in _item(seeded, "一名市领导领衔").detail
    )
    # an unknown node for a link slot: an error page with the API's status, nothing linked
    before = _item(seeded, "一个基金配套")
    r = _post(chain, f"/ui/chain/{CHAIN}/checklist/fund", value="不存在的基金")
    assert r.status_code in (404, 422) and 'id="form-error"' in r.text
    assert _item(seeded, "一个基金配套") == before
    r = _post(chain, f"/ui/chain/{CHAIN}/checklist/plan/clear")
    assert r.status_code == 303 and not _item(seeded, "一个行动方案").present
    # no CSRF token: refused
    r = chain.post(
        f"/ui/chain/{CHAIN}/checklist/plan", data={"value": "x"}, headers={"Origin": ORIGIN}
    )
    assert r.status_code == 403 and not _item(seeded, "一个行动方案").present


def test_four_lists_and_goals(clients: dict[str, TestClient], seeded: EmbeddedStore) -> None:
    chain, district = clients["chain"], clients["district"]
    page = chain.get(f"/ui/chain/{CHAIN}?month=2026-10").text
    assert 'id="four-lists"' in page and "四张清单（2026-10）" in page
    assert 'id="form-goals"' in page
    assert 'id="form-goals"' not in district.get(f"/ui/chain/{CHAIN}").text
    assert chain.get(f"/ui/chain/{CHAIN}?month=2026-13").status_code == 422
    r = _post(chain, f"/ui/chain/{CHAIN}/goals/2026", signed="12", investment="80.5")
    assert r.status_code == 303, r.text.split('id="form-error">')[-1][:300]
    items = {i["measure"]: i["target"] for i in chain_goals(seeded, CHAIN, 2026)["items"]}
    assert items["signed"] == 12 and items["investment"] == 80.5
    for bad in ("-3", "很多"):
        r = _post(chain, f"/ui/chain/{CHAIN}/goals/2026", signed=bad)
        assert r.status_code == 422 and 'id="form-error"' in r.text
    r = _post(district, f"/ui/chain/{CHAIN}/goals/2026", signed="1")
    assert r.status_code == 403
    items = {i["measure"]: i["target"] for i in chain_goals(seeded, CHAIN, 2026)["items"]}
    assert items["signed"] == 12


def test_gaps_page(clients: dict[str, TestClient], seeded: EmbeddedStore) -> None:
    c = clients["district"]
    r = c.get(f"/ui/chain/{CHAIN}/gaps")
    assert r.status_code == 200
    g = gaps(seeded, CHAIN)
    for x in g.segments:
        assert x.name in r.text
    assert r.text.count('class="kind-补链"') == sum(1 for x in g.segments if x.kind == "补链")
    x = c.get(f"/api/v1/gaps/{CHAIN}?format=xlsx")
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content)).sheetnames
    assert f'href="/api/v1/gaps/{CHAIN}?format=xlsx"' in r.text
    assert c.get("/ui/chain/nope/gaps").status_code == 404
