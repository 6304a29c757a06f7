"""What every page of the web UI shares: the session check, the CSRF check, rendering, the
演示数据 banner, and error pages.

Pages need a token too: the login page exchanges it for a web session, whose id (not the token)
is kept in an HttpOnly, SameSite=Strict cookie with a lifetime (``Secure`` over HTTPS). Every
page checks the session before doing any work; every form (login and logout included) carries
a CSRF token and must come from this site (``Origin``, or ``Referer`` when a browser sends no
``Origin``); anything else gets a 403 page.

Errors are pages too: a domain error, a bad parameter or an unknown page under ``/ui`` answers
with a Chinese page and the status the API would give (404, 403, 422 …), never problem+json.
Writes from forms call the API's own route functions, so the role table, the scope checks and
the write-ahead audit are the API's, unchanged.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainatlas.api.auth import AuthStore, Principal, Unauthorized
from chainatlas.api.deps import COOKIE, get_auth, get_store
from chainatlas.api.downloads import download
from chainatlas.api.errors import error_status, is_page, page_title, param_message
from chainatlas.api.routes.ui.filters import install as install_filters
from chainatlas.graph.errors import ChainAtlasError, NodeNotFound, StoreBusy, ValidationFailed
from chainatlas.graph.model import zh_message
from chainatlas.graph.store.contract import GraphStore
from chainatlas.viz.dashboard import has_sample
from chainatlas.viz.html import script_json

__all__ = [
    "CrossSite",
    "LoginRequired",
    "SameOrigin",
    "User",
    "allowed",
    "check_csrf",
    "csrf",
    "error_page",
    "install_pages",
    "page",
    "read_form",
    "status_of",
    "template_download",
    "templates",
]

HERE = Path(__file__).resolve().parent.parent.parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
#: JSON for a ``<script type="application/json">`` block (``<``, ``>``, ``&`` escaped inside it)
templates.env.filters["script_json"] = lambda v: Markup(script_json(v))
install_filters(templates.env.filters)  # local_time: stored UTC → Beijing time
HTTP_TITLES = {404: "页面不存在", 413: "文件过大"}  # others: :data:`errors.PAGE_TITLES`


class LoginRequired(Exception):
    """No valid web session: the page sends the browser to the login page; ``ended`` when the
    browser had a session that is no longer valid (it expired, or its token was revoked)."""

    def __init__(self, back: str, ended: bool = False) -> None:
        self.back, self.ended = back, ended


class CrossSite(Exception):
    """A form post that is not from this site, or without the form's CSRF token."""


def _user(request: Request) -> Principal:
    """The logged-in caller of a page (the first thing every page asks)."""
    sid = request.cookies.get(COOKIE)
    try:
        return get_auth(request).session(sid)
    except Unauthorized:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(back, ended=bool(sid)) from None


def _same_origin(request: Request) -> None:
    """A form post must come from a page of this site."""
    from urllib.parse import urlsplit

    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    origin = request.headers.get("origin")
    if origin is None and request.headers.get("referer"):
        ref = urlsplit(request.headers["referer"])
        origin = f"{ref.scheme}://{ref.netloc}"
    if origin is None or origin.lower() != own:
        raise CrossSite()


User = Annotated[Principal, Depends(_user)]
SameOrigin = Depends(_same_origin)


def check_csrf(form: FormData, secret: str | None) -> None:
    sent = form.get("csrf")
    if not secret or not isinstance(sent, str):
        raise CrossSite()
    if not secrets.compare_digest(sent, AuthStore.csrf_token(secret)):
        raise CrossSite()


async def read_form(request: Request) -> FormData:
    """A page form's fields, after its CSRF token has been checked (the session and the
    origin are checked by the route's dependencies before the body is read)."""
    form = await request.form(max_files=0, max_fields=20)
    check_csrf(form, request.cookies.get(COOKIE))
    return form


def csrf(request: Request) -> str:
    sid = request.cookies.get(COOKIE)
    return AuthStore.csrf_token(sid) if sid else ""


def _sample(request: Request) -> bool:
    try:
        return has_sample(get_store(request))
    except Exception:  # the banner never stops a page (an error page above all)
        return False


def page(
    request: Request, who: Principal | None, name: str, *, status: int = 200, **ctx: Any
) -> Response:
    """Render a template with what every page needs: who is logged in, the forms' CSRF token
    and whether the graph holds sample data (the 演示数据 banner)."""
    return templates.TemplateResponse(
        request,
        name,
        {
            "who": who.name if who else None,
            "who_full": who.describe() if who else "",
            "admin": who is not None and who.role == "city",  # the 管理 pages' nav item
            "csrf": csrf(request) if who else "",
            "sample": _sample(request),
            "nav": "",
            **ctx,
        },
        status_code=status,
    )


def status_of(exc: Exception) -> tuple[int, str, str]:
    """(status, title, message) of an error, as the API would answer it but with the title
    in office words (:func:`errors.page_title`: 无法完成, not 请求有误 or 数据不合规)."""
    if isinstance(exc, ValidationError):
        msgs = "；".join(zh_message(e) for e in exc.errors()[:5])  # type: ignore[arg-type]
        return 422, page_title("数据不合规"), msgs
    if isinstance(exc, ChainAtlasError):
        status, title = error_status(exc)
        return status, page_title(title), str(exc)
    raise exc


