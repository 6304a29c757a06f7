"""One heavy upload at a time per token (issue 14, second review): while a token's import or
match runs, a second one of the same token is answered 429 with Retry-After at once; another
token, or the same token once the first is done, goes through. The real middleware over a real
ASGI app, whose endpoint waits until the test lets it finish."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from chainatlas.api.limits import BUSY_RETRY_SECONDS, RateLimit


def _app(entered: asyncio.Event, release: asyncio.Event) -> RateLimit:
    async def work(request: Request) -> PlainTextResponse:
        entered.set()
        await release.wait()
        return PlainTextResponse("done")

    inner = Starlette(
        routes=[Route(p, work, methods=["POST"]) for p in ("/api/v1/import", "/api/v1/match")]
    )
    return RateLimit(inner, rates={"import": "100/minute", "match": "100/minute"})


def test_a_token_runs_one_heavy_upload_at_a_time() -> None:
    async def scenario() -> None:
        entered, release = asyncio.Event(), asyncio.Event()
        transport = httpx.ASGITransport(app=_app(entered, release))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            a = {"Authorization": "Bearer ca_a"}
            first = asyncio.create_task(c.post("/api/v1/import", headers=a, content=b"x"))
            await entered.wait()
            for path in ("/api/v1/import", "/api/v1/match"):
                busy = await c.post(path, headers=a, content=b"x")
                assert busy.status_code == 429, busy.text
                assert busy.headers["retry-after"] == str(BUSY_RETRY_SECONDS)
                assert busy.headers["content-type"] == "application/problem+json"
                assert "同时只能进行一项" in busy.json()["detail"]
            entered.clear()
            other = asyncio.create_task(
                c.post("/api/v1/import", headers={"Authorization": "Bearer ca_b"}, content=b"x")
            )
            await entered.wait()  # another token is not held up
            release.set()
            assert (await first).status_code == 200
            assert (await other).status_code == 200
            again = await c.post("/api/v1/match", headers=a, content=b"x")
            assert again.status_code == 200

    asyncio.run(scenario())
