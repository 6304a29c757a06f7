"""问题闭环 puts the urgent problems first: 特别重大, then 重大, then 一般, each by due date, so
the problems people raise are not buried under the many 五未督办 items the system raises; the
page and the API filter by level and by kind (人提的问题 / 五未督办), the tabs and pages keep
the filters, and a bad filter is refused in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.api.supervisor import sync_as_system
from chainatlas.graph.rules import Grace
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.problems import raise_problem
from chainatlas.graph.workflows.supervision import SOURCE
from tests.api.webui import login

P = "project:1366:storage:1"


@pytest.fixture
def loop(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The sample's 五未督办 items (many, 一般) and three raised problems whose due dates run
    against their urgency: the 一般 one is due first, the 特别重大 one last."""
    today = date.today()
    auth = AuthStore(tmp_path / "auth.db")
    sync_as_system(seeded, Grace(), auth, tmp_path)
    for title, level, days in (("一般问题", "一般", 1), ("重大问题", "重大", 5)):
        raise_problem(seeded, title, level, project=P, due=today + timedelta(days=days))
    raise_problem(seeded, "特别重大问题", "特别重大", project=P, due=today + timedelta(days=9))
    with TestClient(create_app(settings, seeded, auth)) as c:
        assert login(c, auth.create("city", [], "市链长办")).status_code == 303
        yield c, {"Authorization": f"Bearer {auth.create('city', [], 'api')}"}
    auth.close()


def _titles(html: str) -> list[str]:
    return re.findall(r'<td class="firm"><strong>([^<]*)</strong>', html)


def test_the_page_puts_the_most_urgent_first(loop) -> None:  # type: ignore[no-untyped-def]
    c, _ = loop
    rows = _titles(c.get("/ui/problems").text)
    assert len(rows) == 30  # a full first page, most of the problems 五未督办 items
    assert rows[:3] == ["特别重大问题", "重大问题", "一般问题"]  # 一般问题 is due first of all


def test_the_page_filters_by_kind_and_level(loop) -> None:  # type: ignore[no-untyped-def]
    c, _ = loop
    raised = c.get("/ui/problems", params={"kind": "人提的问题"}).text
    assert _titles(raised) == ["特别重大问题", "重大问题", "一般问题"]
    assert 'href="/ui/problems?view=todo&amp;kind=' in raised  # the tabs keep the filter
    auto = c.get("/ui/problems", params={"kind": "五未督办"}).text
    assert _titles(auto) and not {"特别重大问题", "重大问题", "一般问题"} & set(_titles(auto))
    assert all("：" in t for t in _titles(auto))  # 「投产未上规：…」
    assert _titles(c.get("/ui/problems", params={"level": "重大"}).text) == ["重大问题"]
    both = c.get("/ui/problems", params={"level": "一般", "kind": "人提的问题"}).text
    assert _titles(both) == ["一般问题"]
    assert 'id="f-level"' in both and '<option value="一般" selected>' in both
    empty = c.get("/ui/problems", params={"level": "特别重大", "kind": "五未督办"}).text
    assert "没有符合条件的问题" in empty


def test_the_pager_and_the_step_forms_keep_the_filters(loop, seeded: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    c, _ = loop
    for i in range(30):  # 33 raised problems: two pages of them
        raise_problem(seeded, f"问题{i:02d}", "一般", project=P)
    first = c.get("/ui/problems", params={"kind": "人提的问题"}).text
    assert "view=open&amp;kind=%E4%BA%BA%E6%8F%90%E7%9A%84%E9%97%AE%E9%A2%98&amp;p=2" in first
    second = c.get("/ui/problems", params={"kind": "人提的问题", "p": 2}).text
    assert len(_titles(second)) == 3 and not any("：" in t for t in _titles(second))
    back = "/ui/problems?view=open&amp;kind=%E4%BA%BA%E6%8F%90%E7%9A%84%E9%97%AE%E9%A2%98&amp;p=2"
    assert f'name="back" value="{back}"' in second


@pytest.mark.parametrize(("name", "value"), [("level", "紧急"), ("kind", "自动")])
def test_a_bad_filter_is_refused_in_chinese(loop, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    c, h = loop
    page = c.get("/ui/problems", params={name: value})
    assert page.status_code == 422
    assert ("级别" if name == "level" else "类型") in page.text and value in page.text
    api = c.get("/api/v1/problems", params={name: value}, headers=h)
    assert api.status_code == 422 and value in api.text


def test_the_api_lists_the_most_urgent_first_and_filters(loop) -> None:  # type: ignore[no-untyped-def]
    c, h = loop
    data = c.get("/api/v1/problems", headers=h).json()["data"]
    assert [x["props"]["title"] for x in data[:3]] == ["特别重大问题", "重大问题", "一般问题"]
    auto = c.get("/api/v1/problems", params={"kind": "五未督办"}, headers=h).json()
    assert auto["count"] == len(data) - 3
    assert {x["props"]["source"] for x in auto["data"]} == {SOURCE}
    raised = c.get("/api/v1/problems", params={"kind": "人提的问题", "level": "重大"}, headers=h)
    assert [x["props"]["title"] for x in raised.json()["data"]] == ["重大问题"]
