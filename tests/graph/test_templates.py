"""Officer templates: written with Chinese headers and notes, read back with row errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from chainatlas.graph.creditcode import make_credit_code
from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.templates import TEMPLATES, detect_kind, import_template, write_template
from chainatlas.graph.store.embedded import EmbeddedStore

KINDS = list(TEMPLATES)


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_template_has_headers_and_notes(tmp_path: Path, kind: str) -> None:
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["数据", "说明"]  # then 选项, the drop-down lists' choices
    headers = [c.value for c in wb["数据"][1]]
    assert headers == [c.header + ("*" if c.required else "") for c in TEMPLATES[kind]]
    notes = list(wb["说明"].iter_rows(values_only=True))
    assert notes[0] == ("列名", "必填", "说明", "示例") and len(notes) == len(headers) + 1
    assert detect_kind([str(h) for h in headers]) == kind


@pytest.mark.parametrize("kind", KINDS)
def test_csv_template_has_notes_row(tmp_path: Path, kind: str) -> None:
    path = write_template(kind, tmp_path / f"{kind}.csv")
    lines = path.read_text("utf-8-sig").splitlines()
    assert lines[0].split(",")[1].rstrip("*") == TEMPLATES[kind][1].header
    assert lines[1].startswith("#说明")


def _fill(
    tmp_path: Path,
    kind: str,
    rows: list[dict[str, str]],
    suffix: str = ".xlsx",
    encoding: str = "utf-8",
) -> Path:
    tpl = write_template(kind, tmp_path / f"t{suffix}")
    cols = (
        pd.read_csv(tpl, nrows=0, encoding="utf-8-sig").columns
        if suffix == ".csv"
        else pd.read_excel(tpl, sheet_name="数据").columns
    )
    df = pd.DataFrame([{c: r.get(c.rstrip("*"), "") for c in cols} for r in rows], columns=cols)
    out = tmp_path / f"filled{suffix}"
    if suffix == ".csv":
        df.to_csv(out, index=False, encoding=encoding)
    else:
        df.to_excel(out, sheet_name="数据", index=False)
    return out


GOOD_FIRM = {
    "企业名称": "湖州测试电池有限公司",
    "统一社会信用代码": make_credit_code("91330522MA2B00001"),
    "所在区域": "长兴县",
    "梯度标签": "规上；专精特新",
    "产值（亿元）": "12.5",
    "从业人数": "800",
    "所属环节": "动力电池、电芯",
    "链主所在产业链": "智能网联新能源汽车",
}


@pytest.mark.parametrize(
    "suffix, encoding", [(".xlsx", ""), (".csv", "utf-8"), (".csv", "utf-8-sig"), (".csv", "gbk")]
)
def test_import_firms(seeded: EmbeddedStore, tmp_path: Path, suffix: str, encoding: str) -> None:
    path = _fill(tmp_path, "firms", [GOOD_FIRM], suffix, encoding or "utf-8")
    rep = import_template(seeded, path, progress=False)
    assert rep.nodes == 1
    firm = seeded.find_nodes("Firm", {"name": "湖州测试电池有限公司"})[0]
    assert firm.props["tags"] == ["规上", "专精特新"] and firm.props["output"] == 12.5
    segs = {n.name for _, n in seeded.neighbours(firm.id, ["OPERATES_IN"])}
    assert segs == {"动力电池", "电芯"}
    assert [n.id for _, n in seeded.neighbours(firm.id, ["CHAIN_MASTER_OF"])] == ["1366:icv"]
    assert [n.name for _, n in seeded.neighbours(firm.id, ["LOCATED_IN"])] == ["长兴县"]


@pytest.mark.parametrize(
    "bad, column",
    [
        ({"企业名称": ""}, "企业名称"),
        ({"所在区域": "火星"}, "所在区域"),
        ({"产值（亿元）": "很多"}, "产值（亿元）"),
        ({"产值（亿元）": "-3"}, "产值（亿元）"),
        ({"统一社会信用代码": "913305221234567890"}, "统一社会信用代码"),
        ({"梯度标签": "金牌"}, "梯度标签"),
        ({"所属环节": "不存在的环节"}, "所属环节"),
        ({"链主所在产业链": "不存在的链"}, "链主所在产业链"),
        ({"从业人数": "1.5万"}, "从业人数"),
    ],
)
def test_bad_firm_rows(
    seeded: EmbeddedStore, tmp_path: Path, bad: dict[str, str], column: str
) -> None:
    before = seeded.counts()
    good = GOOD_FIRM | {
        "企业名称": "好企业",
        "统一社会信用代码": make_credit_code("91330522MA2B00002"),
    }
    path = _fill(tmp_path, "firms", [good, GOOD_FIRM | bad])
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, path, progress=False)
    assert (path.name, 3, column) in [(e.file, e.row, e.column) for e in err.value.errors]
    assert all(e.row == 3 for e in err.value.errors)
    assert seeded.counts() == before


def test_duplicate_rows(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = _fill(tmp_path, "firms", [GOOD_FIRM, GOOD_FIRM])
    with pytest.raises(ImportFailed, match="重复") as err:
        import_template(seeded, path, progress=False)
    assert [e.row for e in err.value.errors] == [3]


def test_skip_bad_keeps_good_rows(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = _fill(
        tmp_path,
        "firms",
        [GOOD_FIRM, GOOD_FIRM | {"企业名称": "坏", "所在区域": "火星", "统一社会信用代码": ""}],
    )
    rep = import_template(seeded, path, skip_bad=True, progress=False)
    assert rep.nodes == 1 and len(rep.skipped) == 1 and rep.skipped[0].row == 3


def test_import_projects_demands_supplies(seeded: EmbeddedStore, tmp_path: Path) -> None:
    p = _fill(
        tmp_path / "p" if (tmp_path / "p").mkdir() is None else tmp_path,
        "projects",
        [
            {
                "项目名称": "测试储能项目",
                "所属产业链": "新能源与新型储能",
                "所属环节": "锂电储能",
                "所在区域": "长兴县",
                "总投资（亿元）": "20",
                "当前阶段": "招商引资",
                "是否重大项目": "是",
                "签约日期": "2026-03-01",
            }
        ],
    )
    import_template(seeded, p, progress=False)
    proj = seeded.find_nodes("Project", {"name": "测试储能项目"})[0]
    assert proj.props["major"] is True and proj.props["signed"] == "2026-03-01"
    assert [n.id for _, n in seeded.neighbours(proj.id, ["IN_CHAIN"])] == ["1366:storage"]
    d = _fill(
        tmp_path / "d" if (tmp_path / "d").mkdir() is None else tmp_path,
        "demands",
        [
            {
                "需求类型": "土地",
                "需求描述": "二期厂房用地",
                "数量": "50",
                "单位": "亩",
                "所在区域": "长兴县",
                "所属产业链": "新能源与新型储能",
            }
        ],
    )
    import_template(seeded, d, progress=False)
    assert seeded.find_nodes("Demand")[0].props["quantity"] == 50
    s = _fill(
        tmp_path / "s" if (tmp_path / "s").mkdir() is None else tmp_path,
        "supplies",
        [
            {
                "供给类型": "资金",
                "供给描述": "产业基金",
                "数量": "5000",
                "单位": "万元",
                "可服务需求数": "2",
            }
        ],
    )
    import_template(seeded, s, progress=False)
    assert seeded.find_nodes("Supply")[0].props["capacity"] == 2


def test_bad_project_and_demand(seeded: EmbeddedStore, tmp_path: Path) -> None:
    p = _fill(
        tmp_path,
        "projects",
        [
            {
                "项目名称": "x",
                "所属产业链": "新能源与新型储能",
                "所在区域": "长兴县",
                "当前阶段": "开大会",
                "签约日期": "2026-02-30",
                "是否重大项目": "也许",
            }
        ],
    )
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, p, progress=False)
    cols = {e.column for e in err.value.errors}
    assert {"当前阶段", "签约日期", "是否重大项目"} <= cols


def test_unrecognised_table(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("甲,乙\n1,2\n", "utf-8")
    with pytest.raises(ImportFailed, match="无法识别模板类型"):
        import_template(seeded, path, progress=False)


def test_binary_junk_is_a_clear_error(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(ImportFailed, match="无法读取"):
        import_template(seeded, path, progress=False)


def test_a_row_for_a_stored_project_moves_it(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """A template row naming another district or chain for a stored project replaces the old
    links, as the API does: the old district and chain no longer hold it."""
    row = {
        "项目编号": "proj:move-test",
        "项目名称": "搬迁测试项目",
        "所属产业链": "新能源与新型储能",
        "所属环节": "锂电储能",
        "所在区域": "长兴县",
        "总投资（亿元）": "20",
        "当前阶段": "招商引资",
    }
    (tmp_path / "a").mkdir()
    import_template(seeded, _fill(tmp_path / "a", "projects", [row]), progress=False)
    moved = {
        **row,
        "所属产业链": "智能网联新能源汽车",
        "所属环节": "动力电池",
        "所在区域": "吴兴区",
    }
    (tmp_path / "b").mkdir()
    import_template(seeded, _fill(tmp_path / "b", "projects", [moved]), progress=False)

    def ends(rtype: str) -> list[str]:
        return sorted(n.id for _, n in seeded.neighbours("proj:move-test", [rtype]))

    assert ends("IN_CHAIN") == ["1366:icv"]
    assert ends("IN_SEGMENT") == ["seg:动力电池"]
    assert ends("LOCATED_IN") == ["region:吴兴区"]


def test_a_workbook_boolean_cell_is_a_yes_no(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """A ticked cell (Excel's TRUE, read as ``True``) is 是, as in the element lists."""
    path = write_template("projects", tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["数据"]
    head = [str(c.value).rstrip("*") for c in ws[1]]
    values = {"项目名称": "布尔项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
    ws.append([True if h == "是否重大项目" else values.get(h) for h in head])
    wb.save(path)
    import_template(seeded, path, progress=False)
    assert seeded.find_nodes("Project", {"name": "布尔项目"})[0].props["major"] is True
