"""一本账 in the browser: the monthly report (月度通报晾晒) in the page with a month picker,
charts and a print view, and the six + three lists of the month (六张清单、三张新清单)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import get_settings, get_store
from chainatlas.api.routes.ui.core import User, page
from chainatlas.graph.workflows.ledger import LISTS, MONTH_PATTERN, NEW_LISTS, STALLS, month_lists
from chainatlas.graph.workflows.report import monthly_report
from chainatlas.viz.dashboard import month_of

router = APIRouter(include_in_schema=False)


def last_month(today: date) -> str:
    """The month a 通报 is usually about: the one before ``today``'s."""
    return month_of(today.replace(day=1) - timedelta(days=1))


def _report_page(request: Request, who: User, month: str | None, template: str) -> Response:
    s = get_settings(request)
    month = month or last_month(date.today())
    r = monthly_report(
        get_store(request),
        month,
        s.grace(),
        due_days=s.due_days(),
        land_to_start_days=s.land_to_start_days,
    )
    chart = {
        "stalls": STALLS,
        "by_region": [{k: x[k] for k in ("name", *STALLS)} for x in r.by_region],
        "by_chain": [{k: x[k] for k in ("name", *STALLS)} for x in r.by_chain],
    }
    return page(
        request,
        who,
        template,
        title=f"一本账月度通报 · {month}",
        nav="ledger",
        r=r,
        month=month,
        lists=LISTS,
        new_lists=NEW_LISTS,
        stalls=STALLS,
        chart=chart,
    )


Month = Query(None, pattern=MONTH_PATTERN, description="月份 YYYY-MM（默认上月）")


@router.get("/ui/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, who: User, month: str | None = Month) -> Response:
    return _report_page(request, who, month, "ledger.html")


@router.get("/ui/ledger/print", response_class=HTMLResponse)
def ledger_print(request: Request, who: User, month: str | None = Month) -> Response:
    """The same report laid out for paper (A4, no navigation, no charts)."""
    return _report_page(request, who, month, "ledger_print.html")


@router.get("/ui/ledger/lists", response_class=HTMLResponse)
def ledger_lists(request: Request, who: User, month: str | None = Month) -> Response:
    month = month or last_month(date.today())
    lists = month_lists(get_store(request), month)
    return page(
        request,
        who,
        "ledger_lists.html",
        title=f"六张清单、三张新清单 · {month}",
        nav="ledger",
        month=month,
        groups=[("六张清单", LISTS), ("三张新清单", NEW_LISTS)],
        lists=lists,
    )
