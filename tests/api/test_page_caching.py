"""Pages of the web UI are never kept by the browser (review S, C7): on a shared office PC,
Back after 退出 must not show the last officer's pages. Static files stay cacheable; the
API's answers are unchanged."""

from __future__ import annotations

from tests.api.webui import Browsers

P = "project:1366:robot:2"


def test_pages_say_no_store_and_static_files_do_not(ui: Browsers) -> None:
    city = ui.as_("city")
    for path in ("/", "/ui/admin/tokens", "/ui/admin/audit", f"/ui/project/{P}", "/ui/problems"):
        r = city.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path
    missing = city.get("/ui/project/project:nope")  # an error page too
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"
    chain = ui.as_("chain", ["1366:storage"])
    refused = chain.get("/ui/admin/tokens")
    assert refused.status_code == 403 and refused.headers["cache-control"] == "no-store"
    login = city.get("/ui/login")
    assert "text/html" in login.headers["content-type"]
    assert login.headers["cache-control"] == "no-store"
    css = city.get("/ui/static/ui.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("cache-control", "")
    api = city.get("/api/v1/health")
    assert "no-store" not in api.headers.get("cache-control", "")
