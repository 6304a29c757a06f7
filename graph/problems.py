"""The problem closed loop (问题闭环): collect → assign → supervise → answer → close, routed by
level to the right leader, with due dates, an overdue list (回头看) and the full history."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from chainatlas.graph.errors import ChainAtlasError, ValidationFailed
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store import GraphStore

__all__ = [
    "LEVELS",
    "STATES",
    "InvalidProblemStep",
    "overdue",
    "problem_id",
    "raise_problem",
    "route",
    "step",
]

LEVELS = ("一般", "重大", "特别重大")
STATES = ("收集", "交办", "督办", "反馈", "办结")
#: allowed moves; 反馈 may go back to 督办 when the answer does not settle it
MOVES = {
    "收集": {"交办"},
    "交办": {"督办", "反馈"},
    "督办": {"反馈"},
    "反馈": {"办结", "督办"},
    "办结": set(),
}
#: days to answer by level, when no due date is given: the office's default setting (the seed
#: gives no time limits; ``CHAINATLAS_PROBLEM_DAYS_*`` change it)
DUE_DAYS = {"一般": 30, "重大": 15, "特别重大": 7}


class InvalidProblemStep(ChainAtlasError):
    """A state change the closed loop does not allow."""


def route(
    store: GraphStore, level: str, *, chain: str | None = None, region: str | None = None
) -> str:
    """Who handles a problem (seed 000 §四.四): 一般 — the chain's lead department, or the
    district's chain office when no chain is named; 重大 — the chain leader; 特别重大 — the
    general chain leader (一事一议)."""
    if level not in LEVELS:
        raise ValidationFailed(f"问题级别应为 {'/'.join(LEVELS)}：{level!r}")
    ch = store.get_node(chain) if chain else None
    if level == "特别重大":
        return "总链长（一事一议）"
    if level == "重大":
        if ch is None:
            return "总链长（未归链的重大事项）"
        return str(ch.props.get("leader") or f"{ch.name}链长")
    if ch is not None:
        return str(ch.props.get("lead_department") or f"{ch.name}牵头部门")
    return f"{region or '区县'}链长办"


def _entry(on: date, frm: str, to: str, by: str, note: str) -> str:
    return f"{on.isoformat()}｜{frm}→{to}｜{by or '—'}｜{note}"


def problem_id(
    title: str, *, project: str | None = None, firm: str | None = None, today: date | None = None
) -> str:
    """The id a problem raised today gets (the same title on the same record and day is the
    same problem)."""
    key = f"{title}|{project}|{firm}|{today or date.today()}"
    return "problem:" + hashlib.sha1(key.encode()).hexdigest()[:12]


def raise_problem(
    store: GraphStore,
    title: str,
    level: str = "一般",
    *,
    project: str | None = None,
    firm: str | None = None,
    chain: str | None = None,
    region: str | None = None,
    description: str = "",
    due: date | None = None,
    by: str = "",
    today: date | None = None,
    due_days: Mapping[str, int] | None = None,
) -> Node:
    """Collect a problem on a project or a firm; it is routed at once by its level. Without a
    ``due`` date it is due ``due_days[level]`` days later (the office's setting, by default
    :data:`DUE_DAYS`)."""
    today = today or date.today()
    if project:
        p = store.require_node(project, "Project")
        chain = chain or next((n.id for _, n in store.neighbours(p.id, ["IN_CHAIN"])), None)
        region = region or p.props.get("region")
    if firm:
        store.require_node(firm, "Firm")
    assignee = route(store, level, chain=chain, region=region)
    due = due or today + timedelta(days=(due_days or DUE_DAYS)[level])
    if due < today:
        raise ValidationFailed(f"办理期限 {due} 早于提出日期 {today}")
    pid = problem_id(title, project=project, firm=firm, today=today)
    history = [_entry(today, "—", "收集", by, f"提出（{level}），按级别路由至 {assignee}")]
    rels = []
    if project:
        rels.append(Relationship(pid, "FOR_PROJECT", project))
    if firm:
        rels.append(Relationship(pid, "FOR_FIRM", firm))
    if chain:
        rels.append(Relationship(pid, "IN_CHAIN", chain))
    with store.batch() as b:
        b.upsert_nodes(
            [
                Node(
                    pid,
                    "Problem",
                    {
                        "title": title,
                        "level": level,
                        "status": "收集",
                        "description": description or None,
                        "raised": today.isoformat(),
                        "due": due.isoformat(),
                        "assignee": assignee,
                        "history": history,
                        "region": region,
                    },
                )
            ]
        )
        b.upsert_relationships(rels)
    return store.require_node(pid)


def step(
    store: GraphStore,
    problem: str,
    to: str,
    *,
    by: str = "",
    note: str = "",
    escalate: str | None = None,
    today: date | None = None,
) -> Node:
    """Move a problem along the loop; ``escalate`` raises its level (re-routing it).

    Raises
    ------
    InvalidProblemStep
        For a move the loop does not allow (e.g. 收集 → 办结, or anything after 办结).
    """
    today = today or date.today()
    p = store.require_node(problem, "Problem")
    cur = str(p.props.get("status", "收集"))
    if to not in STATES:
        raise InvalidProblemStep(f"未知状态 {to!r}，可选：{' → '.join(STATES)}")
    if to not in MOVES[cur]:
        allowed = "、".join(sorted(MOVES[cur])) or "无（已办结）"
        raise InvalidProblemStep(f"问题「{p.props['title']}」当前为「{cur}」，只能转为：{allowed}")
    props: dict[str, Any] = {"status": to}
    history = list(p.props.get("history", []))
    if escalate:
        if escalate not in LEVELS or LEVELS.index(escalate) <= LEVELS.index(str(p.props["level"])):
            raise InvalidProblemStep(f"只能升级到更高级别，当前为「{p.props['level']}」")
        chain = next((n.id for _, n in store.neighbours(p.id, ["IN_CHAIN"])), None)
        props["level"] = escalate
        props["assignee"] = route(store, escalate, chain=chain, region=p.props.get("region"))
        history.append(
            _entry(
                today, str(p.props["level"]), escalate, by, f"升级，改由 {props['assignee']} 协调"
            )
        )
    if to == "办结":
        props["closed"] = today.isoformat()
    history.append(_entry(today, cur, to, by, note))
    props["history"] = history
    store.upsert_nodes([Node(p.id, "Problem", props)])
    return store.require_node(p.id)


def overdue(store: GraphStore, today: date | None = None) -> list[Node]:
    """Problems past their due date and not closed (回头看), most overdue first."""
    today = today or date.today()
    out = [
        p
        for p in store.find_nodes("Problem")
        if p.props.get("status") != "办结"
        and p.props.get("due")
        and date.fromisoformat(p.props["due"]) < today
    ]
    return sorted(out, key=lambda p: (p.props["due"], p.id))
