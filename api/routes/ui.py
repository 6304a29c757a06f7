"""The Chinese web UI, server-rendered (Jinja2) from the same functions as the API.

Pages need a token too: the login page exchanges it for a web session, whose id (not the token)
is kept in an HttpOnly, SameSite=Strict cookie with a lifetime (``Secure`` over HTTPS). Every
page checks the session before doing any work; every form (login and logout included) carries
a CSRF token and must come from this site (``Origin``, or ``Referer`` when a browser sends no
``Origin``); anything else gets a 403 page."""

from __future__ import annotations

import html
import secrets
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData, UploadFile

from chainatlas.api.auth import AuthStore, Principal, Unauthorized
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

__all__ = ["install_ui", "router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
TIERS = ("先导", "特色", "新兴", "未来")
#: the login form's own cookie: a random value whose hash the form carries (no session yet)
LOGIN_COOKIE = "chainatlas_login"
LOGIN_SECONDS = 3600
MAX_UPLOAD = 20 * 1024 * 1024  # bytes of each list on the matching page


class LoginRequired(Exception):
    """No valid web session: the page sends the browser to the login page."""

    def __init__(self, back: str) -> None:
        self.back = back


class CrossSite(Exception):
    """A form post that is not from this site, or without the form's CSRF token."""


def _user(request: Request) -> Principal:
    """The logged-in caller of a page (the first thing every page asks)."""
    try:
        return get_auth(request).session(request.cookies.get(COOKIE))
    except Unauthorized:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(back) from None


def _same_origin(request: Request) -> None:
    """A form post must come from a page of this site."""
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    origin = request.headers.get("origin")
    if origin is None and request.headers.get("referer"):
        ref = urlsplit(request.headers["referer"])
        origin = f"{ref.scheme}://{ref.netloc}"
    if origin is None or origin.lower() != own:
        raise CrossSite()


User = Annotated[Principal, Depends(_user)]
SameOrigin = Depends(_same_origin)


def _check_csrf(form: FormData, secret: str | None) -> None:
    sent = form.get("csrf")
    if not secret or not isinstance(sent, str):
        raise CrossSite()
    if not secrets.compare_digest(sent, AuthStore.csrf_token(secret)):
        raise CrossSite()


def _csrf(request: Request) -> str:
    sid = request.cookies.get(COOKIE)
    return AuthStore.csrf_token(sid) if sid else ""


def _page(
    request: Request, who: Principal, name: str, *, status: int = 200, **ctx: Any
) -> Response:
    return templates.TemplateResponse(
        request, name, {"who": who.name, "csrf": _csrf(request), **ctx}, status_code=status
    )


def _secure(request: Request) -> bool:
    """Cookies are ``Secure`` when the browser talks HTTPS to us (uvicorn already applies a
    trusted local proxy's ``X-Forwarded-Proto`` to the scheme)."""
    return request.url.scheme == "https"


def _to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse("/ui/login?next=" + quote(exc.back, safe="/"), status_code=303)


def _refused(request: Request, exc: Exception) -> Response:
    return templates.TemplateResponse(
        request,
        "table.html",
        {
            "title": "请求被拒绝",
            "nav": "",
            "who": None,
            "tables": [],
            "error": (
                "请求来源校验失败：表单须从本站页面提交（防跨站请求伪造）。请返回页面刷新后重试。"
            ),
        },
        status_code=403,
    )


def install_ui(app: FastAPI) -> None:
    """The UI's pages, its stylesheet and its two answers (login page, 403 page)."""
    from fastapi.staticfiles import StaticFiles

    app.mount(
        "/ui/static",
        StaticFiles(directory=str(Path(__file__).resolve().parent.parent / "static")),
        name="ui-static",
    )
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CrossSite, _refused)
    app.include_router(router)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: User) -> Response:
    store = get_store(request)
    chains = store.find_nodes("Chain", {"layout": "1366"})
    chains.sort(key=lambda n: n.props.get("order", 0))
    tiers = [(t, [c for c in chains if c.props.get("tier") == t]) for t in TIERS]
    return _page(
        request,
        who,
        "home.html",
        title="首页",
        nav="home",
        tiers=tiers,
        progress=progress(
            store,
            home_area=get_settings(request).home_area,
            industrial_output=get_settings(request).industrial_output,
        ),
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
    secret = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    form = (
        f'<form method="post" action="/ui/login"><input type="hidden" name="next" '
        f'value="{html.escape(_local(next))}">'
        f'<input type="hidden" name="csrf" value="{AuthStore.csrf_token(secret)}">'
        f"<p>访问令牌（由 chainatlas token "
        f'create 生成）</p><input type="password" name="token" id="token"> '
        f'<button type="submit" id="login">登录</button></form>'
    )
    resp = templates.TemplateResponse(
        request,
        "table.html",
        {"title": "登录", "nav": "", "who": None, "form": form, "tables": [], "error": error},
    )
    resp.set_cookie(
        LOGIN_COOKIE,
        secret,
        max_age=LOGIN_SECONDS,
        path="/ui/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return resp


@router.post("/ui/login", dependencies=[SameOrigin])
async def login(request: Request) -> Response:
    form = await request.form()
    _check_csrf(form, request.cookies.get(LOGIN_COOKIE))
    token, back = str(form.get("token") or "").strip(), _local(str(form.get("next") or "/"))
    auth = get_auth(request)
    try:
        sid, lifetime = auth.open_session(token)
    except Unauthorized as exc:
        return RedirectResponse(
            f"/ui/login?error={quote(str(exc))}&next={quote(back, safe='/')}", status_code=303
        )
    auth.close_session(request.cookies.get(COOKIE))  # a session id is never reused
    resp = RedirectResponse(back, status_code=303)
    resp.set_cookie(
        COOKIE,
        sid,
        max_age=lifetime,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    resp.delete_cookie(LOGIN_COOKIE, path="/ui/login")
    return resp


@router.get("/ui/logout", response_class=HTMLResponse)
def logout_form(request: Request, who: User) -> Response:
    return _page(
        request,
        who,
        "table.html",
        title="退出登录",
        nav="",
        intro=f"当前登录：{who.describe()}。退出后本浏览器的登录立即失效，令牌本身仍然有效。",
        tables=[],
    )


@router.post("/ui/logout", dependencies=[SameOrigin])
async def logout(request: Request) -> Response:
    """End this browser's session (the token itself stays valid: revoke it to end it)."""
    sid = request.cookies.get(COOKIE)
    _check_csrf(await request.form(), sid)
    get_auth(request).close_session(sid)
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return resp


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
    return _page(
        request, who, "chains.html", title="产业链", nav="chains", layouts=layouts, lineage=lineage
    )


@router.get("/ui/chain/{chain}", response_class=HTMLResponse)
def chain_page(request: Request, who: User, chain: str) -> Response:
    store = get_store(request)
    s = get_settings(request)
    try:
        fb = fishbone(store, chain, thresholds=s.thresholds(), home_area=s.home_area)
    except ChainAtlasError as exc:
        return _error(request, who, str(exc))
    return _page(
        request,
        who,
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
def map_page(request: Request, who: User, chain: str) -> Response:
    from chainatlas.api.routes.gaps import target_index
    from chainatlas.matching.service import map_target_fn

    store = get_store(request)
    s = get_settings(request)
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
        who,
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
    request: Request,
    who: User,
    chain: str | None = None,
    stage: str | None = None,
    region: str | None = None,
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
        who,
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
def firms_page(request: Request, who: User, q: str = "") -> Response:
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
        who,
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


def _match_form(request: Request) -> str:
    return (
        '<form method="post" enctype="multipart/form-data" action="/ui/match">'
        f'<input type="hidden" name="csrf" value="{_csrf(request)}">'
        '<p>需求清单 <input type="file" name="demands" id="demands"></p>'
        '<p>供给清单 <input type="file" name="supplies" id="supplies"></p>'
        '<button type="submit" id="run">匹配</button> <span class="muted">使用 chainatlas '
        "template demands / supplies 生成的模板</span></form>"
    )


@router.get("/ui/match", response_class=HTMLResponse)
def match_form(request: Request, who: User) -> Response:
    form = _match_form(request)
    return _page(request, who, "table.html", title="要素匹配", nav="match", form=form, tables=[])


@router.post("/ui/match", response_class=HTMLResponse, dependencies=[SameOrigin])
async def match_run(request: Request, who: User) -> Response:
    """The session and the origin are checked before the upload is read (the dependencies
    read headers only); then the form, its CSRF token, and the two lists."""
    from chainatlas.matching.elements import load_lists, match

    form = await request.form(max_files=2, max_fields=4)
    _check_csrf(form, request.cookies.get(COOKIE))
    store = get_store(request)
    page: dict[str, Any] = {"title": "要素匹配", "nav": "match", "form": _match_form(request)}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for field, default in (("demands", "demands.xlsx"), ("supplies", "supplies.xlsx")):
            up = form.get(field)
            if not isinstance(up, UploadFile):
                return _page(
                    request,
                    who,
                    "table.html",
                    status=422,
                    **page,
                    error="请选择需求清单和供给清单两个文件",
                    tables=[],
                )
            name = Path(up.filename or default).name or default
            path = Path(tmp) / name
            path.write_bytes((await up.read(MAX_UPLOAD + 1))[:MAX_UPLOAD])
            paths.append(path)
        try:
            # reading and matching are heavy: a worker thread, the event loop keeps answering
            ds, ss, _ = await run_in_threadpool(
                lambda: load_lists(paths[0], paths[1], store, skip_bad=False)
            )
        except ImportFailed as exc:
            return _page(request, who, "table.html", **page, error=str(exc), tables=[])
    home_area = get_settings(request).home_area
    res = await run_in_threadpool(lambda: match(ds, ss, store=store, home_area=home_area))
    rows = [
        [m.demand, res.demands[m.demand].label(), m.supply_label, m.score, "；".join(m.passed)]
        for m in res.assigned
    ]
    un = [[d, res.demands[d].label(), why] for d, why in res.unmatched]
    return _page(
        request,
        who,
        "table.html",
        **page,
        intro=f"需求 {len(ds)} 条、供给 {len(ss)} 条：分配 {len(res.assigned)}，未匹配 {len(un)}",
        tables=[
            ("分配结果", ["需求编号", "需求", "供给", "得分", "通过的约束"], rows),
            ("未匹配", ["需求编号", "需求", "原因"], un),
        ],
    )


def _error(request: Request, who: Principal, message: str) -> Response:
    return _page(
        request, who, "table.html", status=404, title="未找到", nav="", error=message, tables=[]
    )
