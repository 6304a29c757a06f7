"""What an officer reads on the pages, not what the store holds (review B: B3, B5, B8, C2, C4):
times in Beijing time in one format, names instead of ids and setting keys, the 1366 chains'
inherited 2026 targets on the chain list, the 一本账's grouped list columns, and a login page
without a command line. Real HTTP through the TestClient over the seeded store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.api.webui import Browsers, post_form

#: Beijing is UTC+8 all year (no summer time): the expected text is worked out here by hand
_BEIJING = timedelta(hours=8)


def _beijing(stored: str) -> str:
    return (datetime.fromisoformat(stored).astimezone(UTC) + _BEIJING).strftime("%Y-%m-%d %H:%M")


def test_token_times_are_beijing_time(ui: Browsers) -> None:
    city = ui.as_("city")
    token = ui.auth.create(
        "district", ["长兴县"], "长兴", expires=datetime(2030, 1, 1, 20, 30, tzinfo=UTC)
    )
    tid = ui.auth.principal(token).token_id
    row = city.get("/ui/admin/tokens").text.split(f'id="token-{tid}"')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert "2030-01-02 04:30" in cells  # 20:30 UTC is 04:30 the next morning in Huzhou
    assert _beijing(ui.auth.token(tid).created) in cells
    # the new-token notice shows its expiry the same way
    r = post_form(
        city,
        "/ui/admin/tokens",
        "/ui/admin/tokens",
        role="city",
        name="x",
        expires="2030-06-01T00:00:00+00:00",
    )
    assert r.status_code == 201 and "有效期至 2030-06-01 08:00" in r.text


def test_audit_times_are_beijing_time_without_a_t(ui: Browsers) -> None:
    city = ui.as_("city")
    post_form(city, "/ui/admin/tokens", "/ui/admin/tokens", role="city", name="审计")
    stored = ui.auth.audit_log(limit=1)[0]["at"]
    text = city.get("/ui/admin/audit").text
    assert f">{_beijing(stored)}</td>" in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)


def test_token_scopes_and_roles_by_name(ui: Browsers) -> None:
    city = ui.as_("city")
    ui.auth.create("chain-leader", ["1366:icv"], "汽车链长")
    ui.auth.create("chain", ["e2:bio"], "生物医药 2.0")
    text = city.get("/ui/admin/tokens").text
    table = text.split('id="tokens"')[1]
    assert '<td data-label="范围">智能网联新能源汽车</td>' in table
    assert '<td data-label="范围">生物医药（八大新兴产业链 2.0 版）</td>' in table  # not 1366's
    assert "1366:icv" not in text and "e2:bio" not in text
    assert '<option value="city">市链长办</option>' in text and "（city）" not in text
    r = post_form(city, "/ui/admin/tokens", "/ui/admin/tokens", role="chain", scope="1366:bio")
    assert r.status_code == 201
    notice = r.text.split('id="created"')[1].split("</div>")[0]
    assert "范围 生物医药" in notice and "1366:bio" not in notice


def _visible(html: str) -> str:
    """The page's text as read: tags and their attributes (titles included) removed."""
    return re.sub(r"<[^>]*>", "", html)


def test_ledger_list_sizes_grouped_and_settings_without_keys(ui: Browsers) -> None:
    city = ui.as_("city")
    for path in ("/ui/ledger?month=2026-10", "/ui/ledger/print?month=2026-10"):
        text = city.get(path).text
        head = text.split('id="list-sizes"')[1].split("</thead>")[0]
        assert re.search(r'<th colspan="6"[^>]*>六张清单</th>', head)
        assert re.search(r'<th colspan="3"[^>]*>三张新清单</th>', head)
        assert head.count(">新开工</th>") == 2  # one in each group, under its group's header
        settings = text.split("<h2>本办设置</h2>")[1].split("</div>")[0]
        assert "签约未开工宽限期：" in _visible(settings)
        assert "CHAINATLAS_" not in _visible(settings)
        assert 'title="设置项 CHAINATLAS_GRACE_SIGN_TO_START"' in settings


def _chain_row(page: str, chain: str) -> str:
    return page.split(f'<a href="/ui/chain/{chain}">')[1].split("</tr>")[0]


def test_chain_list_shows_inherited_targets_as_the_chain_page_does(ui: Browsers) -> None:
    city = ui.as_("city")
    chains = city.get("/ui/chains").text
    chain_page = city.get("/ui/chain/1366:bio").text
    m = re.search(
        r"2026 年产值目标：([0-9.]+) 亿元；当前本地产值 [0-9.]+ 亿元。([^<]+)</p>", chain_page
    )
    assert m is not None and m.group(2).startswith("继承")
    bio = _chain_row(chains, "1366:bio")
    assert f"{float(m.group(1)):g} 亿元" in bio and m.group(2) in bio
    assert "—（种子未给）" in _chain_row(chains, "1366:ai")  # no 2.0 chain hands it a target
    assert "到2026年规模突破500亿元" in _chain_row(chains, "e2:bio")  # the seed's own words


def test_login_page_asks_the_office_not_a_command(ui: Browsers) -> None:
    text = ui.as_("city").get("/ui/login").text
    assert "访问令牌（向市链长办申请）" in text and "chainatlas token" not in text
    assert "会话已结束" not in text  # a first visit: nothing has ended


def test_a_revoked_token_ends_the_session_with_a_notice(ui: Browsers) -> None:
    officer = ui.as_("district", ["长兴县"], name="长兴招商")
    assert officer.get("/ui/projects").status_code == 200
    tid = next(t.id for t in ui.auth.tokens() if t.name == "长兴招商")
    ui.auth.revoke(tid)
    r = officer.get("/ui/problems?view=all", follow_redirects=False)
    assert r.status_code == 303 and "ended=1" in r.headers["location"]
    login = officer.get(r.headers["location"])
    assert 'id="ended"' in login.text and "会话已结束，请重新登录" in login.text
    assert 'name="next" value="/ui/problems?view=all"' in login.text  # back where it was
    # said once: the stale session cookie is gone, a later visit is an ordinary login
    again = officer.get("/ui/projects", follow_redirects=False)
    assert again.status_code == 303 and "ended" not in again.headers["location"]


def test_logging_out_is_not_an_ended_session(ui: Browsers) -> None:
    city = ui.as_("city")
    post_form(city, "/ui/logout", "/ui/logout")
    r = city.get("/ui/projects", follow_redirects=False)
    assert r.status_code == 303 and "ended" not in r.headers["location"]
