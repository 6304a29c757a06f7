"""One file per project (一项目一档案, seed 000 §四.二): everything the ledger knows about a
project, gathered from the graph in one place.

A dossier holds the project and its 责任单位, the investing firm, chain, segment, region and
park it is linked to, its way through the seven stages with the follow-ups of each stage
(一环节一跟进: a stage reached without a follow-up is flagged), its element demands
(``FOR_PROJECT``), its problems, 拿地即开工 (days from 拿地 to 开工), and where it stands in the
ledger on the day the dossier is made (the lists it is on, the stall it is in). Grace periods and
the 拿地即开工 day limit are the office's settings and the dossier names them so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chainatlas.graph.model import PROJECT_STAGES, Node
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.ledger import (
    LAND_TO_START,
    LAND_TO_START_SOURCE,
    ProjectRow,
    classify,
    follow_ups,
    land_days,
    office_settings,
    project_row,
    stall_of,
)

__all__ = ["Dossier", "project_dossier"]

#: how a stage stands for a project
PASSED, CURRENT, AHEAD = "已经过", "当前阶段", "未到"
#: follow-ups of a project that had no stage yet
NO_STAGE = "—"


@dataclass
class Dossier:
    """一项目一档案: see the module docstring; every list is oldest or most relevant first."""

    project: dict[str, Any]
    responsible_unit: str
    firms: list[dict[str, Any]]
    chains: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    regions: list[str]
    parks: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    follow_ups: list[dict[str, Any]]
    demands: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    land_to_start: dict[str, Any]
    ledger: dict[str, Any]
    settings: list[dict[str, Any]] = field(default_factory=list)
    as_of: str = ""


def project_dossier(
    store: GraphStore,
    project: str,
    *,
    grace: Grace | None = None,
    land_to_start_days: int = 0,
    today: date | None = None,
) -> Dossier:
    """The dossier of ``project`` as of ``today``.

    Raises
    ------
    NodeNotFound
        No project of that id.
    """
    today = today or date.today()
    grace = grace or Grace()
    p = store.require_node(project, "Project")
    links = _links(store, p.id)
    history = follow_ups(store, p.id)
    row = project_row(store, p)
    return Dossier(
        project={"id": p.id, **p.props},
        responsible_unit=str(p.props.get("responsible_unit") or "—"),  # none filled in
        firms=[_brief(n, "region", "credit_code") for n in links.get("FOR_FIRM", [])],
        chains=[_brief(n, "layout") for n in links.get("IN_CHAIN", [])],
        segments=[_brief(n) for n in links.get("IN_SEGMENT", [])],
        regions=_regions(p, links.get("LOCATED_IN", [])),
        parks=[_brief(n, "region", "vacancy") for n in links.get("IN_PARK", [])],
        stages=_stages(str(p.props.get("stage") or ""), history),
        follow_ups=history,
        demands=_demands(store, p.id),
        problems=_problems(store, p.id, today),
        land_to_start=_land(row.dates, land_days(row), land_to_start_days),
        ledger=_ledger(row, today, grace),
        settings=office_settings(grace, land_to_start_days=land_to_start_days),
        as_of=today.isoformat(),
    )


def _links(store: GraphStore, project: str) -> dict[str, list[Node]]:
    out: dict[str, list[Node]] = {}
    for r, n in store.neighbours(project, None, "out"):
        out.setdefault(r.type, []).append(n)
    for ns in out.values():
        ns.sort(key=lambda n: n.id)
    return out


def _brief(n: Node, *keys: str) -> dict[str, Any]:
    return {"id": n.id, "name": n.name, **{k: n.props.get(k) for k in keys}}


def _regions(p: Node, linked: list[Node]) -> list[str]:
    names = [str(p.props["region"])] if p.props.get("region") else []
    return names + [n.name for n in linked if n.name not in names]


def _stages(current: str, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The seven stages with their follow-ups; a stage passed or current without any follow-up
    breaks 一环节一跟进 and is flagged ``missing_follow_up``."""
    at = PROJECT_STAGES.index(current) if current in PROJECT_STAGES else -1
    out = []
    for i, stage in enumerate(PROJECT_STAGES):
        status = PASSED if i < at else CURRENT if i == at else AHEAD
        mine = [f for f in history if f.get("stage") == stage]
        out.append(
            {
                "stage": stage,
                "status": status,
                "follow_ups": mine,
                "missing_follow_up": status != AHEAD and not mine,
            }
        )
    earlier = [f for f in history if f.get("stage") not in PROJECT_STAGES]
    if earlier:
        out.insert(
            0,
            {
                "stage": NO_STAGE,
                "status": "未设定阶段时",
                "follow_ups": earlier,
                "missing_follow_up": False,
            },
        )
    return out


def _demands(store: GraphStore, project: str) -> list[dict[str, Any]]:
    rows = []
    for _, d in store.neighbours(project, ["FOR_PROJECT"], "in"):
        if d.label != "Demand":
            continue
        firm = [f.name for _, f in store.neighbours(d.id, ["FOR_FIRM"], "out")]
        rows.append({"id": d.id, **d.props, "firm": "、".join(firm) or None})
    return sorted(rows, key=lambda r: (str(r.get("kind")), r["id"]))


def _problems(store: GraphStore, project: str, today: date) -> list[dict[str, Any]]:
    rows = []
    for _, n in store.neighbours(project, ["FOR_PROJECT"], "in"):
        if n.label != "Problem":
            continue
        due = str(n.props.get("due") or "")
        late = n.props.get("status") != "办结" and bool(due) and date.fromisoformat(due) < today
        rows.append({"id": n.id, **n.props, "overdue": late})
    return sorted(rows, key=lambda r: (str(r.get("raised")), r["id"]))


def _land(dates: dict[str, date | None], days: int | None, within: int) -> dict[str, Any]:
    land, started = dates["land_date"], dates["started"]
    if land is None:
        verdict = "未登记拿地日期"
    elif started is None:
        verdict = f"已拿地（{land}），尚未开工"
    elif days == 0:
        verdict = f"拿地当天开工（{LAND_TO_START}）"
    else:
        met = days is not None and days <= within
        verdict = f"拿地后 {days} 天开工" + (f"（{LAND_TO_START}）" if met else "")
    return {
        "measure": LAND_TO_START,
        "source": f"种子 000 §三（二）：{LAND_TO_START_SOURCE}",
        "land_date": land.isoformat() if land else None,
        "started": started.isoformat() if started else None,
        "days": days,
        "met": days is not None and days <= within,
        "verdict": verdict,
    }


def _ledger(row: ProjectRow, today: date, grace: Grace) -> dict[str, Any]:
    """Where the project stands on ``today``: the lists of this month, and its stall."""
    start = today.replace(day=1)
    lists = [k for k, yes in classify(row, start, today).items() if yes]
    return {"month": f"{today:%Y-%m}", "lists": lists, "stall": stall_of(row, today, grace)}
