"""Projects stored before the ledger's date rules (review R, 「What is left of it (B)」): a
签约日期 in the future or 开工 before 签约, kept by an older release, are named — the 驾驶舱's
notice, a list with links to their edit forms on the 补填所在区域 page, ``chainatlas stats``
(``--check`` exits 1) — while a write leaves them editable. Written straight through the store
API, as an older release left them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from click.testing import CliRunner

from chainatlas.api.cli import main
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers

FUTURE = "project:R将来"
ORDER = "project:先开工后签约"


def _store_old_projects(store: GraphStore) -> None:
    store.upsert_nodes(
        [
            Node(FUTURE, "Project", {"name": "R将来", "stage": "招商引资", "signed": "2099-05-01"}),
            Node(
                ORDER,
                "Project",
                {
                    "name": "先开工后签约",
                    "stage": "落地开工",
                    "signed": "2026-03-01",
                    "started": "2026-02-01",
                },
            ),
        ]
    )
    store.upsert_relationships(
        [
            Relationship(p, t, end)
            for p in (FUTURE, ORDER)
            for t, end in (("LOCATED_IN", "region:长兴县"), ("IN_CHAIN", "1366:robot"))
        ]
    )


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_home_page_and_the_list_name_them(ui: Browsers) -> None:
    _store_old_projects(ui.store)
    city = ui.as_("city")
    home = city.get("/").text
    m = re.search(r'id="dates-notice">(.*?)</p>', home, re.S)
    assert m is not None and "2 个项目的日期不符合规则" in _text(m.group(1))
    assert 'href="/ui/unplaced#bad-dates"' in m.group(1)
    page = city.get("/ui/unplaced").text
    table = page[page.index('id="bad-dates"') :]
    text = _text(table)
    assert "R将来" in text and "2099-05-01" in text and "先开工后签约" in text
    assert 'href="/ui/project/project%3AR%E5%B0%86%E6%9D%A5/edit"' in table
    # a district team sees its own district's (both are in 长兴县), another district none
    assert "dates-notice" in ui.as_("district", ["长兴县"]).get("/").text
    assert "dates-notice" not in ui.as_("district", ["吴兴区"]).get("/").text


def test_no_notice_for_the_sample(ui: Browsers) -> None:
    assert "dates-notice" not in ui.as_("city").get("/").text


def test_stats_lists_them(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def run(*args: str) -> tuple[int, str]:
        res = CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)
        return res.exit_code, res.output

    assert run("init")[0] == 0
    code, out = run("stats", "--check")
    assert code == 0 and "项目日期：全部符合规则" in out
    with EmbeddedStore(home / "graph.db") as store:
        _store_old_projects(store)
    code, out = run("stats")
    assert code == 0 and "2 个项目的日期不符合规则" in out and "R将来" in out
    assert run("stats", "--check")[0] == 1
    problems = json.loads(run("stats", "--json")[1])["date_problems"]
    assert sorted(p["id"] for p in problems) == sorted([FUTURE, ORDER])
