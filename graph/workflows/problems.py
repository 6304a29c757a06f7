"""The problem closed loop (问题闭环, seed 000 §四.四): collect → assign → supervise → answer →
close, routed by level, with due dates, the full history and the review (回头看).

The seed: "建立问题收集、交办、督办、反馈机制，对需要协调解决的一般事项，由各产业链牵头部门、
区级链长办协调解决；对重大事项，由链长协调解决；对特别重大事项，采取“一事一议”，报总链长协调
解决。推进过程中实施不力、进展滞后的，由市链长办牵头跟踪督办，定期开展“回头看”，确保各项工作
举措落地见效。"

So 回头看 is not the overdue list: it is the office looking back at matters that were closed, to
check that the measures took effect (落地见效). A closed problem falls due for review some days
after 办结 (the office's setting, :data:`REVIEW_AFTER`; the seed says only 定期); the review
either confirms it (见效) or reopens it under 督办 (未见效). The seed gives no time limits either:
:data:`DUE_DAYS` and :data:`SUPERVISED` (levels that must pass 督办 before 办结) are settings.
Who may take each step is the API's business (:mod:`chainatlas.api.roles`); this module keeps
the loop's own rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from typing import Any

from chainatlas.graph.errors import ChainAtlasError, Conflict, ValidationFailed
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore

__all__ = [
    "LEVELS",
    "STATES",
    "REVIEW_AFTER",
    "REVIEW_RESULTS",
    "ROUTING",
    "SUPERVISED",
    "InvalidProblemStep",
    "already_raised",
    "filed_under",
    "overdue",
    "problem_id",
    "problem_scope",
    "raise_problem",
    "review",
    "review_due",
    "route",
    "step",
    "supervised",
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
#: levels that must pass 督办 before 办结: the office's default setting (the seed does not say;
#: ``CHAINATLAS_SUPERVISE_LEVELS`` changes it)
SUPERVISED = ("重大", "特别重大")
#: days after 办结 a review (回头看) falls due: the office's default setting (the seed says
#: only "定期开展“回头看”"; ``CHAINATLAS_REVIEW_AFTER_DAYS`` changes it)
REVIEW_AFTER = 30
#: what a review finds: the measure took effect, or it did not (the problem is reopened)
REVIEW_RESULTS = ("见效", "未见效")
#: the seed's own words for each level's routing (seed 000 §四.四), quoted in outputs
ROUTING = {
    "一般": "对需要协调解决的一般事项，由各产业链牵头部门、区级链长办协调解决",
    "重大": "对重大事项，由链长协调解决",
    "特别重大": "对特别重大事项，采取“一事一议”，报总链长协调解决",
}


class InvalidProblemStep(ChainAtlasError):
    """A state change the closed loop does not allow."""


def route(
    store: GraphStore, level: str, *, chain: str | None = None, region: str | None = None
) -> str:
    """Who handles a problem (seed 000 §四.四, :data:`ROUTING`): 一般 — the chain's lead
    department, or the district's chain office when no chain is named; 重大 — the chain leader,
    or the city office (市链长办) when no chain is named; 特别重大 — the general chain leader
    (一事一议)."""
    if level not in LEVELS:
        raise ValidationFailed(f"问题级别应为 {'/'.join(LEVELS)}：{level!r}")
    ch = store.get_node(chain) if chain else None
    if level == "特别重大":
        return "总链长（一事一议）"
    if level == "重大":
        if ch is None:
            return "市链长办（未归链的重大事项）"
        return str(ch.props.get("leader") or f"{ch.name}链长")
    if ch is not None:
        return str(ch.props.get("lead_department") or f"{ch.name}牵头部门")
    return f"{region or '区县'}链长办"


def _entry(on: date, frm: str, to: str, by: str, note: str) -> str:
    by = by.replace("｜", "|")  # the line's separator; a 'who' must not shift the note
    return f"{on.isoformat()}｜{frm}→{to}｜{by or '—'}｜{note}"


def problem_id(
    title: str,
    *,
    project: str | None = None,
    firm: str | None = None,
    chain: str | None = None,
    region: str | None = None,
    today: date | None = None,
) -> str:
    """The id of the problem raised with ``title`` on a record (a project, a firm, or
    neither), filed under ``chain`` and ``region``, on ``today``: the same title there on the
    same day is the same problem, which :func:`raise_problem` records once."""
    key = f"{title}|{project}|{firm}|{chain}|{region}|{today or date.today()}"
    return "problem:" + hashlib.sha1(key.encode()).hexdigest()[:12]


def filed_under(
    store: GraphStore,
    *,
    project: str | None = None,
    chain: str | None = None,
    region: str | None = None,
) -> tuple[str | None, str | None]:
    """The chain and region a problem raised on ``project`` is filed under: those given,
    else the project's."""
    if project:
        p = store.require_node(project, "Project")
        chain = chain or next((n.id for _, n in store.neighbours(p.id, ["IN_CHAIN"])), None)
        region = region or p.props.get("region")
    return chain, region


