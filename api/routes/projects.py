"""Projects (重点项目库 and 一项目一档案): the library, filtered, as JSON or a download; one
project's dossier; its stage moves, follow-ups at any stage (一环节一跟进) and 拿地. Writes are
scope-checked and audited ahead like every write; editing a project's own fields is
``PUT /records/projects/{id}`` (:mod:`chainatlas.api.routes.records`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainatlas.api.auth import AuthStore, Principal, check_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.downloads import HTML, XLSX, download, downloads
from chainatlas.api.officer import signed
from chainatlas.api.routes.maps import Fmt, view_response
from chainatlas.api.schemas import FollowUpIn, LandIn, NodeIdPath, NodePublic, StageMove
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dossier import project_dossier
from chainatlas.graph.workflows.ledger import add_follow_up, follow_ups, move_stage, record_land
from chainatlas.viz.dossier import dossier_html, dossier_json

__all__ = ["add_project_follow_up", "project_land", "project_stage", "router"]

router = APIRouter(prefix="/projects", tags=["projects"])
#: what a project write returns: the project as written, or the follow-up recorded
W = TypeVar("W", Node, dict[str, Any])


@router.get("", responses=downloads(XLSX, HTML))
def projects(
    store: StoreDep,
    settings: SettingsDep,
    chain: str | None = None,
    segment: str | None = None,
    region: str | None = None,
    stage: str | None = None,
    format: Fmt = Query("json", description="json|xlsx|html"),
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=5000),
) -> Response:
    """重点项目库, filtered by chain, segment, region and stage; JSON as ``{data, count}``
    (paged with ``skip``/``limit``), xlsx and html with every project that matches."""
    filters = {"segment": segment, "region": region, "stage": stage}
    if format == "json":
        import json

        from chainatlas.graph.workflows.maps import projects_library

        rows = projects_library(store, chain=chain, **filters)
        body = {"data": rows[skip : skip + limit], "count": len(rows)}
        return download(json.dumps(body, ensure_ascii=False), "json")
    return view_response(store, settings, "projects", format, chain, filters)


@router.post("/{project_id}/stage", response_model=NodePublic)
def project_stage(
    project_id: NodeIdPath,
    body: StageMove,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Move a project one stage forward (一环节一跟进); invalid moves answer 400."""

    def write(by: str) -> Node:
        return move_stage(store, project_id, body.to, by=by, note=body.note)

    return NodePublic.of(_write(project_id, body, store, who, auth, request, write))


@router.get("/{project_id}/follow-ups")
def project_follow_ups(project_id: NodeIdPath, store: StoreDep) -> list[dict[str, Any]]:
    """A project's follow-ups, oldest first."""
    return follow_ups(store, project_id)


@router.post("/{project_id}/follow-ups", status_code=201)
def add_project_follow_up(
    project_id: NodeIdPath,
    body: FollowUpIn,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> dict[str, Any]:
    """Record a follow-up at the project's current stage, at any time (一环节一跟进)."""

    def write(by: str) -> dict[str, Any]:
        return add_follow_up(store, project_id, body.note, by=by, on=body.date)

    return _write(project_id, body, store, who, auth, request, write)


@router.post("/{project_id}/land", response_model=NodePublic)
def project_land(
    project_id: NodeIdPath,
    body: LandIn,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """拿地: record the day the project got its land (a follow-up too), for 拿地即开工."""

    def write(by: str) -> Node:
        return record_land(store, project_id, body.date, by=by, note=body.note)

    return NodePublic.of(_write(project_id, body, store, who, auth, request, write))


def _write(
    project_id: str,
    body: StageMove | FollowUpIn | LandIn,
    store: GraphStore,
    who: Principal,
    auth: AuthStore,
    request: Request,
    write: Callable[[str], W],
) -> W:
    """The project's writes, one way: the project must exist and be in the caller's scope,
    then ``write(by)`` runs (``by``: the token's name, with the body's officer beside it,
    :func:`~chainatlas.api.officer.signed`), audited ahead with
    the body as intended and what was written as the outcome."""
    before = store.require_node(project_id, "Project")
    check_scope(store, who, node=project_id)
    intended = body.model_dump(mode="json")
    with auth.audited(who, request, project_id, before.props, intended) as entry:
        out = write(signed(who.name, body.by))
        entry.after = out.props if isinstance(out, Node) else out
    return out


@router.get("/{project_id}/dossier", responses=downloads(HTML))
def project_file(
    project_id: NodeIdPath,
    store: StoreDep,
    settings: SettingsDep,
    format: Literal["json", "html"] = Query("json"),
) -> Response:
    """一项目一档案: the project, 责任单位, investing firm, chain/segment/region, stage history
    with follow-ups, element demands, problems, 拿地即开工 and where it stands in the ledger."""
    d = project_dossier(
        store,
        project_id,
        grace=settings.grace(),
        land_to_start_days=settings.land_to_start_days,
    )
    if format == "html":
        return download(dossier_html(d), "html")
    return download(dossier_json(d), "json")
