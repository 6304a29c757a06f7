"""Logging in and out: the login page turns a token into a web session (see
:mod:`chainatlas.api.routes.ui.core`); a refused token answers the login page again with 401."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chainatlas.api.auth import AuthStore, Unauthorized
from chainatlas.api.deps import COOKIE, get_auth
from chainatlas.api.routes.ui.core import SameOrigin, User, check_csrf, page

router = APIRouter(include_in_schema=False)
#: the login form's own cookie: a random value whose hash the form carries (no session yet)
LOGIN_COOKIE = "chainatlas_login"
LOGIN_SECONDS = 3600


def _secure(request: Request) -> bool:
    """Cookies are ``Secure`` when the browser talks HTTPS to us (uvicorn already applies a
    trusted local proxy's ``X-Forwarded-Proto`` to the scheme)."""
    return request.url.scheme == "https"


def local_target(target: str) -> str:
    """Where to go after login: a path on this site only. ``//evil.example`` and
    ``/\\evil.example`` are other sites to a browser (an open redirect), so they become ``/``."""
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target


#: what the login page says when a browser's session ended without its user logging out
ENDED = "会话已结束，请重新登录。"


def _login_page(
    request: Request, back: str, error: str = "", status: int = 200, notice: str = ""
) -> Response:
    secret = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    resp = page(
        request,
        None,
        "login.html",
        status=status,
        title="登录",
        next=local_target(back),
        login_csrf=AuthStore.csrf_token(secret),
        error=error,
        notice=notice,
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


@router.get("/ui/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", ended: str = "") -> Response:
    """The login page; ``ended=1`` when a page found this browser's session expired or its
    token revoked (:func:`chainatlas.api.routes.ui.core.LoginRequired`)."""
    return _login_page(request, next, notice=ENDED if ended == "1" else "")


@router.post("/ui/login", dependencies=[SameOrigin])
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(form, request.cookies.get(LOGIN_COOKIE))
    token, back = str(form.get("token") or "").strip(), local_target(str(form.get("next") or "/"))
    auth = get_auth(request)
    try:
        sid, lifetime = auth.open_session(token)
    except Unauthorized as exc:
        return _login_page(request, back, str(exc), status=401)
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
    return page(
        request,
        who,
        "message.html",
        title="退出登录",
        message=f"当前登录：{who.describe()}。退出后本浏览器的登录立即失效，令牌本身仍然有效。",
    )


@router.post("/ui/logout", dependencies=[SameOrigin])
async def logout(request: Request) -> Response:
    """End this browser's session (the token itself stays valid: revoke it to end it)."""
    sid = request.cookies.get(COOKIE)
    check_csrf(await request.form(max_files=0, max_fields=5), sid)
    get_auth(request).close_session(sid)
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return resp


__all__ = ["LOGIN_COOKIE", "local_target", "router"]
