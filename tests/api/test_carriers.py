"""What the seeds name that the graph lacked (#16): carriers as nodes with the seed's words,
招商方式 from the seed's list, the firm ladder in the seed's order and the programmes as tags,
parks' 主导产业, and 智能装备（物流装备）= 智能物流装备 only as an inference. Names and lists are
read from the seed texts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.model import ATTRACTION_METHODS, FIRM_LADDER
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.checklist import PLATFORM_KINDS
from tests.api.conftest import bearers
from tests.conftest import shared_or_skip

PEOPLE = {"市链长办": ("city", []), "招商团队·吴兴": ("district", ["吴兴区"])}


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], EmbeddedStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, heads, seeded
    auth.close()


def _seeds() -> tuple[str, str]:
    d = shared_or_skip("seeds")
    return (
        (d / "000_1bff7c389d9baca2.txt").read_text("utf-8"),
        (d / "001_490d9b0e4adfd288.txt").read_text("utf-8"),
    )


def test_the_carriers_the_seeds_name_are_nodes_with_their_words(api: Any) -> None:
    client, heads, _ = api
    s000, s001 = _seeds()
    rows = client.get("/api/v1/carriers", headers=heads["市链长办"]).json()
    names = {r["name"] for r in rows}
    zones = re.search(r"打造(.+?)以及(.+?)，", s001)
    assert zones is not None
    four = [*zones.group(1).split("、"), zones.group(2)]
    assert len(four) == 4 and set(four) <= names
    bio = re.search(r"打造(长三角先进的生物医药[^，]+)，", s001)
    assert bio is not None and set(bio.group(1).split("、")) <= names
    for name in ("全省首批未来产业先导区", "地磁大科学装置", "国家新一代人工智能创新发展试验区"):
        assert name in s001 and name in names
    assert "中小物流智能装备生产基地" in names and "省“415X”高端新材料核心区" in names
    assert {"“环杭州湾”氢走廊重要节点", "长三角氢走廊重要节点"} <= names
    for r in rows:
        assert r["quote"] in s000 + s001, r  # the seed's own words
        assert all(s["basis"] in ("seed001", "推断") for s in r["serves"])
        assert r["kind"] not in PLATFORM_KINDS  # they never tick 一批链创平台
    by_chain = client.get("/api/v1/carriers?chain=1366:h2", headers=heads["市链长办"]).json()
    h2 = {s["basis"] for r in by_chain for s in r["serves"] if s["chain"] == "1366:h2"}
    assert by_chain and h2 == {"推断"}  # 绿色氢能 is 新增: only inferred links


def test_attraction_methods_are_the_seeds_list(api: Any) -> None:
    client, heads, store = api
    s000, _ = _seeds()
    listed = re.search(r"强化(.+?)等方式", s000)
    assert listed is not None and tuple(listed.group(1).split("、")) == ATTRACTION_METHODS
    samples = [p for p in store.iter_nodes("Project") if p.props.get("sample")]
    assert samples and all(p.props["attraction_method"] in ATTRACTION_METHODS for p in samples)
    url = "/api/v1/records/projects/project:m"
    body = {"props": {"name": "场景项目", "attraction_method": "场景招商"}, "region": "吴兴区"}
    assert client.put(url, json=body, headers=heads["市链长办"]).status_code == 200
    assert store.require_node("project:m").props["attraction_method"] == "场景招商"
    body["props"]["attraction_method"] = "招商八法"
    bad = client.put(url, json=body, headers=heads["市链长办"])
    assert bad.status_code == 422
    assert store.require_node("project:m").props["attraction_method"] == "场景招商"


def test_the_ladder_in_the_seeds_order_and_the_programmes_as_tags(api: Any) -> None:
    client, heads, store = api
    s000, _ = _seeds()
    ladder = re.search(r"健全“(.+?)”梯队", s000)
    assert ladder is not None
    assert [name for name, _ in FIRM_LADDER] == [
        x.replace("‘", "“").replace("’", "”") for x in ladder.group(1).split("—")
    ]
    for prog in ("雄鹰", "凤凰", "双金", "新锐壮腰"):
        assert f"“{prog}”" in s000
    firm = {"name": "雄鹰样本", "tags": ["雄鹰", "小巨人", "高新技术"], "region": "吴兴区"}
    r = client.put("/api/v1/firms/firm:eagle", json=firm, headers=heads["市链长办"])
    assert r.status_code in (200, 201), r.text
    before = client.get("/api/v1/firm-ladder", headers=heads["市链长办"]).json()
    assert [x["rung"] for x in before["ladder"]] == [1, 2, 3]
    assert {p["name"]: p["firms"] for p in before["programmes"]}["雄鹰"] == 1
    giants = sum(1 for f in store.iter_nodes("Firm") if "小巨人" in (f.props.get("tags") or []))
    assert before["ladder"][2]["firms"] <= giants and before["ladder"][2]["firms"] >= 1


def test_parks_and_their_leading_industries(api: Any) -> None:
    client, heads, _ = api
    h = heads["市链长办"]
    rows = client.get("/api/v1/parks/industries", headers=h).json()
    wuxing = next(r for r in rows if r["region"] == "吴兴区")
    assert wuxing["declared"] == [] and wuxing["focus_ok"] is None
    assert all(x["basis"].startswith("推断") for x in wuxing["inferred"])
    url = f"/api/v1/parks/{wuxing['park']}/industries"
    four = {"chains": ["1366:semi", "1366:bio", "1366:ai", "1366:iot"]}
    assert client.put(url, json=four, headers=h).status_code == 422
    one = client.put(url, json={"chains": ["半导体及光电"]}, headers=h).json()
    assert one["focus_ok"] is False and "2—3" in one["note"]
    two = client.put(
        url, json={"chains": ["1366:semi", "1366:bio"]}, headers=heads["招商团队·吴兴"]
    )
    assert two.status_code == 200 and two.json()["focus_ok"] is True
    assert {d["chain"] for d in two.json()["declared"]} == {"1366:semi", "1366:bio"}
    other = next(r for r in rows if r["region"] == "长兴县")
    refused = client.put(
        f"/api/v1/parks/{other['park']}/industries", json={"chains": ["1366:semi"]},
        headers=heads["招商团队·吴兴"],
    )  # fmt: skip
    assert refused.status_code == 403


def test_logistics_equipment_is_one_chain_only_by_inference(api: Any) -> None:
    client, heads, store = api
    s000, s001 = _seeds()
    assert "智能装备（物流装备）调整为智能装备及智能机器人" in s000
    assert "智能物流装备" in s001 and "智能物流装备" not in s000
    node = store.require_node("e2:logistics")
    assert node.props["alias_basis"].startswith("推断")
    assert "智能装备" not in node.props["aliases"]  # the bare name is 1366's as much as 2.0's
    edges = {n.id: r for r, n in store.neighbours("1366:robot", ["EVOLVED_INTO"], "in")}
    assert edges["e2:logistics"].props["basis"].startswith("推断")
    rows = {
        r["chain"]: r
        for r in client.get("/api/v1/progress", headers=heads["市链长办"]).json()["chains"]
    }
    assert rows["1366:robot"]["target_basis"].startswith("推断：承接「智能物流装备」")
