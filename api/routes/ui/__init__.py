"""The Chinese web UI, server-rendered (Jinja2) from the same functions as the API, one module
per page family: ``session`` (login, logout), ``home`` (the 驾驶舱), ``chains`` (with
``chain_work``: 十个一, 四张清单, gaps), ``projects``,
``problems``, ``ledger``, ``firms``, ``match``, ``views`` (关系网络), ``unplaced`` (补填所在区域)
and ``admin`` (the city office's tokens, audit log, templates and imports); ``core`` holds what
they share (the session and CSRF checks, rendering, the 演示数据 banner and the error pages)."""

from __future__ import annotations

from fastapi import FastAPI

from chainatlas.api.routes.ui import (
    admin,
    chain_work,
    chains,
    core,
    firms,
    home,
    index_notice,
    ledger,
    match,
    problems,
    projects,
    session,
    unplaced,
    views,
)

__all__ = ["install_ui"]


def install_ui(app: FastAPI) -> None:
    """The pages, their static files (stylesheet, scripts, vendored ECharts and boundaries)
    and their answers (login redirect, 403 page, error pages)."""
    core.install_pages(app)
    for module in (
        session,
        home,
        chains,
        projects,
        problems,
        ledger,
        firms,
        match,
        admin,
        chain_work,
        views,
        index_notice,
        unplaced,
    ):
        app.include_router(module.router)
