"""Excel exports read back as a user opens them (openpyxl on the written workbook): headers and
words as the pages show them, numbers and dates as Excel numbers and dates, and an empty sheet
that says why it is empty."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import openpyxl

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.store.examples import tiny_chain
from chainatlas.graph.workflows.report import monthly_report
from chainatlas.viz.ledger import report_tables
from chainatlas.viz.reports import GAP_COLUMNS, attraction_report, gaps_report
from chainatlas.viz.tables import projects_tables, xlsx_bytes


def _book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _records(ws: Any) -> list[dict[str, Any]]:
    head, *rows = ws.iter_rows(values_only=True)
    return [dict(zip(head, r, strict=True)) for r in rows]


class TestGapsWorkbook:
    def test_positions_in_chinese(self, seeded: EmbeddedStore) -> None:
        _, data = gaps_report(seeded, "1366:bio", "xlsx")
        rows = _records(_book(data)["缺链强链"])
        assert rows and {r["位置"] for r in rows} <= {"上游", "中游", "下游"}

    def test_no_extension_is_a_header_and_a_note(self) -> None:
        store = tiny_chain("正极材料", "电芯", local_in="电芯", local_output=8.0)
        _, data = gaps_report(store, "c", "xlsx")
        head, *rows = _book(data)["延链候选"].iter_rows(values_only=True)
        assert list(head) == GAP_COLUMNS
        assert len(rows) == 1 and str(rows[0][0]).startswith("无")


def test_projects_flags_and_dates_as_the_template_writes_them() -> None:
    project = {"id": "p1", "name": "甲项目", "major": True, "sample": False}
    project |= {"signed": "2026-03-01", "started": "2026-05-20", "filed": None}
    ws = _book(xlsx_bytes(projects_tables([project])))["重点项目库"]
    (row,) = _records(ws)
    assert (row["重大项目"], row["示例数据"]) == ("是", "否")
    assert row["签约日期"] == datetime(2026, 3, 1) and row["开工日期"] == datetime(2026, 5, 20)
    assert row["备案日期"] is None
    head = [c.value for c in ws[1]]
    assert ws.cell(2, head.index("签约日期") + 1).is_date


class TestMonthlyReportWorkbook:
    def _book(self, store: EmbeddedStore) -> Any:
        return _book(xlsx_bytes(report_tables(monthly_report(store, "2026-10"))))

    def test_share_is_a_number_shown_as_percent(self, seeded: EmbeddedStore) -> None:
        ws = self._book(seeded)["按产业链"]
        head = [c.value for c in ws[1]]
        col = head.index("五未占比") + 1
        cells = [ws.cell(i, col) for i in range(2, ws.max_row + 1)]
        assert cells and all(isinstance(c.value, int | float) for c in cells)
        assert {c.number_format for c in cells} == {"0%"}

    def test_docking_headers_name_the_state_once(self, seeded: EmbeddedStore) -> None:
        head = [c.value for c in self._book(seeded)["要素对接"][1]]
        assert "对接记录（对接中）" in head and not any("对接对接" in str(h) for h in head)

    def test_every_overview_row_has_last_month(self, seeded: EmbeddedStore) -> None:
        rows = _records(self._book(seeded)["概览"])
        lists = [r for r in rows if r["类别"] in ("六张清单", "三张新清单")]
        assert len(lists) == 9
        for r in rows:
            assert isinstance(r["上月"], int) and r["较上月"] == r["项目数"] - r["上月"], r


def test_attraction_workbook_says_why_a_tier_has_no_target(seeded: EmbeddedStore) -> None:
    from chainatlas.viz.attraction_list import Filters, attraction_list

    al = attraction_list(seeded, "1366:bio")
    data = attraction_report(al, Filters(tier="重点"))
    rows = list(_book(data)["招商目标"].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "无达到「重点」（≥25 分）的目标"
