"""要素匹配 in the browser, in two tabs.

上传匹配: the blank demand and supply templates (for every logged-in role), an upload of two
filled lists, the allocation with names (demands, supplies, the firms behind them — never ids),
scores on a fixed 0–100 scale, and the CLI's workbook of the same upload. A list that cannot be
read answers 422 with one row per error. Nothing is stored.

已存清单与对接: the lists kept in the graph matched through the API's ``run_stored_match`` (its
role and scope checks, its audit), the 对接 records with their state, and the forms to move one
on through the API's ``change_status`` — shown only to those the API would let through.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from chainatlas.api.auth import Principal, check_scope, check_writer
from chainatlas.api.deps import COOKIE, get_auth, get_settings, get_store
from chainatlas.api.downloads import download
from chainatlas.api.roles import scoped_by
from chainatlas.api.routes.ui.core import (
    SameOrigin,
    User,
    allowed,
    check_csrf,
    page,
    status_of,
    template_download,
)
from chainatlas.api.routes.ui.unplaced import fixable
from chainatlas.graph.errors import ChainAtlasError, ImportFailed, error_rows
from chainatlas.graph.store.contract import GraphStore
from chainatlas.viz.dashboard import DISTRICT_KINDS, ZONE_KIND

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024  # bytes of each list on the matching page
KINDS = {"demands": "需求清单", "supplies": "供给清单"}
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
#: how a score is read (the page says it next to the results)
SCORE_NOTE = (
    "得分 = 匹配器自身得分 × 100（0–100，保留一位小数，各次匹配同一标尺）："
    "通过全部硬约束（类型、数量、区域、产业链/环节、有效期）后，"
    "得分 = 0.6 × 描述相似度 + 0.4 × 环节接近度；"
    "配套需求的图谱企业为 0.5 + 本地企业 0.4 + 产值（亿元，最多 100）÷ 1000。"
)


def score100(score: float) -> str:
    """The matcher's score (0–1) on the page's 0–100 scale, one decimal."""
    return f"{score * 100:.1f}"


def _name(store: GraphStore, key: str | None) -> str:
    """A firm (or any node) by its name; a name that is not an id stays as it is."""
    if not key:
        return ""
    node = store.get_node(key)
    if node is None:
        return key
    return str(node.props.get("name") or node.props.get("description") or "")


def _intro(request: Request, tab: str) -> dict[str, Any]:
    store = get_store(request)
    return {
        "title": "要素匹配",
        "nav": "match",
        "tab": tab,
        "kinds": KINDS,
        "score_note": SCORE_NOTE,
        "stored": (store.count_nodes("Demand"), store.count_nodes("Supply")),
    }


@router.get("/ui/match", response_class=HTMLResponse)
def match_form(request: Request, who: User) -> Response:
    return page(request, who, "match.html", **_intro(request, "upload"))


@router.get("/ui/match/template/{kind}.xlsx")
def match_template(request: Request, who: User, kind: str) -> Response:
    """A blank demand or supply template (Chinese headers, a 说明 sheet) for any logged-in role."""
    return template_download(kind, KINDS, get_store(request))


def _result_rows(store: GraphStore, res: Any) -> tuple[list[list[str]], list[list[str]]]:
    """The allocation and the unmatched demands, by name."""
    rows = []
    for m in res.assigned:
        d, s = res.demands[m.demand], res.supplies.get(m.supply)
        provider = _name(store, s.provider or s.firm) if s else _name(store, m.supply)
        rows.append(
            [
                d.label(),
                _name(store, d.firm or d.provider),
                m.supply_label,
                provider,
                score100(m.score),
                "；".join(m.passed),
            ]
        )
    un = [
        [res.demands[d].label(), _name(store, res.demands[d].firm), why] for d, why in res.unmatched
    ]
    return rows, un


def _refused(exc: ImportFailed) -> str:
    """The headline of lists that cannot be matched: how many rows are wrong, the errors
    themselves in the table below it (uploads are never stored, so nothing is to be said
    about writing), or the reason itself when a file as a whole was refused."""
    if all(e.row == 0 for e in exc.errors):
        return "无法匹配：" + "；".join(e.reason for e in exc.errors)
    rows, count = error_rows(exc.errors), len(exc.errors) + exc.more
    where = f"{rows} 行有错误（共 {count} 处）" if rows != count else f"{rows} 行有错误"
    return f"无法匹配：清单中 {where}，请改正后重新上传（见下表）"


@router.post("/ui/match", response_class=HTMLResponse, dependencies=[SameOrigin])
async def match_run(request: Request, who: User) -> Response:
    """The session and the origin are checked before the upload is read (the dependencies
    read headers only); then the form, its CSRF token, and the two lists. ``format=xlsx``
    answers the CLI's workbook of the same match instead of the page."""
    from chainatlas.matching.elements import load_lists, match
    from chainatlas.viz.reports import match_tables
    from chainatlas.viz.tables import xlsx_bytes

    form = await request.form(max_files=2, max_fields=4)
    check_csrf(form, request.cookies.get(COOKIE))
    store = get_store(request)
    ctx = _intro(request, "upload")
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
            error = _refused(exc)
            return page(request, who, "match.html", status=422, error=error, lines=lines, **ctx)
    home_area = get_settings(request).home_area
    res = await run_in_threadpool(lambda: match(ds, ss, store=store, home_area=home_area))
    if form.get("format") == "xlsx":
        data = xlsx_bytes(match_tables(res))
        return download(data, "xlsx", "要素匹配结果.xlsx", fallback="match")
    rows, un = _result_rows(store, res)
    return page(
        request,
        who,
        "match.html",
        **ctx,
        summary=f"需求 {len(ds)} 条、供给 {len(ss)} 条：分配 {len(res.assigned)}，未匹配 {len(un)}",
        tables=[
            ("分配结果", ["需求", "需求企业", "供给", "提供方", "得分", "通过的约束"], rows),
            ("未匹配", ["需求", "需求企业", "原因"], un),
        ],
    )


