"""Graph-level rules from the second security review of issue 14: a template row's segment
belongs to its chain, ids and names hold no invisible characters, and a bundle cell of the
wrong type is told in Chinese."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.templates import import_template, write_template
from chainatlas.graph.store.embedded import EmbeddedStore


def _projects(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    tpl = write_template("projects", tmp_path / "t.xlsx")
    cols = pd.read_excel(tpl, sheet_name="数据").columns
    df = pd.DataFrame([{c: r.get(c.rstrip("*"), "") for c in cols} for r in rows], columns=cols)
    out = tmp_path / "项目.xlsx"
    df.to_excel(out, sheet_name="数据", index=False)
    return out


def test_a_template_rows_segment_must_belong_to_its_chain(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    row = {"项目名称": "探针", "所属产业链": "智能网联新能源汽车", "所在区域": "长兴县"}
    path = _projects(tmp_path, [{**row, "所属环节": "高端原辅料"}])
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, path, progress=False)
    assert [(e.row, e.column) for e in err.value.errors] == [(2, "所属环节")]
    assert "不属于产业链" in err.value.errors[0].reason
    assert not seeded.find_nodes("Project", {"name": "探针"})
    path = _projects(tmp_path, [{**row, "所属环节": "动力电池"}])
    import_template(seeded, path, progress=False)
    (p,) = seeded.find_nodes("Project", {"name": "探针"})
    assert [s.id for _, s in seeded.neighbours(p.id, ["IN_SEGMENT"], "out")] == ["seg:动力电池"]


# ---- invisible characters in ids and names ----------------------------------------------------
HIDDEN = ["\u200b", "\ufeff", "\u1164", "\u3164", "\u2060", "\u00a0", "\u3000", "\U000e0041"]


@pytest.mark.parametrize("c", HIDDEN)
def test_an_id_with_an_invisible_character_is_refused_every_way_in(
    memory_store: EmbeddedStore, tmp_path: Path, c: str
) -> None:
    from chainatlas.graph.errors import ValidationFailed
    from chainatlas.graph.io.bundle import import_bundle
    from chainatlas.graph.model import Node, id_problem, validate_node

    bad = f"firm:{c}sample-0005" if c != "\u00a0" else f"firm:sam{c}ple"
    assert id_problem(bad) and f"U+{ord(c):04X}" in str(id_problem(bad))
    with pytest.raises(ValidationFailed):
        validate_node(Node(bad, "Segment", {"name": "甲"}))
    d = tmp_path / "b"
    d.mkdir()
    (d / "n.csv").write_text(f"id:ID,:LABEL,name\n{bad},Segment,甲\n", "utf-8")
    for fast in (True, False):  # the columnar path and the general path: one rule
        with pytest.raises(ImportFailed):
            import_bundle(memory_store, d, progress=False, fast=fast)
    assert memory_store.counts().nodes == 0


def test_plain_ids_and_inner_spaces_are_still_ids() -> None:
    from chainatlas.graph.model import id_problem

    for ok in ("firm:sample-0005", "seg:高端原辅料", "1366:icv", "某 公司", "한국기업"):
        assert id_problem(ok) is None, ok


def test_a_name_of_object_replacement_characters_is_invisible() -> None:
    from chainatlas.graph.errors import ValidationFailed
    from chainatlas.graph.model import Node, validate_node, visible

    assert not visible("\ufffc\ufffc")
    with pytest.raises(ValidationFailed):
        validate_node(Node("seg:x", "Segment", {"name": "\ufffc"}))


# ---- a bundle cell of the wrong type ----------------------------------------------------------
@pytest.mark.parametrize(
    "t, value, says", [("int", "yes", "整数"), ("double", "很多", "数字"), ("date", "昨天", "日期")]
)
def test_a_bundle_cell_of_the_wrong_type_is_told_in_chinese(
    memory_store: EmbeddedStore, tmp_path: Path, t: str, value: str, says: str
) -> None:
    import re

    from chainatlas.graph.io.bundle import import_bundle

    d = tmp_path / "b"
    d.mkdir()
    (d / "n.csv").write_text(f"id:ID,:LABEL,name,x:{t}\nseg:a,Segment,甲,{value}\n", "utf-8")
    with pytest.raises(ImportFailed) as err:
        import_bundle(memory_store, d, progress=False)
    (e,) = err.value.errors
    assert e.row == 2 and says in e.reason and value in e.reason
    assert not re.search(r"[A-Za-z]{4,}", e.reason.replace("YYYY", "")), e.reason
