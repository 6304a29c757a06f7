"""The city office's admin pages over HTTP (TestClient, the real embedded store and auth
store): tokens listed, made (shown once) and revoked through the API's routes, the audit log
with its filter and pages, templates downloaded and imports with their row errors; every other
role gets a 403 page."""

from __future__ import annotations

import html
import io

from openpyxl import load_workbook

from tests.api.webui import ORIGIN, Browsers, post_form


def test_admin_pages_only_for_the_city_office(ui: Browsers) -> None:
    city = ui.as_("city")
    chain = ui.as_("chain", ["1366:storage"])
    for path in ("/ui/admin/tokens", "/ui/admin/audit", "/ui/admin/import"):
        assert city.get(path).status_code == 200
        r = chain.get(path)
        assert (
            r.status_code == 403
            and "市链长办" in r.text
            and "text/html" in r.headers["content-type"]
        )
    assert 'id="nav-admin"' in city.get("/").text
    assert 'id="nav-admin"' not in chain.get("/").text
    before = len(ui.auth.tokens())
    r = chain.post(
        "/ui/admin/tokens", data={"csrf": "x", "role": "city"}, headers={"Origin": ORIGIN}
    )
    assert r.status_code == 403 and len(ui.auth.tokens()) == before
    assert chain.get("/ui/admin/template/firms.xlsx").status_code == 200  # templates are blank


def test_token_made_shown_once_and_revoked(ui: Browsers) -> None:
    city = ui.as_("city")
    r = post_form(
        city,
        "/ui/admin/tokens",
        "/ui/admin/tokens",
        role="district",
        scope="长兴县",
        name="长兴招商",
        expires="30d",
    )
    assert r.status_code == 201
    token = r.text.split('id="new-token">')[1].split("<")[0]
    who = ui.auth.principal(token)
    assert who.role == "district" and list(who.scope) == ["长兴县"]
    assert token not in city.get("/ui/admin/tokens").text  # shown this once only
    assert city.get("/ui/admin/tokens").text.count('id="current-token"') == 1
    # a bad scope: 422 page in Chinese, nothing made
    n = len(ui.auth.tokens())
    r = post_form(city, "/ui/admin/tokens", "/ui/admin/tokens", role="district", scope="火星")
    assert r.status_code in (400, 422) and "火星" in r.text and len(ui.auth.tokens()) == n
    r = post_form(city, f"/ui/admin/tokens/{who.token_id}/revoke", "/ui/admin/tokens")
    assert r.status_code == 303
    assert ui.auth.token(who.token_id).status == "已吊销"
    r = post_form(city, "/ui/admin/tokens/ffffffffffff/revoke", "/ui/admin/tokens")
    assert r.status_code == 404
    # no CSRF token: refused, nothing revoked
    r = city.post("/ui/admin/tokens", data={"role": "city"}, headers={"Origin": ORIGIN})
    assert r.status_code == 403 and len(ui.auth.tokens()) == n


def test_audit_log_filter_and_pages(ui: Browsers) -> None:
    city = ui.as_("city")
    for i in range(55):
        post_form(city, "/ui/admin/tokens", "/ui/admin/tokens", role="city", name=f"t{i}")
    post_form(city, "/ui/admin/tokens", "/ui/admin/tokens", role="district", scope="火星")
    first = city.get("/ui/admin/audit")
    assert first.status_code == 200 and 'id="next"' in first.text and 'id="prev"' not in first.text
    assert first.text.count("<tr>") - 1 == 50
    # keyset pages: the next page is the rows older than the last one shown
    next_link = html.unescape(first.text.split('id="next"')[0].rsplit('href="', 1)[1][:-2])
    assert next_link.startswith("/ui/admin/audit?before=")
    second = city.get(next_link)
    assert 'id="prev"' in second.text and 'id="next"' not in second.text
    assert second.text.count("<tr>") - 1 == 5  # 55 rows in all (火星 was refused unwritten)
    prev_link = html.unescape(second.text.split('id="prev"')[0].rsplit('href="', 1)[1][:-2])
    back = city.get(prev_link).text  # the rows just newer: the first page again
    assert back.count("<tr>") - 1 == 50 and 'id="prev"' not in back and 'id="next"' in back
    done = city.get("/ui/admin/audit?status=done").text
    assert "已完成" in done and "<td>失败</td>" not in done
    assert city.get("/ui/admin/audit?status=nope").status_code == 422
    assert city.get("/ui/admin/audit?before=0").status_code == 422


def test_templates_and_import_with_row_errors(ui: Browsers) -> None:
    city = ui.as_("city")
    r = city.get("/ui/admin/template/firms.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert "说明" in wb.sheetnames
    assert city.get("/ui/admin/template/nope.xlsx").status_code == 404
    # a filled template with a bad row: 422 with the rows in a table, nothing written
    ws = wb["数据"]
    headers = [c.value for c in ws[1]]
    good = {"企业名称*": "湖州网页导入测试有限公司", "所在区域*": "长兴县"}
    ws.append([good.get(h, "") for h in headers])
    ws.append([{**good, "所在区域*": "火星", "产值（亿元）": "很多"}.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    firms = ui.store.count_nodes("Firm")
    files = {"file": ("企业.xlsx", buf.getvalue(), "application/octet-stream")}
    r = post_form(city, "/ui/admin/import", "/ui/admin/import", files=files, kind="firms")
    assert r.status_code == 422 and 'id="row-errors"' in r.text
    assert ui.store.count_nodes("Firm") == firms
    log = ui.auth.audit_log(5)
    assert log[0]["path"] == "/ui/admin/import" and log[0]["status"] == "failed"
    r = post_form(
        city,
        "/ui/admin/import",
        "/ui/admin/import",
        files={"file": ("x.txt", b"abc", "text/plain")},
    )
    assert r.status_code == 422 and "只接受" in r.text
    # 跳过错误行: the good row is written, the bad one listed
    r = post_form(
        city, "/ui/admin/import", "/ui/admin/import", files=files, kind="firms", skip_bad="1"
    )
    assert r.status_code == 200 and 'id="skipped"' in r.text
    assert ui.store.count_nodes("Firm") == firms + 1
