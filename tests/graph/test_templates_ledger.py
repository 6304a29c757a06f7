"""The ledger's columns of the officer templates: a demand's 所属项目 (FOR_PROJECT) and a
project's 拿地日期, filled in real workbooks and imported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.templates import import_template, write_template
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore


def _fill(tmp_path: Path, kind: str, rows: list[dict[str, str]]) -> Path:
    tpl = write_template(kind, tmp_path / f"{kind}.xlsx")
    cols = pd.read_excel(tpl, sheet_name="数据").columns
    df = pd.DataFrame([{c: r.get(c.rstrip("*"), "") for c in cols} for r in rows], columns=cols)
    out = tmp_path / f"{kind}-filled.xlsx"
    df.to_excel(out, sheet_name="数据", index=False)
    return out


@pytest.fixture
def g(memory_store: EmbeddedStore) -> GraphStore:
    with memory_store.batch() as b:
        b.upsert_nodes(
            [
                Node("region:长兴县", "Region", {"name": "长兴县", "kind": "县"}),
                Node("project:a", "Project", {"name": "储能项目"}),
                Node("project:b1", "Project", {"name": "同名项目"}),
                Node("project:b2", "Project", {"name": "同名项目"}),
            ]
        )
    return memory_store


DEMAND = {"需求类型": "土地", "需求描述": "新增工业用地", "所在区域": "长兴县"}


def test_a_demand_names_its_project_by_id_or_name(g: GraphStore, tmp_path: Path) -> None:
    path = _fill(
        tmp_path,
        "demands",
        [
            DEMAND | {"需求编号": "demand:1", "所属项目": "project:a"},
            DEMAND | {"需求编号": "demand:2", "所属项目": "储能项目"},
            DEMAND | {"需求编号": "demand:3"},
        ],
    )
    import_template(g, path, progress=False)
    owners = {
        d: [n.id for _, n in g.neighbours(d, ["FOR_PROJECT"], "out")]
        for d in ("demand:1", "demand:2", "demand:3")
    }
    assert owners == {"demand:1": ["project:a"], "demand:2": ["project:a"], "demand:3": []}


def test_the_same_need_of_two_projects_is_two_demands(g: GraphStore, tmp_path: Path) -> None:
    path = _fill(
        tmp_path,
        "demands",
        [DEMAND | {"所属项目": "project:a"}, DEMAND | {"所属项目": "project:b1"}],
    )
    import_template(g, path, progress=False)
    assert g.count_nodes("Demand") == 2


def test_an_unknown_or_ambiguous_project_is_a_row_error(g: GraphStore, tmp_path: Path) -> None:
    path = _fill(
        tmp_path,
        "demands",
        [DEMAND | {"所属项目": "没有这个项目"}, DEMAND | {"所属项目": "同名项目"}],
    )
    before = g.counts()
    with pytest.raises(ImportFailed) as exc:
        import_template(g, path, progress=False)
    errors = {(e.row, e.column): e.reason for e in exc.value.errors}
    assert "库中没有项目" in errors[(2, "所属项目")]
    assert "有 2 个项目名为 '同名项目'，请填项目编号" in errors[(3, "所属项目")]
    assert g.counts() == before


def test_a_project_carries_its_land_date(g: GraphStore, tmp_path: Path) -> None:
    row = {"项目名称": "新项目", "所属产业链": "", "所在区域": "长兴县", "拿地日期": "2026-03-01"}
    path = _fill(tmp_path, "projects", [row | {"所属产业链": ""}])
    with pytest.raises(ImportFailed):  # 所属产业链 is required; the chain is missing here
        import_template(g, path, progress=False)
    with g.batch() as b:
        b.upsert_nodes([Node("C", "Chain", {"name": "储能链", "layout": "1366"})])
    path = _fill(tmp_path, "projects", [row | {"所属产业链": "储能链"}])
    import_template(g, path, progress=False)
    assert g.require_node("project:新项目").props["land_date"] == "2026-03-01"
    bad = _fill(tmp_path, "projects", [row | {"所属产业链": "储能链", "拿地日期": "三月"}])
    with pytest.raises(ImportFailed) as exc:
        import_template(g, bad, progress=False)
    assert any(e.column == "拿地日期" for e in exc.value.errors)


def test_a_projects_attraction_method_is_one_of_the_seeds(g: GraphStore, tmp_path: Path) -> None:
    """招商方式 (seed 000 §三（一）: 产业链招商、基金招商、科技招商、以商引商、场景招商)."""
    g.upsert_nodes([Node("1366:storage", "Chain", {"name": "新能源与新型储能", "layout": "1366"})])
    row = {"项目名称": "以商引商项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
    ok = _fill(tmp_path, "projects", [row | {"招商方式": "以商引商"}])
    import_template(g, ok, progress=False)
    assert g.require_node("project:以商引商项目").props["attraction_method"] == "以商引商"
    bad = _fill(tmp_path, "projects", [row | {"项目名称": "八法项目", "招商方式": "招商八法"}])
    with pytest.raises(ImportFailed) as exc:
        import_template(g, bad, progress=False)
    assert "招商方式" in str(exc.value) or "attraction_method" in str(exc.value)
    assert g.get_node("project:八法项目") is None
