"""The one ledger (一本账): project files, stage transitions, follow-ups, the six lists, the three
new lists, the five stalls (五未) and the monthly report (通报晾晒), all derived from dates.

Seed 000 names the states (签约未开工 …) and asks for 拿地即开工, but gives no day counts: how
long a project may stay in a state before it is a stall, how many days after 拿地 still count as
拿地即开工, and how long a problem may take are the office's settings (:class:`Grace`, the
``CHAINATLAS_*`` settings), and every report names the values it used as 本办设置.

The date rules a stage move applies (dates in order, a stage's dates, no future dates) are
:mod:`chainatlas.graph.project_dates`, shared with the records API and the template import;
they are imported here under their old names.
"""

from __future__ import annotations

import calendar
import re
import statistics
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from chainatlas.graph.errors import ChainAtlasError, NodeNotFound, ValidationFailed
from chainatlas.graph.model import PROJECT_STAGES, Node, Relationship
from chainatlas.graph.project_dates import DATE_FIELDS, DATE_ZH, STAGE_NEEDS, check_dates
from chainatlas.graph.project_dates import day as _d
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import Batch, GraphStore

__all__ = [
    "DATE_FIELDS",
    "DATE_ZH",
    "LAND_TO_START",
    "LAND_TO_START_SOURCE",
    "LISTS",
    "MONTH_PATTERN",
    "NEW_LISTS",
    "STAGE_NEEDS",
    "STALLS",
    "InvalidTransition",
    "add_follow_up",
    "check_dates",
    "follow_ups",
    "land_to_start",
    "month_lists",
    "month_range",
    "move_stage",
    "office_settings",
    "project_row",
    "record_land",
    "stalls",
]

LISTS = ("储备", "新开工", "在建", "竣工投产", "重大项目", "新升规")
NEW_LISTS = ("新备案", "新开工", "新投产")
STALLS = ("签约未开工", "开工未竣工", "竣工未投产", "投产未上规", "上规未达产")
#: seed 000 §三（二）, word for word: what the land-to-start figures measure
LAND_TO_START = "拿地即开工"
LAND_TO_START_SOURCE = "加快实现“拿地即发证”“拿地即开工”"
#: the longest follow-up note, in characters
NOTE_MAX = 2000


class InvalidTransition(ChainAtlasError):
    """A stage change the ledger does not allow."""


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

    The check and the move are one serialized write (:meth:`GraphStore.serialized`): of two
    moves at once the second is checked against the stage the first moved to, and the move's
    follow-up is numbered after every follow-up stored before it.

    Raises
    ------
    InvalidTransition
        Backwards, skipping a stage, an unknown stage, or a stage whose dates are missing.
    """
    with store.serialized() as b:
        cur = _check_move(store.require_node(project, "Project"), to, today)
        b.upsert_nodes([Node(project, "Project", {"stage": to})])
        note_ = f"阶段 {cur or '—'} → {to}" + (f"：{note}" if note else "")
        _follow_up(
            b, project, to, on or (today or date.today()), by, note_, _next_seq(store, project)
        )
    return store.require_node(project)


def _check_move(p: Node, to: str, today: date | None) -> str | None:
    """Refuse a move of ``p`` to ``to`` that the ledger does not allow; the stage it leaves."""
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
    return str(cur) if cur else None


def add_follow_up(
    store: GraphStore,
    project: str,
    note: str,
    *,
    by: str = "",
    on: date | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Record a follow-up (一环节一跟进) at the project's current stage, at any time — not only
    with a stage move. Returns the follow-up as :func:`follow_ups` lists it.

    Raises
    ------
    NodeNotFound
        No such project.
    ValidationFailed
        An empty or over-long note, or a date in the future.
    """
    with store.serialized() as b:  # the number is counted and taken in one write
        p = store.require_node(project, "Project")
        on = _past_or_today(on, today, "跟进日期")
        if not note.strip():
            raise ValidationFailed("跟进内容不能为空")
        if len(note) > NOTE_MAX:
            raise ValidationFailed(f"跟进内容不能超过 {NOTE_MAX} 个字符（现有 {len(note)} 个）")
        stage = str(p.props.get("stage") or "")
        fid = _follow_up(b, p.id, stage, on, by, note, _next_seq(store, p.id))
    return store.require_node(fid).props | {"id": fid}


def record_land(
    store: GraphStore,
    project: str,
    on: date,
    *,
    by: str = "",
    note: str = "",
    today: date | None = None,
) -> Node:
    """拿地: record the day the project got its land (``land_date``), with a follow-up, so that
    拿地即开工 can be measured (:func:`land_to_start`). Recording it again corrects it.

    Raises
    ------
    InvalidTransition
        A date in the future, or after the project's start (开工).
    """
    with store.serialized() as b:  # checked against the dates it is written beside
        p = store.require_node(project, "Project")
        _past_or_today(on, today, "拿地日期")
        dates = p.props | {"land_date": on.isoformat()}
        problems = [m for k, m in check_dates(dates, today=today) if k == "land_date"]
        if problems:
            raise InvalidTransition("日期有误：" + "；".join(problems))
        old = p.props.get("land_date")
        what = f"拿地 {on}" if not old else f"拿地日期由 {old} 更正为 {on}"
        b.upsert_nodes([Node(p.id, "Project", {"land_date": on.isoformat()})])
        note_ = what + (f"：{note}" if note else "")
        stage = str(p.props.get("stage") or "")
        _follow_up(b, p.id, stage, today or date.today(), by, note_, _next_seq(store, p.id))
    return store.require_node(p.id)