def already_raised(p: Node) -> Conflict:
    """The refusal of a problem raised a second time, naming the one that stands."""
    region, status, assignee = (p.props.get(k) for k in ("region", "status", "assignee"))
    where = "，".join([str(region or "全市"), str(status or "收集")])
    return Conflict(
        f"今天已有同名问题「{p.props.get('title', p.id)}」"
        f"（{p.id}，{where}，承办：{assignee or '—'}）："
        "同一记录同一天的同名问题只记一次，已有的问题不变；如需补充情况请联系承办单位，"
        "如是另一件事请改用其他标题"
    )


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
    :data:`DUE_DAYS`).

    A problem raised never replaces another. The same title on the same record (filed under
    the same chain and region) on the same day is refused (:class:`Conflict`, naming the
    problem that stands) rather than recorded twice: a 链长办 wants one matter once in the
    loop — a form sent twice or a retried request must not put a second copy into the
    counts, the overdue list and the monthly report — and a different matter can take another
    title. The check is the store's (:meth:`Batch.create_nodes`), inside its write
    transaction, so of two simultaneous raises exactly one is recorded.

    Raises
    ------
    Conflict
        A problem of this title on this record was raised today already.
    """
    today = today or date.today()
    chain, region = filed_under(store, project=project, chain=chain, region=region)
    if firm:
        store.require_node(firm, "Firm")
    assignee = route(store, level, chain=chain, region=region)
    days = (due_days or DUE_DAYS)[level]
    basis = "提出时指定" if due else f"本办设置：{level}问题 {days} 天"
    due = due or today + timedelta(days=days)
    if due < today:
        raise ValidationFailed(f"办理期限 {due} 早于提出日期 {today}")
    pid = problem_id(title, project=project, firm=firm, chain=chain, region=region, today=today)
    if (same := store.get_node(pid)) is not None:
        raise already_raised(same)
    history = [_entry(today, "—", "收集", by, f"提出（{level}），按级别路由至 {assignee}")]
    rels = []
    if project:
        rels.append(Relationship(pid, "FOR_PROJECT", project))
    if firm:
        rels.append(Relationship(pid, "FOR_FIRM", firm))
    if chain:
        rels.append(Relationship(pid, "IN_CHAIN", chain))
    props = {
        "title": title,
        "level": level,
        "status": "收集",
        "description": description or None,
        "raised": today.isoformat(),
        "due": due.isoformat(),
        "due_basis": basis,
        "assignee": assignee,
        "history": history,
        "region": region,
    }
    try:
        with store.batch() as b:
            b.create_nodes([Node(pid, "Problem", props)]).upsert_relationships(rels)
    except Conflict:  # raised at the same moment by someone else, who was first
        raise already_raised(store.require_node(pid)) from None
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
    supervise: Collection[str] = SUPERVISED,
) -> Node:
    """Move a problem along the loop; ``escalate`` raises its level (re-routing it). A problem
    of a level in ``supervise`` (the office's setting) is closed only after a 督办 step; a
    五未 督办 item (:mod:`chainatlas.graph.workflows.supervision`) closes by itself when its stall
    ends. The check and the step are one serialized write (:meth:`GraphStore.serialized`): of
    steps at the same moment each is checked against the state the one before left, and each
    step made is in the history.

    Raises
    ------
    InvalidProblemStep
        For a move the loop does not allow (e.g. 收集 → 办结, anything after 办结, 办结
        without 督办 where it is required, escalating while closing).
    """
    today = today or date.today()
    with store.serialized() as b:
        p = store.require_node(problem, "Problem")
        check_step(p, to, escalate=escalate, supervise=supervise)
        b.upsert_nodes([Node(p.id, "Problem", _stepped(store, p, to, by, note, escalate, today))])
    return store.require_node(problem)


def _stepped(
    store: GraphStore, p: Node, to: str, by: str, note: str, escalate: str | None, today: date
) -> dict[str, Any]:
    """The properties that move ``p`` to ``to`` (escalated to ``escalate``), its history
    extended by the step."""
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
    history.append(_entry(today, str(p.props.get("status", "收集")), to, by, note))
    props["history"] = history
    return props


def check_step(
    p: Node, to: str, *, escalate: str | None = None, supervise: Collection[str] = SUPERVISED
) -> None:
    """Refuse a step the loop does not allow (:class:`InvalidProblemStep`); nothing else."""
    cur = str(p.props.get("status", "收集"))
    title = p.props.get("title", p.id)
    if to not in STATES:
        raise InvalidProblemStep(f"未知状态 {to!r}，可选：{' → '.join(STATES)}")
    if to not in MOVES[cur]:
        allowed = "、".join(sorted(MOVES[cur])) or "无（已办结）"
        raise InvalidProblemStep(f"问题「{title}」当前为「{cur}」，只能转为：{allowed}")
    if to != "办结":
        return
    if escalate:
        raise InvalidProblemStep(f"问题「{title}」办结时不能升级；升级须在交办、督办或反馈时")
    if p.props.get("auto"):
        raise InvalidProblemStep(
            f"「{title}」是五未督办事项：项目推进、五未解除时自动办结，不能手工办结"
        )
    level = str(p.props.get("level", "一般"))
    if level in supervise and not supervised(p):
        raise InvalidProblemStep(
            f"{level}问题「{title}」须经市链长办督办后才能办结（本办设置：{'、'.join(supervise)}"
            "问题办结前须经督办）；请先转为「督办」"
        )


def supervised(p: Node) -> bool:
    """Has the problem been through a 督办 step?"""
    return any("→督办｜" in str(e) for e in p.props.get("history", []))


def problem_scope(store: GraphStore, problem: str | Node) -> tuple[list[str], str | None]:
    """The chains (ids) and the region a problem is filed under: what decides who may act."""
    pid = problem if isinstance(problem, str) else problem.id
    p = store.require_node(pid, "Problem")
    chains = [n.id for _, n in store.neighbours(pid, ["IN_CHAIN"], "out")]
    return chains, (str(p.props["region"]) if p.props.get("region") else None)


def review(
    store: GraphStore,
    problem: str,
    result: str,
    *,
    by: str = "",
    note: str = "",
    today: date | None = None,
) -> Node:
    """回头看 a closed problem: ``见效`` records that the measure took effect; ``未见效``
    reopens it under 督办 (it must then be answered and closed again). Checked and written in
    one serialized write, like :func:`step`.

    Raises
    ------
    InvalidProblemStep
        An unknown result, or a problem that is not closed.
    """
    today = today or date.today()
    if result not in REVIEW_RESULTS:
        raise InvalidProblemStep(f"回头看结果应为 {'/'.join(REVIEW_RESULTS)}：{result!r}")
    with store.serialized() as b:
        p = store.require_node(problem, "Problem")
        b.upsert_nodes([Node(p.id, "Problem", _reviewed(p, result, by, note, today))])
    return store.require_node(problem)


def _reviewed(p: Node, result: str, by: str, note: str, today: date) -> dict[str, Any]:
    """The properties a review with ``result`` leaves on the closed problem ``p``;
    :class:`InvalidProblemStep` for a problem that is not closed."""
    if p.props.get("status") != "办结":
        title, status = p.props.get("title", p.id), p.props.get("status")
        raise InvalidProblemStep(f"问题「{title}」当前为「{status}」：只有办结的问题才回头看")
    history = list(p.props.get("history", []))
    props: dict[str, Any] = {"reviewed": today.isoformat(), "review_result": result}
    if result == "见效":
        history.append(_entry(today, "办结", "办结", by, f"回头看：见效。{note}".rstrip("。")))
    else:
        history.append(_entry(today, "办结", "督办", by, f"回头看：未见效，重新督办。{note}"))
        props |= {"status": "督办", "closed": None, "auto": None, "reopened": today.isoformat()}
        props["reviewed"] = None  # the next 办结 falls due for review again
    props["history"] = history
    return props


def review_on(p: Node, after_days: int = REVIEW_AFTER) -> date | None:
    """The day a closed problem falls due for 回头看, or ``None`` (open, or reviewed since it
    was closed)."""
    closed = p.props.get("closed")
    if p.props.get("status") != "办结" or not closed:
        return None
    reviewed = p.props.get("reviewed")
    if reviewed and reviewed >= closed:
        return None
    return date.fromisoformat(closed) + timedelta(days=after_days)


def review_due(
    store: GraphStore, today: date | None = None, after_days: int = REVIEW_AFTER
) -> list[Node]:
    """The 回头看 list: closed problems not reviewed since they were closed, whose review day
    (``after_days`` after 办结, the office's setting) has come; longest waiting first."""
    today = today or date.today()
    due = [(on, p) for p in store.find_nodes("Problem") if (on := review_on(p, after_days))]
    return [p for on, p in sorted(due, key=lambda x: (x[0], x[1].id)) if on <= today]


def overdue(store: GraphStore, today: date | None = None) -> list[Node]:
    """Problems past their due date and not closed (逾期), most overdue first."""
    today = today or date.today()
    out = [
        p
        for p in store.find_nodes("Problem")
        if p.props.get("status") != "办结"
        and p.props.get("due")
        and date.fromisoformat(p.props["due"]) < today
    ]
    return sorted(out, key=lambda p: (p.props["due"], p.id))
