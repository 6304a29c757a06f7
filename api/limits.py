"""Request-size limits, enforced before a body is buffered; and the security headers of every
answer.

A request whose ``Content-Length`` is over the limit is answered 413 without reading its body;
a body sent without a length (chunked) is counted as it streams in and stopped at the limit.
Uploads (``POST /api/v1/import``, the matching page) may be 55 MB (a 50 MB file plus the
multipart envelope); every other request 10 MB.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_LIMIT", "UPLOAD_LIMIT", "UPLOAD_PATHS", "BodyLimit", "SecurityHeaders"]

MB = 1024 * 1024
DEFAULT_LIMIT = 10 * MB
UPLOAD_LIMIT = 55 * MB
UPLOAD_PATHS = ("/api/v1/import", "/ui/match")


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


def _too_large(limit: int) -> str:
    return f"请求体超过 {limit // MB} MB"


async def _answer(send: Send, scope: Scope, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_HEADERS = [
    (b"x-content-type-options", b"nosniff"),  # a download is never run as a script
    (b"x-frame-options", b"SAMEORIGIN"),  # our pages frame our views; no other site may
    (b"referrer-policy", b"no-referrer"),  # ids in our URLs stay here
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
