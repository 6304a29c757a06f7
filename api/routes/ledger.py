"""The one ledger (一本账) and the problem closed loop."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainatlas.api.auth import check_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.errors import HTML, XLSX, downloads
from chainatlas.api.schemas import BodyIn, ChainPath, NodeIdPath, NodePublic
from chainatlas.graph.ledger import follow_ups, month_lists, monthly_report, move_stage
from chainatlas.graph.model import PROJECT_STAGES
from chainatlas.viz.ledger import lists_tables, report_html, report_json, report_tables
from chainatlas.viz.tables import xlsx_bytes

router = APIRouter(tags=["ledger and problems"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _xlsx(sheets: Any, name: str) -> Response:
    return Response(
        xlsx_bytes(sheets),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"
            )
        },
    )


@router.get("/ledger/report", responses=downloads(XLSX, HTML))
def report(
    store: StoreDep,
    settings: SettingsDep,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH),
    format: Literal["json", "xlsx", "html"] = Query("json"),
) -> Response:
    """月度通报晾晒: lists, the five stalls by chain and district, rankings, change."""
    r = monthly_report(store, month, settings.grace())
    if format == "xlsx":
        return _xlsx(report_tables(r), f"一本账月度通报-{month}.xlsx")
    if format == "html":
        return Response(report_html(r), media_type="text/html; charset=utf-8")
    return Response(report_json(r), media_type="application/json")


@router.get("/ledger/lists", responses=downloads(XLSX))
def lists(
    store: StoreDep,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH),
    format: Literal["json", "xlsx"] = Query("json"),
) -> Any:
    """六张清单 and 三张新清单 of a month, derived from the project dates."""
    ls = month_lists(store, month)
    if format == "xlsx":
        return _xlsx(lists_tables(ls), f"一本账清单-{month}.xlsx")
    return {
        k: [
            {"id": r.id, "name": r.name, "chain": r.chain, "region": r.region, "stage": r.stage}
            for r in v
        ]
        for k, v in ls.items()
    }


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
    return follow_ups(store, project_id)


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

    return progress(store, home_area=settings.home_area)
