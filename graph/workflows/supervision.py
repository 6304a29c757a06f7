"""五未督办: projects that stall (进展滞后) raise 督办 items for the city office, by themselves.

Seed 000 §四.四: "推进过程中实施不力、进展滞后的，由市链长办牵头跟踪督办，定期开展“回头看”".
A project in one of the five stalls (五未, :func:`chainatlas.graph.workflows.ledger.stall_of`) is
进展滞后, so it gets a 督办 item: a problem of the closed loop
(:mod:`chainatlas.graph.workflows.problems`) that starts in 督办, is answered (反馈) by the chain's
牵头部门 or the district's 区级链长办 like any 一般 matter, and closes by itself when the stall ends
(the project took its next step).

:func:`sync_supervision` keeps the items in step with the projects as of a day: one open item
per project and stall (the item's id is made of the two, so running it again changes nothing),
opened when the stall begins, closed when it ends, opened again if the same stall comes back.
It writes only what changed. :func:`supervision_items` reads the items of a month for the
monthly report (通报晾晒) and writes nothing.

The grace periods that decide when a stall begins are the office's settings, not the seed's
(:class:`chainatlas.graph.workflows.ledger.Grace`).
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta
from typing import Any

from chainatlas.graph.model import NAME_MAX, Node, Relationship
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.ledger import (
    DATE_ZH,
    STALL_SINCE,
    STALLS,
    month_range,
    project_row,
    stall_of,
)
from chainatlas.graph.workflows.problems import _entry, route

__all__ = [
    "SEED",
    "SOURCE",
    "SYSTEM",
    "SyncResult",
    "item_id",
    "supervision_items",
    "sync_supervision",
]

#: the ``source`` of a 督办 item raised by a stall
SOURCE = "五未"
#: the seed's words these items carry out
SEED = "推进过程中实施不力、进展滞后的，由市链长办牵头跟踪督办"
#: the body that supervises (seed 000 §四.四)
SUPERVISOR = "市链长办"
#: the step that ends each stall
STALL_NEXT = {
    "签约未开工": "started",
    "开工未竣工": "completed",
    "竣工未投产": "producing",
    "投产未上规": "above_scale",
    "上规未达产": "at_capacity",
}
#: who raises, moves and closes the items: the system, never the reader who happened to look
SYSTEM = "系统（五未督办）"
_BY = SYSTEM


@dataclass
class SyncResult:
    """What one :func:`sync_supervision` changed (item ids)."""

    opened: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.reopened or self.closed)


def item_id(project: str, stall: str) -> str:
    """The one 督办 item of a project and a stall."""
    return "problem:stall:" + hashlib.sha1(f"{project}|{stall}".encode()).hexdigest()[:12]


def _stall_from(since: date, stall: str, grace: Grace) -> date:
    """The first day a project counts as stalled (:func:`stall_of` counts more days than the
    grace period)."""
    days = dict(zip(STALLS, astuple(grace), strict=True))[stall]
    return since + timedelta(days=days + 1)


def sync_supervision(
    store: GraphStore,
    grace: Grace | None = None,
    today: date | None = None,
    *,
    dry_run: bool = False,
) -> SyncResult:
    """Open, close and reopen the 督办 items so that exactly the projects stalled on ``today``
    have one open item per stall. Writes nothing when nothing changed, or with ``dry_run``
    (which only says what would change).

    The items are read and written in one serialized write (:meth:`GraphStore.serialized`):
    an item's history is extended from the item as stored, so an officer's step on it made
    while the pass runs is never overwritten (it waits for the pass, or the pass for it)."""
    grace = grace or Grace()
    today = today or date.today()
    if dry_run:
        return _plan(store, grace, today)[0]
    with store.serialized() as b:
        result, nodes, rels = _plan(store, grace, today)
        if nodes:
            b.upsert_nodes(nodes)
            b.upsert_relationships(rels)
    return result


def _plan(
    store: GraphStore, grace: Grace, today: date
) -> tuple[SyncResult, list[Node], list[Relationship]]:
    """What :func:`sync_supervision` changes as the store stands: the ids by change, and the
    items and links to write."""
    stored = {n.id: n for n in store.find_nodes("Problem", {"source": SOURCE})}
    result = SyncResult()
    nodes: list[Node] = []
    rels: list[Relationship] = []
    current: set[str] = set()
    for p in store.find_nodes("Project"):
        row = project_row(store, p)
        stall = stall_of(row, today, grace)
        if stall is None:
            continue
        iid = item_id(p.id, stall)
        current.add(iid)
        since = row.dates[STALL_SINCE[stall]]
        assert since is not None  # a stall has its start date
        old = stored.get(iid)
        if old is None:
            nodes.append(_new_item(store, p, row.region, stall, since, grace, today))
            chains = [c.id for _, c in store.neighbours(p.id, ["IN_CHAIN"], "out")]
            rels += [Relationship(iid, "FOR_PROJECT", p.id)]
            rels += [Relationship(iid, "IN_CHAIN", c) for c in chains]
            result.opened.append(iid)
        elif old.props.get("status") == "办结":
            note = f"{stall}仍未解除（{since} 起），重新督办"
            nodes.append(_move(old, "督办", today, note, closed=None, auto=True))
            result.reopened.append(iid)
    for iid, old in stored.items():
        if iid in current or old.props.get("status") == "办结" or not old.props.get("auto"):
            continue
        on, note = _ended(store, old, today)
        nodes.append(_move(old, "办结", today, note, closed=on.isoformat()))
        result.closed.append(iid)
    return result, nodes, rels


def _new_item(
    store: GraphStore, p: Node, shown: str, stall: str, since: date, grace: Grace, today: date
) -> Node:
    chain = next((c.id for _, c in store.neighbours(p.id, ["IN_CHAIN"], "out")), None)
    region = None if shown == "未知" else shown  # the ledger's row shows 未知 for no region
    begins = _stall_from(since, stall, grace)
    why = f"进展滞后：{stall}（{DATE_ZH[STALL_SINCE[stall]]} {since}，{begins} 起超过宽限期）"
    title = f"{stall}：{p.name}"[:NAME_MAX]
    return Node(
        item_id(p.id, stall),
        "Problem",
        {
            "title": title,
            "level": "一般",
            "status": "督办",
            "source": SOURCE,
            "stall": stall,
            "project": p.id,
            "since": since.isoformat(),
            "stall_from": begins.isoformat(),
            "raised": today.isoformat(),
            "assignee": route(store, "一般", chain=chain, region=region),
            "supervisor": SUPERVISOR,
            "auto": True,
            "region": region,
            "history": [
                _entry(today, "—", "收集", _BY, f"{why}，自动生成督办事项"),
                _entry(today, "收集", "督办", _BY, f"{SUPERVISOR}跟踪督办"),
            ],
        },
    )


def _ended(store: GraphStore, item: Node, today: date) -> tuple[date, str]:
    """When and why an item's stall ended: the project's next step, if it is recorded."""
    project = store.get_node(str(item.props.get("project", "")))
    if project is None:
        return today, "项目已删除，五未督办事项办结"
    key = STALL_NEXT.get(str(item.props.get("stall")), "")
    done = project.props.get(key)
    if isinstance(done, str) and done and done <= today.isoformat():
        return date.fromisoformat(done), f"五未解除：{DATE_ZH[key]} {done}"
    return today, "五未解除（项目日期已更正或宽限期已调整）"


def _move(item: Node, to: str, today: date, note: str, **props: Any) -> Node:
    history = [*item.props.get("history", []), _entry(today, item.props["status"], to, _BY, note)]
    return Node(item.id, "Problem", {"status": to, "history": history, **props})


def supervision_items(store: GraphStore, month: str) -> list[dict[str, Any]]:
    """The 督办 items of ``month`` for the monthly report: those open at the month's end
    (新增 when their stall began in the month, else 持续) and those closed in it (解除)."""
    start, end = month_range(month)
    out = []
    for n in store.find_nodes("Problem", {"source": SOURCE}):
        begins = date.fromisoformat(str(n.props.get("stall_from") or n.props["raised"]))
        closed = date.fromisoformat(n.props["closed"]) if n.props.get("closed") else None
        if begins > end or (closed is not None and closed < start):
            continue
        if closed is not None and closed <= end:
            state = "本月解除"
        else:
            state = "本月新增" if begins >= start else "持续督办"
        out.append(
            {
                "id": n.id,
                "state": state,
                "stall": n.props.get("stall"),
                "project": n.props.get("project"),
                "title": n.props.get("title"),
                "since": n.props.get("since"),
                "stall_from": begins.isoformat(),
                "status": n.props.get("status"),
                "closed": n.props.get("closed"),
                "supervisor": n.props.get("supervisor", SUPERVISOR),
                "assignee": n.props.get("assignee"),
                "region": n.props.get("region"),
            }
        )
    order = {"本月新增": 0, "持续督办": 1, "本月解除": 2}
    return sorted(out, key=lambda x: (order[x["state"]], x["stall_from"], x["id"]))
