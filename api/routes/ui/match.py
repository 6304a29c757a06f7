"""要素匹配 in the browser: upload the demand and supply lists, see the allocation and the
unmatched demands with their reasons. A list that cannot be read answers 422 with its errors."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from chainatlas.api.deps import COOKIE, get_settings, get_store
from chainatlas.api.routes.ui.core import SameOrigin, User, check_csrf, page
from chainatlas.graph.errors import ImportFailed

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024  # bytes of each list on the matching page


def _intro(request: Request) -> dict[str, Any]:
    store = get_store(request)
    return {
        "title": "要素匹配",
        "nav": "match",
        "stored": (store.count_nodes("Demand"), store.count_nodes("Supply")),
    }


@router.get("/ui/match", response_class=HTMLResponse)
def match_form(request: Request, who: User) -> Response:
    return page(request, who, "match.html", **_intro(request))


@router.post("/ui/match", response_class=HTMLResponse, dependencies=[SameOrigin])
async def match_run(request: Request, who: User) -> Response:
    """The session and the origin are checked before the upload is read (the dependencies
    read headers only); then the form, its CSRF token, and the two lists."""
    from chainatlas.matching.elements import load_lists, match

    form = await request.form(max_files=2, max_fields=4)
    check_csrf(form, request.cookies.get(COOKIE))
    store = get_store(request)
    ctx = _intro(request)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for field, default in (("demands", "demands.xlsx"), ("supplies", "supplies.xlsx")):
            up = form.get(field)
            if not isinstance(up, UploadFile) or not up.filename:
                error = "请选择需求清单和供给清单两个文件"
                return page(request, who, "match.html", status=422, error=error, **ctx)
            name = Path(up.filename or default).name or default
            path = Path(tmp) / name
            path.write_bytes((await up.read(MAX_UPLOAD + 1))[:MAX_UPLOAD])
            paths.append(path)
        try:
            # reading and matching are heavy: a worker thread, the event loop keeps answering
            ds, ss, _ = await run_in_threadpool(
                lambda: load_lists(paths[0], paths[1], store, skip_bad=False)
            )
        except ImportFailed as exc:
            lines = [e.__dict__ for e in exc.errors]
            return page(request, who, "match.html", status=422, error=str(exc), lines=lines, **ctx)
    home_area = get_settings(request).home_area
    res = await run_in_threadpool(lambda: match(ds, ss, store=store, home_area=home_area))
    rows = [
        [res.demands[m.demand].label(), m.supply_label, f"{m.score:.2f}", "；".join(m.passed)]
        for m in res.assigned
    ]
    un = [[res.demands[d].label(), why] for d, why in res.unmatched]
    return page(
        request,
        who,
        "match.html",
        **ctx,
        summary=f"需求 {len(ds)} 条、供给 {len(ss)} 条：分配 {len(res.assigned)}，未匹配 {len(un)}",
        tables=[
            ("分配结果", ["需求", "供给", "得分", "通过的约束"], rows),
            ("未匹配", ["需求", "原因"], un),
        ],
    )
