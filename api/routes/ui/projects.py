"""重点项目库 and one project's page: the list with the ledger's filters, paging and an Excel of
the current filter; the project page is its dossier (一项目一档案) with the forms its caller may
use — stage move, follow-up, 拿地, a new problem — each shown only when the API's own check
would let the caller through, and each posted to the API's route function (same scope checks,
same write-ahead audit). 新建项目 and 编辑 post to ``PUT /records/projects/{id}``'s function.

The stage form asks for the dates the next stage needs (:data:`ledger.STAGE_NEEDS`): they are
checked with the ledger's own rules against the project as it would be *before* anything is
written, then written through the records route and the stage moved through the stage route —
so a refusal writes nothing, and a district team can take a project through all seven stages
in the browser. A refused form comes back with its own fields filled (and only its own); a
form that went through redirects (POST/redirect/GET)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chainatlas.api.auth import AuthStore, Principal, check_scope, check_scopes, check_writer
from chainatlas.api.deps import get_auth, get_settings, get_store
from chainatlas.api.roles import ROLES, scoped_by
from chainatlas.api.routes.projects import add_project_follow_up, project_land, project_stage
from chainatlas.api.routes.records import put_project, revision
from chainatlas.api.routes.ui.core import (
    SameOrigin,
    User,
    allowed,
    named_fields,
    page,
    read_form,
    status_of,
)
from chainatlas.api.routes.ui.unplaced import fixable
from chainatlas.api.schemas import FollowUpIn, LandIn, ProblemIn, ProjectIn, RecordIn, StageMove
from chainatlas.graph.errors import ChainAtlasError, Conflict, ValidationFailed
from chainatlas.graph.model import ATTRACTION_METHODS, PROJECT_STAGES, zh_message
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dossier import AHEAD, CURRENT, project_dossier
from chainatlas.graph.workflows.ledger import (
    DATE_FIELDS,
    DATE_ZH,
    STAGE_NEEDS,
    STALLS,
    InvalidTransition,
    check_dates,
)
from chainatlas.graph.workflows.maps import segment_in_chain
from chainatlas.graph.workflows.problems import LEVELS
from chainatlas.graph.workflows.unplaced import unplaced_regions
from chainatlas.viz.dashboard import DISTRICT_KINDS, ZONE_KIND
from chainatlas.viz.worklists import chain_segments, paged, project_list

router = APIRouter(include_in_schema=False)
#: the body of a project form
B = TypeVar("B", StageMove, FollowUpIn, LandIn)


#: a project field's Chinese name, as the Excel template heads its column
@functools.cache
def field_zh() -> dict[str, str]:
    """Each project field's Chinese header, as the Excel template names it (read at first use:
    the templates module loads pandas, which the service's start-up does not)."""
    from chainatlas.graph.io.templates import TEMPLATES

    return {c.field: c.header for c in TEMPLATES["projects"]}


#: what a successful form says on the page it returns to
DONE = {
    "stage": "阶段已推进，并记录了跟进。",
    "follow": "跟进已记录。",
    "land": "拿地日期已记录。",
    "problem": "问题已提交，并按级别路由。",
    "created": "项目已新建。",
    "edit": "项目信息已保存。",
}
#: each project-page form's fields as the form labels them, for a refusal that names the field
#: (review R, C7: 「跟进内容不能为空」, not 「不能为空」)
FORM_LABELS = {
    "stage": {"to": "目标阶段", "note": "跟进说明", "by": "经办人"},
    "follow": {"note": "跟进内容", "date": "跟进日期", "by": "经办人"},
    "land": {"date": "拿地日期", "note": "说明", "by": "经办人"},
    "problem": {"title": "问题", "level": "级别", "description": "说明"},
}
#: the project form's text fields (empty: none) besides the dates
TEXTS = ("name", "responsible_unit", "attraction_method")
#: the links a project form names, replacing those stored (empty: left as stored)
LINK_FIELDS = ("region", "chain", "segment")
#: every field of the 编辑 form, as :func:`_form_values` gives them
FORM_FIELDS = (*TEXTS, "investment", "major", *DATE_FIELDS, *LINK_FIELDS)


