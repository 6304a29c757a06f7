"""The one ledger (一本账): project files, stage transitions, follow-ups, the six lists, the three
new lists, the five stalls (五未) and the monthly report (通报晾晒), all derived from dates."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chainatlas.graph.errors import ChainAtlasError, NodeNotFound, ValidationFailed
from chainatlas.graph.model import PROJECT_STAGES, Node, Relationship
from chainatlas.graph.store import Batch, GraphStore

__all__ = [
    "DATE_FIELDS",
    "LISTS",
    "MONTH_PATTERN",
    "NEW_LISTS",
    "STALLS",
    "Grace",
    "InvalidTransition",
    "add_follow_up",
    "check_dates",
    "month_lists",
    "monthly_report",
    "month_range",
    "move_stage",
    "stalls",
]

DATE_FIELDS = ("signed", "filed", "started", "completed", "producing", "above_scale", "at_capacity")
DATE_ZH = {
    "signed": "签约",
    "filed": "备案",
    "started": "开工",
    "completed": "竣工",
    "producing": "投产",
    "above_scale": "上规",
    "at_capacity": "达产",
}
#: dates that must not decrease along a project's life
ORDER = ("signed", "started", "completed", "producing", "above_scale", "at_capacity")
LISTS = ("储备", "新开工", "在建", "竣工投产", "重大项目", "新升规")
NEW_LISTS = ("新备案", "新开工", "新投产")
STALLS = ("签约未开工", "开工未竣工", "竣工未投产", "投产未上规", "上规未达产")
#: what a stage needs recorded before a project may enter it
STAGE_NEEDS = {"落地开工": ("signed", "started"), "投产达效": ("completed", "producing")}


class InvalidTransition(ChainAtlasError):
    """A stage change the ledger does not allow."""


@dataclass(frozen=True)
class Grace:
    """Days a project may stay in a state before it counts as stalled (configurable)."""

    sign_to_start: int = 180
    start_to_complete: int = 730
    complete_to_produce: int = 90
    produce_to_above_scale: int = 365
    above_scale_to_capacity: int = 365


#: A month as the API and the CLI take it: four-digit year, two-digit month (``2026-02``).
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def month_range(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM`` (:data:`MONTH_PATTERN`; ``26-1`` or ``2026-1`` are
    refused, not read as the year 26 or January).

    >>> month_range("2026-02")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    """
    if not isinstance(month, str) or not re.fullmatch(MONTH_PATTERN, month):
        raise ValidationFailed(f"月份格式应为 YYYY-MM（如 2026-02）：{month!r}")
    try:
        y, m = (int(x) for x in month.split("-"))
        last = calendar.monthrange(y, m)[1]
        return date(y, m, 1), date(y, m, last)
    except (ValueError, TypeError):
        raise ValidationFailed(f"月份格式应为 YYYY-MM：{month!r}") from None


def _d(p: dict[str, Any], k: str) -> date | None:
    v = p.get(k)
    return date.fromisoformat(v) if isinstance(v, str) and v else None


def check_dates(props: dict[str, Any], *, today: date | None = None) -> list[tuple[str, str]]:
    """Problems with a project's dates: order along the life cycle, filing before start,
    actual dates in the future. Empty when the dates are possible."""
    out = []
    today = today or date.today()
    seen: list[tuple[str, date]] = []
    for k in ORDER:
        d = _d(props, k)
        if d is None:
            continue
        for pk, pd_ in seen:
            if d < pd_:
                out.append((k, f"{DATE_ZH[k]}日期 {d} 早于{DATE_ZH[pk]}日期 {pd_}"))
                break
        seen.append((k, d))
    filed, started = _d(props, "filed"), _d(props, "started")
    if filed and started and filed > started:
        out.append(("filed", f"备案日期 {filed} 晚于开工日期 {started}"))
    for k in DATE_FIELDS:
        d = _d(props, k)
        if d and d > today:
            out.append((k, f"{DATE_ZH[k]}日期 {d} 在今天（{today}）之后，实际日期不能是将来"))
    return out


