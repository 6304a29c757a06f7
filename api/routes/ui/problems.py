"""问题闭环 in the browser: the problems — all, open, overdue, filed by me, for me to act on, due
for 回头看 — each with the loop's next steps as buttons, shown only when the API's own checks
(the role table's routing and the loop's rules) would let the caller take them. A button posts
to the API's route function, so the 403 and the audit are the API's."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chainatlas.api.auth import Principal, check_problem_step, check_supervisor
from chainatlas.api.deps import get_auth, get_settings, get_store
from chainatlas.api.errors import PARAM_VALUES, PARAM_ZH
from chainatlas.api.officer import signed_by
from chainatlas.api.routes.problems import KINDS, by_urgency, filtered
from chainatlas.api.routes.ui.core import SameOrigin, User, allowed, page, read_form, status_of
from chainatlas.api.routes.ui.session import local_target
from chainatlas.graph.errors import ChainAtlasError, ValidationFailed
from chainatlas.graph.model import Node, choices_zh
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.problems import (
    LEVELS,
    MOVES,
    REVIEW_RESULTS,
    STATES,
    check_step,
    overdue,
    problem_scope,
    review_due,
    review_on,
)
from chainatlas.viz.worklists import history_entries, paged

router = APIRouter(include_in_schema=False)
VIEWS = {
    "open": "未办结",
    "overdue": "逾期",
    "mine": "我提交的",
    "todo": "待我办理",
    "review": "待回头看",
    "closed": "已办结",
    "all": "全部",
}
PARAM_VALUES["view"] = VIEWS  # a bad ?view= names the views as the tabs do
PARAM_ZH.setdefault("level", "级别")


def _step_allowed(
    store: GraphStore, who: Principal, p: Node, to: str, settings: Settings
) -> str | None:
    """None when ``who`` may take the step now; else why not (``""``: not this caller's)."""
    chains, region = problem_scope(store, p)
    title, level = str(p.props.get("title", p.id)), str(p.props.get("level", "一般"))
    if not allowed(
        check_problem_step, who, title=title, level=level, to=to, chains=chains, region=region
    ):
        return ""
    try:
        check_step(p, to, supervise=settings.supervise_levels)
    except ChainAtlasError as exc:
        return str(exc)
    return None


def _row(
    store: GraphStore, who: Principal, p: Node, settings: Settings, today: date
) -> dict[str, Any]:
    status = str(p.props.get("status", "收集"))
    steps, blocked = [], []
    for to in sorted(MOVES.get(status, ()), key=STATES.index):
        why = _step_allowed(store, who, p, to, settings)
        if why is None:
            steps.append(to)
        elif why:
            blocked.append(why)
    due = p.props.get("due")
    history = history_entries(p)
    on = review_on(p, settings.review_after_days)
    return {
        "id": p.id,
        "p": p.props,
        "steps": steps,
        "blocked": blocked,
        "escalate": [
            x for x in LEVELS if LEVELS.index(x) > LEVELS.index(p.props.get("level", "一般"))
        ],
        "late": bool(due and status != "办结" and date.fromisoformat(due) < today),
        "history": history,
        "filed_by": history[0]["by"] if history else "",
        "review": bool(on and on <= today and allowed(check_supervisor, who, "回头看")),
        "review_on": on.isoformat() if on else None,
        "project": next(
            ((n.id, n.name) for _, n in store.neighbours(p.id, ["FOR_PROJECT"], "out")), None
        ),
        "chains": [n.name for _, n in store.neighbours(p.id, ["IN_CHAIN"], "out")],
    }


def _select(
    store: GraphStore,
    who: Principal,
    view: str,
    settings: Settings,
    today: date,
    picked: tuple[str | None, str | None] = (None, None),
) -> list[dict[str, Any]]:
    """The rows of ``view``, of the ``picked`` level and kind, the most urgent first."""
    if view == "overdue":
        nodes = overdue(store, today)
    elif view == "review":
        nodes = review_due(store, today, settings.review_after_days)
    else:
        nodes = store.find_nodes("Problem")
    nodes = by_urgency(filtered(nodes, *picked))
    rows = [_row(store, who, p, settings, today) for p in nodes]
    keep = {
        "open": lambda r: r["p"].get("status") != "办结",
        "closed": lambda r: r["p"].get("status") == "办结",
        "mine": lambda r: signed_by(r["filed_by"], who.name),
        "todo": lambda r: bool(r["steps"]) or r["review"],
    }.get(view)
    return [r for r in rows if keep(r)] if keep else rows


def _picked(level: str, kind: str) -> tuple[str | None, str | None]:
    """The level and kind filters (``""``: all), refused in Chinese when not one of theirs."""
    for value, allowed_, name in ((level, LEVELS, "级别"), (kind, KINDS, "类型")):
        if value and value not in allowed_:
            raise ValidationFailed(
                f"{name}：取值应为 {choices_zh(list(allowed_))}，而不是 {value!r}"
            )
    return level or None, kind or None


def _page(
    request: Request,
    who: Principal,
    view: str,
    p: int,
    picked: tuple[str | None, str | None] = (None, None),
    **extra: Any,
) -> Response:
    store, s = get_store(request), get_settings(request)
    today = date.today()
    rows = _select(store, who, view, s, today, picked)
    counts = {
        "open": sum(1 for x in store.find_nodes("Problem") if x.props.get("status") != "办结"),
        "overdue": len(overdue(store, today)),
    }
    level, kind = picked
    filters = {k: v for k, v in (("level", level), ("kind", kind)) if v}
    back = "/ui/problems?" + urlencode({"view": view, **filters, "p": p})
    return page(
        request,
        who,
        "problems.html",
        title="问题闭环",
        nav="problems",
        view=view,
        views=VIEWS,
        levels=LEVELS[::-1],
        kinds=KINDS,
        level=level or "",
        kind=kind or "",
        filters=urlencode(filters),
        pg=paged(rows, p, 30),
        counts=counts,
        back=back,
        results=REVIEW_RESULTS,
        supervise_levels="、".join(s.supervise_levels),
        done=_done(store, request.query_params),
        **extra,
    )


@router.get("/ui/problems", response_class=HTMLResponse)
def problems_page(
    request: Request,
    who: User,
    view: str = Query("open", pattern="^(" + "|".join(VIEWS) + ")$"),
    p: int = Query(1, ge=1),
    level: str = Query("", description="级别：一般、重大或特别重大，空为全部"),
    kind: str = Query("", description="类型：人提的问题或五未督办，空为全部"),
) -> Response:
    return _page(request, who, view, p, _picked(level, kind))


def _done(store: GraphStore, query: Any) -> str | None:
    """The notice after a step: which problem, and where it stands now (read from the store,
    never from the query's text)."""
    if not query.get("ok"):
        return None
    pid = query.get("pid") or ""
    found = store.get_nodes([pid]).get(pid) if pid else None
    if found is None or found.label != "Problem":
        return "已办理。"
    title, status = found.props.get("title", pid), found.props.get("status", "")
    return f"已办理：问题「{title}」现为「{status}」。" if status else f"已办理：问题「{title}」。"


async def _post(
    request: Request, who: Principal, act: Any, problem_id: str | None = None
) -> Response:
    form = {k: str(v) for k, v in (await read_form(request)).items()}
    back = local_target(form.get("back", "/ui/problems"))
    try:
        act(form)
    except (ChainAtlasError, ValidationError) as exc:
        status, title, message = status_of(exc)
        return _page(request, who, "open", 1, error=f"{title}：{message}", status=status)
    sep = "&" if "?" in back else "?"
    done = urlencode({"ok": 1, "pid": problem_id} if problem_id else {"ok": 1})
    return RedirectResponse(f"{back}{sep}{done}", status_code=303)


@router.post("/ui/problems/{problem_id}/step", dependencies=[SameOrigin])
async def post_step(request: Request, who: User, problem_id: str) -> Response:
    from chainatlas.api.routes.problems import ProblemStep, problem_step

    def act(f: dict[str, str]) -> None:
        escalate = f.get("escalate") or None
        body = ProblemStep.model_validate(
            {"to": f.get("to", ""), "note": f.get("note", ""), "escalate": escalate}
        )
        store, s = get_store(request), get_settings(request)
        problem_step(problem_id, body, store, s, who, get_auth(request), request)

    return await _post(request, who, act, problem_id)


@router.post("/ui/problems/{problem_id}/review", dependencies=[SameOrigin])
async def post_review(request: Request, who: User, problem_id: str) -> Response:
    from chainatlas.api.routes.problems import ProblemReview, problem_review

    def act(f: dict[str, str]) -> None:
        given = {"result": f.get("result", ""), "note": f.get("note", "")}
        body = ProblemReview.model_validate(given)
        problem_review(problem_id, body, get_store(request), who, get_auth(request), request)

    return await _post(request, who, act, problem_id)
