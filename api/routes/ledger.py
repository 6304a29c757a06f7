"""The one ledger (一本账): the monthly report (月度通报) and the month's lists. One project's
file — its dossier, stage moves, follow-ups and 拿地 — is :mod:`chainatlas.api.routes.projects`;
a chain's 十个一 and four lists are :mod:`chainatlas.api.routes.checklist`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.downloads import HTML, XLSX, download, downloads
from chainatlas.graph.workflows.ledger import month_lists
from chainatlas.graph.workflows.report import monthly_report
from chainatlas.viz.ledger import (
    lists_json,
    lists_tables,
    report_html,
    report_json,
    report_tables,
)
from chainatlas.viz.tables import xlsx_bytes

__all__ = ["router"]

router = APIRouter(prefix="/ledger", tags=["ledger"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _xlsx(sheets: Any, name: str) -> Response:
    return download(xlsx_bytes(sheets), "xlsx", name, fallback="ledger")


@router.get("/report", responses=downloads(XLSX, HTML))
def report(
    store: StoreDep,
    settings: SettingsDep,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH),
    format: Literal["json", "xlsx", "html"] = Query("json"),
) -> Response:
    """月度通报晾晒: lists, the five stalls by chain, district and 责任单位, rankings, change,
    拿地即开工, the office's settings used (本办设置) in the header, and the 五未 督办 items as
    stored. A read writes nothing: the service keeps the items up to date by itself
    (:mod:`chainatlas.api.supervisor`)."""
    r = monthly_report(
        store,
        month,
        settings.grace(),
        due_days=settings.due_days(),
        land_to_start_days=settings.land_to_start_days,
    )
    if format == "xlsx":
        return _xlsx(report_tables(r), f"一本账月度通报-{month}.xlsx")
    if format == "html":
        return download(report_html(r), "html")
    return download(report_json(r), "json")


@router.get("/lists", responses=downloads(XLSX))
def lists(
    store: StoreDep,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH),
    format: Literal["json", "xlsx"] = Query("json"),
) -> Any:
    """六张清单 and 三张新清单 of a month, derived from the project dates (with 责任单位)."""
    ls = month_lists(store, month)
    if format == "xlsx":
        return _xlsx(lists_tables(ls), f"一本账清单-{month}.xlsx")
    return download(lists_json(ls), "json")
