"""The audit page names each write in the office's words (review B, s6): 「推进阶段」, 「登记跟进」,
「签发令牌（网页）」 instead of ``POST /ui/project/…/stage``; the raw request stays as the cell's
tooltip, and a request the table does not know (a command line) shows as it is."""

from __future__ import annotations

import html
import re

from chainatlas.api.auth import Principal
from chainatlas.api.routes.ui.admin import ACTIONS
from tests.api.webui import Browsers, post_form

P = "project:1366:robot:2"  # 长兴县, 招商引资 (sample data)
PAGE = f"/ui/project/{P}"


def _cells(page: str) -> list[tuple[str, str]]:
    """(tooltip, text) of each 操作 cell of the audit table."""
    cells = re.findall(r'<td class="action" title="([^"]*)">([^<]*)</td>', page)
    return [(html.unescape(t), html.unescape(x)) for t, x in cells]


def test_the_audit_page_names_each_write(ui: Browsers) -> None:
    team = ui.as_("district", ["长兴县"])
    assert post_form(team, f"{PAGE}/stage", PAGE, to="研判会商").status_code == 303
    r = post_form(team, f"{PAGE}/follow-up", PAGE, note="电话回访")
    assert r.status_code == 303, r.text[-500:]
    city = ui.as_("city")
    post_form(city, "/ui/admin/tokens", "/ui/admin/tokens", role="city", name="新令牌")
    cli = Principal("命令行（市链长办）", "city", (), "cli")
    ui.auth.audit(cli, "CLI", "chainatlas problem supervise", None, None, {})
    cells = _cells(city.get("/ui/admin/audit").text)
    assert (f"POST {PAGE}/stage", "推进阶段") in cells
    assert (f"POST {PAGE}/follow-up", "登记跟进") in cells
    assert ("POST /ui/admin/tokens", ACTIONS[("POST", "/ui/admin/tokens")]) in cells
    raw = "CLI chainatlas problem supervise"
    assert (raw, raw) in cells  # unknown: as it is
