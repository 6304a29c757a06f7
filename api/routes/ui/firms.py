"""企业检索: names, full names, credit and stock codes, products (segments) and tags, with the
filters of the firms API (region, tag, local, chain, segment), the true count and pages."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import get_settings, get_store
from chainatlas.api.routes.ui.core import User, page
from chainatlas.graph.home import is_local
from chainatlas.graph.model import FIRM_TAGS
from chainatlas.graph.store.contract import GraphStore
from chainatlas.viz.worklists import find_firms, paged

router = APIRouter(include_in_schema=False)


def _segments(store: GraphStore, firm: str, q: str, n: int = 6) -> list[str]:
    """The segments (products) a firm operates in, those the search matched first."""
    names = [s.name for _, s in store.neighbours(firm, ["OPERATES_IN"], "out")]
    return sorted(names, key=lambda x: q not in x if q else False)[:n]


@router.get("/ui/firms", response_class=HTMLResponse)
def firms_page(
    request: Request,
    who: User,
    q: str = Query("", max_length=100),
    region: str = Query("", max_length=50),
    tag: str = "",
    local: str = Query("", pattern="^[01]?$"),
    chain: str = "",
    segment: str = Query("", max_length=200),
    p: int = Query(1, ge=1),
) -> Response:
    store = get_store(request)
    home = get_settings(request).home_area
    f = {"q": q.strip(), "region": region, "tag": tag, "local": local, "chain": chain}
    f = {k: v for k, v in (f | {"segment": segment}).items() if v}
    searched = bool(f)
    firms = (
        find_firms(
            store,
            q=f.get("q", ""),
            region=region,
            tag=tag,
            local={"1": True, "0": False}.get(local),
            chain=chain,
            segment=segment,
            home_area=home,
        )
        if searched
        else []
    )
    pg = paged(firms, p)
    rows = [
        {
            "firm": n,
            "local": is_local(n.props.get("region"), home),
            "segments": _segments(store, n.id, f.get("q", "")),
        }
        for n in pg.rows
    ]
    chains = store.find_nodes("Chain", {"layout": "1366"})
    chains.sort(key=lambda c: c.props.get("order", 0))
    return page(
        request,
        who,
        "firms.html",
        title="企业检索",
        nav="firms",
        f=f,
        searched=searched,
        pg=pg,
        rows=rows,
        tags=FIRM_TAGS,
        chains=chains,
        query=urlencode(f),
    )


@router.get("/ui/firm/{firm_id}", response_class=HTMLResponse)
def firm_page(request: Request, who: User, firm_id: str) -> Response:
    """企业档案; an unknown firm is a 404 page."""
    from chainatlas.api.deps import get_settings
    from chainatlas.viz.firmpage import firm_page as firm_data

    s = get_settings(request)
    f = firm_data(get_store(request), firm_id, thresholds=s.thresholds(), home_area=s.home_area)
    return page(request, who, "firm.html", title=f.firm.name, nav="firms", f=f)
