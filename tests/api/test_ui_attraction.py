"""The 招商图 page over HTTP (TestClient, the real embedded store and ranking): the weak and
missing segments in order of priority, recorded and inferred targets apart, the filters, a
page per segment, firm links, 招商方式 where a project records one, the Excel in the page's
order and filters, one segment's interactive view, and the district role's landing sites."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.gaps import gaps
from chainatlas.viz.reports import ATTRACTION_COLUMNS, TARGET_COLUMNS
from tests.api.webui import login

CHAIN = "1366:storage"
MAP = f"/ui/chain/{CHAIN}/map"
CELL = "seg:电芯"  # a missing segment with no target in the seed data


@pytest.fixture
def clients(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[dict[str, TestClient]]:
    auth = AuthStore(tmp_path / "auth.db")
    app = create_app(settings, seeded, auth)
    out: dict[str, TestClient] = {}
    for name, role, scope in (("city", "city", []), ("district", "district", ["长兴县"])):
        c = TestClient(app)
        c.__enter__()
        assert login(c, auth.create(role, scope, name)).status_code == 303
        out[name] = c
    yield out
    for c in out.values():
        c.__exit__(None, None, None)
    auth.close()


def _sections(html: str) -> list[tuple[str, str, str]]:
    """(segment id, verdict, section html) of each segment section, in page order."""
    return re.findall(
        r'<section class="card seg-group" id="seg-\d+" data-segment="([^"]+)" '
        r'data-verdict="(\w+)">(.*?)</section>',
        html,
        re.S,
    )


def _rows(section: str, kind: str) -> list[list[str]]:
    m = re.search(rf'<table class="targets {kind}">.*?<tbody>(.*?)</tbody>', section, re.S)
    if m is None:
        return []
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)
    ]


def _firm_links(section: str) -> list[str]:
    return re.findall(r'href="/ui/firm/([^"]+)" class="firm-link"', section)


def _outside_firms(store: EmbeddedStore, n: int) -> None:
    """``n`` outside firms recorded in 电芯 (more than one page of the segment)."""
    store.upsert_nodes(
        [
            Node(f"firm:t{i:02}", "Firm", {"name": f"外地电芯{i:02}", "region": "苏州市"})
            for i in range(n)
        ]
    )
    store.upsert_relationships(
        [
            Relationship(f"firm:t{i:02}", "OPERATES_IN", CELL, {"weight": round(0.9 - i / 100, 2)})
            for i in range(n)
        ]
    )


def test_segments_in_priority_order_known_and_inferred_apart(
    clients: dict[str, TestClient], seeded: EmbeddedStore
) -> None:
    res = clients["city"].get(MAP)
    assert res.status_code == 200
    secs = _sections(res.text)
    verdicts = [v for _, v, _ in secs]
    assert verdicts == sorted(verdicts, key=lambda v: v != "missing") and "weak" in verdicts
    prio = {g.segment: g.priority for g in gaps(seeded, CHAIN).segments}
    for kind in ("missing", "weak"):
        ps = [prio[s] for s, v, _ in secs if v == kind]
        assert ps == sorted(ps, reverse=True), kind
    assert "缺环节在前、弱环节在后" in res.text  # the page says how it orders
    inferred = [r for _, _, sec in secs for r in _rows(sec, "inferred")]
    known = [r for _, _, sec in secs for r in _rows(sec, "known")]
    assert inferred and known
    for r in inferred:  # 名次 企业 所在地 得分 档次 …
        assert 0 <= float(r[3]) <= 100 and r[4] in ("重点", "推荐", "备选")
    assert "排序模型的推断，不是已记录的事实" in res.text
    for _, _, sec in secs:  # every target name links to its firm's page
        for firm in _firm_links(sec):
            assert clients["city"].get(f"/ui/firm/{firm}").status_code == 200


def test_filters(clients: dict[str, TestClient]) -> None:
    c = clients["city"]
    everything = _sections(c.get(MAP).text)
    some_region = next(r[1] for _, _, s in everything for r in _rows(s, "known"))
    secs = _sections(c.get(MAP, params={"region": some_region}).text)
    rows = [r for _, _, s in secs for kind in ("known", "inferred") for r in _rows(s, kind)]
    assert rows and all(some_region in r for r in rows)
    secs = _sections(c.get(MAP, params={"kind": "inferred"}).text)
    assert secs and all(not _rows(s, "known") and _rows(s, "inferred") for _, _, s in secs)
    secs = _sections(c.get(MAP, params={"kind": "known", "tier": ""}).text)
    assert secs and all(not _rows(s, "inferred") for _, _, s in secs)
    secs = _sections(c.get(MAP, params={"tier": "备选"}).text)
    assert all(r[4] == "备选" for _, _, s in secs for r in _rows(s, "inferred"))
    none = c.get(MAP, params={"tier": "重点", "kind": "known"}).text
    assert not none.count("firm-link")
    # the page says why nothing is left, in the filters' words (as the Excel sheet does)
    assert "没有符合筛选条件的目标企业：无达到「重点」（≥25 分）的已记录目标。" in none
    secs = _sections(c.get(MAP, params={"segment": CELL}).text)
    assert [s for s, _, _ in secs] == [CELL]
    assert c.get(MAP, params={"tier": "最好"}).status_code == 422
    bad = c.get(MAP, params={"segment": "seg:不存在"})
    assert bad.status_code == 404 and "不是新能源与新型储能的弱、缺环节" in bad.text


def test_paging_within_a_segment(clients: dict[str, TestClient], seeded: EmbeddedStore) -> None:
    _outside_firms(seeded, 14)
    c = clients["city"]
    (sec,) = [s for seg, _, s in _sections(c.get(MAP).text) if seg == CELL]
    first = _firm_links(sec)
    assert len(first) == 10 and "共 14 家，第 1–10 家" in sec
    nxt = re.search(r'href="([^"]+)" rel="next"', sec)
    assert nxt is not None
    page2 = c.get(nxt.group(1).replace("&amp;", "&"))
    (only,) = _sections(page2.text)
    assert only[0] == CELL and "第 11–14 家" in only[2]
    second = _firm_links(only[2])
    assert len(second) == 4 and not set(first) & set(second)
    assert first + second == [f"firm%3At{i:02}" for i in range(14)]  # recorded: by share


def test_attraction_method_where_a_project_records_one(
    clients: dict[str, TestClient], seeded: EmbeddedStore
) -> None:
    _outside_firms(seeded, 1)
    seeded.upsert_nodes(
        [Node("project:t", "Project", {"name": "电芯项目", "attraction_method": "基金招商"})]
    )
    seeded.upsert_relationships([Relationship("project:t", "FOR_FIRM", "firm:t00")])
    ((_, _, sec),) = _sections(clients["city"].get(MAP, params={"segment": CELL}).text)
    assert _rows(sec, "known") == [
        ["外地电芯00", "苏州市", "基金招商", "已记录在环节「电芯」（业务占比 90%）"]
    ]


def test_excel_in_the_page_order_and_filter(clients: dict[str, TestClient]) -> None:
    c = clients["city"]
    for params in ({}, {"kind": "inferred"}, {"segment": "seg:储能电站运营"}):
        page = c.get(MAP, params=params).text
        shown = [
            (seg, firm.replace("%3A", ":"))
            for seg, _, sec in _sections(page)
            for firm in _firm_links(sec)
        ]
        res = c.get(f"{MAP}.xlsx", params=params)
        assert res.status_code == 200
        ws = load_workbook(io.BytesIO(res.content))["招商目标"]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == ATTRACTION_COLUMNS and list(rows[0][:9]) == TARGET_COLUMNS
        assert [(r[1], r[4]) for r in rows[1:]] == shown, params  # no page has 10+ rows here
    assert (
        'href="/ui/chain/1366%3Astorage/map.xlsx?kind=inferred"'
        in c.get(MAP, params={"kind": "inferred"}).text
    )


def test_excel_ranks_and_scores_as_the_page(clients: dict[str, TestClient]) -> None:
    """A recorded firm is a fact: no score (not 100) and no rank in the workbook; inferred
    targets are numbered 1, 2, … within their segment, as the page's 名次; the 说明 sheet
    names a segment filter by its name."""
    c = clients["city"]
    page = c.get(MAP).text
    wb = load_workbook(io.BytesIO(c.get(f"{MAP}.xlsx").content))
    rows = list(wb["招商目标"].iter_rows(values_only=True))[1:]
    col = {h: i for i, h in enumerate(ATTRACTION_COLUMNS)}
    known = [r for r in rows if r[col["类型"]] == "已记录"]
    assert known and all(r[col["排名"]] is None and r[col["得分"]] is None for r in known)
    for seg, _, sec in _sections(page):
        ranks = [r[col["排名"]] for r in rows if r[col["环节编号"]] == seg and r[col["排名"]]]
        assert ranks == list(range(1, len(ranks) + 1)), seg
        shown = re.findall(r'<td class="num rank">(\d+)</td>', sec)
        assert [int(x) for x in shown] == ranks[: len(shown)], seg
    one = load_workbook(io.BytesIO(c.get(f"{MAP}.xlsx", params={"segment": CELL}).content))
    said = dict(one["说明"].iter_rows(min_row=2, values_only=True))
    assert said["环节"] == "电芯"


def test_one_segment_interactive_view(clients: dict[str, TestClient]) -> None:
    c = clients["city"]
    ((_, _, sec),) = _sections(c.get(MAP, params={"segment": "seg:储能电站运营"}).text)
    link = re.search(r'href="([^"]+)" class="seg-view"', sec)
    assert link is not None
    view = c.get(link.group(1).replace("&amp;", "&"))
    assert view.status_code == 200 and view.headers["content-type"].startswith("text/html")
    data = c.get(
        f"/api/v1/maps/attraction/{CHAIN}", params={"segment": "储能电站运营", "format": "json"}
    ).json()
    assert [s["name"] for s in data["segments"]] == ["储能电站运营"]
    assert len(data["segments"][0]["targets"]) == 4
    html_all = c.get(f"/api/v1/maps/attraction/{CHAIN}", params={"format": "html"}).text
    assert "电池包" in html_all and "电池包" not in view.text  # only the one segment
    miss = c.get(f"/api/v1/maps/attraction/{CHAIN}", params={"segment": "seg:电池材料x"})
    assert miss.status_code == 404 and miss.headers["content-type"] == "application/problem+json"


def test_district_role_sees_its_landing_site_first(clients: dict[str, TestClient]) -> None:
    res = clients["district"].get(MAP)
    assert res.status_code == 200 and _sections(res.text)
    landing = res.text[res.text.index('id="landing"') :]
    first = re.search(r"<tbody>\s*<tr([^>]*)><td>([^<]+)", landing)
    assert first is not None and first.group(2).strip() == "长兴县" and "mine" in first.group(1)
    assert "本区县" in landing
    city = clients["city"].get(MAP).text
    assert "本区县" not in city[city.index('id="landing"') :]


def test_the_workbook_counts_against_the_chain_rate() -> None:
    """Both the page and its Excel rank a whole chain: both are rate-limited as 招商图."""
    from chainatlas.api.limits import _costly

    for path in (MAP, f"{MAP}.xlsx"):
        assert _costly({"method": "GET", "path": path}) == "chain", path  # type: ignore[typeddict-item]


def test_st_firms_carry_the_exchanges_risk_warning(
    clients: dict[str, TestClient], seeded: EmbeddedStore
) -> None:
    """A listed firm whose short name starts with ST / *ST is marked 风险警示 (the exchanges'
    mark, read from its name); other firms are not."""
    seeded.upsert_nodes(
        [
            Node("firm:st1", "Firm", {"name": "*ST电芯", "region": "苏州市"}),
            Node("firm:st2", "Firm", {"name": "正常电芯", "region": "苏州市"}),
        ]
    )
    seeded.upsert_relationships(
        [Relationship(f, "OPERATES_IN", CELL, {"weight": 0.5}) for f in ("firm:st1", "firm:st2")]
    )
    html = clients["city"].get(MAP, params={"segment": CELL}).text
    (sec,) = [sec for s, _, sec in _sections(html) if s == CELL]
    names = {r[0] for r in _rows(sec, "known")}
    assert "*ST电芯 风险警示" in names and "正常电芯" in names
