"""What an upload may cost to read (issue 14, second review): a wrong header refuses a table
before its body is read (templates and demand/supply lists), and a table over the cell budget
(:data:`chainatlas.graph.io.readers.MAX_CELLS`) is refused by name before its body is read."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io import readers
from chainatlas.graph.io.readers import MAX_COLUMNS, read_table
from chainatlas.graph.io.templates import import_template
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.element_reading import read_elements


def _xlsx(path: Path, rows: list[list[object]], wide_row: int = 0) -> Path:
    """A workbook of ``rows``; row ``wide_row`` (if any) gets a cell past MAX_COLUMNS, which
    reading the body reports — so a refusal that names only row 1 read no body."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    if wide_row:
        ws.cell(wide_row, MAX_COLUMNS + 5, "x")
    wb.save(path)
    return path


def _refusal(call) -> ImportFailed:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFailed) as err:
        call()
    return err.value


def test_a_template_with_an_unknown_column_is_refused_before_its_body(
    memory_store: EmbeddedStore, tmp_path: Path
) -> None:
    head = ["企业名称*", "统一社会信用代码", "所在区域*", "未知列甲"]
    path = _xlsx(tmp_path / "企业.xlsx", [head, ["甲", "", "吴兴区", "x"]], wide_row=3)
    err = _refusal(lambda: import_template(memory_store, path, kind="firms", progress=False))
    assert [(e.row, e.column, e.reason) for e in err.errors] == [(1, "未知列甲", "未知列")]
    assert memory_store.count_nodes("Firm") == 0


def test_a_template_of_no_known_kind_is_refused_before_its_body(
    memory_store: EmbeddedStore, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "乱.xlsx", [["甲", "乙"], ["1", "2"]], wide_row=3)
    err = _refusal(lambda: import_template(memory_store, path, progress=False))
    assert [e.row for e in err.errors] == [1] and "无法识别模板类型" in err.errors[0].reason


@pytest.mark.parametrize("side", ["demand", "supply"])
def test_a_list_with_an_unknown_column_is_refused_before_its_body(
    memory_store: EmbeddedStore, tmp_path: Path, side: str
) -> None:
    kind = "需求类型*" if side == "demand" else "供给类型*"
    path = _xlsx(tmp_path / "清单.xlsx", [[kind, "未知列"], ["土地", "x"]], wide_row=3)
    err = _refusal(lambda: read_elements(path, side, memory_store))
    assert [(e.row, e.column) for e in err.errors] == [(1, "未知列")]


def test_a_csv_list_with_an_unknown_column_is_refused_before_its_body(tmp_path: Path) -> None:
    path = tmp_path / "清单.csv"
    # the body is not even a table: reading it would report the ragged line
    path.write_text("需求类型*,未知列\n土地,x\n土地,x,y,z\n", encoding="utf-8")
    err = _refusal(lambda: read_elements(path, "demand"))
    assert [(e.row, e.column) for e in err.errors] == [(1, "未知列")]


def test_a_declared_size_over_the_cell_budget_is_refused_before_reading(tmp_path: Path) -> None:
    src = _xlsx(tmp_path / "src.xlsx", [["需求类型*"], ["土地"]])
    path = tmp_path / "大表.xlsx"
    rows = readers.MAX_CELLS // 60 + 10  # under MAX_ROWS, 60 columns wide: over the budget
    assert rows < readers.MAX_ROWS
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:BH%d"' % rows, data)
            zout.writestr(item, data)
    err = _refusal(lambda: read_table(path))
    assert len(err.errors) == 1 and err.errors[0].file == "大表.xlsx"
    assert f"{readers.MAX_CELLS:,}" in err.errors[0].reason and "单元格" in err.errors[0].reason


def test_cells_are_counted_as_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_CELLS", 100)
    path = _xlsx(tmp_path / "表.xlsx", [["a", "b", "c", "d"]] + [["1", "2", "3", "4"]] * 30)
    err = _refusal(lambda: read_table(path))
    assert "100" in err.errors[0].reason and "单元格" in err.errors[0].reason
    csv = tmp_path / "表.csv"
    csv.write_text("a,b,c,d\n" + "1,2,3,4\n" * 30, encoding="utf-8")
    err = _refusal(lambda: read_table(csv))
    assert "100" in err.errors[0].reason and "单元格" in err.errors[0].reason
    small = tmp_path / "小.csv"
    small.write_text("a,b\n" + "1,2\n" * 10, encoding="utf-8")
    assert len(read_table(small)) == 10


def test_bundles_have_no_cell_budget(
    memory_store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainatlas.graph.io.bundle import import_bundle

    monkeypatch.setattr(readers, "MAX_CELLS", 10)
    d = tmp_path / "b"
    d.mkdir()
    rows = "".join(f"seg:{i},Segment,环节{i}\n" for i in range(20))
    (d / "n.csv").write_text("id:ID,:LABEL,name\n" + rows, "utf-8")
    rep = import_bundle(memory_store, d, progress=False, fast=False)
    assert rep.nodes == 20
