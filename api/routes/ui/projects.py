"""重点项目库 and one project's page: the list with the ledger's filters, paging and an Excel of
the current filter; the project page is its dossier (一项目一档案) with the forms its caller may
use — stage move, follow-up, 拿地, a new problem — each shown only when the API's own check
would let the caller through, and each posted to the API's route function (same scope checks,
same write-ahead audit)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chainatlas.api.auth import AuthStore, Principal, check_scope, check_scopes
from chainatlas.api.deps import get_auth, get_settings, get_store
from chainatlas.api.routes.projects import add_project_follow_up, project_land, project_stage
from chainatlas.api.routes.ui.core import SameOrigin, User, allowed, page, read_form, status_of
from chainatlas.api.schemas import FollowUpIn, LandIn, ProblemIn, StageMove
from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.model import PROJECT_STAGES
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dossier import AHEAD, CURRENT, project_dossier
from chainatlas.graph.workflows.ledger import DATE_FIELDS, DATE_ZH, STALLS
from chainatlas.graph.workflows.problems import LEVELS
from chainatlas.viz.dashboard import DISTRICT_KINDS, ZONE_KIND
from chainatlas.viz.worklists import chain_segments, paged, project_list

router = APIRouter(include_in_schema=False)
#: the body of a project form
B = TypeVar("B", StageMove, FollowUpIn, LandIn)
#: what a successful form says on the page it returns to
DONE = {
    "stage": "阶段已推进，并记录了跟进。",
    "follow": "跟进已记录。",
    "land": "拿地日期已记录。",
    "problem": "问题已提交，并按级别路由。",
}


def _filters(
    chain: str | None = None,
    segment: str | None = None,
    region: str | None = None,
    stage: str | None = None,
    major: str | None = Query(None, pattern="^[01]?$"),
    stall: str | None = None,
) -> dict[str, str]:
    """The list's filters from the query (those given), as the page and its Excel read them."""
    given = {"chain": chain, "segment": segment, "region": region, "stage": stage}
    given |= {"major": major, "stall": stall}
    return {k: v for k, v in given.items() if v}


Filters = Annotated[dict[str, str], Depends(_filters)]


def _rows(request: Request, f: dict[str, str]) -> list[dict[str, Any]]:
    s = get_settings(request)
    return project_list(
        get_store(request),
        chain=f.get("chain"),
        segment=f.get("segment"),
        region=f.get("region"),
        stage=f.get("stage"),
        major={"1": True, "0": False}.get(f.get("major", "")),
        stall=f.get("stall"),
        grace=s.grace(),
        today=date.today(),
    )


def _choices(request: Request, chain: str | None) -> dict[str, Any]:
    store = get_store(request)
    chains = store.find_nodes("Chain")
    chains.sort(key=lambda c: (c.props.get("layout") != "1366", c.props.get("order", 0)))
    regions = [
        r.name
        for r in store.find_nodes("Region")
        if r.props.get("kind") in (*DISTRICT_KINDS, ZONE_KIND)
    ]
    return {
        "chains": chains,
        "segments": [s.name for s in chain_segments(store, chain)] if chain else [],
        "regions": regions,
        "stages": PROJECT_STAGES,
        "stalls": STALLS,
    }


@router.get("/ui/projects", response_class=HTMLResponse)
def projects_page(
    request: Request,
    who: User,
    f: Filters,
    p: int = Query(1, ge=1, description="页码"),
) -> Response:
    rows = _rows(request, f)
    return page(
        request,
        who,
        "projects.html",
        title="重点项目库",
        nav="projects",
        f=f,
        pg=paged(rows, p),
        total_investment=round(sum(r.get("investment") or 0 for r in rows), 2),
        query=urlencode(f),
        **_choices(request, f.get("chain")),
    )


