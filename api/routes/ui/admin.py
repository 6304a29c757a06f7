"""The city office's admin pages (市链长办): access tokens (list, create — the token shown once
—, revoke), the audit log (status filter, paging), and the templates with the import of a
filled template or a bundle zip.

Every page and form calls the API's own route functions (``list_tokens``, ``create_token``,
``revoke_token``, ``audit_log``, ``import_file``), so the role check (403 page for anyone but
the city office), the scope check of a new token, the size limit, the per-token rate limit
of imports (``api/limits.py`` counts ``POST /ui/admin/import`` as 批量导入) and the
write-ahead audit are the API's, unchanged.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi import UploadFile as FastUpload
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from chainatlas.api.auth import require_role
from chainatlas.api.deps import COOKIE, get_auth, get_store
from chainatlas.api.limits import rate_text
from chainatlas.api.roles import CITY, ROLES
from chainatlas.api.routes.ui.core import (
    SameOrigin,
    User,
    check_csrf,
    page,
    read_form,
    status_of,
    template_download,
)
from chainatlas.graph.errors import (
    ChainAtlasError,
    Conflict,
    ImportFailed,
    NodeNotFound,
    ValidationFailed,
    error_rows,
)
from chainatlas.graph.store.contract import GraphStore

router = APIRouter(include_in_schema=False)

#: the import templates, in the order of the page, with their Chinese names
KINDS = {"firms": "企业", "projects": "项目", "demands": "需求清单", "supplies": "供给清单"}
AUDIT_STATUS = {"pending": "未完成", "done": "已完成", "failed": "失败"}
PER_PAGE = 50
#: What each write is called on the audit page, by method and route (the raw request is the
#: cell's tooltip); a request not listed (a command line, a route added later) shows as it is.
ACTIONS = {
    ("POST", "/ui/admin/import"): "批量导入（网页）",
    ("POST", "/api/v1/import"): "批量导入（接口）",
    ("GET", "/api/v1/export"): "导出全部数据",
    ("POST", "/ui/admin/tokens"): "签发令牌（网页）",
    ("POST", "/api/v1/tokens"): "签发令牌（接口）",
    ("POST", "/ui/admin/tokens/{id}/revoke"): "吊销令牌（网页）",
    ("DELETE", "/api/v1/tokens/{id}"): "吊销令牌（接口）",
    ("POST", "/ui/projects/new"): "新建项目",
    ("POST", "/ui/project/{id}/edit"): "编辑项目",
    ("PUT", "/api/v1/records/projects/{id}"): "保存项目",
    ("PUT", "/api/v1/records/demands/{id}"): "保存需求",
    ("PUT", "/api/v1/records/supplies/{id}"): "保存供给",
    ("DELETE", "/api/v1/records/{kind}/{id}"): "删除记录",
    ("PUT", "/api/v1/firms/{id}"): "保存企业",
    ("DELETE", "/api/v1/firms/{id}"): "删除企业",
    ("POST", "/ui/project/{id}/stage"): "推进阶段",
    ("POST", "/api/v1/projects/{id}/stage"): "推进阶段",
    ("POST", "/ui/project/{id}/follow-up"): "登记跟进",
    ("POST", "/api/v1/projects/{id}/follow-ups"): "登记跟进",
    ("POST", "/ui/project/{id}/land"): "登记拿地",
    ("POST", "/api/v1/projects/{id}/land"): "登记拿地",
    ("POST", "/ui/project/{id}/problem"): "提出问题",
    ("POST", "/api/v1/problems"): "提出问题",
    ("POST", "/ui/problems/{id}/step"): "问题办理",
    ("POST", "/api/v1/problems/{id}/step"): "问题办理",
    ("POST", "/ui/problems/{id}/review"): "问题评价",
    ("POST", "/api/v1/problems/{id}/review"): "问题评价",
    ("POST", "/api/v1/problems/supervise"): "五未督办同步",
    #: the service's own pass and the command for cron (api/supervisor.py), by the system
    ("后台", "五未督办同步"): "五未督办自动同步",
    ("CLI", "chainatlas ledger sync"): "五未督办同步（命令行）",
    ("POST", "/ui/chain/{id}/checklist/{slot}"): "填写清单",
    ("PUT", "/api/v1/chains/{id}/checklist/{slot}"): "填写清单",
    ("POST", "/ui/chain/{id}/checklist/{slot}/clear"): "清除清单项",
    ("DELETE", "/api/v1/chains/{id}/checklist/{slot}"): "清除清单项",
    ("POST", "/ui/chain/{id}/goals/{year}"): "设定年度目标",
    ("PUT", "/api/v1/chains/{id}/goals/{year}"): "设定年度目标",
    ("POST", "/ui/match/stored"): "供需匹配并保存对接",
    ("POST", "/api/v1/match/stored"): "供需匹配并保存对接",
    ("POST", "/ui/match/docking"): "更新对接状态",
    ("PUT", "/api/v1/dockings/{path}/status"): "更新对接状态",
    ("PUT", "/api/v1/parks/{path}/industries"): "设定园区主导产业",
}


def _pattern(route: str) -> re.Pattern[str]:
    """A route of :data:`ACTIONS` as a regular expression: ``{path}`` any rest (ids of
    dockings and parks hold slashes), another ``{…}`` one path segment."""
    parts = re.split(r"(\{[a-z]+\})", route)
    rx = "".join(
        ".+" if p == "{path}" else "[^/]+" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(rx)


_ACTIONS = [(method, _pattern(route), name) for (method, route), name in ACTIONS.items()]


def action_zh(method: str, path: str) -> str:
    """What a write of the audit log is called (:data:`ACTIONS`); the request as it is when
    unknown.

    >>> action_zh("POST", "/ui/admin/import"), action_zh("CLI", "chainatlas problem step")
    ('批量导入（网页）', 'CLI chainatlas problem step')
    """
    for m, rx, name in _ACTIONS:
        if m == method and rx.fullmatch(path):
            return name
    return f"{method} {path}"


DONE = {"revoked": "令牌已吊销；用它打开的网页会话也已结束。"}


def _scope_names(store: GraphStore, scopes: list[list[str]]) -> dict[str, str]:
    """What a token's scope entries are called on the page: a chain by its name (a chain of an
    earlier layout with its layout's name: 生物医药 is in two layouts), a district as it is."""
    ids = {x for scope in scopes for x in scope}
    chains = {k: n for k, n in store.get_nodes(ids).items() if n.label == "Chain"}
    layouts = {n.props.get("code"): n for n in store.find_nodes("Layout")}
    out = {}
    for key, ch in chains.items():
        lay = layouts.get(ch.props.get("layout"))
        earlier = lay is not None and not lay.props.get("current")
        out[key] = f"{ch.name}（{lay.name}）" if earlier and lay else ch.name
    return out


