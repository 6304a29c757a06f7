"""Officer-template imports as a new user met them (review B, s6): where a project may be, how
skipped rows are counted, and messages that say what to fill in."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd
import pytest

from chainatlas.graph.errors import ImportFailed, RowError, error_rows
from chainatlas.graph.home import DISTRICT_KINDS
from chainatlas.graph.io.readers import read_table
from chainatlas.graph.io.templates import import_template, write_template
from chainatlas.graph.store.embedded import EmbeddedStore

#: the city's five districts and counties and its two functional zones (seeds/regions.yaml)
HUZHOU = {"吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "南太湖新区", "长合区"}


def _fill(tmp_path: Path, kind: str, rows: list[dict[str, str]], name: str = "t") -> Path:
    tpl = write_template(kind, tmp_path / f"{name}-blank.xlsx")
    cols = pd.read_excel(tpl, sheet_name="数据").columns
    df = pd.DataFrame([{c: r.get(c.rstrip("*"), "") for c in cols} for r in rows], columns=cols)
    out = tmp_path / f"{name}.xlsx"
    df.to_excel(out, sheet_name="数据", index=False)
    return out


PROJECT = {"项目名称": "区域测试项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
DEMAND = {"需求类型": "土地", "需求描述": "二期用地", "所在区域": "长兴县"}
SUPPLY = {"供给类型": "土地", "供给描述": "工业用地地块", "所在区域": "长兴县"}


def _region_error(store: EmbeddedStore, path: Path) -> str:
    with pytest.raises(ImportFailed) as err:
        import_template(store, path, progress=False)
    (only,) = err.value.errors
    assert only.column == "所在区域" and only.row == 2
    return only.reason


def _choices(reason: str) -> set[str]:
    return set(reason.split("可填 ")[1].rstrip("）").split("、"))


@pytest.mark.parametrize(
    "kind, row", [("projects", PROJECT), ("demands", DEMAND), ("supplies", SUPPLY)]
)
@pytest.mark.parametrize("place", ["湖州市", "上海市", "浙江省", "苏州市吴江区"])
def test_a_record_is_in_one_of_the_citys_districts_or_zones(
    seeded: EmbeddedStore, tmp_path: Path, kind: str, row: dict[str, str], place: str
) -> None:
    """A3: 湖州市 (or a city elsewhere) is not a district: the 通报晾晒 would rank it as one.
    The hint names exactly the districts and zones, nothing is written."""
    before = seeded.counts()
    reason = _region_error(seeded, _fill(tmp_path, kind, [row | {"所在区域": place}]))
    assert repr(place) in reason and _choices(reason) == HUZHOU
    assert seeded.counts() == before


def test_an_unknown_place_lists_the_districts(seeded: EmbeddedStore, tmp_path: Path) -> None:
    reason = _region_error(seeded, _fill(tmp_path, "projects", [PROJECT | {"所在区域": "火星"}]))
    assert reason.startswith("未知区域") and _choices(reason) == HUZHOU
    # in the city's own order: districts and counties, then the functional zones
    assert reason.endswith("（可填 吴兴区、南浔区、德清县、长兴县、安吉县、南太湖新区、长合区）")


def test_the_choices_are_the_district_token_scopes(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """One list: the regions a district token may name are those a project may be in."""
    scopes = {r.name for r in seeded.find_nodes("Region") if r.props.get("kind") in DISTRICT_KINDS}
    reason = _region_error(seeded, _fill(tmp_path, "projects", [PROJECT | {"所在区域": "湖州市"}]))
    assert _choices(reason) == scopes == HUZHOU


@pytest.mark.parametrize("place", sorted(HUZHOU))
def test_every_district_and_zone_is_accepted(
    seeded: EmbeddedStore, tmp_path: Path, place: str
) -> None:
    import_template(
        seeded, _fill(tmp_path, "projects", [PROJECT | {"所在区域": place}]), progress=False
    )
    (proj,) = seeded.find_nodes("Project", {"name": "区域测试项目"})
    assert [n.name for _, n in seeded.neighbours(proj.id, ["LOCATED_IN"])] == [place]


@pytest.mark.parametrize("place", ["上海市", "湖州市", "昆山市"])
def test_a_firm_may_be_anywhere(seeded: EmbeddedStore, tmp_path: Path, place: str) -> None:
    """Firms are not affected: an outside firm is a target of 招商."""
    row = {"企业名称": "外地测试有限公司", "所在区域": place}
    import_template(seeded, _fill(tmp_path, "firms", [row]), progress=False)
    (firm,) = seeded.find_nodes("Firm", {"name": "外地测试有限公司"})
    assert [n.name for _, n in seeded.neighbours(firm.id, ["LOCATED_IN"])] == [place]


def test_the_sample_records_import_again(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """The sample projects, demands and supplies, written back as template rows, import."""
    kinds = {"Project": ("projects", "项目名称"), "Demand": ("demands", "需求描述"),
             "Supply": ("supplies", "供给描述")}  # fmt: skip
    for label, (kind, name_col) in kinds.items():
        rows = []
        for n in seeded.find_nodes(label):
            (region,) = [r.name for _, r in seeded.neighbours(n.id, ["LOCATED_IN"])] or [""]
            row = {"所在区域": region, name_col: str(n.props.get("name") or n.props["description"])}
            if label == "Project":
                row["所属产业链"] = "新能源与新型储能"
            else:
                row["需求类型" if label == "Demand" else "供给类型"] = n.props["kind"]
            rows.append(row)
        if not rows:
            assert label != "Project", "the samples have projects"
            continue
        (tmp_path / kind).mkdir()
        rep = import_template(seeded, _fill(tmp_path / kind, kind, rows), progress=False)
        assert rep.nodes >= 1 and not rep.skipped


def test_skipped_rows_are_counted_as_rows(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """B2: two bad rows with several errors each are two skipped rows."""
    bad = [
        PROJECT
        | {"项目名称": "坏一", "所在区域": "湖州市", "当前阶段": "开工", "总投资（亿元）": "五亿"},
        PROJECT | {"项目名称": "坏二", "签约日期": "2026-02-30", "是否重大项目": "也许"},
    ]
    rep = import_template(
        seeded, _fill(tmp_path, "projects", [PROJECT, *bad]), skip_bad=True, progress=False
    )
    assert rep.nodes >= 1
    assert len(rep.skipped) == 5 and rep.skipped_rows == 2 == error_rows(rep.skipped)
    head = str(ImportFailed(rep.skipped, written=True)).splitlines()[0]
    assert head == "已跳过 2 行错误数据（5 处错误）"


def test_every_error_of_a_row_at_once(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """B10: a row without its name whose 总投资 is text has both errors reported."""
    row = PROJECT | {"项目名称": "", "总投资（亿元）": "五亿", "当前阶段": "开工"}
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, _fill(tmp_path, "projects", [row]), progress=False)
    cols = [e.column for e in err.value.errors]
    assert sorted(cols) == sorted(["项目名称", "总投资（亿元）", "当前阶段"])


def test_a_bad_row_makes_no_new_region(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """A skipped firm row does not leave the new place it named behind."""
    rows = [{"企业名称": "", "所在区域": "昆山市", "从业人数": "很多"}]
    with pytest.raises(ImportFailed):
        import_template(seeded, _fill(tmp_path, "firms", rows), progress=False)
    import_template(seeded, _fill(tmp_path, "firms", rows, "again"), skip_bad=True, progress=False)
    assert not seeded.find_nodes("Region", {"name": "昆山市"})


def test_an_unknown_segment_names_the_chains_segments(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """B10: 未知环节 lists segments of the row's chain, the closest first."""
    row = PROJECT | {"所属环节": "储能电池"}
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, _fill(tmp_path, "projects", [row]), progress=False)
    (e,) = err.value.errors
    assert e.column == "所属环节" and "未知环节 '储能电池'（可填 " in e.reason
    named = e.reason.split("可填 ")[1].removesuffix(" 等）").split("、")
    todo = [n.id for _, n in seeded.neighbours("1366:storage", ["HAS_SEGMENT"], "out")]
    mine: set[str] = set()
    while todo:  # the chain's segments and the sub-segments below them
        seg = seeded.require_node(todo.pop())
        mine.add(seg.name)
        todo += [n.id for _, n in seeded.neighbours(seg.id, ["SUBSEGMENT_OF"], "in")]
    assert 1 < len(named) <= 6 and set(named) <= mine and "锂电储能" in named
    ratios = [difflib.SequenceMatcher(None, "储能电池", x).ratio() for x in named]
    assert ratios == sorted(ratios, reverse=True)  # the closest first


def test_a_firms_unknown_segment_names_some(seeded: EmbeddedStore, tmp_path: Path) -> None:
    row = {"企业名称": "环节测试有限公司", "所在区域": "长兴县", "所属环节": "动力电芯"}
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, _fill(tmp_path, "firms", [row]), progress=False)
    (e,) = err.value.errors
    assert "未知环节 '动力电芯'（可填 " in e.reason and "动力电池" in e.reason


def test_an_old_xls_says_save_as_xlsx(tmp_path: Path) -> None:
    """B10: an Excel 97-2003 file is told how to convert, not just refused."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(ImportFailed) as err:
        read_table(path)
    (e,) = err.value.errors
    assert "另存为" in e.reason and ".xlsx" in e.reason and e.row == 0
    assert str(e) == f"old.xls: {e.reason}"
    assert isinstance(e, RowError)
