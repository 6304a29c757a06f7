"""The firm page (企业档案) over HTTP (TestClient, the real embedded store): facts, tags,
segments and their chains, projects, demands, problems and partners linked in the graph; for a
firm outside Huzhou the segments where the 招商图 names it, as the 驾驶舱's China map counts
them; an unknown firm is a 404 page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.viz.dashboard import china_targets
from tests.api.webui import Browsers

P = "project:1366:storage:1"


@pytest.fixture
def client(ui: Browsers) -> TestClient:
    return ui.as_("district", ["长兴县"], "长兴")


def _firms(store: EmbeddedStore, local: bool) -> list[Node]:
    return [
        f
        for f in store.iter_nodes("Firm")
        if f.props.get("region")
        and is_local(f.props["region"], HOME_AREA) is local
        and store.neighbours(f.id, ["OPERATES_IN"], "out")
    ]


def test_local_firm_page(client: TestClient, seeded: EmbeddedStore) -> None:
    firm, supplier = _firms(seeded, True)[:2]
    seeded.upsert_relationships(
        [
            Relationship(P, "FOR_FIRM", firm.id),
            Relationship(supplier.id, "SUPPLIES", firm.id),
        ]
    )
    seeded.upsert_nodes(
        [Node("demand:web-test", "Demand", {"kind": "土地", "description": "扩产用地 50 亩"})]
    )
    seeded.upsert_relationships([Relationship("demand:web-test", "FOR_FIRM", firm.id)])
    r = client.get(f"/ui/firm/{firm.id}")
    assert r.status_code == 200
    html = r.text
    assert firm.name in html and "（本地）" in html
    for t in firm.props.get("tags") or []:
        assert f'<span class="tag">{t}</span>' in html
    for _, seg in seeded.neighbours(firm.id, ["OPERATES_IN"], "out"):
        assert seg.name in html
    assert f'href="/ui/project/{P}"' in html.replace("%3A", ":")
    assert "扩产用地 50 亩" in html
    assert f'href="/ui/firm/{supplier.id}"'.replace(":", "%3A") in html
    assert 'id="targets"' not in html  # a local firm is nobody's target


def test_outside_firm_targets(client: TestClient, seeded: EmbeddedStore) -> None:
    chains = {ch.id for ch in seeded.iter_nodes("Chain")}
    expected: dict[str, set[str]] = {}
    for cid in sorted(chains):
        for f in china_targets(seeded, cid)["firms"]:
            expected.setdefault(f["name"], set()).update((cid, s) for s in f["segments"])
    outside = [f for f in _firms(seeded, False) if f.name in expected]
    assert outside
    firm = max(outside, key=lambda f: len(expected[f.name]))
    html = client.get(f"/ui/firm/{firm.id}").text
    assert 'id="targets"' in html and "（外地）" in html
    table = html.split('id="target-segments"')[1].split("</table>")[0]
    assert table.count("<tr>") - 1 == len(expected[firm.name])
    for _, seg in expected[firm.name]:
        assert f"<td>{seg}</td>" in table


def test_unknown_firm_and_links(client: TestClient, seeded: EmbeddedStore) -> None:
    r = client.get("/ui/firm/firm:nope")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert client.get(f"/ui/firm/{P}").status_code == 404  # a project is not a firm
    firm = _firms(seeded, True)[0]
    assert 'class="firm-link"' in client.get("/ui/firms", params={"q": firm.name}).text