def _tokens(request: Request, who: Any, status: int = 200, **extra: Any) -> Response:
    from chainatlas.api.routes.tokens import list_tokens

    listed = list_tokens(who, get_auth(request))  # 403 page for anyone but the city office
    made = extra.get("created")
    scopes = [t.scope for t in listed.data] + ([made.scope] if made else [])
    return page(
        request,
        who,
        "admin_tokens.html",
        status=status,
        title="令牌管理",
        nav="admin",
        tab="tokens",
        tokens=listed.data,
        current=who.token_id,
        roles=[(code, spec.zh) for code, spec in ROLES.items()],
        role_zh={code: spec.zh for code, spec in ROLES.items()},
        scope_names=_scope_names(get_store(request), scopes),
        done=DONE.get(str(request.query_params.get("ok", ""))),
        **extra,
    )


@router.get("/ui/admin", response_class=HTMLResponse)
@router.get("/ui/admin/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, who: User) -> Response:
    return _tokens(request, who)


@router.post("/ui/admin/tokens", response_class=HTMLResponse, dependencies=[SameOrigin])
async def create_token_form(request: Request, who: User) -> Response:
    """Make a token; the page shows it this once (201), or the error with its status."""
    from chainatlas.api.routes.tokens import TokenIn, create_token

    require_role(who, CITY, "管理令牌")
    form = {k: str(v) for k, v in (await read_form(request)).items()}
    scope = [x.strip() for x in form.get("scope", "").replace("，", ",").split(",") if x.strip()]
    try:
        body = TokenIn.model_validate(
            {
                "role": form.get("role", ""),
                "scope": scope,
                "name": form.get("name", "").strip(),
                "expires": form.get("expires", "").strip() or None,
            }
        )
        made = create_token(body, who, get_auth(request), get_store(request), request)
    except (ChainAtlasError, ValidationError) as exc:
        status, title, message = status_of(exc)
        return _tokens(request, who, status, error=f"{title}：{message}", form=form)
    return _tokens(request, who, 201, created=made)


@router.post("/ui/admin/tokens/{token_id}/revoke", dependencies=[SameOrigin])
async def revoke_token_form(request: Request, who: User, token_id: str) -> Response:
    from chainatlas.api.routes.tokens import revoke_token

    await read_form(request)
    try:
        revoke_token(token_id, who, get_auth(request), request)
    except (NodeNotFound, Conflict) as exc:  # no such token, or revoked already
        status, title, message = status_of(exc)
        return _tokens(request, who, status, error=f"{title}：{message}")
    return RedirectResponse("/ui/admin/tokens?ok=revoked", status_code=303)


def _day(text: str, what: str) -> date | None:
    """A day typed into the audit page's filter (empty: none), refused in Chinese."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValidationFailed(f"{what}：应为日期 YYYY-MM-DD，如 2026-03-01，而不是 {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{what}：不是日历上的日期：{text!r}") from None


@router.get("/ui/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    who: User,
    status: Literal["", "pending", "done", "failed"] = Query(""),
    actor: str = Query("", max_length=200),
    target: str = Query("", max_length=600),
    since: str = Query("", max_length=20),
    until: str = Query("", max_length=20),
    before: int | None = Query(None, ge=1),
    after: int | None = Query(None, ge=0),
) -> Response:
    """The audit log, newest first, 50 rows a page, filtered by status, actor (a token's name
    or id), target and days. Pages are keyset pages (``before``/``after`` a row's 序号): a
    page far back reads what the first does (review S, B16)."""
    from chainatlas.api.routes.health import audit_filter, audit_log

    auth = get_auth(request)
    first, last = _day(since, "起始日期"), _day(until, "截止日期")
    kept = {"actor": actor.strip(), "target": target.strip(), "since": since.strip()}
    kept |= {"until": until.strip(), "status": status}
    listed = audit_log(
        who,  # the API's route: its role check (403 page for anyone but the city office)
        auth,
        limit=PER_PAGE + 1,  # one more, to know of a page beyond
        status=status or None,
        skip=0,
        before=before,
        after=after,
        actor=kept["actor"] or None,
        target=kept["target"] or None,
        since=first,
        until=last,
    )
    rows: list[dict[str, Any]] = listed["data"]  # type: ignore[assignment]
    beyond = len(rows) > PER_PAGE  # a row past this page, in the direction read
    rows = rows[-PER_PAGE:] if after is not None else rows[:PER_PAGE]
    where = audit_filter(kept["actor"] or None, kept["target"] or None, first, last)

    def exists(**edge: int) -> bool:
        return bool(auth.audit_log(1, status or None, where=where, **edge))

    newer = bool(rows) and (beyond if after is not None else exists(after=rows[0]["id"]))
    older = bool(rows) and (beyond if after is None else exists(before=rows[-1]["id"]))

    def link(**changes: Any) -> str:
        query = {k: v for k, v in {**kept, **changes}.items() if v not in ("", None)}
        return "/ui/admin/audit" + ("?" + urlencode(query) if query else "")

    return page(
        request,
        who,
        "admin_audit.html",
        title="审计日志",
        nav="admin",
        tab="audit",
        rows=rows,
        count=listed["count"],
        role_zh={code: spec.zh for code, spec in ROLES.items()},
        state=status,
        f=kept,
        filtered=any(kept[k] for k in ("actor", "target", "since", "until")),
        statuses=AUDIT_STATUS,
        status_link={key: link(status=key) for key in ["", *AUDIT_STATUS]},
        actor_link=lambda token_id: link(actor=token_id, status=""),
        clear=link(actor="", target="", since="", until=""),
        action_zh=action_zh,
        newest=link() if before is not None or after is not None else None,
        prev=link(after=rows[0]["id"]) if newer else None,
        next=link(before=rows[-1]["id"]) if older else None,
    )


def _import(request: Request, who: Any, status: int = 200, **extra: Any) -> Response:
    require_role(who, CITY, "批量导入")
    return page(
        request,
        who,
        "admin_import.html",
        status=status,
        title="模板与导入",
        nav="admin",
        tab="import",
        kinds=KINDS,
        import_rate=rate_text("import"),
        **extra,
    )


@router.get("/ui/admin/import", response_class=HTMLResponse)
def import_page(request: Request, who: User) -> Response:
    return _import(request, who)


@router.get("/ui/admin/template/{kind}.xlsx")
def template_file(request: Request, who: User, kind: str) -> Response:
    """A blank template (Chinese headers and a 说明 sheet), as ``chainatlas template`` writes."""
    return template_download(kind, KINDS, get_store(request))


def _failed(exc: ImportFailed) -> str:
    """The headline of a refused import: how many rows are wrong and how many errors they have
    (a row may have several), or the reason itself when the file as a whole was refused."""
    if all(e.row == 0 for e in exc.errors):
        return "导入失败：" + "；".join(e.reason for e in exc.errors) + "。未写入任何数据"
    rows, count = error_rows(exc.errors), len(exc.errors) + exc.more
    where = f"{rows} 行有错误（共 {count} 处）" if rows != count else f"{rows} 行有错误"
    return f"导入失败：{where}，未写入任何数据（见下表）"


@router.post("/ui/admin/import", response_class=HTMLResponse, dependencies=[SameOrigin])
async def import_form(request: Request, who: User) -> Response:
    """Import through the API's ``import_file``: its role check, size limit and audit; every
    bad row is shown in a table (422) and nothing is written unless 跳过错误行 is ticked."""
    from chainatlas.api.routes.transfer import import_file

    require_role(who, CITY, "批量导入")
    form = await request.form(max_files=1, max_fields=5)
    check_csrf(form, request.cookies.get(COOKIE))
    up = form.get("file")
    kind = str(form.get("kind") or "") or None
    if not isinstance(up, UploadFile) or not up.filename:
        return _import(request, who, 422, error="请选择要导入的文件（.xlsx、.csv 或 .zip）")
    if kind is not None and kind not in KINDS:
        return _import(request, who, 422, error=f"模板类型无效：{kind}")
    skip_bad = form.get("skip_bad") == "1"
    try:
        # the form's file is Starlette's UploadFile, which FastAPI's only annotates
        rep = await import_file(
            request,
            cast(FastUpload, up),
            get_store(request),
            who,
            get_auth(request),
            skip_bad=skip_bad,
            kind=kind,
        )
    except ImportFailed as exc:
        return _import(
            request,
            who,
            422,
            error=_failed(exc),
            lines=[e.__dict__ for e in exc.errors],
            upload=up.filename,
        )
    except ChainAtlasError as exc:
        status, title, message = status_of(exc)
        return _import(request, who, status, error=f"{title}：{message}")
    return _import(request, who, 200, report=rep, upload=up.filename)
