"""The ckg converter on the real data set (skipped where ../shared is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.io.sources.ckg import ckg_to_bundle, is_noise_product, region_of
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


class TestRegionFromTheFullName:
    """Firms whose full name starts with a city (无锡宏盛…, 营口金辰…) had no region: only
    province prefixes were read."""

    @pytest.mark.parametrize(
        ("fullname", "region"),
        [
            ("无锡宏盛换热器制造股份有限公司", "江苏省"),  # prefecture-level city
            ("营口金辰机械股份有限公司", "辽宁省"),
            ("昆山国力电子科技股份有限公司", "江苏省"),  # county-level city
            ("义乌华鼎锦纶股份有限公司", "浙江省"),
            ("延边石岘白麓纸业股份有限公司", "吉林省"),  # autonomous prefecture, short form
            ("纽威数控装备（苏州）股份有限公司", "江苏省"),  # a place in brackets
            ("天顺风能(苏州)股份有限公司", "江苏省"),
            ("凯莱英医药集团(天津)股份有限公司", "天津市"),
            ("江苏恒瑞医药股份有限公司", "江苏省"),  # provinces as before
            ("新疆天业股份有限公司", "新疆维吾尔自治区"),  # the province's full name
            ("浙江湖州某某股份有限公司", "湖州市"),
        ],
    )
    def test_places(self, fullname: str, region: str) -> None:
        assert region_of(fullname) == region

    @pytest.mark.parametrize(
        "fullname",
        [
            "东方电气股份有限公司",
            "东兴证券股份有限公司",
            "中集车辆（集团）股份有限公司",
            "孩子王儿童用品股份有限公司",
        ],
    )
    def test_names_that_name_no_place(self, fullname: str) -> None:
        assert region_of(fullname) is None

    def test_the_converter_writes_them(self, tmp_path: Path) -> None:
        src = tmp_path / "ckg"
        src.mkdir()
        (src / "companies.csv").write_text(
            "code,name,fullname,exchange,listed\n"
            "603090,宏盛股份,无锡宏盛换热器制造股份有限公司,SH,2016-08-31\n"
            "603396,金辰股份,营口金辰机械股份有限公司,SH,2017-10-18\n"
            "600875,东方电气,东方电气股份有限公司,SH,1995-10-10\n",
            "utf-8",
        )
        for name, rows in {
            "company_industry.csv": "company,industry\n603090,640000",
            "company_product.csv": "company,product,weight\n603090,换热器,1.0",
            "industries.csv": "code,name\n640000,机械设备",
            "industry_parent.csv": "child,parent",
            "product_downstream.csv": "product,downstream_product\n换热器,空调",
            "product_subtype.csv": "product,subtype\n换热器,板式换热器",
            "product_upstream.csv": "product,upstream_material\n换热器,钢材",
        }.items():
            (src / name).write_text(rows + "\n", "utf-8")
        ckg_to_bundle(src, tmp_path / "out")
        with (tmp_path / "out" / "nodes_Firm.csv").open(encoding="utf-8") as f:
            got = {r["name"]: (r["region"], r["region_source"]) for r in csv.DictReader(f)}
        assert got == {
            "宏盛股份": ("江苏省", "fullname"),
            "金辰股份": ("辽宁省", "fullname"),
            "东方电气": ("", ""),
        }
