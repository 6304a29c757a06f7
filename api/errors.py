"""The one place where domain errors become HTTP answers (``application/problem+json``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.auth import Forbidden, Unauthorized
from graph.errors import (
    BackendUnavailable,
    ChainAtlasError,
    ImportFailed,
    NodeNotFound,
    ValidationFailed,
)

__all__ = ["install_error_handlers"]

_STATUS: list[tuple[type[ChainAtlasError], int, str]] = [
    (Unauthorized, 401, "未认证"),
    (Forbidden, 403, "无权操作"),
    (NodeNotFound, 404, "未找到"),
    (ImportFailed, 422, "导入失败"),
    (ValidationFailed, 422, "数据不合规"),
    (BackendUnavailable, 503, "后端不可用"),
    (ChainAtlasError, 400, "请求有误"),
]


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        status, title = next((st, t) for kind, st, t in _STATUS if isinstance(exc, kind))
        body: dict[str, object] = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": str(exc),
            "instance": request.url.path,
        }
        if isinstance(exc, ImportFailed):
            body["errors"] = [e.__dict__ for e in exc.errors]
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            body, status_code=status, media_type="application/problem+json", headers=headers
        )

    app.add_exception_handler(ChainAtlasError, handle)
