"""The model's data rules (issue 14) on every way in besides the API: templates, bundles through
the general path and through the columnar fast path. Control characters, padded ids, bad
property names, loose types and empty or overlong names are refused with their file, row and
column, and nothing is written; a workbook's date cell still reads as its date."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.io.templates import import_template, write_template
from chainatlas.graph.model import NAME_MAX
from chainatlas.graph.store.embedded import EmbeddedStore

needs_bulk = pytest.mark.skipif(
    not EmbeddedStore.bulk_supported, reason=f"SQLite {sqlite3.sqlite_version} < 3.38"
)
NODES = "id:ID,:LABEL,name,note\n"
BAD_BUNDLES = {
    "NUL in a name": (NODES + "seg:a,Segment,甲\x00乙,\n", 2, "name"),
    "escape in an extra": (NODES + "seg:a,Segment,甲,\x1b[31m红\n", 2, "note"),
    "line break in a name": (NODES + 'seg:a,Segment,"甲\n乙",\n', 2, "name"),
    "zero-width name": (NODES + "seg:a,Segment,\u200b\u200d,\n", 2, "name"),
    "overlong name": (NODES + f"seg:a,Segment,{'长' * (NAME_MAX + 1)},\n", 2, "name"),
    "control in an id": (NODES + "seg:a\x01b,Segment,甲,\n", 2, "id"),
    "key not an identifier": ("id:ID,:LABEL,name,a b\nseg:a,Segment,甲,x\n", 1, "a b"),
    "empty key": ("id:ID,:LABEL,name,:string\nseg:a,Segment,甲,x\n", 1, ":string"),
    "number as a date": (
        "id:ID,:LABEL,name,signed:long\nproject:a,Project,甲,86400\n",
        2,
        "signed",
    ),
    "text as a boolean": ("id:ID,:LABEL,name,major\nproject:a,Project,甲,yes\n", 2, "major"),
    "text as a number": (
        "id:ID,:LABEL,name,investment\nproject:a,Project,甲,12\n",
        2,
        "investment",
    ),
}


@needs_bulk
@pytest.mark.parametrize("case", list(BAD_BUNDLES))
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "general"])
def test_bundles_refuse_what_the_model_refuses(case: str, fast: bool, tmp_path: Path) -> None:
    text, row, column = BAD_BUNDLES[case]
    d = tmp_path / "b"
    d.mkdir()
    (d / "nodes.csv").write_text(text, "utf-8")
    with EmbeddedStore(tmp_path / "g.db") as store:
        with pytest.raises(ImportFailed) as err:
            import_bundle(store, d, progress=False, fast=fast)
        assert (err.value.errors[0].row, err.value.errors[0].column) == (row, column), str(
            err.value
        )
        assert store.counts().nodes == 0


@needs_bulk
def test_an_endpoint_with_a_control_character_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "b"
    d.mkdir()
    (d / "nodes.csv").write_text(NODES + "seg:a,Segment,甲,\n", "utf-8")
    (d / "rels.csv").write_text(":START_ID,:END_ID,:TYPE\nseg:a,seg:\x00a,UPSTREAM_OF\n", "utf-8")
    with EmbeddedStore(tmp_path / "g.db") as store:
        with pytest.raises(ImportFailed) as err:
            import_bundle(store, d, progress=False)
        assert [(e.file, e.row, e.column) for e in err.value.errors] == [("rels.csv", 2, ":END_ID")]
        assert store.counts().nodes == 0


def _template(tmp_path: Path, kind: str, row: dict[str, object], suffix: str) -> Path:
    """A filled template with one data row (headers as written by ``write_template``)."""
    tpl = write_template(kind, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        lines = tpl.read_text("utf-8-sig").splitlines()
        heads = lines[0].split(",")
        cells = [str(row.get(h.rstrip("*"), "")) for h in heads]
        out = tmp_path / "filled.csv"
        out.write_text(lines[0] + "\n" + ",".join(cells) + "\n", "utf-8")
        return out
    book = openpyxl.load_workbook(tpl)
    ws = book["数据"]
    heads = [str(c.value).rstrip("*") for c in ws[1]]
    ws.append([row.get(h) for h in heads])
    out = tmp_path / "filled.xlsx"
    book.save(out)
    return out


def test_templates_refuse_control_characters(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = _template(tmp_path, "firms", {"企业名称": "甲\x07公司", "所在区域": "长兴县"}, ".csv")
    before = seeded.counts()
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, path, progress=False)
    assert [(e.row, e.column) for e in err.value.errors] == [(2, "企业名称")]
    assert "控制字符" in err.value.errors[0].reason
    assert seeded.counts() == before


def test_templates_refuse_invisible_names(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = _template(tmp_path, "firms", {"企业名称": "\u200b", "所在区域": "长兴县"}, ".xlsx")
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, path, progress=False)
    assert [(e.row, e.column) for e in err.value.errors] == [(2, "企业名称")]


def test_a_workbook_date_cell_reads_as_its_date(seeded: EmbeddedStore, tmp_path: Path) -> None:
    row = {
        "项目名称": "日期项目",
        "所属产业链": "新能源与新型储能",
        "所在区域": "长兴县",
        "当前阶段": "招商引资",
        "签约日期": datetime.date(2026, 3, 1),  # a real date cell, not text
    }
    import_template(seeded, _template(tmp_path, "projects", row, ".xlsx"), progress=False)
    project = seeded.find_nodes("Project", {"name": "日期项目"})[0]
    assert project.props["signed"] == "2026-03-01"
