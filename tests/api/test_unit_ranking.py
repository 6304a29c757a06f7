"""按责任单位 晾晒 and the dossier without a responsible unit (review R, B6): the projects without
one are not a unit — not ranked, shown last as 「未填写（n 个项目）」; the dossier shows 「—」."""

from __future__ import annotations

import html
import re

from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers


def _without_unit(store: EmbeddedStore, count: int) -> list[str]:
    """Clear the responsible unit of ``count`` sample projects (as a form left blank does)."""
    projects = sorted(store.find_nodes("Project"), key=lambda n: n.id)[:count]
    cleared = [Node(p.id, "Project", {**p.props, "responsible_unit": None}) for p in projects]
    store.apply(Batch(nodes=cleared))
    return [p.id for p in projects]


def _unit_rows(page: str) -> list[list[str]]:
    section = page[page.index("<h2>按责任单位</h2>") :]
    table = section[: section.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_projects_without_a_unit_are_last_and_unranked(ui: Browsers, seeded: EmbeddedStore) -> None:
    blank = _without_unit(seeded, 3)
    rows = _unit_rows(ui.as_("city").get("/ui/ledger?month=2026-11").text)
    assert rows[-1][0] == "—" and rows[-1][1] == f"未填写（{len(blank)} 个项目）"
    assert [int(r[0]) for r in rows[:-1]] == list(range(1, len(rows)))
    assert all("未填写" not in r[1] for r in rows[:-1])


def test_the_dossier_shows_a_dash_for_no_unit(ui: Browsers, seeded: EmbeddedStore) -> None:
    (project,) = _without_unit(seeded, 1)
    page = html.unescape(ui.as_("city").get(f"/ui/project/{project}").text)
    assert "责任单位：—" in page and "未填写责任单位" not in page
