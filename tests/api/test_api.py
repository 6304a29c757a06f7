"""Read endpoints of the foundation (TestClient over a seeded temporary store)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from chainatlas.graph.store.embedded import EmbeddedStore


def test_health(client: TestClient, seeded: EmbeddedStore) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["nodes"] == seeded.counts().nodes and r.json()["backend"] == "memory"


def test_layouts_and_chains(client: TestClient) -> None:
    assert client.get("/api/v1/layouts").json()["count"] == 3
    r = client.get("/api/v1/chains", params={"layout": "1366"}).json()
    assert r["count"] == 16 and r["data"][0]["props"]["name"] == "人工智能（时空智能）"
    page = client.get("/api/v1/chains", params={"layout": "1366", "skip": 14, "limit": 5}).json()
    assert page["count"] == 16 and len(page["data"]) == 2
    assert client.get("/api/v1/chains", params={"tier": "特色"}).json()["count"] == 3


def test_chain_detail(client: TestClient) -> None:
    r = client.get("/api/v1/chains/e2:energy").json()
    stages = [s["stage"] for s in r["segments"]]
    assert stages == sorted(stages, key=["upstream", "midstream", "downstream"].index)
    keys = {s["segment"]["props"]["name"] for s in r["segments"] if s["key"]}
    assert "氢能与储能（锂电、钠电、铅碳等）" in keys
    sub = next(s for s in r["segments"] if s["segment"]["props"]["name"].startswith("氢能与储能"))
    assert {x["props"]["name"] for x in sub["subsegments"]} >= {"锂电储能", "钠电储能"}
    assert [x["id"] for x in r["evolved_into"]] and r["layout"]["props"]["code"] == "eight-2.0"
    assert {x["props"]["name"] for x in r["focus_regions"]} == {"长兴县", "南太湖新区", "长合区"}


def test_chain_subgraph_and_404(client: TestClient) -> None:
    r = client.get("/api/v1/chains/1366:icv/subgraph").json()
    labels = {n["label"] for n in r["nodes"]}
    assert {"Chain", "Segment", "Firm", "Layout"} <= labels
    bad = client.get("/api/v1/chains/nope")
    assert bad.status_code == 404 and bad.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/firms/seg:整车").status_code == 404


def test_segments_and_firms(client: TestClient, seeded: EmbeddedStore) -> None:
    r = client.get("/api/v1/segments", params={"q": "电池"}).json()
    assert r["count"] >= 3 and all("电池" in s["props"]["name"] for s in r["data"])
    seg = client.get("/api/v1/segments/seg:动力电池").json()
    assert any(rel["type"] == "HAS_SEGMENT" for rel in seg["relationships"])
    local = client.get("/api/v1/firms", params={"local": True, "limit": 1000}).json()
    outside = client.get("/api/v1/firms", params={"local": False, "limit": 1000}).json()
    assert local["count"] + outside["count"] == seeded.count_nodes("Firm")
    assert all(f["local"] for f in local["data"]) and not any(f["local"] for f in outside["data"])
    fid = local["data"][0]["id"]
    assert client.get(f"/api/v1/firms/{fid}").json()["nodes"][0]["id"] == fid
    by_seg = client.get("/api/v1/firms", params={"segment": "seg:动力电池"}).json()
    assert by_seg["count"] == len(seeded.neighbours("seg:动力电池", ["OPERATES_IN"], "in"))
    assert client.get("/api/v1/firms", params={"limit": 0}).status_code == 422


class TestMaps:
    def test_fishbone_json(self, client: TestClient) -> None:
        r = client.get("/api/v1/maps/fishbone/智能网联新能源汽车")
        assert r.status_code == 200
        body = r.json()
        assert body["chain"]["id"] == "1366:icv"
        assert {s["verdict"] for s in body["segments"]} <= {"strong", "weak", "missing"}

    def test_downloads_carry_chinese_file_names(self, client: TestClient) -> None:
        from urllib.parse import unquote

        for path, fmt, media in [
            ("/api/v1/maps/fishbone/1366:icv", "html", "text/html"),
            ("/api/v1/maps/fishbone/1366:icv", "svg", "image/svg+xml"),
            ("/api/v1/maps/attraction/1366:icv", "xlsx", "application/vnd.openxmlformats"),
            ("/api/v1/maps/masters/1366:icv", "html", "text/html"),
            ("/api/v1/projects", "xlsx", "application/vnd.openxmlformats"),
        ]:
            r = client.get(path, params={"format": fmt})
            assert r.status_code == 200, (path, fmt, r.text[:200])
            assert r.headers["content-type"].startswith(media)
            cd = r.headers["content-disposition"]
            assert "filename*=UTF-8''" in cd
            assert unquote(cd.split("filename*=UTF-8''")[1]).endswith(f".{fmt}")

    def test_errors(self, client: TestClient) -> None:
        assert client.get("/api/v1/maps/fishbone/没有这条链").status_code == 404
        r = client.get("/api/v1/maps/masters/1366:icv", params={"format": "svg"})
        assert r.status_code == 422
        assert (
            client.get("/api/v1/maps/masters/1366:icv", params={"format": "pdf"}).status_code == 422
        )

    def test_projects_filters(self, client: TestClient, seeded: EmbeddedStore) -> None:
        all_ = client.get("/api/v1/projects").json()
        assert all_["count"] == seeded.count_nodes("Project")
        page = client.get("/api/v1/projects", params={"skip": 2, "limit": 3}).json()
        assert page["data"] == all_["data"][2:5]
        icv = client.get("/api/v1/projects", params={"chain": "1366:icv"}).json()["data"]
        assert icv and all(p["chain"] == "智能网联新能源汽车" for p in icv)


class TestGapsAndTargets:
    def test_gaps(self, client: TestClient) -> None:
        r = client.get("/api/v1/gaps/智能网联新能源汽车").json()
        assert r["chain"] == "1366:icv"
        assert {s["kind"] for s in r["segments"]} <= {"补链", "强链", "优势"}
        assert all(e["kind"] == "延链" for e in r["extensions"])
        x = client.get("/api/v1/gaps/1366:icv", params={"format": "xlsx"})
        assert x.status_code == 200 and "filename*=UTF-8''" in x.headers["content-disposition"]

    def test_targets(self, client: TestClient) -> None:
        r = client.get("/api/v1/targets", params={"segment": "动力电池", "top": 5}).json()
        assert r["segment"] == "seg:动力电池" and 0 < len(r["targets"]) <= 5
        assert all(t["reasons"] and isinstance(t["known"], bool) for t in r["targets"])
        inf = client.get(
            "/api/v1/targets", params={"segment": "seg:动力电池", "inferred_only": True}
        ).json()
        assert not any(t["known"] for t in inf["targets"])
        bad = client.get("/api/v1/targets", params={"segment": "动力电池", "chain": "1366:bio"})
        assert bad.status_code == 404
        assert client.get("/api/v1/targets").status_code == 422

    def test_attraction_map_uses_the_ranking(self, client: TestClient) -> None:
        r = client.get("/api/v1/maps/attraction/1366:icv").json()
        assert r["source"] == "缺链补链排序"
        assert any(not t["known"] for s in r["segments"] for t in s["targets"])


class TestMatch:
    def test_match_json(self, client: TestClient) -> None:
        body = {
            "demands": [
                {
                    "id": "d1",
                    "kind": "土地",
                    "description": "厂房用地",
                    "quantity": 50,
                    "unit": "亩",
                    "region": "长兴县",
                    "major": "是",
                },
                {
                    "id": "d2",
                    "kind": "能耗",
                    "description": "能耗指标",
                    "quantity": 5,
                    "unit": "万吨标煤",
                    "region": "长兴县",
                },
            ],
            "supplies": [
                {
                    "id": "s1",
                    "kind": "土地",
                    "description": "工业用地",
                    "quantity": 60,
                    "unit": "亩",
                    "region": "长兴县",
                }
            ],
        }
        r = client.post("/api/v1/match", json=body)
        assert r.status_code == 200
        data = r.json()
        assert [(m["demand"], m["supply"]) for m in data["assigned"]] == [("d1", "s1")]
        assert data["unmatched"][0]["demand"] == "d2" and data["assigned"][0]["passed"]

    def test_bad_rows(self, client: TestClient) -> None:
        body = {"demands": [{"kind": "", "description": "x", "region": "长兴县"}], "supplies": []}
        r = client.post("/api/v1/match", json=body)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["column"] == "kind"
        body["skip_bad"] = True  # type: ignore[assignment]
        assert client.post("/api/v1/match", json=body).status_code == 200


class TestLedger:
    def test_report_and_lists(self, client: TestClient) -> None:
        r = client.get("/api/v1/ledger/report", params={"month": "2026-10"}).json()
        # the sample ledger exercises every list and every stall
        assert all(v > 0 for v in r["lists"].values()) and all(v > 0 for v in r["stalls"].values())
        assert sum(x["stalled"] for x in r["by_chain"]) == sum(r["stalls"].values())
        assert len(r["stalled"]) == sum(r["stalls"].values())
        for fmt in ("xlsx", "html"):
            assert (
                client.get(
                    "/api/v1/ledger/report", params={"month": "2026-10", "format": fmt}
                ).status_code
                == 200
            )
        lists = client.get("/api/v1/ledger/lists", params={"month": "2026-10"}).json()
        assert set(lists) >= {
            "储备",
            "新开工",
            "在建",
            "竣工投产",
            "重大项目",
            "新升规",
            "新备案",
            "新投产",
        }
        assert client.get("/api/v1/ledger/report", params={"month": "2026-13"}).status_code == 422

    def test_stage_and_problems(self, client: TestClient, seeded: EmbeddedStore) -> None:
        pid = seeded.find_nodes("Project", {"stage": "招商引资"})[0].id
        ok = client.post(f"/api/v1/projects/{pid}/stage", json={"to": "研判会商", "by": "投促局"})
        assert ok.status_code == 200 and ok.json()["props"]["stage"] == "研判会商"
        bad = client.post(f"/api/v1/projects/{pid}/stage", json={"to": "产业研究"})
        assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
        assert client.get(f"/api/v1/projects/{pid}/follow-ups").json()[0]["stage"] == "研判会商"
        p = client.post(
            "/api/v1/problems", json={"title": "能耗指标", "level": "重大", "project": pid}
        )
        assert p.status_code == 201 and p.json()["props"]["assignee"].endswith("链长")
        prob = p.json()["id"]
        assert client.post(f"/api/v1/problems/{prob}/step", json={"to": "办结"}).status_code == 400
        s = client.post(
            f"/api/v1/problems/{prob}/step", json={"to": "交办", "escalate": "特别重大"}
        )
        assert s.json()["props"]["assignee"].startswith("总链长")
        assert client.get("/api/v1/problems").json()["count"] == 1
        assert client.get("/api/v1/problems", params={"overdue": True}).json()["count"] == 0


def test_checklist_and_progress(client: TestClient) -> None:
    r = client.get("/api/v1/chains/1366:icv/checklist", params={"month": "2026-10"}).json()
    assert len(r["checklist"]) == 10 and r["targets"]["2026"] == 1000
    p = client.get("/api/v1/progress").json()
    assert p["goal_3566"]["goal"].startswith("3 条千亿级")
    assert {c["chain"] for c in p["chains"]} >= {"e2:nev", "1366:icv"}
