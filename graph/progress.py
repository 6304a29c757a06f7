"""Per chain: the 十个一 checklist, the four lists (四张清单), and progress toward seed 001's
2026 targets and the 3566 goal, computed from the graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chainatlas.graph.ledger import Grace, month_lists, stalls
from chainatlas.graph.maps import resolve_chain
from chainatlas.graph.settings import HOME_AREA, is_local
from chainatlas.graph.store import GraphStore

__all__ = ["ChecklistItem", "checklist", "four_lists", "progress"]


@dataclass
class ChecklistItem:
    item: str
    present: bool
    detail: str


def _segments_under(store: GraphStore, chain: str) -> set[str]:
    out: set[str] = set()
    todo = [n.id for _, n in store.neighbours(chain, ["HAS_SEGMENT"], "out")]
    while todo:
        s = todo.pop()
        if s not in out:
            out.add(s)
            todo.extend(n.id for _, n in store.neighbours(s, ["SUBSEGMENT_OF"], "in"))
    return out


def checklist(store: GraphStore, chain: str) -> list[ChecklistItem]:
    """十个一 (seed 000 §四.一): what the graph has for the chain and what it still lacks."""
    ch = resolve_chain(store, chain)
    p = ch.props
    serving = [n for _, n in store.neighbours(ch.id, ["SERVES"], "in")]
    segs = _segments_under(store, ch.id)
    for s in segs:
        serving += [n for _, n in store.neighbours(s, ["SERVES"], "in")]
    platforms = sorted({n.name for n in serving if n.label == "Platform"})
    funds = sorted({n.name for n in serving if n.label == "Fund"})
    masters = [n.name for _, n in store.neighbours(ch.id, ["CHAIN_MASTER_OF"], "in")]
    projects = [
        n.name for _, n in store.neighbours(ch.id, ["IN_CHAIN"], "in") if n.label == "Project"
    ]

    def one(name: str, value: Any, what: str) -> ChecklistItem:
        return ChecklistItem(name, bool(value), str(value) if value else f"缺：{what}")

    def many(name: str, values: list[str], what: str) -> ChecklistItem:
        return ChecklistItem(
            name,
            bool(values),
            f"{len(values)} 个：{'、'.join(values[:5])}{' 等' if len(values) > 5 else ''}"
            if values
            else f"缺：{what}",
        )

    return [
        one("一名市领导领衔", p.get("leader"), "链长（市领导）"),
        one("一个部门牵头", p.get("lead_department"), "牵头单位"),
        one("一个行动方案", p.get("action_plan"), "一链一策行动方案"),
        many("一个基金配套", funds, "配套产业基金"),
        one("一支招商队伍", p.get("investment_team"), "招商队伍"),
        many("一批链创平台", platforms, "创新联合体、中试平台、概念验证中心"),
        many("一批链主企业", masters, "链主企业"),
        one("一个专家智库", p.get("think_tank"), "专家智库"),
        many("一批项目清单", projects, "项目"),
        many("一批应用场景", list(p.get("scenarios", [])), "应用场景"),
    ]


def _local_output(store: GraphStore, chain: str, home: tuple[str, ...]) -> tuple[float, int]:
    firms: dict[str, float] = {}
    for s in _segments_under(store, chain):
        for _, f in store.neighbours(s, ["OPERATES_IN"], "in"):
            if is_local(f.props.get("region"), home):
                firms[f.id] = float(f.props.get("output") or 0)
    return round(sum(firms.values()), 2), len(firms)


def progress(store: GraphStore, *, home_area: tuple[str, ...] = HOME_AREA) -> dict[str, Any]:
    """Each chain with a 2026 target (its own, or inherited through the lineage): local output
    now (sum of the output of local firms operating in its segments — a firm counted once per
    chain), the share of the target, and the 3566 goal (3 chains ≥ 1000 亿, 5 ≥ 100 亿, total
    ≥ 6000 亿) on the eight-2.0 chains."""
    rows: list[dict[str, Any]] = []
    for ch in sorted(
        store.find_nodes("Chain"),
        key=lambda n: (n.props.get("layout", ""), n.props.get("order", 0)),
    ):
        target = ch.props.get("target_2026")
        basis = "本链目标" if target is not None else "未设目标"
        if target is None:
            prev = [
                n
                for _, n in store.neighbours(ch.id, ["EVOLVED_INTO"], "in")
                if n.props.get("target_2026") is not None
            ]
            full = [
                n
                for r, n in store.neighbours(ch.id, ["EVOLVED_INTO"], "in")
                if not r.props.get("partial") and n.props.get("target_2026") is not None
            ]
            if full:
                target, basis = full[0].props["target_2026"], f"承接「{full[0].name}」的目标"
            elif prev:
                basis = "仅部分承接，未设目标"
        output, n = _local_output(store, ch.id, home_area)
        rows.append(
            {
                "chain": ch.id,
                "name": ch.name,
                "layout": ch.props.get("layout"),
                "target_2026": target,
                "target_basis": basis,
                "output": output,
                "firms": n,
                "share": round(output / target, 4) if target else None,
            }
        )
    e2 = [float(r["output"]) for r in rows if r["layout"] == "eight-2.0"]
    goal = {
        "chains_over_1000": sum(1 for x in e2 if x >= 1000),
        "chains_over_100": sum(1 for x in e2 if x >= 100),
        "total": round(sum(e2), 2),
        "goal": "3 条千亿级、5 条百亿级、合计突破 6000 亿元",
    }
    return {"chains": rows, "goal_3566": goal}


def four_lists(
    store: GraphStore, chain: str, month: str, grace: Grace | None = None
) -> dict[str, Any]:
    """四张清单 of a chain for a month: targets, work, assessment, policy."""
    ch = resolve_chain(store, chain)
    prog = next(r for r in progress(store)["chains"] if r["chain"] == ch.id)
    lists = month_lists(store, month)
    st = stalls(store, month, grace)
    mine = {k: [r.name for r in v if ch.name in r.chain.split("、")] for k, v in lists.items()}
    stalled = {k: [r.name for r in v if ch.name in r.chain.split("、")] for k, v in st.items()}
    problems = [n for _, n in store.neighbours(ch.id, ["IN_CHAIN"], "in") if n.label == "Problem"]
    policy = [n.name for _, n in store.neighbours(ch.id, ["SERVES"], "in") if n.label == "Fund"]
    return {
        "chain": ch.id,
        "name": ch.name,
        "month": month,
        "targets": {
            "2026": prog["target_2026"],
            "basis": prog["target_basis"],
            "output_now": prog["output"],
            "share": prog["share"],
        },
        "work": {
            "new_started": mine["新开工"],
            "under_construction": mine["在建"],
            "reserve": mine["储备"],
            "open_problems": [
                p.props["title"] for p in problems if p.props.get("status") != "办结"
            ],
        },
        "assessment": {"stalls": stalled, "stalled": sum(len(v) for v in stalled.values())},
        "policy": {"funds": policy},
    }
