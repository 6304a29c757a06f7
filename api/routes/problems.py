"""The problem closed loop (问题闭环) over HTTP: collect, step, review (回头看), and the 五未
督办 items.

Who may do what is decided before anything is written (a refused request changes nothing):
any role collects problems inside its scope; a step goes to the body the problem is routed to by
its level, or a body above it (:func:`chainatlas.api.auth.check_problem_step`); 督办, 回头看 and
raising the 督办 items are the 市链长办's (or the 总链长's). Every write is audited ahead.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Request

from chainatlas.api.auth import (
    AuthStore,
    Principal,
    check_problem_step,
    check_scopes,
    check_supervisor,
)
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.officer import signed
from chainatlas.api.roles import ROLES, handlers, supervisors
from chainatlas.api.schemas import (
    NodeIdPath,
    NodePublic,
    Page,
    ProblemIn,
    ProblemReview,
    ProblemStep,
    SupervisionSync,
)
from chainatlas.graph.errors import ValidationFailed
from chainatlas.graph.model import Node
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.ledger import MONTH_PATTERN
from chainatlas.graph.workflows.maps import record_chains, resolve_chain
from chainatlas.graph.workflows.problems import (
    LEVELS,
    ROUTING,
    filed_under,
    overdue,
    problem_id,
    problem_scope,
    raise_problem,
    review,
    review_due,
    review_on,
    step,
)
from chainatlas.graph.workflows.supervision import (
    SEED,
    SOURCE,
    SyncResult,
    supervision_items,
    sync_supervision,
)

router = APIRouter(prefix="/problems", tags=["problems"])
#: how outputs label a rule the seed does not give
OFFICE = "本办设置"
#: the two kinds of problems: those people raise, and the 五未 督办 items the system raises
KINDS = ("人提的问题", "五未督办")
Kind = Literal["人提的问题", "五未督办"]
Level = Literal["一般", "重大", "特别重大"]


def kind_of(p: Node) -> str:
    """人提的问题 or 五未督办 (an item the system raised for a stalled project)."""
    return KINDS[1] if p.props.get("source") == SOURCE else KINDS[0]


def by_urgency(nodes: list[Node]) -> list[Node]:
    """特别重大 first, then 重大, then 一般; within a level the earliest due date first (none
    last): the raised problems are not buried under the many 五未 督办 items."""
    rank = {level: i for i, level in enumerate(reversed(LEVELS))}
    return sorted(
        nodes,
        key=lambda p: (
            rank.get(str(p.props.get("level")), len(LEVELS)),
            p.props.get("due") or "9999",
            p.id,
        ),
    )


def filtered(nodes: list[Node], level: str | None, kind: str | None) -> list[Node]:
    """``nodes`` of one level and one kind (None: any)."""
    return [
        p
        for p in nodes
        if (level is None or p.props.get("level") == level) and (kind is None or kind_of(p) == kind)
    ]


def _review_basis(settings: Settings) -> str:
    return f"{OFFICE}：办结后 {settings.review_after_days} 天回头看（种子只说“定期开展‘回头看’”）"


def _with_review(p: NodePublic, settings: Settings, on: date | None) -> NodePublic:
    props = p.props | {"review_on": on.isoformat() if on else None}
    return NodePublic(
        id=p.id, label=p.label, props=props | {"review_basis": _review_basis(settings)}
    )


@router.get("", response_model=Page[NodePublic])
def list_problems(
    store: StoreDep,
    settings: SettingsDep,
    overdue_only: bool = Query(False, alias="overdue", description="只列逾期未办结的问题"),
    review_only: bool = Query(
        False,
        alias="review",
        description="回头看清单：已办结、到了回头看日期（本办设置：办结后若干天）而尚未回头看的问题",
    ),
    level: Level | None = Query(None, description="只列这一级别的问题"),
    kind: Kind | None = Query(None, description="人提的问题，或系统为五未项目生成的五未督办事项"),
) -> Page[NodePublic]:
    """Problems, 特别重大 and 重大 first, then by due date; ``?overdue=true`` for the overdue
    ones (逾期, most overdue first), ``?review=true`` for the 回头看 list (closed problems
    whose review has fallen due); ``level`` and ``kind`` narrow any of them."""
    if review_only:
        rows = filtered(review_due(store, after_days=settings.review_after_days), level, kind)
        data = [
            _with_review(NodePublic.of(p), settings, review_on(p, settings.review_after_days))
            for p in rows
        ]
        return Page(data=data, count=len(data))
    rows = overdue(store) if overdue_only else by_urgency(store.find_nodes("Problem"))
    rows = filtered(rows, level, kind)
    return Page(data=[NodePublic.of(p) for p in rows], count=len(rows))


@router.get("/rules")
def problem_rules(settings: SettingsDep) -> dict[str, Any]:
    """How the loop runs: each level's routing in the seed's words, who may take the steps,
    and the office's settings (本办设置) the seed does not give."""
    return {
        "routing": [
            {"level": level, "seed": ROUTING[level], "handlers": handlers(level)}
            for level in LEVELS
        ],
        "supervise": {"seed": SEED, "by": supervisors()},
        "roles": [
            {"code": s.code, "name": s.zh, "scope": s.scope, "basis": s.basis}
            for s in ROLES.values()
        ],
        "settings": [
            *(
                {"name": f"{level}问题办理时限", "value": days, "unit": "天", "basis": OFFICE}
                for level, days in settings.due_days().items()
            ),
            {
                "name": "回头看：办结后天数",
                "value": settings.review_after_days,
                "unit": "天",
                "basis": OFFICE,
            },
            {
                "name": "办结前须经督办的级别",
                "value": list(settings.supervise_levels),
                "unit": "",
                "basis": OFFICE,
            },
        ],
    }


