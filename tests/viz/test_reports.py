"""Reports rendered from matching's results: the element-matching workbook's sheets."""

from __future__ import annotations

from chainatlas.graph.errors import RowError
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.elements import Element, match
from chainatlas.viz.reports import match_tables


class TestMatchTables:
    def test_sheets_rows_and_skipped_rows(self, seeded: EmbeddedStore) -> None:
        need = Element("d1", "demand", "土地", "工业用地", 50, "亩", "长兴县", major=True)
        talent = Element("d2", "demand", "人才", "算法工程师", 3, "人", "德清县")
        plot = Element("s1", "supply", "土地", "工业用地地块", 60, "亩", "长兴县")
        res = match([need, talent], [plot], store=seeded)
        res.errors = [RowError("d.csv", 4, "数量", "数量无法解析：'很多'")]
        sheets = match_tables(res)
        assert list(sheets) == ["分配结果", "候选", "未匹配", "错误行"]
        got = sheets["分配结果"].to_dict("records")
        assert [(r["需求编号"], r["供给编号"], r["需求"]) for r in got] == [
            ("d1", "s1", "工业用地 50亩")
        ]
        assert got[0]["通过的约束"].startswith("类型一致；数量满足") and got[0]["来自图谱"] == ""
        assert sheets["未匹配"].to_dict("records") == [
            {"需求编号": "d2", "需求": "算法工程师 3人", "原因": "无「人才」类供给"}
        ]
        assert sheets["错误行"].to_dict("records") == [
            {"文件": "d.csv", "行": 4, "列": "数量", "原因": "数量无法解析：'很多'"}
        ]

    def test_no_error_sheet_without_skipped_rows(self) -> None:
        res = match([], [])
        sheets = match_tables(res)
        assert list(sheets) == ["分配结果", "候选", "未匹配"] and sheets["未匹配"].empty


def test_an_empty_target_list_is_a_table_with_its_header() -> None:
    """When no firm clears the cut-off, the workbook still has the columns (and no rows)."""
    import io

    import openpyxl

    from chainatlas.viz.reports import TARGET_COLUMNS, targets_report

    data = targets_report([{"segment": "seg:x", "name": "某环节", "targets": []}], "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(data))["招商目标"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == TARGET_COLUMNS and len(rows) == 1
