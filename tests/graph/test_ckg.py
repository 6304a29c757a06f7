"""The ckg converter on the real data set (skipped where ../shared is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.io.sources.ckg import ckg_to_bundle, is_noise_product
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import shared_or_skip


@pytest.fixture(scope="module")
def ckg_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    src = shared_or_skip("data", "ckg")
    out = tmp_path_factory.mktemp("ckg") / "bundle"
    ckg_to_bundle(src, out)
    return src, out


def test_duplicate_codes_resolved(ckg_bundle: tuple[Path, Path]) -> None:
    src, out = ckg_bundle
    with (src / "companies.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    codes = {r["code"].zfill(6) for r in rows}
    assert len(rows) > len(codes)  # the source really has duplicates
    with (out / "nodes_Firm.csv").open(encoding="utf-8") as f:
        firms = list(csv.DictReader(f))
    assert len(firms) == len(codes)
    by_code = {r["stock_code"]: r for r in firms}
    # a STAR-market code (688…) listed in 2010 is impossible: the row that fits the board wins
    fits = {r["code"] for r in rows if r["code"].startswith("688") and r["listed"] >= "2019-07-22"}
    bad = [r for r in rows if r["code"] in fits and r["listed"] < "2019-07-22"]
    assert bad
    for r in bad:
        assert by_code[r["code"]]["fullname"] != r["fullname"]
        assert r["fullname"] in by_code[r["code"]]["former_names:string[]"].split(";")


def test_noise_products_dropped(ckg_bundle: tuple[Path, Path]) -> None:
    _, out = ckg_bundle
    with (out / "nodes_Segment.csv").open(encoding="utf-8") as f:
        names = [r["name"] for r in csv.DictReader(f)]
    assert "分部间抵销" not in names and "平衡项目" not in names
    assert not any(is_noise_product(n) for n in names)
    assert "锂电池" in names or "动力电池" in names


def test_import_counts_match_the_bundle(ckg_bundle: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = ckg_bundle
    expected_rows = sum(sum(1 for _ in open(p, encoding="utf-8")) - 1 for p in out.glob("*.csv"))
    with EmbeddedStore(tmp_path / "g.db") as store:
        rep = import_bundle(store, out, progress=False)
        c = store.counts()
        assert rep.nodes + rep.relationships == expected_rows
        assert c.nodes > 75_000 and c.relationships > 125_000
        assert c.labels["Firm"] > 4_500 and c.labels["Industry"] == 511
        # products are segments: an upstream edge is material → product
        assert c.types["UPSTREAM_OF"] > 50_000 and c.types["SUBSEGMENT_OF"] > 50_000
        w = [r.props["weight"] for r in store.iter_relationships("OPERATES_IN")]
        assert all(0 <= x <= 1 for x in w)