def named_fields(labels: dict[str, str], exc: ValidationError) -> ValidationFailed:
    """A form's refused fields, each by the label the form gives it (review R, C7): 「跟进内容不能
    为空」 for one left empty (or missing), 「跟进日期：…」 with the reason for another — not a
    bare 「不能为空」 that leaves the user to guess which field."""
    named: list[tuple[str, str]] = []
    for e in exc.errors():
        field = str(e["loc"][-1]) if e["loc"] else ""
        label = labels.get(field, field)
        if e["type"] in ("missing", "string_too_short") or e.get("input") == "":
            named.append((field, f"{label}不能为空"))
        else:
            named.append((field, f"{label}：{zh_message(e)}"))  # type: ignore[arg-type]
    return ValidationFailed("；".join(why for _, why in named), named)


def allowed(check: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Would the API's check let this through? (Buttons are shown only when it would.)"""
    try:
        check(*args, **kwargs)
    except ChainAtlasError:
        return False
    return True


def template_download(
    kind: str, kinds: dict[str, str], store: GraphStore | None = None
) -> Response:
    """A blank template of ``kind`` (Chinese headers and a 说明 sheet, as ``chainatlas
    template`` writes it) as an xlsx download named after ``kinds[kind]``; a kind not in
    ``kinds`` is a 404 naming those that are. With the ``store``, its chains are a drop-down
    list of the 所属产业链 column."""
    import tempfile

    from chainatlas.graph.io.templates import write_template

    if kind not in kinds:
        raise NodeNotFound(
            kind, "模板", "可选：" + "、".join(f"{k}（{zh}）" for k, zh in kinds.items())
        )
    with tempfile.TemporaryDirectory() as tmp:
        data = write_template(kind, Path(tmp) / f"{kind}.xlsx", store).read_bytes()
    return download(data, "xlsx", f"{kinds[kind]}模板.xlsx", fallback=kind)


def _who(request: Request) -> Principal | None:
    try:
        return get_auth(request).session(request.cookies.get(COOKIE))
    except Exception:
        return None


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return page(
        request,
        _who(request),
        "error.html",
        status=status,
        title=page_title(title),
        message=message,
        code=status,
    )


def _is_page(request: Request) -> bool:
    return is_page(request.url.path)


def _to_login(request: Request, exc: Exception) -> Response:
    from urllib.parse import quote

    assert isinstance(exc, LoginRequired)
    ended = "&ended=1" if exc.ended else ""  # the login page says the session has ended
    resp = RedirectResponse("/ui/login?next=" + quote(exc.back, safe="/") + ended, status_code=303)
    if exc.ended:
        resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")  # said once
    return resp


def _refused(request: Request, exc: Exception) -> Response:
    return error_page(
        request,
        403,
        "请求被拒绝",
        "请求来源校验失败：表单须从本站页面提交（防跨站请求伪造）。请返回页面刷新后重试。",
    )


def _pages_answer_in_html(app: FastAPI) -> None:
    """Under ``/ui`` (and ``/``) the API's error handlers answer with a Chinese page instead of
    problem+json, with the same status; elsewhere they answer as before."""

    def wrap(kind: type[Exception]) -> None:
        original = app.exception_handlers[kind]

        async def handler(request: Request, exc: Exception) -> Response:
            if not _is_page(request):
                answer = original(request, exc)
                return await answer if inspect.isawaitable(answer) else answer
            if isinstance(exc, StarletteHTTPException):
                title = HTTP_TITLES.get(exc.status_code) or page_title("请求有误")
                text = "没有这个页面。" if exc.status_code == 404 else str(exc.detail)
                resp = error_page(request, exc.status_code, title, text)
                if exc.headers:
                    resp.headers.update(exc.headers)
                return resp
            if isinstance(exc, RequestValidationError):
                where = "；".join(param_message(e) for e in exc.errors()[:5])
                return error_page(request, 422, page_title("参数无效"), where or "参数无效")
            status, title, text = status_of(exc)
            resp = error_page(request, status, title, text)
            if isinstance(exc, StoreBusy):  # as the API: when to try again
                resp.headers["Retry-After"] = str(exc.retry_after)
            return resp

        app.add_exception_handler(kind, handler)

    for kind in (ChainAtlasError, RequestValidationError, StarletteHTTPException):
        wrap(kind)


def install_pages(app: FastAPI) -> None:
    """The stylesheet and scripts, the login redirect, the 403 page and the error pages."""
    from fastapi.staticfiles import StaticFiles

    # the vendored libraries live with the views that inline them (viz, the lower layer)
    vendor = resources.files("chainatlas.viz") / "static" / "vendor"
    app.mount("/ui/static/vendor", StaticFiles(directory=str(vendor)), name="ui-vendor")
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CrossSite, _refused)
    _pages_answer_in_html(app)
