"""Refusals on the web pages speak office words (review B, s6, B4.5): no 「请求有误：」 or
「数据不合规：」 (HTTP's words) before the reason, on a form's error line or an error page; the
status stays, and the API's problem+json keeps its titles for its clients."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from chainatlas.api.errors import PAGE_TITLES
from tests.api.webui import Browsers, post_form

P = "project:1366:robot:2"  # 长兴县, 招商引资 (sample data)
PAGE = f"/ui/project/{P}"
HTTP_WORDS = tuple(PAGE_TITLES)


def _error_line(html: str) -> str:
    m = re.search(r'id="form-error">(.*?)</p>', html, re.S)
    assert m is not None, html[-800:]
    return m.group(1)


def test_a_refused_form_says_it_could_not_be_done(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"])
    r = post_form(team, f"{PAGE}/stage", PAGE, to="落地开工")  # skips 研判会商: a 400
    line = _error_line(r.text)
    assert r.status_code == 400 and line.startswith("无法完成："), line
    assert not any(w in line for w in HTTP_WORDS)
    r = post_form(team, f"{PAGE}/follow-up", PAGE, note="x" * 3000)  # too long: a 422
    assert r.status_code == 422, r.text[-600:]
    assert _error_line(r.text).startswith("无法完成：")


def test_an_error_page_titles_in_office_words(ui: Browsers, client: TestClient) -> None:
    city = ui.as_("city")
    r = city.get("/ui/ledger?month=2026-13")
    h1 = re.search(r"<h1>(.*?)</h1>", r.text, re.S)
    assert r.status_code == 422 and h1 is not None and h1.group(1) == "无法完成", r.text[-600:]
    assert not any(w in r.text for w in HTTP_WORDS)
    # the API keeps its titles
    r = client.get("/api/v1/ledger/lists?month=2026-13")
    assert r.status_code == 422 and r.json()["title"] == "参数无效", r.text
