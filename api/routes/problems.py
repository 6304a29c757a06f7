"""The problem closed loop (问题闭环)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Query, Request

from chainatlas.api.auth import check_scope, check_scopes
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.schemas import BodyIn, IsoDate, NodeIdPath, NodePublic, NonEmpty, Page
from chainatlas.graph.maps import resolve_chain
from chainatlas.graph.problems import overdue, raise_problem, step
from chainatlas.graph.problems import problem_id as new_problem_id

router = APIRouter(tags=["problems"])


class ProblemIn(BodyIn):
    title: NonEmpty
    level: Literal["一般", "重大", "特别重大"] = "一般"
    project: str | None = None
    firm: str | None = None
    chain: str | None = None
    region: str | None = None
    description: str = ""
    due: IsoDate | None = None
    by: str = ""


class ProblemStep(BodyIn):
    to: Literal["交办", "督办", "反馈", "办结"]
    escalate: Literal["重大", "特别重大"] | None = None
    by: str = ""
    note: str = ""


@router.get("/problems", response_model=Page[NodePublic])
def list_problems(
    store: StoreDep, overdue_only: bool = Query(False, alias="overdue")
) -> Page[NodePublic]:
    """Problems; ``?overdue=true`` for the 回头看 list."""
    rows = overdue(store) if overdue_only else store.find_nodes("Problem")
    return Page(data=[NodePublic.of(p) for p in rows], count=len(rows))


@router.post("/problems", response_model=NodePublic, status_code=201)
def add_problem(
    body: ProblemIn,
    store: StoreDep,
    settings: SettingsDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Collect a problem; it is routed by level at once. Every scope it touches must be the
    caller's: its project, its firm, and the chain (chain departments) or the region
    (district teams) it is filed under."""
    for node, label in ((body.project, "Project"), (body.firm, "Firm")):
        if node:
            store.require_node(node, label)
    chain = resolve_chain(store, body.chain).id if body.chain else None
    check_scopes(store, who, nodes=(body.project, body.firm), chain=chain, region=body.region)
    today = date.today()
    pid = new_problem_id(body.title, project=body.project, firm=body.firm, today=today)
    before = store.get_node(pid)
    with auth.audited(
        who, request, pid, before.props if before else None, body.model_dump(mode="json")
    ) as entry:
        p = raise_problem(
            store,
            body.title,
            body.level,
            project=body.project,
            firm=body.firm,
            chain=chain,
            region=body.region,
            description=body.description,
            due=body.due,
            by=body.by or who.name,
            today=today,
            due_days=settings.due_days(),  # the office's time limits (本办设置)
        )
        entry.after = p.props
    return NodePublic.of(p)


@router.post("/problems/{problem_id}/step", response_model=NodePublic)
def problem_step(
    problem_id: NodeIdPath,
    body: ProblemStep,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Move a problem along the loop (and optionally escalate it)."""
    before = store.require_node(problem_id, "Problem")
    check_scope(store, who, node=problem_id)
    with auth.audited(
        who, request, problem_id, before.props, body.model_dump(mode="json")
    ) as entry:
        p = step(
            store,
            problem_id,
            body.to,
            by=body.by or who.name,
            note=body.note,
            escalate=body.escalate,
        )
        entry.after = p.props
    return NodePublic.of(p)
