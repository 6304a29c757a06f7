"""A project's date rules (一本账): the dates along its life go in order, a stage has the dates it
needs, and an actual date is never in the future.

The rules are pure (dates in, problems out) and live at the top of ``graph/`` because every
way a project is written applies them alike: the ledger's stage moves
(:mod:`chainatlas.graph.workflows.ledger`), the records API and its forms, and the officer
template's import (:mod:`chainatlas.graph.io.templates`), which may not use the workflows.
Each problem is ``(field, reason)``: the date field to fix and a Chinese reason an officer
reads as it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chainatlas.graph.model import PROJECT_STAGES

__all__ = [
    "DATE_FIELDS",
    "DATE_ZH",
    "ORDER",
    "STAGE_NEEDS",
    "check_dates",
    "day",
    "needs_up_to",
    "write_problems",
]

DATE_FIELDS = (
    "signed",
    "filed",
    "land_date",
    "started",
    "completed",
    "producing",
    "above_scale",
    "at_capacity",
)
DATE_ZH = {
    "signed": "签约",
    "filed": "备案",
    "land_date": "拿地",
    "started": "开工",
    "completed": "竣工",
    "producing": "投产",
    "above_scale": "上规",
    "at_capacity": "达产",
}
#: dates that must not decrease along a project's life
ORDER = ("signed", "started", "completed", "producing", "above_scale", "at_capacity")
#: what a stage needs recorded before a project may enter it
STAGE_NEEDS = {"落地开工": ("signed", "started"), "投产达效": ("completed", "producing")}


def day(props: dict[str, Any], key: str) -> date | None:
    """The date ``props[key]`` holds (``YYYY-MM-DD`` text, as stored), or None."""
    v = props.get(key)
    return date.fromisoformat(v) if isinstance(v, str) and v else None


def check_dates(props: dict[str, Any], *, today: date | None = None) -> list[tuple[str, str]]:
    """Problems with a project's dates: order along the life cycle, filing before start,
    actual dates in the future. Empty when the dates are possible."""
    out = []
    today = today or date.today()
    seen: list[tuple[str, date]] = []
    for k in ORDER:
        d = day(props, k)
        if d is None:
            continue
        for pk, pd_ in seen:
            if d < pd_:
                out.append((k, f"{DATE_ZH[k]}日期 {d} 早于{DATE_ZH[pk]}日期 {pd_}"))
                break
        seen.append((k, d))
    filed, started = day(props, "filed"), day(props, "started")
    if filed and started and filed > started:
        out.append(("filed", f"备案日期 {filed} 晚于开工日期 {started}"))
    land = day(props, "land_date")
    if land and started and land > started:
        out.append(("land_date", f"拿地日期 {land} 晚于开工日期 {started}"))
    for k in DATE_FIELDS:
        d = day(props, k)
        if d and d > today:
            out.append((k, f"{DATE_ZH[k]}日期 {d} 在今天（{today}）之后，实际日期不能是将来"))
    return out


def needs_up_to(stage: object) -> list[str]:
    """The dates a project at ``stage`` has: those each stage up to it needs (a project at
    投产达效 has come through 落地开工, so it needs 签约、开工、竣工、投产)."""
    if stage not in PROJECT_STAGES:
        return []
    upto = PROJECT_STAGES[: PROJECT_STAGES.index(stage) + 1]
    return [k for s in upto for k in STAGE_NEEDS.get(s, ())]


def write_problems(
    stored: dict[str, Any] | None, props: dict[str, Any], *, today: date | None = None
) -> list[tuple[str, str]]:
    """The date problems a write of ``props`` over a project ``stored`` (None: a new one)
    brings in: the stage's missing dates (:func:`needs_up_to`), then :func:`check_dates` on
    the project as it will be (``stored`` merged with ``props``).

    Only what the write brings in counts: a problem the stored project already had and the
    write leaves as it is does not block it, so a project kept before these rules stays
    editable; a missing date counts when the write names that date or changes the stage."""
    stored = stored or {}
    after = {**stored, **props}
    missing = [k for k in needs_up_to(after.get("stage")) if not after.get(k)]
    if stored:
        missing = [k for k in missing if k in props or after.get("stage") != stored.get("stage")]
    stage = after.get("stage")
    out = [(k, f"阶段「{stage}」须填写{DATE_ZH[k]}日期") for k in missing]
    old = set(check_dates(stored, today=today)) if stored else set()
    return out + [p for p in check_dates(after, today=today) if p not in old]
