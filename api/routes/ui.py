"""The Chinese web UI, server-rendered (Jinja2) from the same functions as the API.

Pages need the city/chain/district token too: the login page stores it in a SameSite=Strict,
HttpOnly cookie, which the server accepts for reads only."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from chainatlas.api.auth import Principal, Unauthorized
from chainatlas.api.deps import COOKIE, get_auth, get_settings, get_store
from chainatlas.graph.errors import ChainAtlasError, ImportFailed
from chainatlas.graph.maps import (
    VERDICT_ZH,
    attraction_map,
    fishbone,
    masters_library,
    projects_library,
)
from chainatlas.graph.model import STAGE_ZH
from chainatlas.graph.progress import progress

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
TIERS = ("先导", "特色", "新兴", "未来")


def _who(request: Request) -> Principal | None:
    try:
        return get_auth(request).principal(request.cookies.get(COOKIE))
    except Unauthorized:
        return None


def _page(request: Request, name: str, **ctx: Any) -> Response:
    who = _who(request)
    if who is None:
        return RedirectResponse("/ui/login?next=" + request.url.path, status_code=303)
    return templates.TemplateResponse(request, name, {"who": who.name, **ctx})


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    store = get_store(request)
    chains = store.find_nodes("Chain", {"layout": "1366"})
    chains.sort(key=lambda n: n.props.get("order", 0))
    tiers = [(t, [c for c in chains if c.props.get("tier") == t]) for t in TIERS]
    return _page(
        request,
        "home.html",
        title="首页",
        nav="home",
        tiers=tiers,
        progress=progress(store, home_area=get_settings(request).home_area),
    )


def _local(target: str) -> str:
    """Where to go after login: a path on this site only. ``//evil.example`` and
    ``/\\evil.example`` are other sites to a browser (an open redirect), so they become ``/``."""
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target


@router.get("/ui/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", error: str = "") -> Response:
    form = (
        f'<form method="post" action="/ui/login"><input type="hidden" name="next" '
        f'value="{html.escape(_local(next))}">'
        f"<p>访问令牌（由 chainatlas token "
        f'create 生成）</p><input type="password" name="token" id="token"> '
        f'<button type="submit" id="login">登录</button></form>'
    )
    return templates.TemplateResponse(
        request,
        "table.html",
        {"title": "登录", "nav": "", "who": None, "form": form, "tables": [], "error": error},
    )


@router.post("/ui/login")
def login(request: Request, token: str = Form(...), next: str = Form("/")) -> Response:
    try:
        get_auth(request).principal(token.strip())
    except Unauthorized:
        return RedirectResponse("/ui/login?error=令牌无效", status_code=303)
    resp = RedirectResponse(_local(next), status_code=303)
    resp.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict")
    return resp


@router.get("/ui/chains", response_class=HTMLResponse)
def chains_page(request: Request) -> Response:
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
    return _page(
        request, "chains.html", title="产业链", nav="chains", layouts=layouts, lineage=lineage
    )


@router.get("/ui/chain/{chain}", response_class=HTMLResponse)
def chain_page(request: Request, chain: str) -> Response:
    store = get_store(request)
    s = get_settings(request)
    try:
        fb = fishbone(store, chain, thresholds=s.thresholds(), home_area=s.home_area)
    except ChainAtlasError as exc:
        return _error(request, str(exc))
    return _page(
        request,
        "chain.html",
        title=fb.chain.name,
        nav="chains",
        fb=fb,
        summary=fb.summary(),
        segments=fb.all_segments(),
        stage=STAGE_ZH,
        verdict=VERDICT_ZH,
    )


@router.get("/ui/chain/{chain}/map", response_class=HTMLResponse)
def map_page(request: Request, chain: str) -> Response:
    from chainatlas.api.routes.gaps import target_index
    from chainatlas.matching.service import map_target_fn

    store = get_store(request)
    s = get_settings(request)
    if _who(request) is None:
        return _page(request, "table.html")
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
    return _page(
        request,
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
def masters_page(request: Request, chain: str) -> Response:
    store = get_store(request)
    lib = masters_library(store, chain, home_area=get_settings(request).home_area)
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
    return _page(
        request,
        "table.html",
        title=f"链主型企业库 · {chain}",
        nav="chains",
        links=[("导出 Excel", f"/api/v1/maps/masters/{chain}?format=xlsx")],
        tables=[
            (
                "链主与伙伴",
                [
                    "企业",
                    "角色",
                    "所在地",
                    "供应商",
                    "本地供应商",
                    "本地化配套比例",
                    "按金额",
                    "以商引商候选",
                ],
                rows,
            )
        ],
    )


@router.get("/ui/projects", response_class=HTMLResponse)
def projects_page(
    request: Request, chain: str | None = None, stage: str | None = None, region: str | None = None
) -> Response:
    store = get_store(request)
    rows = [
        [
            p["name"],
            p["chain"],
            p["segment"],
            p["region"],
            p.get("investment"),
            p.get("stage"),
            "是" if p.get("major") else "",
        ]
        for p in projects_library(store, chain=chain, stage=stage, region=region)
    ]
    return _page(
        request,
        "table.html",
        title="重点项目库",
        nav="projects",
        links=[
            ("导出 Excel", "/api/v1/projects?format=xlsx"),
            ("月度通报", "/api/v1/ledger/report?month=2026-10&format=html"),
        ],
        tables=[
            (
                f"项目（{len(rows)}）",
                ["项目", "产业链", "环节", "区域", "总投资（亿元）", "阶段", "重大"],
                rows,
            )
        ],
    )


@router.get("/ui/firms", response_class=HTMLResponse)
def firms_page(request: Request, q: str = "") -> Response:
    from chainatlas.graph.settings import is_local

    store = get_store(request)
    home = get_settings(request).home_area
    found = [n for n in store.find_nodes("Firm") if q and q in n.name][:200]
    rows = [
        [
            n.name,
            n.props.get("region"),
            "本地" if is_local(n.props.get("region"), home) else "外地",
            n.props.get("output"),
            "、".join(n.props.get("tags", [])),
        ]
        for n in found
    ]
    form = (
        f'<form method="get"><input type="text" name="q" id="q" value="{html.escape(q)}" '
        f'placeholder="企业名称关键词"> <button type="submit" id="search">检索</button></form>'
    )
    return _page(
        request,
        "table.html",
        title="企业检索",
        nav="firms",
        form=form,
        tables=[
            (f"结果（{len(rows)}）", ["企业", "所在地", "本地/外地", "产值（亿元）", "梯度"], rows)
        ]
        if q
        else [],
    )


_MATCH_FORM = (
    '<form method="post" enctype="multipart/form-data" action="/ui/match">'
    '<p>需求清单 <input type="file" name="demands" id="demands"></p>'
    '<p>供给清单 <input type="file" name="supplies" id="supplies"></p>'
    '<button type="submit" id="run">匹配</button> <span class="muted">使用 chainatlas template '
    "demands / supplies 生成的模板</span></form>"
)


@router.get("/ui/match", response_class=HTMLResponse)
def match_form(request: Request) -> Response:
    return _page(request, "table.html", title="要素匹配", nav="match", form=_MATCH_FORM, tables=[])


@router.post("/ui/match", response_class=HTMLResponse)
async def match_run(request: Request, demands: UploadFile, supplies: UploadFile) -> Response:
    from chainatlas.matching.elements import load_lists, match

    if _who(request) is None:
        return _page(request, "table.html")
    store = get_store(request)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for up, default in ((demands, "demands.xlsx"), (supplies, "supplies.xlsx")):
            name = Path(up.filename or default).name or default
            path = Path(tmp) / name
            path.write_bytes((await up.read())[: 20 * 1024 * 1024])
            paths.append(path)
        try:
            # reading and matching are heavy: a worker thread, the event loop keeps answering
            ds, ss, _ = await run_in_threadpool(
                lambda: load_lists(paths[0], paths[1], store, skip_bad=False)
            )
        except ImportFailed as exc:
            return _page(
                request,
                "table.html",
                title="要素匹配",
                nav="match",
                form=_MATCH_FORM,
                error=str(exc),
                tables=[],
            )
    home_area = get_settings(request).home_area
    res = await run_in_threadpool(lambda: match(ds, ss, store=store, home_area=home_area))
    rows = [
        [m.demand, res.demands[m.demand].label(), m.supply_label, m.score, "；".join(m.passed)]
        for m in res.assigned
    ]
    un = [[d, res.demands[d].label(), why] for d, why in res.unmatched]
    return _page(
        request,
        "table.html",
        title="要素匹配",
        nav="match",
        form=_MATCH_FORM,
        intro=f"需求 {len(ds)} 条、供给 {len(ss)} 条：分配 {len(res.assigned)}，未匹配 {len(un)}",
        tables=[
            ("分配结果", ["需求编号", "需求", "供给", "得分", "通过的约束"], rows),
            ("未匹配", ["需求编号", "需求", "原因"], un),
        ],
    )


def _error(request: Request, message: str) -> Response:
    return _page(request, "table.html", title="未找到", nav="", error=message, tables=[])
