"""Request-size limits, enforced before a body is buffered; per-token rate limits of the
expensive endpoints; and the security headers of every answer (with a Content-Security-Policy
on every HTML page).

A request whose ``Content-Length`` is over the limit is answered 413 without reading its body;
a body sent without a length (chunked) is counted as it streams in and stopped at the limit.
A body sent to ``/api/v1/`` without a valid bearer token is answered 401 before it is read.
Uploads (``POST /api/v1/import``, the matching page) may be 55 MB (a 50 MB file plus the
multipart envelope); every other request 10 MB.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from http.cookies import SimpleCookie

import limits
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chainatlas.api.auth import Unauthorized
from chainatlas.api.errors import error_html, is_page

__all__ = [
    "BUSY_RETRY_SECONDS",
    "COSTLY",
    "DEFAULT_LIMIT",
    "ONE_AT_A_TIME",
    "RATES",
    "UI_CSP",
    "UPLOAD_LIMIT",
    "UPLOAD_PATHS",
    "VIEW_CSP",
    "BodyLimit",
    "RateLimit",
    "SecurityHeaders",
    "rate_text",
]

MB = 1024 * 1024
DEFAULT_LIMIT = 10 * MB
UPLOAD_LIMIT = 55 * MB
UPLOAD_PATHS = ("/api/v1/import", "/ui/match", "/ui/admin/import")


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        default: int = DEFAULT_LIMIT,
        uploads: int = UPLOAD_LIMIT,
        upload_paths: tuple[str, ...] = UPLOAD_PATHS,
    ) -> None:
        self.app = app
        self.default = default
        self.uploads = uploads
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads if scope["path"] in self.upload_paths else self.default
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _answer(send, scope, 400, "请求有误", "Content-Length 无效")
                return
            if declared > limit:
                await _answer(send, scope, 413, "请求体过大", _too_large(limit))
                return
        refusal = _anonymous_body(scope)
        if refusal is not None:
            www = [(b"www-authenticate", b"Bearer")]
            await _answer(send, scope, 401, "未认证", refusal, www)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # re-raised as is by FastAPI's body parsing; the error handler answers 413
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


def _anonymous_body(scope: Scope) -> str | None:
    """Why an ``/api/v1/`` request that carries a body is refused before it is read: no
    bearer token, or one the app's token store does not accept (FastAPI would parse a whole
    upload before its token dependency ran). None to let it through: no body, another path,
    or a valid token (the route checks it again, with its role and scope)."""
    if not scope["path"].startswith("/api/v1/"):
        return None
    headers = dict(scope.get("headers") or [])
    length = headers.get(b"content-length", b"0").strip()
    if length in (b"", b"0") and b"transfer-encoding" not in headers:
        return None
    store = getattr(getattr(scope.get("app"), "state", None), "auth", None)
    if store is None:
        return None
    auth = headers.get(b"authorization", b"").decode("latin-1")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    try:
        store.principal(token)
    except Unauthorized as exc:  # no, an unknown, an expired or a revoked token
        return str(exc)
    return None


def _too_large(limit: int) -> str:
    return f"请求体超过 {limit // MB} MB"


async def _answer(
    send: Send,
    scope: Scope,
    status: int,
    title: str,
    detail: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer ``status`` before the app runs: problem+json, or under the web UI's paths a
    Chinese page with the same status and headers (``Retry-After`` kept)."""
    if is_page(scope.get("path", "")):
        kind, body = b"text/html; charset=utf-8", error_html(status, title, detail)
    else:
        kind, body = b"application/problem+json", _problem_body(scope, status, title, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _problem_body(scope: Scope, status: int, title: str, detail: str) -> bytes:
    return json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        },
        ensure_ascii=False,
    ).encode()


# ---- rate limits ------------------------------------------------------------------------------
#: the expensive endpoints: (method, path pattern, class); each class has its own rate
COSTLY: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/api/v1/export"), "export"),
    ("POST", re.compile(r"/api/v1/import"), "import"),
    ("POST", re.compile(r"/api/v1/match(?:/stored)?"), "match"),
    ("POST", re.compile(r"/ui/match(?:/stored)?"), "match"),
    ("POST", re.compile(r"/ui/admin/import"), "import"),
    ("GET", re.compile(r"/api/v1/maps/attraction/[^/]+"), "chain"),
    ("GET", re.compile(r"/api/v1/targets"), "chain"),
    ("GET", re.compile(r"/api/v1/gaps/[^/]+"), "chain"),
    ("GET", re.compile(r"/api/v1/views/(?:around/[^/]+|graph)"), "chain"),
    ("GET", re.compile(r"/ui/chain/[^/]+/map(?:\.xlsx)?"), "chain"),
    ("GET", re.compile(r"/ui/chain/[^/]+/gaps"), "chain"),
]
#: requests per token in a moving window, per class (the syntax of the ``limits`` library)
#: per token; imports and whole-chain views are what an officer does in a sitting (fixing a
#: template row by row, walking the chains one by one), so their budgets leave room for that
#: while still stopping a loop: an import also runs one at a time (:data:`ONE_AT_A_TIME`)
RATES = {"export": "2/minute", "import": "20/minute", "match": "10/minute", "chain": "60/minute"}
#: the classes whose work holds a CPU for long (reading a whole upload): at most one request
#: of these runs per token at a time, whatever the rates allow
ONE_AT_A_TIME = frozenset({"import", "match"})
#: what a refused concurrent request is told to wait (``Retry-After``)
BUSY_RETRY_SECONDS = 10
_WHAT = {
    "export": "导出全部数据",
    "import": "批量导入",
    "match": "要素匹配",
    "chain": "整条产业链的招商图、目标与缺链分析",
}


