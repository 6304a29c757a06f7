"""Reading officers' tables: workbooks without trusting their declared size, formula-like text
refused alike in xlsx and CSV (plain numbers kept), and a Chinese message naming the file for
every file that is not a table."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.readers import MAX_COLUMNS, MAX_ROWS, read_table

FIRM_HEAD = ["企业名称*", "所在区域*", "产值（亿元）", "签约日期"]


def _xlsx(path: Path, rows: list[list[object]], title: str = "数据") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _refused(path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as err:
        read_table(path)
    return err.value


def _no_english_no_row_zero(exc: ImportFailed) -> None:
    text = str(exc)
    assert "第 0 行" not in text, text
    for allowed in ("Excel", "Sheet", ".xlsx", ".xls", ".csv"):  # names, not sentences
        text = text.replace(allowed, "")
    assert not re.search(r"[A-Za-z]{4,}", text), text


# ---- declared dimensions --------------------------------------------------------------------
def test_a_lone_cell_at_the_last_row_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "末行.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1048576"] = "x"
    wb.save(path)
    assert path.stat().st_size < 10_000
    err = _refused(path)
    assert "末行.xlsx" in str(err) and f"{MAX_ROWS:,}" in str(err)
    _no_english_no_row_zero(err)


def test_a_declared_dimension_that_lies_does_not_matter(tmp_path: Path) -> None:
    src = _xlsx(tmp_path / "src.xlsx", [FIRM_HEAD, ["甲", "吴兴区", 1, None], ["乙", "德清县"]])
    path = tmp_path / "lies.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data
                )
                assert n == 1
            zout.writestr(item, data)
    df = read_table(path)
    assert list(df.columns) == FIRM_HEAD
    assert df.values.tolist() == [["甲", "吴兴区", "1", ""], ["乙", "德清县", "", ""]]


def test_too_many_columns_are_refused_with_the_row(tmp_path: Path) -> None:
    path = tmp_path / "宽表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(FIRM_HEAD)
    ws.cell(3, MAX_COLUMNS + 5, "x")
    wb.save(path)
    err = _refused(path)
    assert [(e.file, e.row) for e in err.errors] == [("宽表.xlsx", 3)]
    _no_english_no_row_zero(err)


def test_cells_read_as_pandas_reads_them(tmp_path: Path) -> None:
    """Same text per cell as ``pd.read_excel(dtype=str)``: numbers, dates, booleans, times,
    blank and repeated headers, blank rows inside the table, trailing blank rows dropped."""
    path = _xlsx(
        tmp_path / "types.xlsx",
        [
            ["名称", "数量", "名称", None, " 日期 "],
            ["甲", 5, 12.5, True, dt.datetime(2026, 3, 1)],
            [None, None, None, None, None],
            ["乙", -3.5, 1e20, "  t ", dt.date(2026, 3, 1)],
            [None, None, None, None, None, "多出一列"],
            [None, dt.time(10, 30)],
            [None],
            [None],
        ],
    )
    ours = read_table(path)
    ref = pd.read_excel(path, dtype=str, keep_default_na=False)
    ref.columns = [str(c).strip() for c in ref.columns]
    assert list(ours.columns) == list(ref.columns)
    assert ours.values.tolist() == ref.fillna("").values.tolist()


def test_a_sheet_named_data_is_read_else_the_first(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["列名", "说明"])
    wb.create_sheet("数据").append(FIRM_HEAD)
    wb.save(tmp_path / "two.xlsx")
    assert list(read_table(tmp_path / "two.xlsx").columns) == FIRM_HEAD
    assert list(read_table(tmp_path / "two.xlsx", sheet=0).columns) == ["列名", "说明"]
    err = _refused_sheet(tmp_path / "two.xlsx", "没有")
    assert "没有名为「没有」的工作表" in str(err)


def _refused_sheet(path: Path, sheet: str) -> ImportFailed:
    with pytest.raises(ImportFailed) as err:
        read_table(path, sheet=sheet)
    return err.value


# ---- formula-like text ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", ' =HYPERLINK("x")']
)
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_formula_like_text_is_refused_in_xlsx_and_csv(
    tmp_path: Path, suffix: str, text: str
) -> None:
    rows = [FIRM_HEAD, ["甲公司", "吴兴区", "1", ""], ["乙公司", text, "2", ""]]
    path = tmp_path / f"企业{suffix}"
    if suffix == ".xlsx":
        _xlsx(path, rows)
    else:
        pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path, index=False, encoding="utf-8-sig")
    err = _refused(path)
    assert [(e.file, e.row, e.column) for e in err.errors] == [(f"企业{suffix}", 3, "所在区域*")]
    assert "公式" in str(err)  # openpyxl stores "=…" as a formula cell, the rest as text


def test_formula_cells_in_a_workbook_are_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "f.xlsx", [FIRM_HEAD, ["甲", "吴兴区", "=1+1", ""]])
    err = _refused(path)
    assert [(e.row, e.column) for e in err.errors] == [(2, "产值（亿元）")]
    assert "公式" in err.errors[0].reason


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_plain_numbers_dates_and_dashes_are_values(tmp_path: Path, suffix: str) -> None:
    rows: list[list[object]] = [
        FIRM_HEAD,
        ["甲", "吴兴区", -3.5, "2026-03-01"],
        ["乙", "德清县", "-1,234.5", "-"],
        ["丙", "长兴县", "+12", "--"],
        ["丁", "安吉县", "-.5", "2026-03-01"],
        ["戊", "南浔区", "-5%", ""],
        ["己", "南浔区", "-1e-05", ""],
    ]
    path = tmp_path / f"数值{suffix}"
    if suffix == ".xlsx":
        _xlsx(path, rows)
    else:
        pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path, index=False)
    df = read_table(path)
    assert df["产值（亿元）"].tolist() == ["-3.5", "-1,234.5", "+12", "-.5", "-5%", "-1e-05"]


def test_bundles_keep_formula_like_text(tmp_path: Path) -> None:
    path = tmp_path / "nodes.csv"
    path.write_text("id:ID,:LABEL,name\nf1,Firm,+86 甲\nf2,Firm,=乙\n", "utf-8")
    assert read_table(path, keep_formula_text=True)["name"].tolist() == ["+86 甲", "=乙"]
    assert len(_refused(path).errors) == 2


# ---- files that are not tables --------------------------------------------------------------
def test_old_xls_files_are_told_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    for name in ("旧表.xls", "改了后缀.xlsx", "改了后缀.csv"):
        (tmp_path / name).write_bytes(ole2)
        err = _refused(tmp_path / name)
        assert name in str(err) and ".xls" in str(err) and "另存为" in str(err), str(err)
        _no_english_no_row_zero(err)


@pytest.mark.parametrize(
    "name, payload, expect",
    [
        ("空.xlsx", b"", "不是有效的 Excel 工作簿"),
        ("文本.xlsx", "企业名称,所在区域\n甲,乙\n".encode(), "不是有效的 Excel 工作簿"),
        ("坏包.xlsx", b"PK\x03\x04 not really a workbook", "不是有效的 Excel 工作簿"),
        ("空.csv", b"", "文件为空"),
        ("空行.csv", b"\r\n\r\n", "文件为空"),
        ("乱码.csv", bytes(range(256)) * 8, "无法识别文件编码"),
    ],
)
def test_files_that_are_not_tables_get_a_chinese_message(
    tmp_path: Path, name: str, payload: bytes, expect: str
) -> None:
    (tmp_path / name).write_bytes(payload)
    err = _refused(tmp_path / name)
    assert name in str(err) and expect in str(err), str(err)
    _no_english_no_row_zero(err)


def test_an_empty_sheet_is_a_chinese_message(tmp_path: Path) -> None:
    err = _refused(_xlsx(tmp_path / "空表.xlsx", []))
    assert "空表.xlsx" in str(err) and "表头" in str(err)
    _no_english_no_row_zero(err)


def test_a_ragged_csv_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "参差.csv"
    path.write_text("企业名称*,所在区域*\n甲,吴兴区\n乙,德清县,多,余\n", "utf-8")
    err = _refused(path)
    assert [(e.file, e.row) for e in err.errors] == [("参差.csv", 3)]
    _no_english_no_row_zero(err)
