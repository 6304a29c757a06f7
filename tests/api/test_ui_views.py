"""关系网络 in the app over HTTP (TestClient, the real embedded store): the firm page and the
chain page link to the view around them; the view's page frames the API's HTML view 2 deep
(or as chosen), in the session; an unknown node is a 404 page, a bad depth a 422 page, and
no session goes to the login page."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient

from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers

CHAIN = "1366:storage"


@pytest.fixture
def client(ui: Browsers) -> TestClient:
    return ui.as_("district", ["长兴县"], "长兴")


def _firm(store: EmbeddedStore) -> str:
    return next(iter(store.iter_nodes("Firm"))).id


def _link(page: str) -> str:
    m = re.search(r'<a class="btn" href="([^"]+)" id="view-link">关系网络</a>', page)
    assert m, "no 关系网络 link"
    return m.group(1)


def _frame(page: str) -> str:
    m = re.search(r'<iframe id="graph-view" class="view" src="([^"]+)"', page)
    assert m, "no view frame"
    return m.group(1).replace("&amp;", "&")


def test_firm_and_chain_pages_link_to_their_view(client: TestClient, seeded: EmbeddedStore) -> None:
    firm = _firm(seeded)
    for page, node in ((f"/ui/firm/{firm}", firm), (f"/ui/chain/{CHAIN}", CHAIN)):
        link = _link(client.get(page).text)
        assert unquote(link) == f"/ui/view/{node}", page
        view = client.get(link)
        assert view.status_code == 200 and seeded.require_node(node).name in view.text
        src = _frame(view.text)
        assert src == f"/api/v1/views/around/{quote(node, safe='')}?depth=2&format=html"
        # the frame's request carries the session cookie, as a browser's would
        framed = client.get(src)
        assert framed.status_code == 200 and framed.headers["content-type"].startswith("text/html")
        assert "（2 度以内）" in framed.text


def test_depth_is_chosen_on_the_page(client: TestClient, seeded: EmbeddedStore) -> None:
    view = client.get(f"/ui/view/{CHAIN}", params={"depth": 1})
    assert "depth=1&format=html" in _frame(view.text)
    assert '<option value="1" selected>' in view.text


def test_errors_are_pages(client: TestClient, ui: Browsers) -> None:
    missing = client.get("/ui/view/firm:没有这家")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "firm:没有这家" in missing.text
    bad = client.get(f"/ui/view/{CHAIN}", params={"depth": 9})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    with TestClient(ui.app) as anonymous:
        r = anonymous.get(f"/ui/view/{CHAIN}", follow_redirects=False)
        assert r.status_code in (302, 303, 307) and "/ui/login" in r.headers["location"]
