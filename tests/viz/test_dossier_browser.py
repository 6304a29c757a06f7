"""The project dossier page in a real browser (Debian's chromium via Playwright): laid out for a
desktop, a 390 px phone and print, with nothing fetched from the network."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.dossier import project_dossier
from chainatlas.graph.workflows.ledger import add_follow_up
from chainatlas.graph.workflows.problems import raise_problem
from chainatlas.viz.dossier import dossier_html
from tests.conftest import needs_chromium
from tests.viz.browser_tab import files_only

pytestmark = needs_chromium
P = "project:1366:storage:1"

LAYOUT = """() => {
  const facts = document.querySelector('.facts');
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    columns: getComputedStyle(facts).gridTemplateColumns.split(' ').length,
    title: document.querySelector('h1').getBoundingClientRect().width > 0,
    sections: document.querySelectorAll('section').length,
    scroll: getComputedStyle(document.querySelector('.scroll')).overflowX,
  };
}"""


@pytest.fixture
def page_file(seeded: EmbeddedStore, tmp_path: Path) -> Path:
    add_follow_up(
        seeded, P, "走访企业，协调用电增容与能耗指标，企业希望年内完成二期备案", by="长兴县投促局"
    )
    raise_problem(
        seeded, "二期用地指标尚未落实，需自然资源部门协调", project=P, today=date(2026, 9, 1)
    )
    path = tmp_path / "dossier.html"
    path.write_text(dossier_html(project_dossier(seeded, P)), "utf-8")
    return path


@pytest.mark.parametrize("width, columns", [(1280, 2), (390, 1)])
def test_dossier_lays_out_offline(
    browser, page_file: Path, tmp_path: Path, width: int, columns: int
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside = files_only(page)
    page.goto(page_file.as_uri())
    got = page.evaluate(LAYOUT)
    page.screenshot(path=str(tmp_path / f"dossier-{width}.png"), full_page=True)
    assert got["overflow"] <= 0, got  # nothing wider than the screen
    assert got["columns"] == columns and got["title"] and got["sections"] == 7
    assert got["scroll"] == "auto"  # wide tables scroll inside their box on screen
    assert outside == [] and errors == []
    page.emulate_media(media="print")
    assert page.evaluate(LAYOUT)["scroll"] == "visible"  # on paper nothing is cut off
    pdf = tmp_path / "dossier.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
    page.close()
