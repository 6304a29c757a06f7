"""Which host names the service answers to (the ``Host`` header), against DNS rebinding.

A page of another site whose name is made to resolve to 127.0.0.1 reaches a service on this
machine under that name; its requests then carry the other site's ``Host`` — and the forms'
Origin check compares Origin with that same Host (review S, C8). Starlette's
``TrustedHostMiddleware`` decides; a refusal is ours, in Chinese (400, problem+json, or a page
under the web UI).

The names are the setting ``CHAINATLAS_ALLOWED_HOSTS`` (comma-separated; ``*.example.com``
allowed; empty: no check). ``chainatlas serve`` fills an unset one from ``--host`` and the
names of this machine (:func:`serve_hosts`); a wildcard address (``0.0.0.0``, ``::``) is
reached under names the service cannot know, so it is not checked unless the setting names
them.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from chainatlas.api.errors import PROBLEM, error_html, is_page

__all__ = ["HostCheck", "parse_hosts", "serve_hosts"]

#: The addresses that listen on every interface: reached under any name
WILDCARDS = ("0.0.0.0", "::", "")
#: The names of this machine, always allowed with a named address
LOCAL = ("127.0.0.1", "localhost", "::1")


def parse_hosts(text: str) -> list[str]:
    """The host names of the setting: comma-separated, spaces and empty items ignored.

    >>> parse_hosts(" atlas.example.gov, 127.0.0.1 ,,")
    ['atlas.example.gov', '127.0.0.1']
    """
    return [h.strip().lower() for h in text.split(",") if h.strip()]


def serve_hosts(host: str) -> str:
    """The setting ``chainatlas serve --host HOST`` uses when none is set: ``HOST`` and this
    machine's names, or none (no check) for a wildcard address.

    >>> serve_hosts("127.0.0.1"), serve_hosts("192.168.1.20"), serve_hosts("0.0.0.0")
    ('127.0.0.1,localhost,::1', '192.168.1.20,127.0.0.1,localhost,::1', '')
    """
    if host.strip() in WILDCARDS:
        return ""
    return ",".join(dict.fromkeys([host.strip().lower(), *LOCAL]))


class HostCheck:
    """Refuses (400) a request whose ``Host`` is not one of ``hosts``."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app = app
        self.hosts = list(hosts)
        TrustedHostMiddleware(app, self.hosts)  # a bad pattern (``a*.b``) fails at start-up

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepted = False

        async def passed(scope: Scope, receive: Receive, _: Send) -> None:
            nonlocal accepted
            accepted = True
            await self.app(scope, receive, send)

        async def dropped(_: object) -> None:  # Starlette's English refusal is not sent
            return None

        await TrustedHostMiddleware(passed, self.hosts, www_redirect=False)(scope, receive, dropped)
        if not accepted:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = Headers(scope=scope).get("host", "")
        detail = (
            f"主机名 {given!r} 不是本服务的地址（允许：{'、'.join(self.hosts)}）；"
            "经域名或反向代理访问时，请在 CHAINATLAS_ALLOWED_HOSTS 中加上该主机名"
        )
        path = str(scope.get("path", ""))
        if is_page(path):
            page = HTMLResponse(error_html(400, "请求有误", detail), status_code=400)
            await page(scope, receive, send)
            return
        body = {"type": "about:blank", "title": "请求有误", "status": 400}
        body |= {"detail": detail, "instance": path}
        await JSONResponse(body, status_code=400, media_type=PROBLEM)(scope, receive, send)
