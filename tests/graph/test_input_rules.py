"""The input rules of review S (B2, B3, B12) on every way in besides the API: a filled workbook,
bundles through the general path and the columnar fast path, the model itself and the goals.
Over-long text, invisible and direction characters, absurd numbers, over-long ids and ids with
another record kind's prefix are refused with their row and column, and nothing is written."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chainatlas.graph.errors import ImportFailed, SchemaViolation, ValidationFailed
from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.io.templates import import_template, write_template
from chainatlas.graph.model import Node, name_problem, validate_node
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.goals import set_goals

needs_bulk = pytest.mark.skipif(
    not EmbeddedStore.bulk_supported, reason=f"SQLite {sqlite3.sqlite_version} < 3.38"
)

PROJECT = {"所属产业链": "新能源与新型储能", "所在区域": "长兴县", "当前阶段": "招商引资"}


def _workbook(tmp_path: Path, kind: str, rows: list[dict[str, Any]]) -> Path:
    """A real xlsx: the template as written by ``write_template``, with ``rows`` below."""
    book = openpyxl.load_workbook(write_template(kind, tmp_path / "t.xlsx"))
    ws = book["数据"]
    heads = [str(c.value).rstrip("*") for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in heads])
    out = tmp_path / "filled.xlsx"
    book.save(out)
    return out


def test_a_workbook_row_breaking_a_rule_is_an_error_of_its_row_and_column(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    rows = [
        PROJECT | {"项目名称": "合金\u202e4目项"},
        PROJECT | {"项目名称": "项目二", "责任单位": "长" * 201},
        PROJECT | {"项目名称": "项目三", "总投资（亿元）": 1e6},
        PROJECT | {"项目名称": "项目四", "项目编号": "firm:x"},
        PROJECT | {"项目名称": "项目五", "项目编号": "p" * 300},
        PROJECT | {"项目名称": "项目六", "责任单位": "经信\u200b局"},
    ]
    before = seeded.counts()
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, _workbook(tmp_path, "projects", rows), progress=False)
    got = [(e.row, e.column, e.reason) for e in err.value.errors]
    assert got == [
        (2, "项目名称", "名称含不可见字符（U+202E，第 3 个字符），请删除后重试"),
        (3, "责任单位", "最多 200 个字（现有 201 个）"),
        (4, "总投资（亿元）", "不能大于 100000"),
        (5, "项目编号", "项目的 id 不能以 firm: 开头（那是企业的 id）：'firm:x'"),
        (6, "项目编号", "项目的 id 太长：最多 256 个字符（现有 300 个）"),
        (7, "责任单位", "含不可见字符（U+200B，第 3 个字符），请删除后重试"),
    ]
    assert seeded.counts() == before


def test_a_workbook_description_over_2000_characters_is_refused(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    row = {
        "需求类型": "土地",
        "需求描述": "长" * 2001,
        "所在区域": "长兴县",
        "所属产业链": "新能源与新型储能",
    }
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, _workbook(tmp_path, "demands", [row]), progress=False)
    assert [(e.row, e.column, e.reason) for e in err.value.errors] == [
        (2, "需求描述", "最多 2000 个字（现有 2001 个）")
    ]


NODES = "id:ID,:LABEL,name,note\n"
BAD_BUNDLES = {
    "bidi in a name": (NODES + "seg:a,Segment,合金\u202e4目项,\n", "name"),
    "zero-width space in a text": (NODES + "seg:a,Segment,甲,说\u200b明\n", "note"),
    "text over 2000": (NODES + f"seg:a,Segment,甲,{'长' * 2001}\n", "note"),
    "short text over 200": (
        f"id:ID,:LABEL,name,responsible_unit\nproject:a,Project,甲,{'长' * 201}\n",
        "responsible_unit",
    ),
    "amount over the maximum": (
        "id:ID,:LABEL,name,investment:double\nproject:a,Project,甲,1e6\n",
        "investment",
    ),
    "another kind's prefix": ("id:ID,:LABEL,name\nfirm:a,Project,甲\n", "id"),
    "id over 256": (f"id:ID,:LABEL,name\nseg:{'x' * 300},Segment,甲\n", "id"),
}


@needs_bulk
@pytest.mark.parametrize("case", list(BAD_BUNDLES))
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "general"])
def test_bundles_refuse_what_the_api_refuses(case: str, fast: bool, tmp_path: Path) -> None:
    text, column = BAD_BUNDLES[case]
    d = tmp_path / "b"
    d.mkdir()
    (d / "nodes.csv").write_text(text, "utf-8")
    with EmbeddedStore(tmp_path / "g.db") as store:
        with pytest.raises(ImportFailed) as err:
            import_bundle(store, d, progress=False, fast=fast)
        assert [(e.row, e.column) for e in err.value.errors] == [(2, column)], str(err.value)
        assert store.counts().nodes == 0


@pytest.mark.parametrize(
    "node, reason",
    [
        (Node("1366:x", "Chain", {"name": "链", "layout": "1366", "aliases": ["长" * 201]}), "200"),
        (Node("problem:x", "Problem", {"title": "题", "history": ["长" * 2001]}), "2000"),
        (Node("firm:x", "Firm", {"name": "甲", "employees": 10**8}), "10000000"),
        (Node("project:x", "Project", {"name": "甲\u2067乙"}), "U+2067"),
    ],
)
def test_the_model_refuses_it_for_every_store(node: Node, reason: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape(reason)):
        validate_node(node)


def test_a_demand_may_not_take_a_firm_id_but_a_segment_may() -> None:
    with pytest.raises(SchemaViolation, match="需求的 id 不能以 firm: 开头"):
        validate_node(Node("firm:x", "Demand", {"kind": "土地", "description": "d"}))
    assert validate_node(Node("firm:x", "Segment", {"name": "甲"})).id == "firm:x"


def test_docking_ids_have_room_for_two_ids() -> None:
    long_id = "x" * 250
    docking = f"docking:demand:{long_id}:supply:{long_id}"
    assert validate_node(Node(docking, "Docking", {"status": "推荐"})).id == docking


def test_goals_over_the_maximum_are_refused_on_the_cli_path(seeded: EmbeddedStore) -> None:
    before = seeded.require_node("1366:storage").props
    for values in ({"signed": 1e308}, {"investment": 100_001}):
        with pytest.raises(ValidationFailed, match="不能大于"):
            set_goals(seeded, "1366:storage", 2026, values, by="测试", on=date(2026, 11, 30))
    assert seeded.require_node("1366:storage").props == before


@pytest.mark.parametrize(
    "name, message",
    [
        (" ", "令牌名称不能只有空白或不可见字符"),
        ("x\u202eevil", "令牌名称含不可见字符（U+202E，第 2 个字符），请删除后重试"),
        ("a" * 61, "令牌名称最多 60 个字（现有 61 个）"),
        ("a\nb", "令牌名称含不允许的换行或制表符 U+000A（第 2 个字符）"),
        ("长兴县招商专员", None),
    ],
)
def test_the_name_rule_for_names_outside_the_graph(name: str, message: str | None) -> None:
    """The rule the token names reuse (review S, B10)."""
    assert name_problem(name, what="令牌名称", longest=60) == message
