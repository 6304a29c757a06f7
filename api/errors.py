"""The one place where domain errors become HTTP answers (``application/problem+json``).

Under the web UI's paths (:func:`is_page`: ``/`` and ``/ui/…``) the answers that no page
handler sees — the 500 of :class:`CatchAll`, and the 413 and 429 of ``api/limits.py`` — are a
Chinese HTML page with the same status and headers instead (:func:`error_html`).

Input the framework would change without a word is refused here too, before any route runs
(:class:`StrictInput`): a path or query whose escapes are not UTF-8, a JSON body with a key
twice, NaN or Infinity, or an integer beyond 64 bits (422, the field named)."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
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
    "StrictInput",
    "error_html",
    "error_status",
    "install_error_handlers",
    "is_page",
    "json_body_problem",
    "param_message",
    "url_problem",
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
    "id": "编号",
    "node_id": "编号",
    "firm_id": "企业编号",
    "project_id": "项目编号",
    "record_id": "记录编号",
    "problem_id": "问题编号",
    "segment_id": "环节编号",
    "chain_id": "产业链编号",
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


# ---- input the framework would change without a word ------------------------------------------
class _Refused:
    """What the strict JSON parser puts where a lenient one would have put a value."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_INT64 = range(-(2**63), 2**63)


def _int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > 19:  # before int(): Python refuses more than 4,300 digits
        return _Refused("整数超出 64 位范围")
    value = int(text)
    return value if value in _INT64 else _Refused("整数超出 64 位范围")


def _float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused(f"{text} 超出数字范围")


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} 不是数字（JSON 没有 NaN 和 Infinity）")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        out[key] = _Refused("字段重复出现（同一对象中只能写一次）") if key in out else value
    return out


def json_body_problem(body: bytes) -> tuple[list[str], str] | None:
    """Where (the keys and indexes to it) and why a JSON body breaks the strict rules, or
    ``None``: a key twice in one object (the lenient parser keeps the last, silently), NaN or
    Infinity (not JSON), a number beyond a float's range, an integer beyond 64 bits, bytes that
    are not UTF-8. A body that is not JSON at all is FastAPI's to report (``None``).

    >>> json_body_problem(b'{"props": {"investment": 1, "investment": 2}}')
    (['props', 'investment'], '字段重复出现（同一对象中只能写一次）')
    >>> json_body_problem(b'{"props": {"investment": NaN}}')
    (['props', 'investment'], 'NaN 不是数字（JSON 没有 NaN 和 Infinity）')
    """
    try:
        data = json.loads(
            body,
            object_pairs_hook=_object,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except UnicodeDecodeError:
        return [], "请求体不是有效的 UTF-8"
    except (ValueError, RecursionError):
        return None
    try:
        return _first_refused(data, [])
    except RecursionError:
        return None


def _first_refused(value: Any, path: list[str]) -> tuple[list[str], str] | None:
    if isinstance(value, _Refused):
        return path, value.reason
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = _first_refused(item, [*path, str(key)])
        if found:
            return found
    return None


def url_problem(scope: Scope) -> str | None:
    """Why a request's path or query is refused, or ``None``: percent-escapes that are not
    UTF-8. The server decodes them to U+FFFD, so the id the client meant is unknowable and
    ``firm:%FF(`` and ``firm:%FE(`` would be one id."""
    raw = scope.get("raw_path") or b""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return f"编号不是有效的 UTF-8：{raw.decode('latin-1')}"
    for part in (scope.get("query_string") or b"").split(b"&"):
        try:
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return f"查询参数不是有效的 UTF-8：{part.decode('latin-1')}"
    return None


def _json_body(scope: Scope) -> bool:
    """Whether FastAPI would read the request's body as JSON: one is sent, typed as JSON or
    not typed at all."""
    headers = dict(scope.get("headers") or [])
    if headers.get(b"content-length", b"0").strip() in (b"", b"0") and (
        b"transfer-encoding" not in headers
    ):
        return False
    kind = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    return kind in ("", "application/json") or (
        kind.startswith("application/") and kind.endswith("+json")
    )


class StrictInput:
    """Refuses (422), before any route runs, input the framework would change without a word
    (:func:`url_problem`, :func:`json_body_problem`): ids whose escapes are not UTF-8, JSON
    bodies with a duplicate key, NaN or an integer beyond 64 bits. A JSON body is read once
    here and handed on as it came."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where, problem = ["path"], url_problem(scope)
        if problem is None and _json_body(scope):
            try:
                body, receive = await _buffered(receive)
            except StarletteHTTPException as exc:  # BodyLimit's 413 for a body over the limit
                title = _HTTP_TITLES.get(exc.status_code, "请求有误")
                await _refuse(scope, exc.status_code, title, str(exc.detail), None)(
                    scope, receive, send
                )
                return
            found = json_body_problem(body)
            if found is not None:
                path, reason = found
                where, problem = ["body", *path], f"{'.'.join(path)}：{reason}" if path else reason
        if problem is None:
            await self.app(scope, receive, send)
            return
        errors = [{"loc": where, "msg": problem, "type": "value_error"}]
        await _refuse(scope, 422, "参数无效", problem, errors)(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """A request's whole body, and a ``receive`` that hands it on as one message."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left: nothing to check
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body, given = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


def _refuse(
    scope: Scope, status: int, title: str, detail: str, errors: list[Any] | None
) -> Response:
    """An answer given before any route runs: problem+json, a Chinese page under the UI."""
    request = Request(scope)
    if is_page(request.url.path):
        return HTMLResponse(error_html(status, title, detail), status_code=status)
    return _problem(request, status, title, detail, errors)


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
    app.add_middleware(StrictInput)
    app.add_middleware(CatchAll)