def _filters(
    chain: str | None = None,
    segment: str | None = None,
    region: str | None = None,
    stage: str | None = None,
    major: str | None = Query(None, pattern="^[01]?$"),
    stall: str | None = None,
    q: str | None = Query(None, max_length=100, description="项目名称或企业名称的一部分"),
) -> dict[str, str]:
    """The list's filters from the query (those given), as the page and its Excel read them."""
    given = {"chain": chain, "segment": segment, "region": region, "stage": stage}
    given |= {"major": major, "stall": stall, "q": (q or "").strip()}
    return {k: v for k, v in given.items() if v}


Filters = Annotated[dict[str, str], Depends(_filters)]


def _rows(request: Request, f: dict[str, str]) -> list[dict[str, Any]]:
    s = get_settings(request)
    rows = project_list(
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
    return [r for r in rows if _found(r, f.get("q", ""))]


def _found(row: dict[str, Any], q: str) -> bool:
    """Whether a part of the project's name or of its firm's name is ``q`` (review R, B11:
    one project among many, found without paging); any row when there is no search."""
    q = q.casefold()
    return not q or any(q in str(row.get(k) or "").casefold() for k in ("name", "firm"))


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
        may_create=allowed(check_writer, who),
        unplaced=len(fixable(request, who, "Project")),
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
    writer = allowed(check_scope, store, who, node=project_id)
    next_stage = _next_stage(d.project.get("stage"))
    return page(
        request,
        who,
        "project.html",
        title=str(d.project.get("name") or project_id),
        nav="projects",
        d=d,
        pid=project_id,
        next_stage=next_stage,
        stage_dates=[(k, DATE_ZH[k]) for k in STAGE_NEEDS.get(next_stage or "", ())],
        writers=_writers(d.chains, d.regions),
        may_write=writer,
        may_raise=allowed(check_scopes, store, who, nodes=(project_id,)),
        levels=LEVELS,
        dates=[(DATE_ZH[k], d.project.get(k)) for k in DATE_FIELDS],
        current_mark=CURRENT,
        ahead_mark=AHEAD,
        today=date.today().isoformat(),
        done=_done(request, store, project_id),
        **extra,
    )


def _done(request: Request, store: GraphStore, project_id: str) -> str | None:
    """The note of the form that went through (its ``ok``), with what a move cleared."""
    done = DONE.get(str(request.query_params.get("ok", "")))
    cleared = request.query_params.get("cleared")
    if done and cleared:
        done += _cleared_note(store, project_id, cleared)
    return done


def _next_stage(current: Any) -> str | None:
    """The stage after ``current`` (the first one if none is set), None after the last."""
    i = PROJECT_STAGES.index(current) if current in PROJECT_STAGES else -1
    return PROJECT_STAGES[i + 1] if i + 1 < len(PROJECT_STAGES) else None


def _writers(chains: list[dict[str, Any]], regions: list[str]) -> str:
    """Who may change a project of ``chains`` in ``regions``: the roles that write records
    (:data:`roles.ROLES`), each within its scope — for the page's 「只读」 line."""
    where = {"chain": "、".join(f"「{c['name']}」" for c in chains), "region": "、".join(regions)}
    kinds: dict[str, list[str]] = {"none": [], "chain": [], "region": []}
    for spec in ROLES.values():
        if spec.records == "all" or (spec.records == "scope" and where[spec.scope]):
            kinds[spec.scope].append(spec.zh)
    parts = kinds["none"] + [
        f"{where[k]}的{'或'.join(kinds[k])}" for k in ("chain", "region") if kinds[k]
    ]
    return "、".join(parts)


@router.get("/ui/project/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, who: User, project_id: str) -> Response:
    """一项目一档案, with the forms the caller may use."""
    return _project(request, who, project_id)


async def _post(request: Request, who: Any, project_id: str, what: str, act: Any) -> Response:
    """Run ``act(form)`` (an API route function); back to the page with a note, or the page
    again with the error and its status (nothing written)."""
    form = await read_form(request)
    try:
        try:
            act({k: str(v) for k, v in form.items()})
        except ValidationError as exc:
            raise named_fields(FORM_LABELS.get(what, {}), exc) from None
    except ChainAtlasError as exc:
        status, title, message = status_of(exc)
        get_store(request).require_node(project_id, "Project")
        return _project(
            request,
            who,
            project_id,
            error=f"{title}：{message}",
            form={"what": what, **form},
            status=status,
        )
    return RedirectResponse(f"/ui/project/{quote(project_id)}?ok={what}", status_code=303)


@router.post("/ui/project/{project_id}/stage", dependencies=[SameOrigin])
async def post_stage(request: Request, who: User, project_id: str) -> Response:
    """The stage move with the dates the next stage needs: those given are checked, then
    written, then the stage moved; if the move is refused after all, the dates written are
    put back as they were."""

    def act(f: dict[str, str]) -> None:
        body = _form_body(StageMove, f)
        store, auth = get_store(request), get_auth(request)
        before = _stage_dates(request, who, project_id, body.to, f)
        try:
            project_stage(project_id, body, store, who, auth, request)
        except ChainAtlasError:
            if before is not None:
                put_project(project_id, _record(before), store, who, auth, request)
            raise

    return await _post(request, who, project_id, "stage", act)


def _stage_dates(
    request: Request, who: Principal, project_id: str, to: str, form: dict[str, str]
) -> dict[str, Any] | None:
    """Write the dates of the form that the move to ``to`` needs (:data:`STAGE_NEEDS`) and
    that differ from those stored, after checking them by the ledger's rules on the project
    as it would be; the stored values they replace, or None when nothing was written (the
    stage route then refuses with its own reason if the move is not allowed)."""
    store = get_store(request)
    p = store.require_node(project_id, "Project")
    check_scope(store, who, node=project_id)
    given = {k: form.get(k, "").strip() for k in STAGE_NEEDS.get(to, ())}
    given = {k: v for k, v in given.items() if v and v != p.props.get(k)}
    if not given or to != _next_stage(p.props.get("stage")):
        return None
    body = _record(given)  # the API's own check of each date (YYYY-MM-DD, a real day)
    after = {**p.props, **given}
    missing = [DATE_ZH[k] for k in STAGE_NEEDS[to] if not after.get(k)]
    if missing:
        raise InvalidTransition(f"进入「{to}」前须填写{'、'.join(missing)}日期")
    problems = check_dates(after)
    if problems:
        raise InvalidTransition("日期有误：" + "；".join(m for _, m in problems))
    put_project(project_id, body, store, who, get_auth(request), request)
    return {k: p.props.get(k) for k in given}


def _record(props: dict[str, Any], **links: str) -> RecordIn:
    """A body of ``PUT /records/projects/{id}`` read as the API reads it (JSON, strict), its
    errors named by the field's Chinese header (:func:`field_zh`)."""
    try:
        return ProjectIn.model_validate_json(json.dumps({"props": props, **links}))  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ValidationFailed(
            "；".join(
                f"{field_zh().get(str(e['loc'][-1]), str(e['loc'][-1]))}：{zh_message(e)}"  # type: ignore[arg-type]
                for e in exc.errors()
            )
        ) from None


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


# ---- 新建项目 and 编辑: the records route's write, from a form ----------------------------------
@router.get("/ui/projects/new", response_class=HTMLResponse)
def new_project_page(request: Request, who: User) -> Response:
    """新建项目, for the roles that write records (a district team in its own districts)."""
    check_writer(who)
    return _project_form(request, who, None)


@router.post("/ui/projects/new", dependencies=[SameOrigin])
async def post_new_project(request: Request, who: User) -> Response:
    check_writer(who)
    form = await read_form(request)
    f = {k: str(v) for k, v in form.items()}
    store = get_store(request)
    try:
        body = _project_record(f, new=True)
        name = f.get("name", "").strip()
        # named as the Excel import names a new project; a "/" would split the page's path
        project_id = f"project:{name.replace('/', '／')}"
        if name and store.get_node(project_id) is not None:
            raise ValidationFailed(f"已有同名项目「{name}」，请在该项目页面编辑")
        put_project(project_id, body, store, who, get_auth(request), request)
    except (ChainAtlasError, ValidationError) as exc:
        return _form_error(request, who, None, f, exc)
    return RedirectResponse(f"/ui/project/{quote(project_id)}?ok=created", status_code=303)


@router.get("/ui/project/{project_id}/edit", response_class=HTMLResponse)
def edit_project_page(request: Request, who: User, project_id: str) -> Response:
    """编辑 a project's fields and links (its stage moves through 阶段推进)."""
    store = get_store(request)
    store.require_node(project_id, "Project")
    check_scope(store, who, node=project_id)
    return _project_form(request, who, project_id)


@router.post("/ui/project/{project_id}/edit", dependencies=[SameOrigin])
async def post_edit_project(request: Request, who: User, project_id: str) -> Response:
    """Save the fields the user changed (those that differ from the form as it was built,
    its hidden ``base``), if the project is still the version the form was built from (its
    hidden ``rev``, checked with the write as ``If-Match``): a form opened before another
    officer's change comes back with the change shown and the user's own edits kept (409),
    never writing the old values back."""
    store = get_store(request)
    store.require_node(project_id, "Project")
    form = await read_form(request)
    f = {k: str(v) for k, v in form.items()}
    base = _base(f)
    try:
        body = _project_record(f, new=False, only=_changed(f, base))
        _check_placed(store, project_id, body)
        cleared = _segment_left_behind(store, project_id, body)
        rev = f.get("rev") or None
        put_project(project_id, body, store, who, get_auth(request), request, rev)
    except Conflict as exc:
        return _stale_form(request, who, project_id, f, base, exc)
    except (ChainAtlasError, ValidationError) as exc:
        return _form_error(request, who, project_id, f, exc)
    query = urlencode({"ok": "edit", "cleared": cleared} if cleared else {"ok": "edit"})
    return RedirectResponse(f"/ui/project/{quote(project_id)}?{query}", status_code=303)


def _segment_left_behind(store: GraphStore, project_id: str, body: RecordIn) -> str | None:
    """The stored segment a move to another chain leaves behind (the records route drops a
    segment the new chain has not, when no segment is named; review R, B3): the user who
    left 环节 as it was is told, rather than refused over a field never touched."""
    if body.chain is None or body.segment:
        return None
    for _, seg in store.neighbours(project_id, ["IN_SEGMENT"], "out"):
        if not segment_in_chain(store, seg.id, body.chain):
            return seg.id
    return None


def _cleared_note(store: GraphStore, project_id: str, segment: str) -> str:
    """What the page says of a segment cleared by a move (:func:`_segment_left_behind`),
    if it is so: the segment exists, the project is out of it and its chain has it not."""
    seg = store.get_node(segment)
    now = store.neighbours(project_id, ["IN_CHAIN", "IN_SEGMENT"], "out")
    chains = [n for r, n in now if r.type == "IN_CHAIN"]
    if seg is None or seg.label != "Segment" or any(n.id == seg.id for _, n in now):
        return ""
    if not chains or any(segment_in_chain(store, seg.id, c.id) for c in chains):
        return ""
    names = "、".join(f"「{c.name}」" for c in chains)
    return f"原环节「{seg.name}」不属于{names}，已清除；可在「编辑」中选择新产业链的环节。"


def _form_values(store: GraphStore, project_id: str) -> dict[str, str]:
    """The 编辑 form's fields as the page shows them for the project as stored (text)."""
    p = store.require_node(project_id, "Project").props
    values = {k: "" if p.get(k) is None else str(p[k]) for k in FORM_FIELDS}
    values["major"] = "1" if p.get("major") else ""
    for r, n in store.neighbours(project_id, ["IN_CHAIN", "IN_SEGMENT"], "out"):
        values["chain" if r.type == "IN_CHAIN" else "segment"] = n.id
    return values


def _typed(f: dict[str, str]) -> dict[str, str]:
    """The posted form's fields as :func:`_form_values` gives them."""
    typed = {k: f.get(k, "").strip() for k in FORM_FIELDS}
    typed["major"] = "1" if f.get("major") == "1" else ""
    return typed


def _base(f: dict[str, str]) -> dict[str, str] | None:
    """The form's values as it was built (its hidden ``base``); None for a form without."""
    try:
        base = json.loads(f.get("base") or "null")
    except ValueError:
        return None
    return {k: str(base.get(k, "")) for k in FORM_FIELDS} if isinstance(base, dict) else None


def _changed(f: dict[str, str], base: dict[str, str] | None) -> set[str] | None:
    """The fields the user changed (None: unknown, every field is sent)."""
    if base is None:
        return None
    return {k for k, v in _typed(f).items() if v != base[k]}


def _stale_form(
    request: Request,
    who: Principal,
    project_id: str,
    f: dict[str, str],
    base: dict[str, str] | None,
    exc: Conflict,
) -> Response:
    """The 编辑 form of a project changed since it was opened (409): the project as it is
    now, with the fields this user changed as they were typed, and which fields the other
    change touched; the form is now built from the current version, so it may be saved
    again once checked — nothing typed is lost, nothing of the other change undone."""
    store = get_store(request)
    now = _form_values(store, project_id)
    mine = _changed(f, base)
    typed = _typed(f)
    shown = {**now, **{k: typed[k] for k in (mine if mine is not None else FORM_FIELDS)}}
    labels = {**field_zh(), "major": "重大项目"}
    theirs = [k for k in FORM_FIELDS if base is not None and now[k] != base[k]]
    told = "、".join(
        f"{labels.get(k, k)}改为「{now[k] or '空'}」" if k != "major" else labels[k] for k in theirs
    )
    # not 「请刷新页面」 as the API says: the form below is the refreshed page already, and a
    # reload would lose what was typed
    why = f"该项目已被他人修改（{told or '阶段、日期或其他信息有变'}），未保存"
    kept = "、".join(labels.get(k, k) for k in FORM_FIELDS if k in (mine or ()))
    how = "。下面已换成最新内容" + (f"，并保留了您改动的{kept}" if kept else "")
    typed_shown: dict[str, Any] = {**shown, "major": shown["major"] == "1"}
    return _project_form(
        request,
        who,
        project_id,
        error=f"无法保存：{why}{how}；请核对后再保存",
        typed=typed_shown,
        status=409,
        stale=True,
    )


def _check_placed(store: GraphStore, project_id: str, body: RecordIn) -> None:
    """A project stored in 湖州市 (before the districts-only rule) is not saved back there:
    the form must name its district (:mod:`~chainatlas.graph.workflows.unplaced`)."""
    if body.region is None and (stray := unplaced_regions(store, project_id)):
        why = f"原所在区域「{'、'.join(stray)}」不是区县或功能区，请选择项目所在的区县或功能区"
        raise ValidationFailed(f"所在区域：{why}", [("region", why)])


def _project_record(f: dict[str, str], *, new: bool, only: set[str] | None = None) -> RecordIn:
    """The form as a ``PUT /records/projects/{id}`` body. An emptied field removes the
    property (on a new project it is left out); 总投资 is read as a number where it is one
    (else refused as the API refuses text); a link left empty keeps the stored one. With
    ``only``, the fields not in it are left out (kept as stored)."""
    props: dict[str, Any] = {k: f.get(k, "").strip() or None for k in (*TEXTS, *DATE_FIELDS)}
    props["name"] = f.get("name", "").strip()  # required: an empty one is refused, not removed
    investment = f.get("investment", "").strip()
    try:
        props["investment"] = float(investment) if investment else None
    except ValueError:
        props["investment"] = investment
    props["major"] = f.get("major") == "1"
    if new:
        props["stage"] = f.get("stage") or None
        props = {k: v for k, v in props.items() if v is not None}
    links = {k: f[k].strip() for k in LINK_FIELDS if f.get(k, "").strip()}
    if only is not None:
        props = {k: v for k, v in props.items() if k in only}
        links = {k: v for k, v in links.items() if k in only}
    return _record(props, **links)


def _project_form(
    request: Request, who: Principal, project_id: str | None, **extra: Any
) -> Response:
    """The 新建项目 / 编辑 page: the project's fields (the Excel template's columns), its
    chain, segment and region as stored, the choices the caller's scope allows."""
    store = get_store(request)
    stored: dict[str, Any] = {}
    if project_id is not None:
        p = store.require_node(project_id, "Project")
        stored = {k: v for k, v in p.props.items() if v is not None}
        for r, n in store.neighbours(project_id, ["IN_CHAIN", "IN_SEGMENT"], "out"):
            stored["chain" if r.type == "IN_CHAIN" else "segment"] = n.id
        # the version the form is built from; a refused form keeps the one it was posted with
        # (else saving it again would write over a change made meanwhile), a stale one (409)
        # is built anew from the current version
        if extra.pop("stale", False) or "rev" not in extra:
            extra["rev"] = revision(store, project_id)
            extra["base"] = json.dumps(_form_values(store, project_id), ensure_ascii=False)
    chains = _choices(request, None)["chains"]
    regions = _choices(request, None)["regions"]
    if scoped_by(who.role) == "chain":
        chains = [c for c in chains if c.id in who.scope]
    elif scoped_by(who.role) == "region":
        regions = [r for r in regions if r in who.scope]
    return page(
        request,
        who,
        "project_form.html",
        title="编辑项目" if project_id else "新建项目",
        nav="projects",
        pid=project_id,
        values=stored,
        chains=chains,
        segments={c.id: chain_segments(store, c.id) for c in chains},
        regions=regions,
        stages=PROJECT_STAGES,
        methods=ATTRACTION_METHODS,
        dates=[(k, DATE_ZH[k]) for k in DATE_FIELDS],
        labels=field_zh(),
        today=date.today().isoformat(),
        stray_region="、".join(unplaced_regions(store, project_id)) if project_id else "",
        units=_units(store, regions),
        **extra,
    )


def _units(store: GraphStore, regions: list[str]) -> list[str]:
    """The 责任单位 already in use by the projects of ``regions`` (the districts the form
    offers), offered as the field's suggestions so that one unit keeps one spelling (按责任单位
    晾晒 would split 长兴县招商局 from 长兴县投资促进部门); a new unit may still be typed."""
    wanted = set(regions)
    return sorted(
        {
            str(p.props["responsible_unit"])
            for p in store.find_nodes("Project")
            if p.props.get("responsible_unit") and p.props.get("region") in wanted
        }
    )


def _form_error(
    request: Request, who: Principal, project_id: str | None, f: dict[str, str], exc: Exception
) -> Response:
    """The form again with what was typed and the reason (nothing written)."""
    status, title, message = status_of(exc)
    typed: dict[str, Any] = {k: v for k, v in f.items() if k not in ("csrf", "rev", "base")}
    typed["major"] = f.get("major") == "1"
    kept = {"rev": f.get("rev", ""), "base": f.get("base", "")} if project_id else {}
    return _project_form(
        request, who, project_id, error=f"{title}：{message}", typed=typed, status=status, **kept
    )
