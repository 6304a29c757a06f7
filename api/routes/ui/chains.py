"""The chains: both layouts with their lineage, a chain's page (the fishbone, the segments and
their verdicts), its 招商图 and its 链主型企业库."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import get_settings, get_store
from chainatlas.api.routes.ui.core import User, page
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.workflows.maps import attraction_map, masters_library, resolve_chain

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
    return page(
        request, who, "chains.html", title="产业链", nav="chains", layouts=layouts, lineage=lineage
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


@router.get("/ui/chain/{chain}/map", response_class=HTMLResponse)
def map_page(request: Request, who: User, chain: str) -> Response:
    from chainatlas.api.routes.gaps import target_index
    from chainatlas.matching.service import map_target_fn

    store = get_store(request)
    s = get_settings(request)
    resolve_chain(store, chain)  # an unknown chain: 404 before any ranking
    idx = target_index(request, store, s.home_area) if store.count_nodes("Firm") else None
    am = attraction_map(
        store,
        chain,
        thresholds=s.thresholds(),
        home_area=s.home_area,
        targets=map_target_fn(idx) if idx else None,
    )
    rows = [
        [
            x.name,
            VERDICT_ZH[x.verdict],
            t.name,
            t.region,
            t.score,
            "已记录" if t.known else "推断",
            "；".join(t.reasons),
        ]
        for x in am.segments
        for t in x.targets
    ]
    land = [
        [
            x.region,
            x.basis,
            "、".join(
                f"{p['name']}（空置率 {p['vacancy']:.0%}）"
                for p in x.parks
                if p.get("vacancy") is not None
            ),
        ]
        for x in am.landing
    ]
    return page(
        request,
        who,
        "table.html",
        title=f"产业链招商图 · {am.chain.name}",
        nav="chains",
        intro=f"弱、缺环节 {len(am.segments)} 个；目标来源：{am.source}",
        links=[
            ("导出 Excel", f"/api/v1/maps/attraction/{am.chain.id}?format=xlsx"),
            ("交互图", f"/api/v1/maps/attraction/{am.chain.id}?format=html"),
        ],
        tables=[
            ("招商目标", ["环节", "判定", "目标企业", "所在地", "得分", "类型", "理由"], rows),
            ("落地区域与园区", ["区域", "依据", "园区"], land),
        ],
    )


@router.get("/ui/chain/{chain}/masters", response_class=HTMLResponse)
def masters_page(request: Request, who: User, chain: str) -> Response:
    store = get_store(request)
    ch = resolve_chain(store, chain)
    lib = masters_library(store, ch.id, home_area=get_settings(request).home_area)
    rows = [
        [
            m.firm.name,
            m.role,
            m.region,
            len(m.suppliers),
            sum(1 for x in m.suppliers if x.local),
            "—" if m.local_ratio is None else f"{m.local_ratio:.0%}",
            "—" if m.local_ratio_value is None else f"{m.local_ratio_value:.0%}",
            "、".join(c.name for c in m.candidates),
        ]
        for m in lib
    ]
    header = ["企业", "角色", "所在地", "供应商", "本地供应商", "本地化配套比例", "按金额"]
    return page(
        request,
        who,
        "table.html",
        title=f"链主型企业库 · {ch.name}",
        nav="chains",
        links=[("导出 Excel", f"/api/v1/maps/masters/{ch.id}?format=xlsx")],
        tables=[("链主与伙伴", [*header, "以商引商候选"], rows)],
    )
