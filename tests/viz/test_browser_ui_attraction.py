"""The 招商图 page in a real browser (Debian's chromium via Playwright) at 1440 and 390 px, as the
市链长办 and as a district's 招商团队: it becomes ready, logs no console error, sends nothing off
127.0.0.1 and fits the screen; the filter form narrows the list, a segment pages through its
targets, one segment's interactive view opens from its section.

The same page is checked on the real ckg data too: in ``$CHAINATLAS_CKG_HOME`` when set (a data
directory holding the seeds and the imported ckg data set), else in one made from ``../shared``
(skipped where it is absent).

Screenshots go to the test's temporary folder, or to ``$CHAINATLAS_SCREENSHOTS`` when set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.index_cache import cached_index
from tests.conftest import needs_chromium, served, shared_or_skip
from tests.viz.browser_tab import Tab
from tests.viz.browser_tab import shots as _shots

pytestmark = needs_chromium
CHAIN = "1366:storage"
MAP = f"/ui/chain/{CHAIN}/map"
CELL = "seg:电芯"
#: a chain where the ckg data gives the ranker something to infer (生物医药: 21 weak or
#: missing segments, 83 targets of which 29 inferred)
CKG_MAP = "/ui/chain/1366:bio/map"


def _ready(pg: Any) -> None:
    pg.locator("body[data-ready='1']").wait_for(timeout=60_000)


def _fits(pg: Any) -> None:
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def _sections(pg: Any) -> list[tuple[str, str]]:
    return [
        (s.get_attribute("data-segment"), s.get_attribute("data-verdict"))
        for s in pg.locator("section.seg-group").all()
    ]


def _filter(pg: Any, **choices: str) -> None:
    for name, value in choices.items():
        pg.select_option(f"#f-{name}", value)
    with pg.expect_navigation():
        pg.click("#apply-filters")
    _ready(pg)


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("role", ["city", "district"])
def test_filters_and_paging_as_the_office_and_a_district(  # type: ignore[no-untyped-def]
    browser,  # noqa: F811
    service,  # noqa: F811
    seeded: EmbeddedStore,
    tmp_path: Path,
    width: int,
    role: str,
) -> None:
    # fourteen outside firms recorded in 电芯: more than one page of that segment
    seeded.upsert_nodes(
        [
            Node(f"firm:t{i:02}", "Firm", {"name": f"外地电芯{i:02}", "region": "苏州市"})
            for i in range(14)
        ]
    )
    seeded.upsert_relationships(
        [Relationship(f"firm:t{i:02}", "OPERATES_IN", CELL, {"weight": 0.5}) for i in range(14)]
    )
    base, auth = service
    scope = ["长兴县"] if role == "district" else []
    tab = Tab(
        browser, base, auth.create(role, scope, "市链长办" if role == "city" else "长兴招商"), width
    )
    out = _shots(tmp_path)
    pg = tab.open(MAP)
    _fits(pg)
    pg.screenshot(path=str(out / f"map-{role}-{width}.png"), full_page=True)
    secs = _sections(pg)
    assert secs[0][1] == "missing" and secs[-1][1] == "weak"
    assert "缺环节在前、弱环节在后" in pg.inner_text("#map-intro")
    if role == "district":
        assert pg.locator("#landing tr.mine").first.inner_text().startswith("长兴县")

    _filter(pg, kind="inferred")
    assert pg.locator("table.targets.known").count() == 0
    assert pg.locator("table.targets.inferred").count() > 0
    assert "kind=inferred" in str(pg.get_attribute("#export-xlsx", "href"))
    _filter(pg, kind="", region="苏州市")
    regions = pg.locator("table.known tbody td:nth-child(2)").all_inner_texts()
    regions += pg.locator("table.inferred tbody td:nth-child(3)").all_inner_texts()
    assert regions and set(regions) == {"苏州市"}
    pg.click("#clear-filters")
    _ready(pg)

    cell = pg.locator(f'section[data-segment="{CELL}"]')
    assert cell.locator("a.firm-link").count() == 10
    with pg.expect_navigation():
        cell.locator("a[rel=next]").click()
    _ready(pg)
    assert _sections(pg) == [(CELL, "missing")]
    assert "第 11–14 家" in pg.inner_text("section.seg-group .pager")
    assert pg.locator("a.firm-link").count() == 4
    _fits(pg)
    pg.screenshot(path=str(out / f"map-{role}-{width}-page2.png"), full_page=True)

    with pg.expect_navigation():
        pg.click("section.seg-group a.seg-view")
    _ready(pg)  # one segment's interactive view
    assert tab.errors == [] and tab.outside == []
    tab.close()


@pytest.fixture(scope="module")
def ckg_home(seeded_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$CHAINATLAS_CKG_HOME`` if set, else a data directory made here: the seeds and sample
    data, then the ckg data set of ``../shared`` imported (skips where ``../shared`` is absent)."""
    if home := os.environ.get("CHAINATLAS_CKG_HOME"):
        return Path(home)
    import shutil

    from chainatlas.graph.io.bundle import import_bundle
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle

    data = shared_or_skip("data", "ckg")
    home = tmp_path_factory.mktemp("ckg-home")
    shutil.copy(seeded_path, home / "graph.db")
    ckg_to_bundle(data, home / "bundle")
    store = EmbeddedStore(home / "graph.db")
    import_bundle(store, home / "bundle", progress=False)
    store.close()
    return home


@pytest.fixture
def ckg_service(ckg_home: Path, tmp_path: Path) -> Iterator[tuple[str, AuthStore]]:
    home = str(ckg_home)
    store = EmbeddedStore(Path(home) / "graph.db")
    if store.count_nodes("Firm") < 1000:
        pytest.skip(f"{home} holds no imported ckg data")
    # the index of the real data: built (minutes) or loaded before the browser's clock runs
    cached_index(store, home=Path(home))
    auth = AuthStore(tmp_path / "auth.db")
    app = create_app(Settings(home=Path(home)), store, auth)
    with served(app, tries=300) as port:
        yield f"http://127.0.0.1:{port}", auth
    auth.close()
    store.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_the_real_ckg_data(  # type: ignore[no-untyped-def]
    browser,  # noqa: F811
    ckg_service,
    tmp_path: Path,
    width: int,
) -> None:
    base, auth = ckg_service
    tab = Tab(browser, base, auth.create("city", [], "市链长办"), width)
    out = _shots(tmp_path)
    pg = tab.open(CKG_MAP)
    _fits(pg)
    pg.screenshot(path=str(out / f"map-ckg-{width}.png"), full_page=True)
    assert pg.locator("table.targets.inferred").count() > 0  # the ranker's inferences
    scores = [
        float(x) for x in pg.locator("table.targets.inferred td:nth-child(4)").all_inner_texts()
    ]
    assert scores and all(0 <= x <= 100 for x in scores)
    _filter(pg, tier="重点")
    tiers = pg.locator("table.targets.inferred td:nth-child(5)").all_inner_texts()
    assert set(tiers) <= {"重点"}
    pg.click("#clear-filters")
    _ready(pg)
    paged = pg.locator("section.seg-group a[rel=next]")
    if paged.count():
        with pg.expect_navigation():
            paged.first.click()
        _ready(pg)
        assert len(_sections(pg)) == 1
        _fits(pg)
        pg.screenshot(path=str(out / f"map-ckg-{width}-page2.png"), full_page=True)
    assert tab.errors == [] and tab.outside == []
    tab.close()
