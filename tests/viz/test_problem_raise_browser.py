"""In chromium, at 1440 and 390 px: a problem raised a second time on the project page is
refused with the problem that stands named (review S, A1); the follow-ups and 「我提交的」 show
the token's name with the officer beside it (A3). Screenshots go to ``shots``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.viz.browser_tab import Tab, shots
from tests.viz.conftest import P

#: raised on the sample project by the ``service`` fixture
STANDING = "二期用地指标尚未落实"


@pytest.mark.parametrize("width", [1440, 390])
def test_a_second_raise_is_refused_and_my_problems_name_the_officer(
    browser: Any,
    service: tuple[str, AuthStore],
    seeded: EmbeddedStore,
    tmp_path: Path,
    width: int,
) -> None:
    base, auth = service
    region = str(seeded.require_node(P).props["region"])
    name = f"{region}招商团队"
    token = auth.create("district", [region], name)
    (standing,) = [p for p in seeded.find_nodes("Problem") if p.props["title"] == STANDING]
    body = {"title": "园区道路未通", "project": P, "by": "张三"}
    r = httpx.post(
        f"{base}/api/v1/problems", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201, r.text
    r = httpx.post(
        f"{base}/api/v1/projects/{P}/follow-ups",
        json={"note": "实地走访", "by": "李四"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    out = shots(tmp_path)
    tab = Tab(browser, base, token, width)

    page = tab.open(f"/ui/project/{P}")
    page.fill("#problem-title", STANDING)
    page.click("#raise")
    page.locator("body[data-ready='1']").wait_for()
    text = page.inner_text("main")
    assert f"今天已有同名问题「{STANDING}」" in text and standing.id in text
    assert f"实地走访 {name}（经办：李四）" in page.inner_text("#stages")
    page.locator("#form-problem").scroll_into_view_if_needed()
    page.screenshot(path=str(out / f"E-problem-twice-{width}.png"), full_page=True)
    assert seeded.require_node(standing.id).props == standing.props
    assert tab.errors == [
        "Failed to load resource: the server responded with a status of 409 (Conflict)"
    ]
    tab.errors.clear()  # the refused form's page answers 409: its own status, nothing else

    page = tab.open("/ui/problems?view=mine")
    page.locator("details summary").first.click()
    assert f"{name}（经办：张三）" in page.inner_text("main")
    page.screenshot(path=str(out / f"E-problems-mine-{width}.png"), full_page=True)
    tab.done()