def _past_or_today(on: date | None, today: date | None, what: str) -> date:
    today = today or date.today()
    if on is not None and on > today:
        raise ValidationFailed(f"{what} {on} 在今天（{today}）之后，实际日期不能是将来")
    return on or today


def _next_seq(store: GraphStore, project: str) -> int:
    seq = len(store.neighbours(project, ["FOLLOWS_UP"], "in")) + 1
    while store.get_node(_follow_up_id(project, seq)) is not None:  # one was deleted
        seq += 1
    return seq


def _follow_up_id(project: str, seq: int) -> str:
    return f"followup:{project}:{seq:04d}"


def _follow_up(b: Batch, project: str, stage: str, on: date, by: str, note: str, seq: int) -> str:
    fid = f"followup:{project}:{seq:04d}"
    b.create_nodes(  # never over another follow-up
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
    """A project's follow-ups, oldest first (each with its ``id``)."""
    if store.get_node(project) is None:
        raise NodeNotFound(project, "项目")
    rows = [n.props | {"id": n.id} for _, n in store.neighbours(project, ["FOLLOWS_UP"], "in")]
    return sorted(rows, key=lambda r: (r.get("seq", 0), r["id"]))


# ---- derived lists ---------------------------------------------------------------------------
#: how a project without a responsible unit is shown
NO_UNIT = "未填写责任单位"


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
    responsible_unit: str = NO_UNIT


def project_row(store: GraphStore, p: Node) -> ProjectRow:
    """One project as the lists and reports show it."""
    chains = [n.name for _, n in store.neighbours(p.id, ["IN_CHAIN"], "out")]
    region = p.props.get("region") or "、".join(
        n.name for _, n in store.neighbours(p.id, ["LOCATED_IN"], "out")
    )
    return ProjectRow(
        p.id,
        p.name,
        "、".join(chains) or "未归链",
        region or "未知",
        str(p.props.get("stage") or ""),
        p.props.get("investment"),
        bool(p.props.get("major")),
        {k: _d(p.props, k) for k in DATE_FIELDS},
        bool(p.props.get("sample")),
        str(p.props.get("responsible_unit") or NO_UNIT),
    )


def _rows(store: GraphStore) -> list[ProjectRow]:
    return [project_row(store, p) for p in store.find_nodes("Project")]


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
    return _lists(_rows(store), *month_range(month))


def _lists(rows: list[ProjectRow], start: date, end: date) -> dict[str, list[ProjectRow]]:
    out: dict[str, list[ProjectRow]] = {k: [] for k in (*LISTS, *NEW_LISTS)}
    for r in rows:
        for k, yes in classify(r, start, end).items():
            if yes:
                out[k].append(r)
    return out


def stalls(
    store: GraphStore, month: str, grace: Grace | None = None
) -> dict[str, list[ProjectRow]]:
    """The five stalls at the end of ``month``."""
    return _stalls(_rows(store), month_range(month)[1], grace or Grace())


def _stalls(rows: list[ProjectRow], end: date, grace: Grace) -> dict[str, list[ProjectRow]]:
    out: dict[str, list[ProjectRow]] = {k: [] for k in STALLS}
    for r in rows:
        s = stall_of(r, end, grace)
        if s:
            out[s].append(r)
    return out


#: the date each stall is counted from
STALL_SINCE = {
    "签约未开工": "signed",
    "开工未竣工": "started",
    "竣工未投产": "completed",
    "投产未上规": "producing",
    "上规未达产": "above_scale",
}


# ---- 拿地即开工 ---------------------------------------------------------------------------------
def land_days(r: ProjectRow) -> int | None:
    """Days from 拿地 to 开工 (0: started the day it got its land); None without both dates."""
    land, start = r.dates["land_date"], r.dates["started"]
    return (start - land).days if land and start else None


def land_to_start(rows: list[ProjectRow], within_days: int = 0) -> dict[str, Any]:
    """拿地即开工 over started projects ``rows``: how many have a 拿地 date, how many of those
    started within ``within_days`` of it (the office's setting; 0 = the same day), and the
    median days from 拿地 to 开工."""
    days = [d for r in rows if (d := land_days(r)) is not None]
    return {
        "started": len(rows),
        "with_land_date": len(days),
        "within": sum(1 for d in days if d <= within_days),
        "median_days": statistics.median(days) if days else None,
    }


# ---- the office's settings ----------------------------------------------------------------------
#: what a report says about the values it used: none of them is in the seeds
OFFICE = "本办设置"


def office_settings(
    grace: Grace, due_days: dict[str, int] | None = None, land_to_start_days: int | None = None
) -> list[dict[str, Any]]:
    """The office's settings a report used, each with its value, unit and the environment
    variable that sets it, labelled :data:`OFFICE` (the seeds give none of these numbers)."""
    rows = [
        (f"{name}宽限期", getattr(grace, key), f"GRACE_{key.upper()}")
        for name, key in zip(STALLS, _GRACE_KEYS, strict=True)
    ]
    if due_days is not None:
        rows += [
            (f"{level}问题办理时限", days, f"PROBLEM_DAYS_{_LEVEL_KEYS[level]}")
            for level, days in due_days.items()
        ]
    if land_to_start_days is not None:
        rows.append(
            (f"{LAND_TO_START}：拿地后开工天数上限", land_to_start_days, "LAND_TO_START_DAYS")
        )
    return [
        {"name": n, "value": v, "unit": "天", "setting": f"CHAINATLAS_{env}", "basis": OFFICE}
        for n, v, env in rows
    ]


_GRACE_KEYS = tuple(f.name for f in fields(Grace))
_LEVEL_KEYS = {"一般": "GENERAL", "重大": "MAJOR", "特别重大": "CRITICAL"}