_UNIT_ZH = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}


def rate_text(kind: str, rates: dict[str, str] | None = None) -> str:
    """A class's budget as the pages say it, from :data:`RATES` (never a copy of the number).

    >>> rate_text("import", {"import": "20/minute"}), rate_text("x", {"x": "5/2 hours"})
    ('每分钟最多 20 次', '每 2 小时最多 5 次')
    """
    item = limits.parse((rates or RATES)[kind])
    unit = _UNIT_ZH.get(item.GRANULARITY.name, item.GRANULARITY.name)
    every = f"每{unit}" if item.multiples == 1 else f"每 {item.multiples} {unit}"
    return f"{every}最多 {item.amount} 次"


class RateLimit:
    """Per-token rate limits of the expensive endpoints (:data:`COSTLY`), in this process: the
    ``limits`` library's moving window over an in-memory store. Over the limit, 429
    problem+json with ``Retry-After``, before any work is done. A token may run one request
    of the :data:`ONE_AT_A_TIME` classes at a time: a second one while the first runs is
    answered 429 at once. The key is the token's id (from ``Authorization: Bearer``, or from
    the web session's token); a request with neither is let through to be refused as
    unauthenticated."""

    def __init__(
        self, app: ASGIApp, rates: dict[str, str] | None = None, session_cookie: str = ""
    ) -> None:
        self.app = app
        self.items = {k: limits.parse(v) for k, v in (rates or RATES).items()}
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.session_cookie = session_cookie
        self.running: set[str] = set()  # tokens with heavy work under way (one event loop)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = _costly(scope) if scope["type"] == "http" else None
        item = self.items.get(kind or "")
        key = _token_key(scope, self.session_cookie) if item is not None else None
        if item is None or key is None:
            await self.app(scope, receive, send)
            return
        heavy = kind in ONE_AT_A_TIME
        if heavy and key in self.running:
            detail = (
                "本令牌已有一项批量导入或要素匹配正在进行，每个令牌同时只能进行一项；"
                f"请等它完成后再试（约 {BUSY_RETRY_SECONDS} 秒后）"
            )
            retry = [(b"retry-after", b"%d" % BUSY_RETRY_SECONDS)]
            await _answer(send, scope, 429, "请求过于频繁", detail, retry)
            return
        if self.limiter.hit(item, kind or "", key):
            if not heavy:
                await self.app(scope, receive, send)
                return
            self.running.add(key)
            try:
                await self.app(scope, receive, send)
            finally:
                self.running.discard(key)
            return
        reset = self.limiter.get_window_stats(item, kind or "", key).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        detail = (
            f"{_WHAT.get(kind or '', '此操作')}每个令牌每{_per(item)}最多 {item.amount} 次；"
            f"请 {wait} 秒后再试"
        )
        await _answer(send, scope, 429, "请求过于频繁", detail, [(b"retry-after", b"%d" % wait)])


def _per(item: limits.RateLimitItem) -> str:
    unit = {1: "秒", 60: "分钟", 3600: "小时", 86400: "天"}.get(item.GRANULARITY.seconds, "时段")
    return unit if item.multiples == 1 else f" {item.multiples} {unit}"


def _costly(scope: Scope) -> str | None:
    method, path = scope.get("method", ""), scope.get("path", "")
    return next((k for m, p, k in COSTLY if m == method and p.fullmatch(path)), None)


def _token_key(scope: Scope, session_cookie: str) -> str | None:
    """The caller's token id: from the bearer token at once, from a web session by asking the
    app's token store; None for an anonymous or unknown caller."""
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return hashlib.sha256(auth[7:].strip().encode("utf-8")).hexdigest()[:12]
    if not session_cookie or b"cookie" not in headers:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers[b"cookie"].decode("latin-1"))
    except Exception:  # a malformed cookie header: treated as anonymous
        return None
    sid = jar[session_cookie].value if session_cookie in jar else None
    store = getattr(getattr(scope.get("app"), "state", None), "auth", None)
    if not sid or store is None:
        return None
    try:
        return str(store.session(sid).token_id)
    except Exception:  # not logged in: refused later, without work
        return None


# ---- security headers -------------------------------------------------------------------------
#: the web UI's pages: nothing but this site (no inline script or style)
UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
#: the API's HTML documents (graph views, reports): self-contained files with their script
#: inline, so they run sandboxed in an origin of their own, with no network at all; a click may
#: save a drawing (the fishbone's PNG export)
VIEW_CSP = (
    "sandbox allow-scripts allow-downloads; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'"
)
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),  # a download is never run as a script
    (b"x-frame-options", b"SAMEORIGIN"),  # our pages frame our views; no other site may
    # ids in our URLs stay here; same-origin (not no-referrer) so that browsers send our own
    # Origin with form posts, which the UI's CSRF check reads
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """The headers of every answer; an HTML answer without a policy of its own gets
    :data:`VIEW_CSP` under ``/api/`` and :data:`UI_CSP` elsewhere, and a page of the web UI
    (:func:`is_page`) ``Cache-Control: no-store``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = VIEW_CSP if scope["path"].startswith("/api/") else UI_CSP
        page = is_page(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *_HEADERS]
                names = {k.lower() for k, _ in headers}
                kind = dict(headers).get(b"content-type", b"")
                if kind.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", csp.encode()))
                if page and kind.startswith(b"text/html") and b"cache-control" not in names:
                    # a page is never kept: on a shared office PC, Back after 退出 must not
                    # show the last officer's pages (review S, C7); static files are cached
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
