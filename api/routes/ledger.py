"""The one ledger (一本账): monthly report and lists, and one project's file — its dossier
(一项目一档案), stage moves, follow-ups at any stage (一环节一跟进) and 拿地; writes are
scope-checked and audited like every write."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from chainatlas.api.auth import check_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.downloads import HTML, XLSX, download, downloads
from chainatlas.api.schemas import BodyIn, ChainPath, IsoDate, NodeIdPath, NodePublic
from chainatlas.graph.dossier import project_dossier
from chainatlas.graph.ledger import (
    NOTE_MAX,
    add_follow_up,
    follow_ups,
    month_lists,
    monthly_report,
    move_stage,
    record_land,
)
from chainatlas.graph.model import PROJECT_STAGES
from chainatlas.viz.dossier import dossier_html, dossier_json
from chainatlas.viz.ledger import (
    lists_json,
    lists_tables,
    report_html,
    report_json,
    report_tables,
)
from chainatlas.viz.tables import xlsx_bytes

router = APIRouter(tags=["ledger and problems"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _xlsx(sheets: Any, name: str) -> Response:
    return download(xlsx_bytes(sheets), "xlsx", name, fallback="ledger")


@router.get("/ledger/report", responses=downloads(XLSX, HTML))
def report(
    store: StoreDep,
    settings: SettingsDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH),
    format: Literal["json", "xlsx", "html"] = Query("json"),
) -> Response:
    """月度通报晾晒: lists, the five stalls by chain, district and 责任单位, rankings, change,
    拿地即开工, the office's settings used (本办设置) in the header, and the 五未 督办 items
    (brought up to today first, audited when they change)."""
    from chainatlas.api.routes.problems import sync_items

    sync_items(store, settings, who, auth, request)
    r = monthly_report(
        store,
        month,
        settings.grace(),
        due_days=settings.due_days(),
        land_to_start_days=settings.land_to_start_days,
    )
    if format == "xlsx":
        return _xlsx(report_tables(r), f"一本账月度通报-{month}.xlsx")
    if format == "html":
        return download(report_html(r), "html")
    return download(report_json(r), "json")


@router.get("/ledger/lists", responses=downloads(XLSX))
def lists(
    store: StoreDep,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH),
    format: Literal["json", "xlsx"] = Query("json"),
) -> Any:
    """六张清单 and 三张新清单 of a month, derived from the project dates (with 责任单位)."""
    ls = month_lists(store, month)
    if format == "xlsx":
        return _xlsx(lists_tables(ls), f"一本账清单-{month}.xlsx")
    return download(lists_json(ls), "json")


class StageMove(BodyIn):
    to: Literal[PROJECT_STAGES]  # type: ignore[valid-type]
    by: str = ""
    note: str = ""


@router.post("/projects/{project_id}/stage", response_model=NodePublic)
def project_stage(
    project_id: NodeIdPath,
    body: StageMove,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Move a project one stage forward (一环节一跟进); invalid moves answer 400."""
    before = store.require_node(project_id, "Project")
    check_scope(store, who, node=project_id)
    intended = body.model_dump(mode="json")
    with auth.audited(who, request, project_id, before.props, intended) as entry:
        after = move_stage(store, project_id, body.to, by=body.by or who.name, note=body.note)
        entry.after = after.props
    return NodePublic.of(after)


@router.get("/projects/{project_id}/follow-ups")
def project_follow_ups(project_id: NodeIdPath, store: StoreDep) -> list[dict[str, Any]]:
    """A project's follow-ups, oldest first."""
    return follow_ups(store, project_id)


class FollowUpIn(BodyIn):
    note: str = Field(min_length=1, max_length=NOTE_MAX, description="跟进内容")
    by: str = Field("", max_length=200, description="跟进单位/人（默认为令牌名称）")
    date: IsoDate | None = Field(None, description="跟进日期 YYYY-MM-DD（默认今天，不能是将来）")


@router.post("/projects/{project_id}/follow-ups", status_code=201)
def add_project_follow_up(
    project_id: NodeIdPath,
    body: FollowUpIn,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> dict[str, Any]:
    """Record a follow-up at the project's current stage, at any time (一环节一跟进)."""
    before = store.require_node(project_id, "Project")
    check_scope(store, who, node=project_id)
    intended = body.model_dump(mode="json")
    with auth.audited(who, request, project_id, before.props, intended) as entry:
        f = add_follow_up(store, project_id, body.note, by=body.by or who.name, on=body.date)
        entry.after = f
    return f


class LandIn(BodyIn):
    date: IsoDate = Field(description="拿地日期 YYYY-MM-DD（不能是将来，不能晚于开工日期）")
    by: str = Field("", max_length=200, description="经办单位/人（默认为令牌名称）")
    note: str = Field("", max_length=NOTE_MAX)


@router.post("/projects/{project_id}/land", response_model=NodePublic)
def project_land(
    project_id: NodeIdPath,
    body: LandIn,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """拿地: record the day the project got its land (a follow-up too), for 拿地即开工."""
    before = store.require_node(project_id, "Project")
    check_scope(store, who, node=project_id)
    intended = body.model_dump(mode="json")
    with auth.audited(who, request, project_id, before.props, intended) as entry:
        after = record_land(store, project_id, body.date, by=body.by or who.name, note=body.note)
        entry.after = after.props
    return NodePublic.of(after)


@router.get("/projects/{project_id}/dossier", responses=downloads(HTML))
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


@router.get("/chains/{chain}/checklist")
def chain_checklist(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    month: str = Query(..., examples=["2026-10"]),
) -> dict[str, Any]:
    """十个一 checklist (has / lacks) and the four lists of a chain for a month."""
    import dataclasses

    from chainatlas.graph.progress import checklist, four_lists

    return {
        "checklist": [dataclasses.asdict(x) for x in checklist(store, chain)],
        **four_lists(store, chain, month, settings.grace()),
    }


@router.get("/progress")
def chain_progress(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Progress toward seed 001's 2026 targets and the 3566 goal, from local firm output."""
    from chainatlas.graph.progress import progress

    return progress(
        store, home_area=settings.home_area, industrial_output=settings.industrial_output
    )
