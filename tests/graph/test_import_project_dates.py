"""The officer template's import of projects applies the ledger's date rules
(:mod:`chainatlas.graph.project_dates`), as the records API and the stage form do: dates in
order along the life cycle, the dates a stage needs, no actual date in the future.

Every workbook here is a real one: the projects template as ``write_template`` writes it,
filled with openpyxl (text cells, and real Excel date cells where said), imported into a copy
of the seeded store (seeds and sample data)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from chainatlas.graph.errors import ImportFailed, RowError
from chainatlas.graph.io.templates import TEMPLATES, import_template, write_template
from chainatlas.graph.model import Node
from chainatlas.graph.store.embedded import EmbeddedStore

HEADERS = {c.field: c.header for c in TEMPLATES["projects"]}
GOOD = {"项目名称": "日期规则好项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
#: 开工 before 签约: out of order
BACKWARDS = GOOD | {"项目名称": "日期倒序项目", "签约日期": "2026-03-01", "开工日期": "2025-12-01"}
#: 落地开工 without its 开工日期
NO_START = GOOD | {"项目名称": "缺开工日期项目", "当前阶段": "落地开工", "签约日期": "2026-03-01"}


def _workbook(tmp_path: Path, rows: list[dict[str, Any]], name: str = "项目.xlsx") -> Path:
    """The projects template, its 数据 sheet filled with ``rows`` (header → cell value)."""
    path = write_template("projects", tmp_path / name)
    wb = openpyxl.load_workbook(path)
    ws = wb["数据"]
    headers = [str(c.value).rstrip("*") for c in ws[1]]
    for row in rows:
        ws.append([row.get(h, None) for h in headers])
    wb.save(path)
    return path


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    """The CSV projects template (its notes row kept as line 2) with ``rows`` added."""
    path = write_template("projects", tmp_path / "项目.csv")
    tpl = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cols = tpl.columns
    df = pd.DataFrame([{c: r.get(c.rstrip("*"), "") for c in cols} for r in rows], columns=cols)
    pd.concat([tpl, df]).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _refused(store: EmbeddedStore, path: Path) -> list[RowError]:
    """The errors of an import that must be refused, after checking that it wrote nothing."""
    before = store.counts()
    projects = {n.id: n.props for n in store.iter_nodes("Project")}
    with pytest.raises(ImportFailed) as exc:
        import_template(store, path, progress=False)
    assert store.counts() == before
    assert {n.id: n.props for n in store.iter_nodes("Project")} == projects
    assert "未写入任何数据" in str(exc.value)
    return exc.value.errors


def test_dates_out_of_order_refuse_the_whole_file(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = _workbook(tmp_path, [GOOD, BACKWARDS])
    errors = _refused(seeded, path)
    assert [(e.file, e.row, e.column) for e in errors] == [("项目.xlsx", 3, "开工日期")]
    why = errors[0].reason
    assert "工作表「数据」" in why and "开工日期 2025-12-01 早于签约日期 2026-03-01" in why
    assert seeded.get_node("project:日期规则好项目") is None  # the good row neither


def test_a_stage_without_the_dates_it_needs_is_refused(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    path = _workbook(tmp_path, [NO_START])
    errors = _refused(seeded, path)
    assert [(e.file, e.row, e.column) for e in errors] == [("项目.xlsx", 2, "开工日期")]
    assert "工作表「数据」" in errors[0].reason
    assert "阶段「落地开工」须填写开工日期" in errors[0].reason


def test_a_later_stage_needs_the_dates_of_the_stages_before_it(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """投产达效 needs 竣工、投产 and, as 落地开工 came before it, 签约、开工 (as records do)."""
    row = GOOD | {"当前阶段": "投产达效", "竣工日期": "2026-05-01", "投产日期": "2026-06-01"}
    errors = _refused(seeded, _workbook(tmp_path, [row]))
    assert {e.column for e in errors} == {"签约日期", "开工日期"}
    assert all(e.row == 2 for e in errors)


def test_an_actual_date_in_the_future_is_refused(seeded: EmbeddedStore, tmp_path: Path) -> None:
    row = GOOD | {"签约日期": "2999-01-01"}
    errors = _refused(seeded, _workbook(tmp_path, [row]))
    assert [(e.row, e.column) for e in errors] == [(2, "签约日期")]
    assert "实际日期不能是将来" in errors[0].reason


def test_a_csv_row_is_named_by_file_row_and_column(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """A CSV has no sheets: its errors name the file, the row and the column."""
    errors = _refused(seeded, _csv(tmp_path, [GOOD, BACKWARDS]))
    # line 2 is the template's notes row
    assert [(e.file, e.row, e.column) for e in errors] == [("项目.csv", 4, "开工日期")]
    assert "早于签约日期" in errors[0].reason and "工作表" not in errors[0].reason


def test_good_dates_import(seeded: EmbeddedStore, tmp_path: Path) -> None:
    row = GOOD | {
        "当前阶段": "投产达效",
        "签约日期": "2025-01-10",
        "备案日期": "2025-02-01",
        "拿地日期": "2025-03-01",
        "开工日期": "2025-03-01",
        "竣工日期": "2026-01-15",
        "投产日期": "2026-02-01",
    }
    import_template(seeded, _workbook(tmp_path, [row]), progress=False)
    p = seeded.require_node("project:日期规则好项目", "Project")
    assert p.props["stage"] == "投产达效"
    assert (p.props["signed"], p.props["producing"]) == ("2025-01-10", "2026-02-01")


def test_excel_date_cells_are_checked_as_dates(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """Cells an officer typed as dates (Excel date cells, not text) are read as the day."""
    good = GOOD | {
        "当前阶段": "落地开工",
        "签约日期": datetime(2026, 3, 1),
        "开工日期": datetime(2026, 4, 1),
    }
    import_template(seeded, _workbook(tmp_path, [good]), progress=False)
    assert seeded.require_node("project:日期规则好项目").props["started"] == "2026-04-01"
    bad = good | {"项目名称": "日期格倒序项目", "开工日期": datetime(2026, 2, 1)}
    errors = _refused(seeded, _workbook(tmp_path, [bad], "倒序.xlsx"))
    assert [(e.file, e.row, e.column) for e in errors] == [("倒序.xlsx", 2, "开工日期")]


def test_skip_bad_skips_the_row_and_imports_the_rest(seeded: EmbeddedStore, tmp_path: Path) -> None:
    path = _workbook(tmp_path, [GOOD, BACKWARDS, NO_START])
    report = import_template(seeded, path, skip_bad=True, progress=False)
    assert [(e.row, e.column) for e in report.skipped] == [(3, "开工日期"), (4, "开工日期")]
    assert seeded.get_node("project:日期规则好项目") is not None
    for name in ("日期倒序项目", "缺开工日期项目"):  # neither the node nor its links
        assert seeded.get_node(f"project:{name}") is None
        assert not seeded.neighbours(f"project:{name}", None, "out")


def test_the_template_example_row_imports(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """The example the template's 说明 sheet gives, as an officer would copy it."""
    example = {c.header: c.example for c in TEMPLATES["projects"]}
    report = import_template(seeded, _workbook(tmp_path, [example]), progress=False)
    assert report.nodes == 1 and not report.skipped


