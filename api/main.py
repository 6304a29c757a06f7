"""The FastAPI application: only wiring; the routes live in ``api/routes``."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from chainatlas.api.auth import AuthStore
from chainatlas.api.deps import COOKIE, get_principal
from chainatlas.api.errors import ERRORS, HEALTH_ERRORS, PROBLEM, install_error_handlers
from chainatlas.api.hosts import HostCheck, parse_hosts
from chainatlas.api.limits import COSTLY, BodyLimit, RateLimit, SecurityHeaders
from chainatlas.api.routes import (
    carriers,
    chains,
    checklist,
    dockings,
    firms,
    gaps,
    goals,
    health,
    ledger,
    maps,
    matching,
    problems,
    projects,
    records,
    segments,
    tokens,
    transfer,
    ui,
    views,
)
from chainatlas.api.supervisor import Supervisor
from chainatlas.api.warmup import IndexWarmer
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.backends import open_store
from chainatlas.graph.store.contract import GraphStore, begin_read_scope

log = logging.getLogger("chainatlas.api")

__all__ = ["create_app", "create_served_app"]


async def _read_scope() -> None:
    """Each request is one read scope: the store looks for other processes' commits once per
    request, not at every read (async, so it runs in the request's own context, which the
    route's worker thread inherits)."""
    begin_read_scope()


DOCS_ASSETS = "/docs/assets"


def _docs(app: FastAPI) -> None:
    """Swagger UI at ``/docs`` from the copy that the ``fastapi-offline`` package ships (no
    CDN), with a policy that allows this site and the page's one inline script; no ReDoc."""
    app.mount(
        DOCS_ASSETS,
        StaticFiles(directory=str(files("fastapi_offline") / "static")),
        name="docs-assets",
    )
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} · 接口文档",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
    ).body
    scripts = re.findall(rb"<script>(.*?)</script>", bytes(page), re.S)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'" for s in scripts
    )
    policy = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
        "object-src 'none'"
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": policy})


def _document_rate_limits(app: FastAPI) -> None:
    """The expensive operations (``limits.COSTLY``) say in OpenAPI that they may answer 429."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        too_many = {
            "description": "请求过于频繁（每个令牌的限额，见 Retry-After）",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for path, ops in schema.get("paths", {}).items():
            concrete = re.sub(r"\{[^/]+\}", "x", path)
            for method, op in ops.items():
                if any(m == method.upper() and p.fullmatch(concrete) for m, p, _ in COSTLY):
                    op.setdefault("responses", {})["429"] = too_many
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _warm(store: GraphStore) -> None:
    """Load the graph ahead of the first request that needs it; a failure here is the first
    request's to report, not the start-up's."""
    try:
        store.warm()
    except Exception:  # reported again by the request that meets it
        log.warning("图谱预加载失败，将在首次请求时重试", exc_info=True)


def create_app(
    settings: Settings | None = None,
    store: GraphStore | None = None,
    auth: AuthStore | None = None,
    *,
    rates: dict[str, str] | None = None,
    warm_index: bool = False,
    supervise: bool = False,
) -> FastAPI:
    """The app over ``store`` (or the configured backend's store, opened at start-up); tokens
    and the audit log in ``auth`` (default ``auth.db`` in the data directory); ``rates``
    overrides the per-token rate limits of the expensive endpoints (``limits.RATES``);
    ``warm_index`` builds the ranking index in the background (:mod:`chainatlas.api.warmup`:
    ``chainatlas serve`` turns it on, an app made for a test builds in the request);
    ``supervise`` keeps the 五未 督办 items up to date in the background under the system's name
    (:mod:`chainatlas.api.supervisor`: on for ``chainatlas serve``, off in the tests' apps)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store if store is not None else open_store(settings)
        app.state.settings = settings
        own_auth = auth is None
        app.state.auth = auth if auth is not None else AuthStore(settings.home / "auth.db")
        # the graph loads in the background: /health answers at once (from the store's counts)
        threading.Thread(target=_warm, args=(app.state.store,), daemon=True).start()
        if app.state.index_warmer is not None:  # after the store is open
            app.state.index_warmer.start()
        if app.state.supervisor is not None:
            app.state.supervisor.start()
        try:
            yield
        finally:
            if app.state.index_warmer is not None:
                app.state.index_warmer.stop()  # not waited for: a build cannot be cut short
            if app.state.supervisor is not None:
                app.state.supervisor.stop()
            if own:
                app.state.store.close()
            if own_auth:
                app.state.auth.close()

    app = FastAPI(
        title="chainatlas 产业链图谱",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(_read_scope)],
        docs_url=None,
        redoc_url=None,
    )
    # made here, started by the lifespan: a test may hook into it before the app starts
    app.state.index_warmer = IndexWarmer(app.state) if warm_index else None
    app.state.supervisor = Supervisor(app.state) if supervise else None
    install_error_handlers(app)
    _docs(app)
    # No CORS middleware on purpose: browsers keep other origins out (closed by default).
    app.add_middleware(RateLimit, rates=rates, session_cookie=COOKIE)
    app.add_middleware(BodyLimit)
    if settings.allowed_hosts:  # DNS rebinding: only the names the service is reached by
        app.add_middleware(HostCheck, hosts=parse_hosts(settings.allowed_hosts))
    app.add_middleware(SecurityHeaders)
    # open: liveness only
    app.include_router(health.router, prefix="/api/v1", responses=HEALTH_ERRORS)
    # The prefix goes on the inclusion, not on v1: FastAPI checks an unprefixed inclusion by
    # building every included route's context at once (~0.1 s at start-up, then thrown away);
    # with a prefix they are built lazily, router by router, at the first request.
    v1 = APIRouter(dependencies=[Depends(get_principal)], responses=ERRORS)
    v1.include_router(chains.router)
    v1.include_router(segments.router)
    v1.include_router(firms.router)
    v1.include_router(maps.router)
    v1.include_router(views.router)
    v1.include_router(projects.router)
    v1.include_router(gaps.router)
    v1.include_router(matching.router)
    v1.include_router(dockings.router)
    v1.include_router(ledger.router)
    v1.include_router(problems.router)
    v1.include_router(checklist.router)
    v1.include_router(goals.router)
    v1.include_router(carriers.router)
    v1.include_router(health.audit_router)
    v1.include_router(transfer.router)
    v1.include_router(records.router)
    v1.include_router(tokens.router)
    app.include_router(v1, prefix="/api/v1")
    ui.install_ui(app)
    _document_rate_limits(app)
    return app


def create_served_app() -> FastAPI:
    """The app of a ``chainatlas serve`` worker process (``serve --workers N``): the settings
    from the environment, the index warmed in the background unless ``CHAINATLAS_WARM_INDEX``
    is 0, the 五未 督办 items kept up to date."""
    settings = Settings()
    return create_app(settings, warm_index=settings.warm_index, supervise=True)