def move_stage(
    store: GraphStore,
    project: str,
    to: str,
    *,
    by: str = "",
    note: str = "",
    on: date | None = None,
    today: date | None = None,
) -> Node:
    """Move a project to the next stage (one step forward), recording a follow-up.

    Raises
    ------
    InvalidTransition
        Backwards, skipping a stage, an unknown stage, or a stage whose dates are missing.
    """
    p = store.require_node(project, "Project")
    if to not in PROJECT_STAGES:
        raise InvalidTransition(f"未知阶段 {to!r}，可选：{' → '.join(PROJECT_STAGES)}")
    cur = p.props.get("stage")
    i_cur = PROJECT_STAGES.index(cur) if cur in PROJECT_STAGES else -1
    i_to = PROJECT_STAGES.index(to)
    if i_to != i_cur + 1:
        nxt = PROJECT_STAGES[i_cur + 1] if i_cur + 1 < len(PROJECT_STAGES) else "（已是最后阶段）"
        raise InvalidTransition(
            f"项目 {p.name} 当前阶段「{cur or '未设定'}」，只能进入下一阶段「{nxt}」，"
            f"不能进入「{to}」"
        )
    missing = [DATE_ZH[k] for k in STAGE_NEEDS.get(to, ()) if not p.props.get(k)]
    if missing:
        raise InvalidTransition(f"进入「{to}」前须填写{'、'.join(missing)}日期")
    problems = check_dates(p.props, today=today)
    if problems:
        raise InvalidTransition("日期有误：" + "；".join(m for _, m in problems))
    with store.batch() as b:
        b.upsert_nodes([Node(p.id, "Project", {"stage": to})])
        note_ = f"阶段 {cur or '—'} → {to}" + (f"：{note}" if note else "")
        _follow_up(b, p.id, to, on or (today or date.today()), by, note_, _next_seq(store, p.id))
    return store.require_node(p.id)


def add_follow_up(
    store: GraphStore, project: str, note: str, *, by: str = "", on: date | None = None
) -> str:
    """Record a follow-up (一环节一跟进) at the project's current stage; returns its id."""
    p = store.require_node(project, "Project")
    with store.batch() as b:
        fid = _follow_up(
            b,
            p.id,
            str(p.props.get("stage") or ""),
            on or date.today(),
            by,
            note,
            _next_seq(store, p.id),
        )
    return fid


def _next_seq(store: GraphStore, project: str) -> int:
    return len(store.neighbours(project, ["FOLLOWS_UP"], "in")) + 1


def _follow_up(b: Batch, project: str, stage: str, on: date, by: str, note: str, seq: int) -> str:
    fid = f"followup:{project}:{seq:04d}"
    b.upsert_nodes(
        [
            Node(
                fid,
                "FollowUp",
                {
                    "stage": stage or "—",
                    "date": on.isoformat(),
                    "by": by or None,
                    "note": note,
                    "seq": seq,
                },
            )
        ]
    )
    b.upsert_relationships([Relationship(fid, "FOLLOWS_UP", project)])
    return fid


def follow_ups(store: GraphStore, project: str) -> list[dict[str, Any]]:
    if store.get_node(project) is None:
        raise NodeNotFound(project)
    rows = [n.props | {"id": n.id} for _, n in store.neighbours(project, ["FOLLOWS_UP"], "in")]
    return sorted(rows, key=lambda r: (r.get("seq", 0), r["id"]))


# ---- derived lists ---------------------------------------------------------------------------
@dataclass
class ProjectRow:
    id: str
    name: str
    chain: str
    region: str
    stage: str
    investment: float | None
    major: bool
    dates: dict[str, date | None]
    sample: bool = False


def _rows(store: GraphStore) -> list[ProjectRow]:
    out = []
    for p in store.find_nodes("Project"):
        chains = [n.name for _, n in store.neighbours(p.id, ["IN_CHAIN"], "out")]
        region = p.props.get("region") or "、".join(
            n.name for _, n in store.neighbours(p.id, ["LOCATED_IN"], "out")
        )
        out.append(
            ProjectRow(
                p.id,
                p.name,
                "、".join(chains) or "未归链",
                region or "未知",
                str(p.props.get("stage") or ""),
                p.props.get("investment"),
                bool(p.props.get("major")),
                {k: _d(p.props, k) for k in DATE_FIELDS},
                bool(p.props.get("sample")),
            )
        )
    return out


