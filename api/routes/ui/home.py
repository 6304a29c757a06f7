"""The 驾驶舱: KPI cards that link to their lists, charts and two maps, drawn in the browser by
ECharts (``/ui/static/vendor/echarts``) from data the page carries as JSON; the boundaries are
GeoJSON files served from the package (``/ui/static/vendor/geo``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import get_settings, get_store
from chainatlas.api.routes.ui.core import User, page
from chainatlas.api.routes.ui.unplaced import fixable, fixable_dates
from chainatlas.graph.workflows.maps import resolve_chain
from chainatlas.graph.workflows.progress import progress
from chainatlas.viz.dashboard import (
    china_targets,
    district_chart,
    huzhou_map,
    kpis,
    monthly_trend,
    progress_chart,
    project_rows,
)

router = APIRouter(include_in_schema=False)
TIERS = ("先导", "特色", "新兴", "未来")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: User, chain: str | None = None) -> Response:
    """``chain`` picks the chain whose target firms the China map shows (id or name)."""
    store = get_store(request)
    s = get_settings(request)
    today, grace = date.today(), s.grace()
    chains = store.find_nodes("Chain", {"layout": "1366"})
    chains.sort(key=lambda n: n.props.get("order", 0))
    picked = resolve_chain(store, chain).id if chain else (chains[0].id if chains else None)
    rows = project_rows(store)
    prog = progress(store, home_area=s.home_area, industrial_output=s.industrial_output)
    data = {
        "progress": progress_chart(prog),
        "districts": district_chart(store, rows, grace=grace, today=today),
        "trend": monthly_trend(rows, grace=grace, today=today),
        "huzhou": huzhou_map(store, rows, grace=grace, today=today, home_area=s.home_area),
        "china": china_targets(store, picked, thresholds=s.thresholds(), home_area=s.home_area)
        if picked
        else None,
        "home_area": list(s.home_area),
    }
    return page(
        request,
        who,
        "home.html",
        title="驾驶舱",
        nav="home",
        cards=kpis(store, rows, grace=grace, today=today, home_area=s.home_area),
        tiers=[(t, [c for c in chains if c.props.get("tier") == t]) for t in TIERS],
        chains=chains,
        picked=picked,
        data=data,
        today=today.isoformat(),
        progress=prog,
        unplaced=len(fixable(request, who)),
        bad_dates=len(fixable_dates(request, who)),
    )
