"""Element matching: each constraint, units, capacity, priority order, unmatched reasons."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from chainatlas.graph.errors import ImportFailed, ValidationFailed
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.elements import Element, elements_from_dicts, match, read_elements
from chainatlas.matching.units import convert


def D(
    i: str,
    kind: str = "土地",
    q: float | None = 50,
    unit: str | None = "亩",
    region: str | None = "长兴县",
    **kw: object,
) -> Element:
    return Element(
        i,
        "demand",
        kind,
        kw.pop("description", "工业用地需求"),
        q,
        unit,
        region,  # type: ignore[arg-type]
        **kw,
    )  # type: ignore[arg-type]


def S(
    i: str,
    kind: str = "土地",
    q: float | None = 60,
    unit: str | None = "亩",
    region: str | None = "长兴县",
    **kw: object,
) -> Element:
    return Element(
        i,
        "supply",
        kind,
        kw.pop("description", "工业用地地块"),
        q,
        unit,
        region,  # type: ignore[arg-type]
        **kw,
    )  # type: ignore[arg-type]


def assigned(res) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.demand: m.supply for m in res.assigned}


class TestConstraints:
    def test_kind(self, seeded: EmbeddedStore) -> None:
        res = match([D("d")], [S("s", kind="资金", unit="万元")], store=seeded)
        assert assigned(res) == {} and "无「土地」类供给" in dict(res.unmatched)["d"]

    def test_quantity_with_units(self, seeded: EmbeddedStore) -> None:
        # 4 公顷 = 60 亩 ≥ 50 亩; 3 公顷 = 45 亩 < 50 亩
        res = match(
            [D("d")], [S("small", q=3, unit="公顷"), S("big", q=4, unit="公顷")], store=seeded
        )
        assert assigned(res) == {"d": "big"}
        res = match([D("d")], [S("small", q=3, unit="公顷")], store=seeded)
        assert "数量不足" in dict(res.unmatched)["d"]

    def test_units_that_do_not_convert(self, seeded: EmbeddedStore) -> None:
        res = match(
            [D("d", kind="资金", q=100, unit="万元")],
            [S("s", kind="资金", q=100, unit="亩")],
            store=seeded,
        )
        assert "单位不可换算" in dict(res.unmatched)["d"]
        with pytest.raises(ValidationFailed):
            convert(1, "亩", "万元")
        assert convert(1, "亿元", "万元") == 10_000

    def test_region(self, seeded: EmbeddedStore) -> None:
        # 长合区 overlaps 长兴县; 湖州市 serves every district; 德清县 does not serve 长兴县
        res = match(
            [D("a"), D("b"), D("c")],
            [S("zone", region="长合区"), S("city", region="湖州市"), S("far", region="德清县")],
            store=seeded,
        )
        assert set(assigned(res).values()) == {"zone", "city"}
        res = match([D("d")], [S("far", region="德清县")], store=seeded)
        assert "区域不符" in dict(res.unmatched)["d"]

    def test_chain_and_segment(self, seeded: EmbeddedStore) -> None:
        d = D("d", kind="配套", q=None, unit=None, segment="seg:动力电池", description="电池")
        ok = S("sub", kind="配套", q=None, unit=None, segment="seg:电芯")  # a sub-segment
        cross = S("chain", kind="配套", q=None, unit=None, chain="e2:nev")  # has 动力电池
        bad = S("other", kind="配套", q=None, unit=None, chain="1366:bio")
        res = match([d], [ok, cross, bad], store=seeded, graph_suppliers=False, top=5)
        found = {m.supply for m in res.candidates}
        assert found == {"sub", "chain"}
        res = match([d], [bad], store=seeded, graph_suppliers=False)
        assert "产业链/环节不符" in dict(res.unmatched)["d"]

    def test_lineage_counts_as_compatible(self, seeded: EmbeddedStore) -> None:
        res = match([D("d", chain="1366:icv")], [S("s", chain="e2:nev")], store=seeded)
        assert assigned(res) == {"d": "s"}

    def test_dates(self, seeded: EmbeddedStore) -> None:
        d = D("d", valid_from=date(2026, 1, 1), valid_to=date(2026, 3, 31))
        late = S("late", valid_from=date(2026, 4, 1), valid_to=date(2026, 12, 31))
        edge = S("edge", valid_from=date(2026, 3, 31), valid_to=date(2026, 12, 31))
        assert assigned(match([d], [late, edge], store=seeded)) == {"d": "edge"}
        assert "有效期不重叠" in dict(match([d], [late], store=seeded).unmatched)["d"]


class TestAllocation:
    def test_capacity_and_quantity(self, seeded: EmbeddedStore) -> None:
        ds = [D(f"d{i}", q=30) for i in range(4)]
        res = match(ds, [S("s", q=100, capacity=5)], store=seeded)
        # 100 亩 holds three 30 亩 demands, not four
        assert len(res.assigned) == 3
        assert len(match(ds, [S("s", q=1000, capacity=2)], store=seeded).assigned) == 2

    def test_best_fit_serves_more(self, seeded: EmbeddedStore) -> None:
        res = match([D("a", q=50), D("b", q=100)], [S("s60", q=60), S("s120", q=120)], store=seeded)
        assert assigned(res) == {"a": "s60", "b": "s120"}

    def test_major_projects_first(self, seeded: EmbeddedStore) -> None:
        normal = D("normal", description="工业用地地块")  # more similar text
        major = D("major", major=True, description="用地")
        res = match([normal, major], [S("only")], store=seeded)
        assert assigned(res) == {"major": "only"}
        assert "优先级" in dict(res.unmatched)["normal"]

    def test_supplier_demand_searches_the_graph(self, seeded: EmbeddedStore) -> None:
        d = D("d", kind="配套", q=None, unit=None, segment="seg:动力电池", description="电池配套")
        res = match([d], [], store=seeded, top=10)
        firms = [m for m in res.candidates if m.from_graph]
        assert firms and all(m.supply.startswith("firm:") for m in firms)
        # local firms first
        locals_ = ["本地" in m.supply_label for m in firms]
        assert locals_ == sorted(locals_, reverse=True)

    def test_explanations(self, seeded: EmbeddedStore) -> None:
        res = match([D("d")], [S("s")], store=seeded)
        m = res.assigned[0]
        assert m.passed[0] == "类型一致" and any("数量满足" in p for p in m.passed)
        assert 0 <= m.text <= 1 and m.score > 0


class TestInput:
    def test_bad_rows_named(self, seeded: EmbeddedStore, tmp_path: Path) -> None:
        path = tmp_path / "d.csv"
        pd.DataFrame(
            [
                {
                    "需求类型*": "土地",
                    "需求描述*": "用地",
                    "数量": "50",
                    "单位": "亩",
                    "所在区域*": "长兴县",
                },
                {
                    "需求类型*": "",
                    "需求描述*": "x",
                    "数量": "1",
                    "单位": "亩",
                    "所在区域*": "长兴县",
                },
                {
                    "需求类型*": "土地",
                    "需求描述*": "y",
                    "数量": "很多",
                    "单位": "亩",
                    "所在区域*": "长兴县",
                },
                {
                    "需求类型*": "土地",
                    "需求描述*": "z",
                    "数量": "1",
                    "单位": "亩",
                    "所在区域*": "火星",
                },
                {
                    "需求类型*": "土地",
                    "需求描述*": "w",
                    "数量": "1",
                    "单位": "斤",
                    "所在区域*": "长兴县",
                },
            ]
        ).to_csv(path, index=False, encoding="gbk")
        els, errors = read_elements(path, "demand", seeded)
        assert [e.id for e in els] == ["d2"]
        where = {(e.row, e.column) for e in errors}
        assert where == {(3, "需求类型"), (4, "数量"), (5, "所在区域"), (6, "单位")}

    def test_json_rows(self, seeded: EmbeddedStore) -> None:
        els, errors = elements_from_dicts(
            [
                {
                    "kind": "人才",
                    "description": "工程师",
                    "quantity": 3,
                    "unit": "人",
                    "region": "德清县",
                    "chain": "人工智能（时空智能）",
                }
            ],
            "demand",
            seeded,
        )
        assert not errors and els[0].chain == "1366:ai" and els[0].tier == "先导"


class TestYesNo:
    """The element lists and the template importer read 是否重大项目 with one parser."""

    @pytest.mark.parametrize(
        ("cell", "major"),
        [
            ("是", True),
            ("Y", True),
            ("yes", True),
            ("TRUE", True),
            ("1", True),
            ("否", False),
            ("n", False),
            ("No", False),
            ("", False),
            ("也许", None),
            ("对", None),
        ],
    )
    def test_both_readers_agree(
        self, seeded: EmbeddedStore, tmp_path: Path, cell: str, major: bool | None
    ) -> None:
        from chainatlas.graph.io.templates import import_template

        path = tmp_path / "d.csv"
        row = {"需求类型*": "土地", "需求描述*": "用地", "所在区域*": "长兴县"}
        pd.DataFrame([{**row, "是否重大项目": cell}]).to_csv(path, index=False)
        els, errors = read_elements(path, "demand", seeded)
        if major is None:
            assert not els and [e.column for e in errors] == ["是否重大项目"]
            assert repr(cell) in errors[0].reason
            with pytest.raises(ImportFailed) as err:
                import_template(seeded, path, kind="demands", progress=False)
            assert [e.column for e in err.value.errors] == ["是否重大项目"]
            return
        assert not errors and els[0].major is major
        import_template(seeded, path, kind="demands", progress=False)
        stored = seeded.find_nodes("Demand")
        assert len(stored) == 1 and stored[0].props["major"] is major


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
@pytest.mark.parametrize("column", ["quantity", "capacity"])
def test_numbers_that_are_not_finite_are_refused_by_name(column: str, value: str) -> None:
    """int(float("inf")) raised OverflowError (a 500 in the API) and ``nan`` was a quantity."""
    els, errors = elements_from_dicts(
        [{"kind": "土地", "description": "地块", column: value}], "supply"
    )
    assert not els and [(e.row, e.column) for e in errors] == [(1, column)]
    assert repr(value) in errors[0].reason
