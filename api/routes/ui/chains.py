"""The chains: both layouts with their lineage, a chain's page (the fishbone, the segments and
their verdicts), its 招商图 and its 链主型企业库."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import get_settings, get_store, target_index
from chainatlas.api.roles import ROLES
from chainatlas.api.routes.ui.core import User, page
from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.workflows.maps import masters_library, resolve_chain
from chainatlas.graph.workflows.progress import progress
from chainatlas.viz.attraction_list import (
    ORDER_RULE,
    TIERS,
    AttractionList,
    Filters,
    attraction_list,
)

router = APIRouter(include_in_schema=False)


@router.get("/ui/chains", response_class=HTMLResponse)
def chains_page(request: Request, who: User) -> Response:
    store = get_store(request)
    layouts = []
    lineage: dict[str, str] = {}
    for lay in store.find_nodes("Layout"):
        chains = store.find_nodes("Chain", {"layout": lay.props["code"]})
        chains.sort(key=lambda n: n.props.get("order", 0))
        layouts.append((lay, chains))
        for c in chains:
            to = [n.name for _, n in store.neighbours(c.id, ["EVOLVED_INTO"], "out")]
            frm = [n.name for _, n in store.neighbours(c.id, ["EVOLVED_INTO"], "in")]
            lineage[c.id] = ("→ " + "、".join(to) if to else "") + (
                "← " + "、".join(frm) if frm else ""
            )
    layouts.sort(key=lambda x: not x[0].props.get("current"))
    home = get_settings(request).home_area
    # each chain's 2026 target as the chain page and the dashboard give it (own, 继承 or 推断)
    targets = {r["chain"]: r for r in progress(store, home_area=home)["chains"]}
    return page(
        request,
        who,
        "chains.html",
        title="产业链",
        nav="chains",
        layouts=layouts,
        lineage=lineage,
        targets=targets,
    )


@router.get("/ui/chain/{chain}", response_class=HTMLResponse)
def chain_page(
    request: Request,
    who: User,
    chain: str,
    month: str | None = Query(None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
) -> Response:
    """A chain's page; an unknown chain is a 404 page (the error pages of ``core``)."""
    from chainatlas.api.routes.ui.chain_work import render_chain

    return render_chain(request, who, chain, month)


#: Rows of a segment shown at once on the 招商图 (known and inferred together).
MAP_PAGE_SIZE = 10


def _map_filters(
    segment: str | None = Query(None, max_length=200, description="环节编号"),
    region: str | None = Query(None, max_length=50, description="目标企业所在地（省或市）"),
    tier: str | None = Query(None, pattern="^(重点|推荐|备选)?$"),
    kind: str | None = Query(None, pattern="^(known|inferred)?$"),
) -> Filters:
    """The filter form's fields; an empty field (the 全部 choice) filters nothing."""
    return Filters(segment or None, region or None, tier or None, kind or None)  # type: ignore[arg-type]


def _attraction(request: Request, chain: str) -> AttractionList:
    store = get_store(request)
    s = get_settings(request)
    ch = resolve_chain(store, chain)  # an unknown chain: 404 before any ranking
    idx = target_index(request, store, s.home_area) if store.count_nodes("Firm") else None
    return attraction_list(
        store, ch.id, index=idx, thresholds=s.thresholds(), home_area=s.home_area
    )


def _check_segment(al: AttractionList, f: Filters) -> None:
    if f.segment is not None and all(g.segment != f.segment for g in al.groups):
        raise NodeNotFound(f.segment, "环节", f"不是{al.map.chain.name}的弱、缺环节")


@router.get("/ui/chain/{chain}/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    who: User,
    chain: str,
    f: Annotated[Filters, Depends(_map_filters)],
    p: int = Query(1, ge=1, le=100_000),
) -> Response:
    """产业链招商图 as a worklist: weak and missing segments by priority, each with its
    recorded and inferred targets (filters, a page per segment, Excel in the same order)."""
    from chainatlas.api.routes.ui.index_notice import index_notice
    from chainatlas.viz.reports import why_none  # loads pandas: not at start-up

    ch = resolve_chain(get_store(request), chain)  # an unknown chain: 404 before any notice
    notice = index_notice(request, who, f"产业链招商图 · {ch.name}", ch)
    if notice is not None:  # the index is being computed: say so now, reload when ready
        return notice
    al = _attraction(request, chain)
    _check_segment(al, f)
    query = {"segment": f.segment, "region": f.region, "tier": f.tier, "kind": f.kind}
    query = {k: v for k, v in query.items() if v}
    here = set(who.scope) if ROLES[who.role].scope == "region" else set()
    landing = sorted(al.map.landing, key=lambda x: x.region not in here)
    return page(
        request,
        who,
        "attraction.html",
        title=f"产业链招商图 · {al.map.chain.name}",
        nav="chains",
        al=al,
        f=f,
        groups=al.pages(f, p, MAP_PAGE_SIZE),
        all_groups=al.groups,
        rank_of={g.segment: i for i, g in enumerate(al.groups, 1)},
        query=urlencode(query),
        query_without_segment=urlencode({k: v for k, v in query.items() if k != "segment"}),
        order_rule=ORDER_RULE,
        tiers=TIERS,
        verdict=VERDICT_ZH,
        landing=landing,
        here=here,
        why_none=why_none(f),
    )


@router.get("/ui/chain/{chain}/map.xlsx")
def map_workbook(
    request: Request, who: User, chain: str, f: Annotated[Filters, Depends(_map_filters)]
) -> Response:
    """The 招商图 worklist's Excel: every row under the page's filters, in the page's order."""
    from chainatlas.api.downloads import download
    from chainatlas.viz.reports import attraction_report

    al = _attraction(request, chain)
    _check_segment(al, f)
    return download(attraction_report(al, f), "xlsx", f"产业链招商图-{al.map.chain.name}.xlsx")


@router.get("/ui/chain/{chain}/masters", response_class=HTMLResponse)
def masters_page(request: Request, who: User, chain: str) -> Response:
    """链主型企业库: each master and partner links to its firm page, with both 本地化配套比例
    (by relationships and by value) named in full and a way back to the chain."""
    store = get_store(request)
    ch = resolve_chain(store, chain)
    lib = masters_library(store, ch.id, home_area=get_settings(request).home_area)
    return page(
        request,
        who,
        "masters.html",
        title=f"链主型企业库 · {ch.name}",
        nav="chains",
        chain=ch,
        lib=lib,
    )
