"""The ledger's Excel exports as an office reads them (review R, B9): an empty sheet keeps its
header row and says 「无」; every date is a real Excel date shown as yyyy-mm-dd, as in the
重点项目库 export; shares are numbers in a percentage format."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.webui import Browsers


def _book(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def _date_cells(ws: Any, header: str) -> list[Any]:
    col = [c.value for c in ws[1]].index(header) + 1
    return [c for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col) if c.value]


def test_the_lists_workbook_has_headers_notes_and_dates(client: TestClient) -> None:
    r = client.get("/api/v1/ledger/lists?month=2026-11&format=xlsx")
    assert r.status_code == 200
    wb = _book(r.content)
    empty = [ws for ws in wb.worksheets if ws.max_row <= 2 and ws.cell(2, 1).value == "无"]
    assert empty, "the sample's month has an empty list (新升规, 新备案 …)"
    full = wb["在建"]
    for ws in empty:  # the same header as a list with rows
        assert [c.value for c in ws[1]] == [c.value for c in full[1]]
    signed = _date_cells(full, "签约日期")
    assert signed and all(isinstance(c.value, dt.datetime) for c in signed)
    assert {c.number_format for c in signed} == {"yyyy-mm-dd"}


def test_the_report_workbook_has_dates_percentages_and_notes(client: TestClient) -> None:
    r = client.get("/api/v1/ledger/report?month=2026-11&format=xlsx")
    wb = _book(r.content)
    since = _date_cells(wb["五未项目"], "起算日期")
    assert since and all(isinstance(c.value, dt.datetime) for c in since)
    assert {c.number_format for c in since} == {"yyyy-mm-dd"}
    ws = wb["按区县"]
    share = _date_cells(ws, "五未占比")
    assert share and {c.number_format for c in share} == {"0%"}
    assert all(isinstance(c.value, float | int) for c in share)
    for ws in wb.worksheets:
        assert ws.max_row >= 2, f"{ws.title}: an empty sheet says 无"


def test_the_project_library_dates_show_alike(ui: Browsers) -> None:
    wb = _book(ui.as_("city").get("/ui/projects.xlsx").content)
    ws = wb["重点项目库"]
    signed = _date_cells(ws, "签约日期")
    assert signed and {c.number_format for c in signed} == {"yyyy-mm-dd"}
