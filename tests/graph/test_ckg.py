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


#: The smallest good ckg folder: one firm, one product of each relation, one industry.
_GOOD = {
    "companies.csv": "code,name,fullname,exchange,listed\n"
    "603090,宏盛股份,无锡宏盛换热器制造股份有限公司,SH,2016-08-31\n",
    "company_industry.csv": "company,industry\n603090,640000\n",
    "company_product.csv": "company,product,weight\n603090,换热器,1.0\n",
    "industries.csv": "code,name\n640000,机械设备\n",
    "industry_parent.csv": "child,parent\n",
    "product_downstream.csv": "product,downstream_product\n换热器,空调\n",
    "product_subtype.csv": "product,subtype\n换热器,板式换热器\n",
    "product_upstream.csv": "product,upstream_material\n换热器,钢材\n",
}


def _ckg_folder(where: Path, **changed: str | bytes | None) -> Path:
    """A copy of :data:`_GOOD` in ``where/ckg`` with some files replaced (``None``: left out);
    a keyword is the file name without ``.csv``."""
    src = where / "ckg"
    src.mkdir()
    files = {**_GOOD, **{f"{k}.csv": v for k, v in changed.items()}}
    for name, content in files.items():
        if isinstance(content, bytes):
            (src / name).write_bytes(content)
        elif content is not None:
            (src / name).write_text(content, "utf-8")
    return src


