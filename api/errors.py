"""The one place where domain errors become HTTP answers (``application/problem+json``).

Under the web UI's paths (:func:`is_page`: ``/`` and ``/ui/…``) the answers that no page
handler sees — the 500 of :class:`CatchAll`, and the 413 and 429 of ``api/limits.py`` — are a
Chinese HTML page with the same status and headers instead (:func:`error_html`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chainatlas.api.auth import Forbidden, Unauthorized
from chainatlas.graph.errors import (
    BackendUnavailable,
    ChainAtlasError,
    Conflict,
    ImportFailed,
    NodeNotFound,
    StoreBusy,
    ValidationFailed,
)
from chainatlas.graph.model import zh_message

__all__ = [
    "ERRORS",
    "STATUS",
    "Problem",
    "error_html",
    "error_status",
    "install_error_handlers",
    "is_page",
    "param_message",
]

PROBLEM = "application/problem+json"
log = logging.getLogger("chainatlas.api")


class Problem(BaseModel):
    """An error answer (RFC 9457): every 4xx/5xx of the API has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None


def _documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
    titles = {
        400: "请求有误",
        401: "未认证（缺少或无效的令牌）",
        403: "无权操作（角色或范围不符）",
        404: "未找到",
        409: "与现有数据冲突（记录已被他人修改、值已被占用或仍有关联记录）",
        413: "请求体过大",
        422: "数据不合规 / 参数无效",
        429: "请求过于频繁",
        500: "服务器内部错误",
        503: "后端不可用或图谱正忙（见 Retry-After）",
    }
    return {
        c: {"model": Problem, "description": titles[c], "content": {PROBLEM: schema}} for c in codes
    }


#: The error answers every authenticated endpoint may give.
ERRORS = _documented(400, 401, 403, 404, 409, 413, 422, 503)
#: Those of the open health endpoint.
HEALTH_ERRORS = _documented(503)


#: The status and title each domain error answers with, the first kind it is counts: the API's
#: problem+json and the web pages' error pages alike (:func:`error_status`).
STATUS: list[tuple[type[ChainAtlasError], int, str]] = [
    (Unauthorized, 401, "未认证"),
    (Forbidden, 403, "无权操作"),
    (NodeNotFound, 404, "未找到"),
    (Conflict, 409, "数据冲突"),
    (ImportFailed, 422, "导入失败"),
    (ValidationFailed, 422, "数据不合规"),
    (BackendUnavailable, 503, "后端不可用"),
    (ChainAtlasError, 400, "请求有误"),
]


#: The titles pages show instead of the API's (problem+json keeps those, clients read them):
#: office words, not the HTTP words 请求有误 or 数据不合规 (review B, s6); the status stays.
PAGE_TITLES = {
    "请求有误": "无法完成",
    "数据不合规": "无法完成",
    "数据冲突": "无法保存",
    "参数无效": "无法完成",
    "未认证": "需要登录",
    "请求体过大": "文件过大",
    "方法不允许": "无法完成",
    "请求过于频繁": "操作过于频繁",
    "后端不可用": "暂时无法完成",
    "服务器内部错误": "系统出错",
}


def page_title(title: str) -> str:
    """The title a page shows for the API's ``title`` (:data:`PAGE_TITLES`; others as they are).

    >>> page_title("数据不合规"), page_title("导入失败")
    ('无法完成', '导入失败')
    """
    return PAGE_TITLES.get(title, title)


def error_status(exc: ChainAtlasError) -> tuple[int, str]:
    """The status and title ``exc`` answers with (:data:`STATUS`)."""
    return next((status, title) for kind, status, title in STATUS if isinstance(exc, kind))


def _problem(
    request: Request, status: int, title: str, detail: str, errors: list[Any] | None = None
) -> JSONResponse:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


_HTTP_TITLES = {
    400: "请求有误",
    404: "未找到",
    405: "方法不允许",
    413: "请求体过大",
    422: "数据不合规",
}


#: Chinese for the English details Starlette and FastAPI give (a route's own details are
#: Chinese already)
_HTTP_DETAILS = {
    "There was an error parsing the body": "无法解析请求体：JSON 或表单格式有误",
    "Not Found": "请求的地址不存在",
    "Method Not Allowed": "此地址不支持该请求方法",
}


def _zh_detail(status: int, detail: Any) -> str:
    """The detail users see: Chinese for Starlette's and FastAPI's English details, and for
    any other detail without a Chinese character (the status's title)."""
    text = str(detail)
    if text in _HTTP_DETAILS:
        return _HTTP_DETAILS[text]
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return _HTTP_TITLES.get(status, "请求有误")
    return text


