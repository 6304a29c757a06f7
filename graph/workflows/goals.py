"""招商引资目标 per chain and year — the 目标 of the 四张清单 — and 动态亮晒, a ranking.

Seed 000 §四.二: "明确“1366”、现代农业、文旅招商引资目标、工作、考核、政策“四张清单”，实施动态
亮晒". The 目标 list is the chain's investment-attraction targets for a year, set by the chain's
牵头部门 (or a body above it); it is not seed 001's 2026 output target (规模突破…亿元), which
:mod:`chainatlas.graph.workflows.progress` follows separately. The seed names no measures: the four
measures below are the office's setting, each compared with what the ledger records for the
chain's projects (found by the chain's id, so a chain of one layout never counts another's).

Targets are kept on the chain node as ``invest_target_<year>_<measure>`` (亿元 or 个), with
``invest_target_<year>_by`` saying who set them and when.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from chainatlas.graph.errors import ValidationFailed
from chainatlas.graph.model import AMOUNT_MAX, COUNT_MAX, Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import resolve_chain

__all__ = ["GOALS_BASIS", "GOALS_SEED", "MEASURES", "chain_goals", "goal_ranking", "set_goals"]

#: seed 000 §四.二, word for word
GOALS_SEED = "明确“1366”、现代农业、文旅招商引资目标、工作、考核、政策“四张清单”，实施动态亮晒"
GOALS_BASIS = "本办设置：招商引资目标的四项指标（种子文件未列指标）"


@dataclass(frozen=True)
class Measure:
    """One measure of the investment targets: its key, its Chinese name and unit, and the
    project date (and, for 亿元, the amount) that counts toward it."""

    key: str
    name: str
    unit: str
    date_field: str
    amount: bool = False


MEASURES = (
    Measure("signed", "签约项目", "个", "signed"),
    Measure("investment", "签约总投资", "亿元", "signed", amount=True),
    Measure("started", "新开工项目", "个", "started"),
    Measure("producing", "投产项目", "个", "producing"),
)
_BY_KEY = {m.key: m for m in MEASURES} | {m.name: m for m in MEASURES}


def _prop(year: int, key: str) -> str:
    return f"invest_target_{year}_{key}"


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationFailed(f"年份应在 2000—2100 之间：{year}")


def _value(m: Measure, v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        raise ValidationFailed(f"招商引资目标「{m.name}」应为非负数：{v!r}")
    largest = AMOUNT_MAX if m.amount else COUNT_MAX
    if v > largest:
        raise ValidationFailed(f"招商引资目标「{m.name}」不能大于 {largest}（{m.unit}）：{v!r}")
    return float(v)


def set_goals(
    store: GraphStore, chain: str, year: int, values: dict[str, Any], *, by: str, on: date
) -> dict[str, Any]:
    """Set (a number) or clear (``None``) a chain's targets for ``year``; measures by key or
    Chinese name. Everything is checked before anything is written."""
    _check_year(year)
    ch = resolve_chain(store, chain)
    unknown = [k for k in values if k not in _BY_KEY]
    if unknown or not values:
        names = "、".join(f"{m.key}（{m.name}，{m.unit}）" for m in MEASURES)
        raise ValidationFailed(f"未知的目标指标 {'、'.join(unknown) or '（无）'}；可选：{names}")
    props: dict[str, Any] = {
        _prop(year, _BY_KEY[k].key): _value(_BY_KEY[k], v) for k, v in values.items()
    }
    props[_prop(year, "by")] = f"{by}，{on.isoformat()}"
    store.upsert_nodes([Node(ch.id, "Chain", props)])
    return chain_goals(store, ch.id, year)


def _projects(store: GraphStore, chain_id: str) -> list[Node]:
    return [n for _, n in store.neighbours(chain_id, ["IN_CHAIN"], "in") if n.label == "Project"]


def _actual(projects: list[Node], m: Measure, year: int) -> float:
    mine = [p for p in projects if str(p.props.get(m.date_field) or "").startswith(f"{year}-")]
    if m.amount:
        return round(sum(float(p.props.get("investment") or 0) for p in mine), 2)
    return float(len(mine))


def chain_goals(store: GraphStore, chain: str, year: int) -> dict[str, Any]:
    """A chain's investment targets for ``year`` with what its projects achieved (by the
    chain's id), each measure's completion rate and their mean (``None`` without targets)."""
    _check_year(year)
    ch = resolve_chain(store, chain)
    projects = _projects(store, ch.id)
    items = []
    for m in MEASURES:
        target = ch.props.get(_prop(year, m.key))
        actual = _actual(projects, m, year)
        rate = round(actual / target, 4) if target else None
        items.append(
            {"measure": m.key, "name": m.name, "unit": m.unit, "target": target}
            | {"actual": actual, "rate": rate}
        )
    rates = [float(i["rate"]) for i in items if i["rate"] is not None]
    return {
        "chain": ch.id,
        "name": ch.name,
        "layout": ch.props.get("layout"),
        "year": year,
        "items": items,
        "completion": round(sum(rates) / len(rates), 4) if rates else None,
        "set_by": ch.props.get(_prop(year, "by")),
        "basis": GOALS_BASIS,
        "seed_text": GOALS_SEED,
    }


def goal_ranking(store: GraphStore, year: int, layout: str = "1366") -> list[dict[str, Any]]:
    """动态亮晒: the chains of a layout ranked by the mean completion of their targets for
    ``year``; chains without targets come last, unranked (``rank`` None, 未设目标)."""
    _check_year(year)
    chains = [c for c in store.find_nodes("Chain") if c.props.get("layout") == layout]
    if not chains:
        known = sorted({str(c.props.get("layout")) for c in store.find_nodes("Chain")})
        raise ValidationFailed(f"未知布局 {layout!r}；可选：{'、'.join(known)}")
    rows = [chain_goals(store, c.id, year) for c in chains]
    rows.sort(key=lambda r: (r["completion"] is None, -(r["completion"] or 0), r["chain"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i if r["completion"] is not None else None
        r["note"] = "" if r["completion"] is not None else "未设目标"
    return rows