class TestBadSourceFiles:
    """A user's copy of the ckg data may be broken in ordinary ways; each is refused with one
    Chinese message naming the file (and row or column), and no output is left behind. Before:
    a 0-byte ``company_product.csv`` crashed with pandas' EmptyDataError after half the bundle
    was written, a header-only relation crashed with a TypeError, a row with a field too many
    was read shifted by one column (the code taken as the index) and silently lost."""

    @pytest.mark.parametrize(
        ("changed", "expected"),
        [
            ({"company_product": None}, ["company_product.csv", "不存在"]),
            ({"company_product": ""}, ["company_product.csv", "空", "company,product,weight"]),
            ({"companies": ""}, ["companies.csv", "空"]),
            ({"industries": b"\xef\xbb\xbf"}, ["industries.csv", "表头缺少列 code、name"]),
            (
                {"companies": "code,name,fullname,exchange,listed\n"},
                ["companies.csv", "没有数据行", "必需"],
            ),
            (
                {"company_product": "company,product\n603090,换热器\n"},
                ["company_product.csv", "weight"],
            ),
            (
                {"companies": "code,name,fullname,exchange\n603090,宏盛股份,无锡宏盛,SH\n"},
                ["companies.csv", "listed"],
            ),
            (
                {"company_product": "company,product,weight\n603090,换热器,1.0\n".encode("gbk")},
                ["company_product.csv", "第 2 行", "UTF-8", "GBK"],
            ),
            (
                {"product_upstream": b"product,upstream_material\n\xff\xfe,x\n"},
                ["product_upstream.csv", "第 2 行", "UTF-8"],
            ),
            (
                {"company_product": "company,product,weight\n603090,换热器,1.0\n603090,a,b,0.5\n"},
                ["company_product.csv", "第 3 行", "4 个字段", "3 列"],
            ),
            (
                {"industries": "code,name\n640000\n"},
                ["industries.csv", "第 2 行", "1 个字段", "2 列"],
            ),
        ],
        ids=[
            "missing",
            "zero-bytes",
            "zero-bytes-companies",
            "bom-only",
            "companies-header-only",
            "missing-column",
            "missing-column-companies",
            "gbk",
            "bad-bytes",
            "too-many-fields",
            "too-few-fields",
        ],
    )
    def test_refused_with_a_chinese_message(
        self, tmp_path: Path, changed: dict[str, str | bytes | None], expected: list[str]
    ) -> None:
        from chainatlas.graph.io.sources.ckg import CkgError

        src = _ckg_folder(tmp_path, **changed)
        out = tmp_path / "out" / "bundle"
        with pytest.raises(CkgError) as err:
            ckg_to_bundle(src, out)
        for part in expected:
            assert part in str(err.value)
        assert not out.exists()
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    def test_header_only_relations_are_empty_relations(self, tmp_path: Path) -> None:
        """Only companies.csv must hold rows: a relation file with its header alone is a
        relation without edges."""
        src = _ckg_folder(
            tmp_path,
            company_product="company,product,weight\n",
            company_industry="company,industry\n",
            industries="code,name\n",
            product_upstream="product,upstream_material\n",
            product_subtype="product,subtype\n",
            product_downstream="\ufeffproduct,downstream_product\r\n",  # Excel's BOM and CRLF
        )
        rep = ckg_to_bundle(src, tmp_path / "out")
        assert rep.firms == 1 and rep.segments == 0 and rep.industries == 0
        assert set(rep.relationships.values()) == {0}
        with EmbeddedStore(tmp_path / "g.db") as store:
            imported = import_bundle(store, tmp_path / "out", progress=False)
            assert imported.nodes == 1 and imported.relationships == 0

    def test_a_failed_conversion_keeps_the_previous_bundle(self, tmp_path: Path) -> None:
        good = _ckg_folder(tmp_path)
        out = tmp_path / "bundle"
        ckg_to_bundle(good, out)
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        bad = tmp_path / "bad"
        good.rename(bad)
        (bad / "product_subtype.csv").write_text("product\n换热器\n", "utf-8")
        from chainatlas.graph.io.sources.ckg import CkgError

        with pytest.raises(CkgError, match="product_subtype.csv"):
            ckg_to_bundle(bad, out)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "bundle"]

    def test_a_folder_of_other_files_is_not_overwritten(self, tmp_path: Path) -> None:
        from chainatlas.graph.io.sources.ckg import CkgError

        out = tmp_path / "mine"
        out.mkdir()
        (out / "notes.txt").write_text("keep me", "utf-8")
        with pytest.raises(CkgError, match="notes.txt|不是 bundle"):
            ckg_to_bundle(_ckg_folder(tmp_path), out)
        assert [p.name for p in out.iterdir()] == ["notes.txt"]

    def test_an_output_that_cannot_be_made(self, tmp_path: Path) -> None:
        """Before: FileExistsError with its traceback."""
        from chainatlas.graph.io.sources.ckg import CkgError

        (tmp_path / "afile").write_text("x", "utf-8")
        with pytest.raises(CkgError, match="无法写入输出目录.*同名的文件"):
            ckg_to_bundle(_ckg_folder(tmp_path), tmp_path / "afile" / "bundle")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "ckg"]

    def test_a_directory_in_place_of_a_file(self, tmp_path: Path) -> None:
        from chainatlas.graph.io.sources.ckg import CkgError

        src = _ckg_folder(tmp_path, industries=None)
        (src / "industries.csv").mkdir()
        with pytest.raises(CkgError, match="industries.csv.*这是一个目录"):
            ckg_to_bundle(src, tmp_path / "out")

    def test_a_bundle_is_replaced_whole(self, tmp_path: Path) -> None:
        """Converting again into the same folder replaces the bundle: no file of the old one
        is left (a stale rels file would be imported with the new ones)."""
        out = tmp_path / "bundle"
        ckg_to_bundle(_ckg_folder(tmp_path), out)
        (out / "rels_STALE.csv").write_text(":START_ID,:END_ID,:TYPE\n", "utf-8")
        (tmp_path / "ckg" / "company_product.csv").write_text(
            "company,product,weight\n603090,冷凝器,0.5\n", "utf-8"
        )
        ckg_to_bundle(tmp_path / "ckg", out)
        assert not (out / "rels_STALE.csv").exists()
        assert "seg:冷凝器" in (out / "rels_OPERATES_IN.csv").read_text("utf-8")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "ckg"]


class TestTheScript:
    """``scripts/ckg_to_bundle.py``: a bad folder is one line on stderr and exit status 2."""

    @pytest.mark.parametrize(
        ("changed", "expected"),
        [
            ({"company_product": ""}, "company_product.csv"),
            ({"company_product": "company,product,weight\n603090,a,b,0.5\n"}, "第 2 行"),
        ],
        ids=["zero-bytes", "too-many-fields"],
    )
    def test_no_traceback(self, tmp_path: Path, changed: dict[str, str], expected: str) -> None:
        import subprocess
        import sys

        from tests.conftest import REPO

        src = _ckg_folder(tmp_path, **changed)
        run = subprocess.run(
            [
                sys.executable,
                str(REPO / "scripts" / "ckg_to_bundle.py"),
                str(src),
                str(tmp_path / "o"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 2
        assert "Traceback" not in run.stderr and expected in run.stderr
        assert run.stderr.startswith("错误：")
        assert not (tmp_path / "o").exists()

    def test_a_missing_folder(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        from tests.conftest import REPO

        run = subprocess.run(
            [
                sys.executable,
                str(REPO / "scripts" / "ckg_to_bundle.py"),
                str(tmp_path / "nope"),
                str(tmp_path / "o"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert "找不到" in run.stderr and "nope" in run.stderr