#: The methods a 405's ``Allow`` may name
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at this path: the app's own routes are asked, one method
    at a time, whether they would take the request (Starlette names only the first route's).

    Asking is the only way that sees every route: FastAPI keeps an included router as one
    route of its own (review S, B13: reading ``route.methods`` gave an empty ``Allow``)."""
    scope = request.scope
    probe = {  # a fresh scope: routing leaves its own state in the request's
        "type": "http",
        "path": scope["path"],
        "root_path": scope.get("app_root_path", scope.get("root_path", "")),
        "headers": scope.get("headers", []),
        "query_string": b"",
    }
    # a mount takes every method and lets its app refuse (static files name their own Allow)
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    return [
        method
        for method in _METHODS
        if any(route.matches({**probe, "method": method})[0] == Match.FULL for route in routes)
    ]


#: Query and path parameters as users know them, for the message of a bad value
PARAM_ZH = {
    "month": "月份",
    "date": "日期",
    "year": "年份",
    "view": "视图",
    "p": "页码",
    "limit": "条数",
    "skip": "跳过条数",
    "top": "条数",
    "q": "搜索词",
    "format": "格式",
    "status": "状态",
    "kind": "类型",
    "tier": "档次",
    "local": "本地企业",
    "major": "重大项目",
    "segment": "环节",
    "chain": "产业链",
    "region": "区域",
    "layout": "布局",
    "depth": "层数",
    "max_nodes": "节点上限",
    "token_id": "令牌编号",
    "before": "早于序号",
    "after": "晚于序号",
    "actor": "操作者",
    "target": "对象",
    "since": "起始日期",
    "until": "截止日期",
}
#: The Chinese names of a parameter's values, where they have them; the routes that define
#: such values add theirs (``PARAM_VALUES["view"] = VIEWS``)
PARAM_VALUES: dict[str, Mapping[str, str]] = {}


def param_message(error: Mapping[str, Any]) -> str:
    """One error of a request's parameters as users read it: the parameter's Chinese name and
    what it should be, in words (never a regular expression); a body field by its path.

    >>> param_message({"type": "string_pattern_mismatch", "loc": ("query", "month"),
    ...                "input": "2026-13", "ctx": {"pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}})
    "月份：应为年月 YYYY-MM，如 2026-10，而不是 '2026-13'"
    """
    loc = [str(x) for x in error.get("loc", ())]
    name = loc[-1] if loc else ""
    if loc[:1] in (["query"], ["path"]):
        where = PARAM_ZH.get(name, name)
        return f"{where}：{zh_message(error, PARAM_VALUES.get(name))}"
    where = ".".join(loc[1:] if loc[:1] == ["body"] else loc)
    return f"{where}：{zh_message(error)}" if where else zh_message(error)


def is_page(path: str) -> bool:
    """A path of the web UI (its pages, not its static files): errors answer as pages there."""
    return path in ("/", "/ui") or (path.startswith("/ui/") and not path.startswith("/ui/static/"))


@cache
def _error_template() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=select_autoescape(["html"]),
    )
    return env.get_template("error_bare.html")


def error_html(status: int, title: str, detail: str) -> bytes:
    """A Chinese error page that needs no request state (no session, no store): for answers
    given outside the page handlers, before or after the app has run."""
    page = _error_template().render(title=page_title(title), message=detail, code=status)
    return str(page).encode()


class CatchAll:
    """A fault of ours answers 500 problem+json (a Chinese page under the web UI's paths),
    never Starlette's plain text, and is not
    raised on to the server (uvicorn would then close the connection and reset the client's
    next request on it). The details go to the server's log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            request = Request(scope)
            log.error("未处理的异常: %s %s", request.method, request.url.path, exc_info=exc)
            if started:  # half an answer is out: only closing the connection can tell
                raise
            detail = "服务器内部错误，已记录日志；请稍后重试"
            if is_page(request.url.path):
                page = HTMLResponse(error_html(500, "服务器内部错误", detail), status_code=500)
                await page(scope, receive, send)
                return
            await _problem(request, 500, "服务器内部错误", detail)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ChainAtlasError)
        status, title = error_status(exc)
        errors = [e.__dict__ for e in exc.errors] if isinstance(exc, ImportFailed) else None
        resp = _problem(request, status, title, str(exc), errors)
        if isinstance(exc, StoreBusy):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": [str(x) for x in e.get("loc", ())],
                "msg": zh_message(e),  # Chinese, from the model's table of pydantic errors
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        where = "；".join(param_message(e) for e in exc.errors()[:5])
        return _problem(request, 422, "参数无效", where or "参数无效", errors)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        title = _HTTP_TITLES.get(exc.status_code, "请求有误")
        resp = _problem(request, exc.status_code, title, _zh_detail(exc.status_code, exc.detail))
        if exc.headers:
            resp.headers.update(exc.headers)
        if exc.status_code == 405 and (allowed := _allowed(request)):
            resp.headers["Allow"] = ", ".join(allowed)  # FastAPI names only one route's
        return resp

    app.add_exception_handler(ChainAtlasError, handle)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_middleware(CatchAll)