@router.get("/ui/projects.xlsx")
def projects_xlsx(
    request: Request,
    who: User,
    f: Filters,
) -> Response:
    """The projects of the current filter as a workbook (every row, not one page)."""
    from chainatlas.viz.tables import projects_tables, xlsx_bytes

    rows = _rows(request, f)
    tables = projects_tables(rows)
    sheet = tables["重点项目库"]
    sheet["五未"] = [r["stall"] or "" for r in rows]
    name = "重点项目库.xlsx"
    return Response(
        xlsx_bytes(tables),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _project(request: Request, who: Any, project_id: str, **extra: Any) -> Response:
    store = get_store(request)
    s = get_settings(request)
    d = project_dossier(store, project_id, grace=s.grace(), land_to_start_days=s.land_to_start_days)
    current = str(d.project.get("stage") or "")
    i = PROJECT_STAGES.index(current) if current in PROJECT_STAGES else -1
    writer = allowed(check_scope, store, who, node=project_id)
    return page(
        request,
        who,
        "project.html",
        title=str(d.project.get("name") or project_id),
        nav="projects",
        d=d,
        pid=project_id,
        next_stage=PROJECT_STAGES[i + 1] if i + 1 < len(PROJECT_STAGES) else None,
        may_write=writer,
        may_raise=allowed(check_scopes, store, who, nodes=(project_id,)),
        levels=LEVELS,
        dates=[(DATE_ZH[k], d.project.get(k)) for k in DATE_FIELDS],
        current_mark=CURRENT,
        ahead_mark=AHEAD,
        today=date.today().isoformat(),
        done=DONE.get(str(request.query_params.get("ok", ""))),
        **extra,
    )


@router.get("/ui/project/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, who: User, project_id: str) -> Response:
    """一项目一档案, with the forms the caller may use."""
    return _project(request, who, project_id)


async def _post(request: Request, who: Any, project_id: str, what: str, act: Any) -> Response:
    """Run ``act(form)`` (an API route function); back to the page with a note, or the page
    again with the error and its status (nothing written)."""
    form = await read_form(request)
    try:
        act({k: str(v) for k, v in form.items()})
    except (ChainAtlasError, ValidationError) as exc:
        status, title, message = status_of(exc)
        get_store(request).require_node(project_id, "Project")
        return _project(
            request, who, project_id, error=f"{title}：{message}", form=dict(form), status=status
        )
    return RedirectResponse(f"/ui/project/{quote(project_id)}?ok={what}", status_code=303)


@router.post("/ui/project/{project_id}/stage", dependencies=[SameOrigin])
async def post_stage(request: Request, who: User, project_id: str) -> Response:
    return await _post_write(request, who, project_id, "stage", StageMove, project_stage)


@router.post("/ui/project/{project_id}/follow-up", dependencies=[SameOrigin])
async def post_follow_up(request: Request, who: User, project_id: str) -> Response:
    return await _post_write(request, who, project_id, "follow", FollowUpIn, add_project_follow_up)


@router.post("/ui/project/{project_id}/land", dependencies=[SameOrigin])
async def post_land(request: Request, who: User, project_id: str) -> Response:
    return await _post_write(request, who, project_id, "land", LandIn, project_land)


async def _post_write(
    request: Request,
    who: Any,
    project_id: str,
    what: str,
    model: type[B],
    route: Callable[[str, B, GraphStore, Principal, AuthStore, Request], Any],
) -> Response:
    """Post a project form to one of the API's project writes (:mod:`api.routes.projects`):
    its body read from the form (:func:`_form_body`), then the route function itself."""

    def act(f: dict[str, str]) -> None:
        body = _form_body(model, f)
        route(project_id, body, get_store(request), who, get_auth(request), request)

    return await _post(request, who, project_id, what, act)


def _form_body(model: type[B], form: dict[str, str]) -> B:
    """A body of ``model`` from the form's fields of the same names (``by`` trimmed); a field
    left empty takes the model's default where it has one, else is refused as the API
    refuses it."""
    values: dict[str, str] = {}
    for name, field in model.model_fields.items():
        value = form.get(name, "")
        value = value.strip() if name == "by" else value
        if value or field.is_required():
            values[name] = value
    return model.model_validate(values)


@router.post("/ui/project/{project_id}/problem", dependencies=[SameOrigin])
async def post_problem(request: Request, who: User, project_id: str) -> Response:
    from chainatlas.api.routes.problems import add_problem

    def act(f: dict[str, str]) -> None:
        body = ProblemIn.model_validate(
            {
                "title": f.get("title", ""),
                "level": f.get("level", "一般"),
                "description": f.get("description", ""),
                "project": project_id,
            }
        )
        store, settings = get_store(request), get_settings(request)
        add_problem(body, store, settings, who, get_auth(request), request)

    return await _post(request, who, project_id, "problem", act)