# ---- 已存清单与对接 -------------------------------------------------------------------------


def _ends(store: GraphStore, node_id: str | None) -> tuple[str, str]:
    """(description, firm or provider) of a stored demand or supply; a firm's own name."""
    if not node_id:
        return "", ""
    node = store.get_node(node_id)
    if node is None:
        return "", ""
    if node.label == "Firm":
        return str(node.props.get("name") or ""), str(node.props.get("name") or "")
    firms = [o for r, o in store.neighbours(node_id, ["FOR_FIRM"]) if o.label == "Firm"]
    party = str(firms[0].props.get("name") or "") if firms else ""
    return str(node.props.get("description") or ""), party or str(node.props.get("provider") or "")


def _docking_rows(store: GraphStore, who: Principal) -> list[dict[str, Any]]:
    from chainatlas.graph.workflows.dockings import NEXT, docking_rows

    out = []
    for r in docking_rows(store):
        demand, firm = _ends(store, r["demand"])
        supply, provider = _ends(store, r["supply"])
        may = bool(r["demand"]) and allowed(check_scope, store, who, node=r["demand"])
        out.append(
            {
                "id": r["id"],
                "demand": demand,
                "firm": firm,
                "region": r.get("region") or "",
                "kind": r.get("demand_kind") or "",
                "supply": supply,
                "provider": provider,
                "score": score100(float(r["score"])) if r.get("score") is not None else "",
                "status": r.get("status", ""),
                "created": str(r.get("created", ""))[:10],
                "next": NEXT.get(r.get("status", ""), ()) if may else (),
            }
        )
    return out


def _stored(
    request: Request, who: Principal, month: str, status: int = 200, **extra: Any
) -> Response:
    from chainatlas.graph.workflows.dockings import docking_summary

    store = get_store(request)
    return page(
        request,
        who,
        "match_stored.html",
        status=status,
        **_intro(request, "stored"),
        month=month,
        summary=docking_summary(store, month),
        dockings=_docking_rows(store, who),
        may_run=allowed(check_writer, who),
        **_filter_choices(store, who),
        today=date.today().isoformat(),
        unplaced=sum(u.label != "Project" for u in fixable(request, who)),
        **extra,
    )