def test_the_sample_projects_reimport_as_they_are(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """Every sample project written back as a template row imports into its store unchanged:
    a row that only restates a stored project brings in no date problem."""
    rows = [_as_row(seeded, p) for p in seeded.iter_nodes("Project")]
    assert len(rows) > 10
    before = {n.id: n.props for n in seeded.iter_nodes("Project")}
    report = import_template(seeded, _workbook(tmp_path, rows), progress=False)
    assert report.nodes == len(rows) and not report.skipped
    assert {n.id: n.props for n in seeded.iter_nodes("Project")} == before


def _as_row(store: EmbeddedStore, p: Node) -> dict[str, Any]:
    chain = next(n.id for _, n in store.neighbours(p.id, ["IN_CHAIN"], "out"))
    region = next(n.name for _, n in store.neighbours(p.id, ["LOCATED_IN"], "out"))
    row = {h: p.props.get(f) for f, h in HEADERS.items() if f in p.props}
    row |= {"项目编号": p.id, "所属产业链": chain, "所在区域": region}
    row["是否重大项目"] = "是" if p.props.get("major") else "否"
    return row


def test_a_problem_the_stored_project_had_does_not_block_its_row(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """As the records API: a project kept before the rules (开工 before 签约) is re-imported
    with a new 责任单位; touching its dates makes the row meet the rules."""
    old = {"name": "旧项目", "signed": "2026-03-01", "started": "2025-12-01"}
    seeded.upsert_nodes([Node("project:old", "Project", old)])
    row = GOOD | {"项目编号": "project:old", "项目名称": "旧项目", "责任单位": "长兴县经信局"}
    row |= {"签约日期": "2026-03-01", "开工日期": "2025-12-01"}
    import_template(seeded, _workbook(tmp_path, [row]), progress=False)
    assert seeded.require_node("project:old").props["responsible_unit"] == "长兴县经信局"
    moved = row | {"开工日期": "2025-11-01"}
    errors = _refused(seeded, _workbook(tmp_path, [moved], "改日期.xlsx"))
    assert [(e.row, e.column) for e in errors] == [(2, "开工日期")]


def test_a_blank_date_cell_keeps_the_stored_date(seeded: EmbeddedStore, tmp_path: Path) -> None:
    """A blank cell leaves the stored date as it is, so the rules check the project as it
    will be: a new 签约日期 after the stored 开工日期 is out of order."""
    stored = {"name": "在建项目", "stage": "落地开工", "signed": "2025-01-01"}
    seeded.upsert_nodes([Node("project:built", "Project", stored | {"started": "2025-06-01"})])
    row = GOOD | {"项目编号": "project:built", "项目名称": "在建项目", "当前阶段": "落地开工"}
    import_template(seeded, _workbook(tmp_path, [row]), progress=False)  # 开工 kept
    errors = _refused(seeded, _workbook(tmp_path, [row | {"签约日期": "2025-07-01"}], "b.xlsx"))
    assert [(e.row, e.column) for e in errors] == [(2, "开工日期")]


def test_every_sample_project_meets_the_rules_as_a_new_record(seeded: EmbeddedStore) -> None:
    """The sample ledger holds no project the rules would refuse on its own (a 竣工未投产
    project stands at 落地开工, not at 投产达效 without its 投产 date), so the samples can be
    imported into an empty store or typed in as they are."""
    from chainatlas.graph.project_dates import write_problems

    projects = list(seeded.iter_nodes("Project"))
    assert projects
    refused = {p.name: write_problems(None, p.props) for p in projects}
    assert {name: why for name, why in refused.items() if why} == {}