def _in(d: date | None, a: date, b: date) -> bool:
    return d is not None and a <= d <= b


def _by(d: date | None, end: date) -> bool:
    return d is not None and d <= end


def classify(r: ProjectRow, start: date, end: date) -> dict[str, bool]:
    """Which of the six lists and three new lists a project belongs to in the month."""
    d = r.dates
    return {
        "储备": not _by(d["started"], end) and not _by(d["completed"], end),
        "新开工": _in(d["started"], start, end),
        "在建": _by(d["started"], end) and not _by(d["completed"], end),
        "竣工投产": _by(d["completed"], end) and _by(d["producing"], end),
        "重大项目": r.major,
        "新升规": _in(d["above_scale"], start, end),
        "新备案": _in(d["filed"], start, end),
        "新投产": _in(d["producing"], start, end),
    }


def stall_of(r: ProjectRow, end: date, grace: Grace) -> str | None:
    """The stall (五未) a project is in at ``end``, if any: more days than the grace period
    since the last step, and the next step not taken by ``end``."""
    d = r.dates
    steps = [
        ("签约未开工", "signed", "started", grace.sign_to_start),
        ("开工未竣工", "started", "completed", grace.start_to_complete),
        ("竣工未投产", "completed", "producing", grace.complete_to_produce),
        ("投产未上规", "producing", "above_scale", grace.produce_to_above_scale),
        ("上规未达产", "above_scale", "at_capacity", grace.above_scale_to_capacity),
    ]
    for name, a, b, days in steps:
        if _by(d[a], end) and not _by(d[b], end):
            return name if (end - d[a]).days > days else None  # type: ignore[operator]
    return None


def month_lists(store: GraphStore, month: str) -> dict[str, list[ProjectRow]]:
    """The six lists and the three new lists of ``month`` (YYYY-MM), derived from dates."""
    start, end = month_range(month)
    out: dict[str, list[ProjectRow]] = {k: [] for k in (*LISTS, *NEW_LISTS)}
    for r in _rows(store):
        for k, yes in classify(r, start, end).items():
            if yes:
                out[k].append(r)
    return out


def stalls(
    store: GraphStore, month: str, grace: Grace | None = None
) -> dict[str, list[ProjectRow]]:
    """The five stalls at the end of ``month``."""
    _, end = month_range(month)
    grace = grace or Grace()
    out: dict[str, list[ProjectRow]] = {k: [] for k in STALLS}
    for r in _rows(store):
        s = stall_of(r, end, grace)
        if s:
            out[s].append(r)
    return out


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


def _previous(month: str) -> str:
    start, _ = month_range(month)
    last = start - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def monthly_report(store: GraphStore, month: str, grace: Grace | None = None) -> Report:
    """通报晾晒 for ``month``: list sizes, stalls by chain and by district with rankings (fewest
    stalled projects first) and the change from last month, and every stalled project named."""
    grace = grace or Grace()
    prev = _previous(month)
    lists = month_lists(store, month)
    now, before = stalls(store, month, grace), stalls(store, prev, grace)

    def group(key: str) -> list[dict[str, Any]]:
        cur: dict[str, Counter[str]] = {}
        old: dict[str, Counter[str]] = {}
        total: Counter[str] = Counter()
        for r in _rows(store):
            total[getattr(r, key)] += 1
        for src, dst in ((now, cur), (before, old)):
            for s, rows in src.items():
                for r in rows:
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
        for i, x in enumerate(out, 1):
            x["rank"] = i
        return out

    stalled = [
        {
            "stall": s,
            "id": r.id,
            "name": r.name,
            "chain": r.chain,
            "region": r.region,
            "since": str(
                r.dates[
                    {
                        "签约未开工": "signed",
                        "开工未竣工": "started",
                        "竣工未投产": "completed",
                        "投产未上规": "producing",
                        "上规未达产": "above_scale",
                    }[s]
                ]
            ),
            "sample": r.sample,
        }
        for s, rows in now.items()
        for r in rows
    ]
    return Report(
        month,
        prev,
        {k: len(v) for k, v in lists.items()},
        {k: len(v) for k, v in now.items()},
        {k: len(v) for k, v in before.items()},
        group("chain"),
        group("region"),
        stalled,
        grace,
    )
