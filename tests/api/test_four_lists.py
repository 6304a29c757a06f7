"""四张清单 as seed 000 defines them (#16): 目标 is the chain's 招商引资目标 for the year, set by
its 牵头部门 or above and audited; chains are resolved by id (an eight-2.0 chain never shows
the 1366 chain's projects); 动态亮晒 ranks the chains; 2026 targets and 重点区域 inherited
through the lineage are labelled so, never as the chain's own seed figure."""

from __future__ import annotations

import re
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
    "牵头部门·半导体": ("chain", ["1366:semi"]),
    "牵头部门·生物医药": ("chain", ["1366:bio"]),
    "招商团队·长兴": ("district", ["长兴县"]),
}
YEAR = date.today().year


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], EmbeddedStore, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, heads, seeded, auth
    auth.close()


def _seed(n: str) -> str:
    name = {"000": "000_1bff7c389d9baca2.txt", "001": "001_490d9b0e4adfd288.txt"}[n]
    return shared_or_skip("seeds", name).read_text("utf-8")


def test_the_targets_list_is_the_chains_investment_targets(api: Any) -> None:
    client, heads, store, auth = api
    assert "招商引资目标、工作、考核、政策“四张清单”，实施动态亮晒" in _seed("000")
    url = f"/api/v1/chains/1366:semi/goals/{YEAR}"
    body = {"signed": 4, "investment": 40}
    for who in ("牵头部门·生物医药", "招商团队·长兴"):
        r = client.put(url, json=body, headers=heads[who])
        assert r.status_code == 403 and "牵头部门" in r.json()["detail"], r.text
    assert client.get(url, headers=heads["市链长办"]).json()["items"][0]["target"] is None
    r = client.put(url, json=body, headers=heads["牵头部门·半导体"])
    assert r.status_code == 200, r.text
    items = {i["measure"]: i for i in r.json()["items"]}
    # what the ledger records for the chain's own projects, signed this year
    projects = [
        n for _, n in store.neighbours("1366:semi", ["IN_CHAIN"], "in") if n.label == "Project"
    ]
    signed = [p for p in projects if str(p.props.get("signed", "")).startswith(f"{YEAR}-")]
    assert items["signed"]["target"] == 4 and items["signed"]["actual"] == len(signed)
    assert items["signed"]["rate"] == round(len(signed) / 4, 4)
    assert items["started"]["target"] is None  # not named: kept (unset)
    assert auth.audit_log()[0]["target"] == "1366:semi"
    bad = client.put(url, json={"signed": -1}, headers=heads["市链长办"])
    assert bad.status_code == 422
    assert client.put(url, json={}, headers=heads["市链长办"]).status_code == 422
    cleared = client.put(url, json={"signed": None}, headers=heads["市链长办"]).json()
    assert cleared["items"][0]["target"] is None and cleared["items"][1]["target"] == 40
    # the four lists show them as 目标, beside the 2026 output target
    four = client.get(
        f"/api/v1/chains/1366:semi/checklist?month={YEAR}-06", headers=heads["市链长办"]
    )
    assert four.json()["targets"]["investment"]["items"][1]["target"] == 40


def test_an_eight_chain_never_shows_the_1366_chains_projects(api: Any) -> None:
    client, heads, store, _ = api
    # both layouts have a chain called 半导体及光电; the sample projects are the 1366 chain's
    assert store.require_node("e2:semi").name == store.require_node("1366:semi").name
    h = heads["市链长办"]
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    new = [
        client.get(f"/api/v1/chains/1366:semi/checklist?month={m}", headers=h).json()
        for m in months
    ]
    old = [
        client.get(f"/api/v1/chains/e2:semi/checklist?month={m}", headers=h).json() for m in months
    ]
    assert any(f["work"]["under_construction"] or f["work"]["reserve"] for f in new)
    for f in old:
        assert f["chain"] == "e2:semi" and f["layout"] == "eight-2.0"
        assert not any(f["work"][k] for k in ("new_started", "under_construction", "reserve"))
        assert f["assessment"]["stalled"] == 0


def test_dynamic_ranking_across_chains(api: Any) -> None:
    client, heads, _, _ = api
    h = heads["市链长办"]
    client.put(f"/api/v1/chains/1366:semi/goals/{YEAR}", json={"signed": 1}, headers=h)
    client.put(f"/api/v1/chains/1366:bio/goals/{YEAR}", json={"signed": 1000}, headers=h)
    rows = client.get(f"/api/v1/goals/ranking?year={YEAR}", headers=h).json()
    assert len(rows) == 16 and {r["layout"] for r in rows} == {"1366"}
    ranked = [r for r in rows if r["rank"] is not None]
    assert [r["chain"] for r in ranked] == ["1366:semi", "1366:bio"]
    assert ranked[0]["completion"] >= ranked[1]["completion"]
    assert all(r["note"] == "未设目标" for r in rows if r["rank"] is None)
    bad = client.get(f"/api/v1/goals/ranking?year={YEAR}&layout=none", headers=h)
    assert bad.status_code == 422 and "eight-2.0" in bad.json()["detail"]


def test_inherited_2026_targets_are_labelled_never_the_chains_own(api: Any) -> None:
    client, heads, _, _ = api
    seed = _seed("001")
    own = {
        m.group(1): float(m.group(2)) for m in re.finditer(r"\d、(.+?)。.*?规模突破(\d+)亿元", seed)
    }
    assert own["半导体及光电"] == 1000
    rows = {
        r["chain"]: r
        for r in client.get("/api/v1/progress", headers=heads["市链长办"]).json()["chains"]
    }
    assert rows["e2:semi"]["target_inherited"] is False
    assert rows["e2:semi"]["target_basis"] == "本链目标（种子文件 001）"
    semi = rows["1366:semi"]
    assert semi["target_2026"] == own["半导体及光电"] and semi["target_inherited"] is True
    assert semi["target_from"] == "e2:semi" and "非本链种子目标" in semi["target_basis"]
    for r in rows.values():  # every 1366 chain's target is inherited, if it has one
        if r["layout"] == "1366" and r["target_2026"] is not None:
            assert r["target_inherited"] and "承接" in r["target_basis"], r
    four = client.get("/api/v1/chains/1366:semi/checklist?month=2026-06", headers=heads["市链长办"])
    assert four.json()["targets"]["inherited"] is True
    assert four.json()["targets"]["inherited_from"] == "e2:semi"


def test_hydrogen_is_new_and_its_regions_only_inferred(api: Any) -> None:
    client, heads, _, _ = api
    assert "新增绿色氢能" in _seed("000")
    m = client.get("/api/v1/maps/attraction/1366:h2", headers=heads["市链长办"]).json()
    assert m["landing"], m
    for site in m["landing"]:
        assert site["origin"] == "推断" and site["basis"].startswith("推断：")
    semi = client.get("/api/v1/maps/attraction/1366:semi", headers=heads["市链长办"]).json()
    assert {s["origin"] for s in semi["landing"]} == {"继承"}
    own = client.get("/api/v1/maps/attraction/e2:semi", headers=heads["市链长办"]).json()
    assert {s["origin"] for s in own["landing"]} == {"本链"}