def _filter_choices(store: GraphStore, who: Principal) -> dict[str, Any]:
    """The 产业链 and 区县 the matching form offers: the caller's own where the role is limited
    to chains or districts (review R, B5), else all of them."""
    chains = store.find_nodes("Chain")
    chains.sort(key=lambda c: (c.props.get("layout") != "1366", c.props.get("order", 0)))
    kinds = (*DISTRICT_KINDS, ZONE_KIND)
    regions = [r.name for r in store.find_nodes("Region") if r.props.get("kind") in kinds]
    limited = scoped_by(who.role)
    if limited == "chain":
        chains = [c for c in chains if c.id in who.scope]
    elif limited == "region":
        regions = [r for r in regions if r in who.scope]
    return {"chains": chains, "regions": regions, "limited": limited}


@router.get("/ui/match/stored", response_class=HTMLResponse)
def stored_page(
    request: Request,
    who: User,
    month: str | None = Query(None, pattern=MONTH),
    ok: str | None = None,
) -> Response:
    done = {"run": "已运行匹配", "status": "对接状态已更新"}.get(ok or "")
    return _stored(request, who, month or date.today().strftime("%Y-%m"), done=done)


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=10)
    check_csrf(form, request.cookies.get(COOKIE))
    return {k: str(v) for k, v in form.items()}


@router.post("/ui/match/stored", response_class=HTMLResponse, dependencies=[SameOrigin])
async def stored_run(request: Request, who: User) -> Response:
    """``match --stored`` for the viewer's scope, through the API's ``run_stored_match``."""
    from chainatlas.api.routes.dockings import run_stored_match
    from chainatlas.api.schemas import StoredMatchRequest

    f = await _fields(request)
    month = date.today().strftime("%Y-%m")
    try:
        body = StoredMatchRequest.model_validate(
            {"chain": f.get("chain") or None, "region": f.get("region") or None}
        )
        store, settings, auth = get_store(request), get_settings(request), get_auth(request)
        out = await run_in_threadpool(
            lambda: run_stored_match(body, store, settings, who, auth, request)
        )
    except (ChainAtlasError, ValidationError) as exc:
        code, title, message = status_of(exc)
        return _stored(request, who, month, status=code, error=f"{title}：{message}")
    store = get_store(request)
    names = {d: _ends(store, d)[0] for d in [u["demand"] for u in out["unmatched"]]}
    unmatched = [[names[u["demand"]], u["reason"]] for u in out["unmatched"]]
    done = (
        f"需求 {out['demands']} 条、供给 {out['supplies']} 条：分配 {len(out['assigned'])}，"
        f"新增对接 {len(out['new_dockings'])}，未匹配 {len(unmatched)}"
    )
    return _stored(request, who, month, done=done, unmatched=unmatched)


@router.post("/ui/match/docking", response_class=HTMLResponse, dependencies=[SameOrigin])
async def docking_move(request: Request, who: User) -> Response:
    """Move one 对接 on through the API's ``change_status`` (its scope check and audit)."""
    from chainatlas.api.routes.dockings import change_status
    from chainatlas.api.schemas import StatusChange

    f = await _fields(request)
    try:
        body = StatusChange.model_validate(
            {
                "status": f.get("status", ""),
                "note": f.get("note", ""),
                "date": f.get("date") or None,
            }
        )
        store, auth = get_store(request), get_auth(request)
        change_status(f.get("docking", ""), body, store, who, auth, request)
    except (ChainAtlasError, ValidationError) as exc:
        code, title, message = status_of(exc)
        month = date.today().strftime("%Y-%m")
        return _stored(request, who, month, status=code, error=f"{title}：{message}")
    return RedirectResponse("/ui/match/stored?ok=status", status_code=303)
