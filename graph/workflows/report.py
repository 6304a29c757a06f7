"""The monthly report (通报晾晒) of the one ledger: list sizes, the five stalls by chain, district
and responsible unit with rankings and the change from last month, 拿地即开工, the office's
settings it used, the month's 五未 督办 items and 要素对接 figures.

It sits above the ledger (:mod:`.ledger`), the 督办 items (:mod:`.supervision`, which read the
ledger's stalls) and the 对接 records (:mod:`.dockings`), and puts them together; the ledger
itself never reaches up to them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.dockings import docking_summary
from chainatlas.graph.workflows.ledger import (
    LAND_TO_START,
    LAND_TO_START_SOURCE,
    NO_UNIT,
    OFFICE,
    STALL_SINCE,
    STALLS,
    ProjectRow,
    _by,
    _lists,
    _rows,
    _stalls,
    land_to_start,
    month_range,
    office_settings,
)
from chainatlas.graph.workflows.problems import DUE_DAYS
from chainatlas.graph.workflows.supervision import supervision_items

__all__ = ["UNIT_BLANK", "Report", "monthly_report"]


# ---- the monthly report ------------------------------------------------------------------------
@dataclass
class Report:
    month: str
    previous: str
    lists: dict[str, int]
    stalls: dict[str, int]
    stalls_previous: dict[str, int]
    by_chain: list[dict[str, Any]]
    by_region: list[dict[str, Any]]
    stalled: list[dict[str, Any]]
    grace: Grace = field(default_factory=Grace)
    by_unit: list[dict[str, Any]] = field(default_factory=list)
    land_to_start: dict[str, Any] = field(default_factory=dict)
    settings: list[dict[str, Any]] = field(default_factory=list)
    #: 五未 督办 items of the month
    #: (:func:`chainatlas.graph.workflows.supervision.supervision_items`)
    supervision: list[dict[str, Any]] = field(default_factory=list)
    #: 要素对接: how many stored needs were met
    #: (:func:`chainatlas.graph.workflows.dockings.docking_summary`)
    dockings: dict[str, Any] = field(default_factory=dict)
    #: the lists' sizes in the previous month, for the 上月/较上月 columns
    lists_previous: dict[str, int] = field(default_factory=dict)


def _previous(month: str) -> str:
    start, _ = month_range(month)
    last = start - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def monthly_report(
    store: GraphStore,
    month: str,
    grace: Grace | None = None,
    *,
    due_days: dict[str, int] | None = None,
    land_to_start_days: int = 0,
) -> Report:
    """通报晾晒 for ``month``: list sizes, stalls by chain, by district and by responsible unit
    (责任单位) with rankings (fewest stalled projects first) and the change from last month,
    every stalled project named with its unit, 拿地即开工 figures, the office's settings
    used (``due_days``: problem time limits by level, as the report's header shows them), and
    the month's 五未 督办 items
    (:func:`chainatlas.graph.workflows.supervision.sync_supervision`)."""
    grace = grace or Grace()
    prev = _previous(month)
    start, end = month_range(month)
    rows = _rows(store)
    lists = _lists(rows, start, end)
    now = _stalls(rows, end, grace)
    before = _stalls(rows, month_range(prev)[1], grace)
    stalled = [
        {
            "stall": s,
            "id": r.id,
            "name": r.name,
            "chain": r.chain,
            "region": r.region,
            "responsible_unit": r.responsible_unit,
            "since": str(r.dates[STALL_SINCE[s]]),
            "sample": r.sample,
        }
        for s, rs in now.items()
        for r in rs
    ]
    started_by_end = [r for r in rows if _by(r.dates["started"], end)]
    land = {
        "measure": LAND_TO_START,
        "source": f"种子 000 §三（二）：{LAND_TO_START_SOURCE}",
        "within_days": land_to_start_days,
        "basis": f"{OFFICE}：拿地后 {land_to_start_days} 天内开工计为{LAND_TO_START}",
        "month": land_to_start(lists["新开工"], land_to_start_days),
        "to_date": land_to_start(started_by_end, land_to_start_days),
    }
    return Report(
        month,
        prev,
        {k: len(v) for k, v in lists.items()},
        {k: len(v) for k, v in now.items()},
        {k: len(v) for k, v in before.items()},
        _group(rows, now, before, "chain"),
        _group(rows, now, before, "region"),
        stalled,
        grace,
        _group(rows, now, before, "responsible_unit"),
        land,
        office_settings(grace, dict(due_days or DUE_DAYS), land_to_start_days),
        supervision_items(store, month),
        docking_summary(store, month),
        {k: len(v) for k, v in _lists(rows, *month_range(prev)).items()},
    )


def _group(
    rows: list[ProjectRow],
    now: dict[str, list[ProjectRow]],
    before: dict[str, list[ProjectRow]],
    key: str,
) -> list[dict[str, Any]]:
    """Stalls per value of ``key`` (chain, region, unit), ranked by share stalled."""
    cur: dict[str, Counter[str]] = {}
    old: dict[str, Counter[str]] = {}
    total: Counter[str] = Counter(getattr(r, key) for r in rows)
    for src, dst in ((now, cur), (before, old)):
        for s, rs in src.items():
            for r in rs:
                dst.setdefault(getattr(r, key), Counter())[s] += 1
    out = []
    for name in sorted(total):
        c, o = cur.get(name, Counter()), old.get(name, Counter())
        n, n_old = sum(c.values()), sum(o.values())
        out.append(
            {
                "name": name,
                "projects": total[name],
                **{s: c[s] for s in STALLS},
                "stalled": n,
                "stalled_last_month": n_old,
                "change": n - n_old,
                "share": round(n / total[name], 4) if total[name] else 0.0,
            }
        )
    out.sort(key=lambda x: (x["share"], x["stalled"], x["name"]))
    # projects without a unit are no unit: left out of the ranking, shown last
    blank = [x for x in out if x["name"] == NO_UNIT] if key == "responsible_unit" else []
    ranked = [x for x in out if x not in blank]
    for i, x in enumerate(ranked, 1):
        x["rank"] = i
    for x in blank:
        x |= {"rank": None, "name": f"{UNIT_BLANK}（{x['projects']} 个项目）", "unranked": True}
    return ranked + blank


#: the row of the projects without a responsible unit in 按责任单位 (not ranked)
UNIT_BLANK = "未填写"