@router.post("", response_model=NodePublic, status_code=201)
def add_problem(
    body: ProblemIn,
    store: StoreDep,
    settings: SettingsDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Collect a problem; it is routed by level at once. Every scope it touches must be the
    caller's: its project, its firm, and the chain (chain roles) or the region (district
    roles) it is filed under. It never replaces a problem: the same title on the same record
    on the same day answers 409 naming the problem that stands
    (:func:`~chainatlas.graph.workflows.problems.raise_problem` says why); the history names
    the token, with ``by`` as its officer (经办)."""
    for node, label in ((body.project, "Project"), (body.firm, "Firm")):
        if node:
            store.require_node(node, label)
    chain = resolve_chain(store, body.chain).id if body.chain else None
    check_scopes(store, who, nodes=(body.project, body.firm), chain=chain, region=body.region)
    for node, what in ((body.project, "项目"), (body.firm, "企业")):
        have = record_chains(store, node) if node and chain else set()
        if have and chain not in have:  # routed to a chain department the record is not in
            raise ValidationFailed(
                f"问题所属产业链「{chain}」不是{what}「{node}」所在的产业链"
                f"（{'、'.join(sorted(have))}）"
            )
    today = date.today()
    at = filed_under(store, project=body.project, chain=chain, region=body.region)
    ids = {"project": body.project, "firm": body.firm, "chain": at[0], "region": at[1]}
    pid = problem_id(body.title, **ids, today=today)
    with auth.audited(who, request, pid, None, body.model_dump(mode="json")) as entry:
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
            by=signed(who.name, body.by),
            today=today,
            due_days=settings.due_days(),
        )
        entry.after = p.props
    return NodePublic.of(p)


@router.post("/supervise", response_model=SupervisionSync)
def supervise(
    store: StoreDep, settings: SettingsDep, who: PrincipalDep, auth: AuthDep, request: Request
) -> SupervisionSync:
    """Raise the 五未 督办 items as of today: one open item per stalled project and stall,
    closed when the stall ends (idempotent). The 市链长办's (or the 总链长's)."""
    check_supervisor(who, "生成五未督办事项")
    r = sync_items(store, settings, who, auth, request)
    return SupervisionSync(opened=r.opened, reopened=r.reopened, closed=r.closed)


def sync_items(
    store: GraphStore, settings: Settings, who: Principal, auth: AuthStore, request: Request
) -> SyncResult:
    """Bring the 五未 督办 items up to today (:func:`sync_supervision`), audited ahead under
    the caller when something changes (the office's explicit 生成五未督办事项; the service keeps
    them up to date by itself under the system's name, :mod:`chainatlas.api.supervisor`)."""
    grace = settings.grace()
    todo = sync_supervision(store, grace, dry_run=True)
    if not todo.changed:
        return todo
    with auth.audited(who, request, "五未督办", None, {"as_of": date.today().isoformat()}) as e:
        r = sync_supervision(store, grace)
        e.after = r.__dict__
    return r


@router.get("/supervision")
def supervision(
    store: StoreDep,
    month: str = Query(..., examples=["2026-10"], pattern=MONTH_PATTERN),
) -> dict[str, Any]:
    """The 五未 督办 items of a month: open at its end (新增 / 持续) and closed in it (解除)."""
    rows = supervision_items(store, month)
    return {"month": month, "seed": SEED, "data": rows, "count": len(rows)}


def _where(store: GraphStore, chains: list[str], region: str | None) -> str:
    names = [n.name for n in store.get_nodes(chains).values()]
    return "、".join([*names, *([region] if region else [])])


@router.post("/{problem_id}/step", response_model=NodePublic)
def problem_step(
    problem_id: NodeIdPath,
    body: ProblemStep,
    store: StoreDep,
    settings: SettingsDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Move a problem along the loop (and optionally escalate it). 403, naming the role
    needed, for a caller the step does not belong to."""
    before = store.require_node(problem_id, "Problem")
    chains, region = problem_scope(store, before)
    check_problem_step(
        who,
        title=str(before.props.get("title", problem_id)),
        level=str(before.props.get("level", "一般")),
        to=body.to,
        chains=chains,
        region=region,
        where=_where(store, chains, region),
    )
    with auth.audited(
        who, request, problem_id, before.props, body.model_dump(mode="json")
    ) as entry:
        p = step(
            store,
            problem_id,
            body.to,
            by=signed(who.name, body.by),
            note=body.note,
            escalate=body.escalate,
            supervise=settings.supervise_levels,
        )
        entry.after = p.props
    return NodePublic.of(p)


@router.post("/{problem_id}/review", response_model=NodePublic)
def problem_review(
    problem_id: NodeIdPath,
    body: ProblemReview,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """回头看 a closed problem (市链长办 or 总链长): 见效 records it; 未见效 reopens it under
    督办."""
    before = store.require_node(problem_id, "Problem")
    check_supervisor(who, f"问题「{before.props.get('title', problem_id)}」的回头看")
    with auth.audited(
        who, request, problem_id, before.props, body.model_dump(mode="json")
    ) as entry:
        p = review(store, problem_id, body.result, by=signed(who.name, body.by), note=body.note)
        entry.after = p.props
    return NodePublic.of(p)
