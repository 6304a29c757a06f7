"""Per chain: the 十个一 checklist, the four lists (四张清单), and progress toward seed 001's
2026 targets and the 3566 goal, computed from the graph.

The 3566 goal is seed 001's sentence (:data:`GOAL_3566`), read as it says: 千亿级 chains have at
least 1000 亿元 of output, 百亿级 chains at least 100 and less than 1000 (a 千亿 chain is not also
a 百亿 one); the eight chains' total counts each local firm once, even when it works in two
chains; the share of 规上工业总产值 needs a denominator the seed does not give, so it is the
office's setting (``CHAINATLAS_INDUSTRIAL_OUTPUT``) and shown as such. Seed 001's own chain
targets add up to less than its 6000 亿元 total; the answer says so, with both numbers.
"""

from __future__ import annotations

from typing import Any

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import Node
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.checklist import ChecklistItem, checklist  # 十个一, re-exported
from chainatlas.graph.workflows.ledger import month_lists, stalls
from chainatlas.graph.workflows.maps import resolve_chain

__all__ = ["GOAL_3566", "ChecklistItem", "checklist", "four_lists", "progress"]

#: seed 001 §一, word for word
GOAL_3566 = (
    "形成千亿级产业3个、百亿级产业5个，八大新兴产业链产值突破6000亿元，占规上工业总产值60%以上"
)
#: the figures of :data:`GOAL_3566`
THOUSAND, HUNDRED, GOAL_CHAINS_1000, GOAL_CHAINS_100, GOAL_TOTAL, GOAL_SHARE = (
    1000,
    100,
    3,
    5,
    6000,
    0.6,
)


def _segments_under(store: GraphStore, chain: str) -> set[str]:
    out: set[str] = set()
    todo = [n.id for _, n in store.neighbours(chain, ["HAS_SEGMENT"], "out")]
    while todo:
        s = todo.pop()
        if s not in out:
            out.add(s)
            todo.extend(n.id for _, n in store.neighbours(s, ["SUBSEGMENT_OF"], "in"))
    return out


def _local_firms(store: GraphStore, chain: str, home: tuple[str, ...]) -> dict[str, float]:
    """The local firms operating in the chain's segments, each once, with its output."""
    firms: dict[str, float] = {}
    for s in _segments_under(store, chain):
        for _, f in store.neighbours(s, ["OPERATES_IN"], "in"):
            if is_local(f.props.get("region"), home):
                firms[f.id] = float(f.props.get("output") or 0)
    return firms


def _target(store: GraphStore, ch: Node) -> tuple[float | None, str, str | None]:
    """A chain's 2026 target, how it is known, and the chain it is inherited from (None when
    it is the chain's own seed figure). Seed 001 sets targets for the eight-2.0 chains only; a
    1366 chain inherits one through a full lineage edge, and says so: it is never shown as the
    chain's own figure."""
    own = ch.props.get("target_2026")
    if own is not None:
        return own, "本链目标（种子文件 001）", None
    prev = [
        (r, n)
        for r, n in store.neighbours(ch.id, ["EVOLVED_INTO"], "in")
        if n.props.get("target_2026") is not None
    ]
    full = [(r, n) for r, n in prev if not r.props.get("partial")]
    if full:
        r, n = full[0]
        how = "推断" if str(r.props.get("basis", "")).startswith("推断") else "继承"
        return (
            n.props["target_2026"],
            f"{how}：承接「{n.name}」的 2026 年目标，非本链种子目标",
            n.id,
        )
    if prev:
        return None, "仅部分承接，未设目标", None
    return None, "未设目标", None


def progress(
    store: GraphStore,
    *,
    home_area: tuple[str, ...] = HOME_AREA,
    industrial_output: float | None = None,
) -> dict[str, Any]:
    """Each chain with a 2026 target (its own, or inherited through the lineage): local output
    now (sum of the output of local firms operating in its segments — a firm counted once per
    chain), the share of the target, and the 3566 goal on the eight-2.0 chains (see the module
    docstring; ``industrial_output`` is the office's 规上工业总产值 in 亿元, or None)."""
    rows: list[dict[str, Any]] = []
    eight: dict[str, float] = {}  # the eight chains' local firms, each once
    for ch in sorted(
        store.find_nodes("Chain"),
        key=lambda n: (n.props.get("layout", ""), n.props.get("order", 0)),
    ):
        target, basis, source = _target(store, ch)
        firms = _local_firms(store, ch.id, home_area)
        output, n = round(sum(firms.values()), 2), len(firms)
        if ch.props.get("layout") == "eight-2.0":
            eight.update(firms)
        rows.append(
            {
                "chain": ch.id,
                "name": ch.name,
                "layout": ch.props.get("layout"),
                "target_2026": target,
                "target_basis": basis,
                "target_inherited": source is not None,
                "target_from": source,
                "output": output,
                "firms": n,
                "share": round(output / target, 4) if target else None,
            }
        )
    e2 = [r for r in rows if r["layout"] == "eight-2.0"]
    return {"chains": rows, "goal_3566": _goal(e2, eight, industrial_output)}


def _goal(
    e2: list[dict[str, Any]], firms: dict[str, float], industrial_output: float | None
) -> dict[str, Any]:
    outputs = [float(r["output"]) for r in e2]
    total = round(sum(firms.values()), 2)
    targets = sum(
        float(r["target_2026"]) for r in e2 if r["target_2026"] is not None and not r["target_from"]
    )
    share = round(total / industrial_output, 4) if industrial_output else None
    return {
        "seed_text": GOAL_3566,
        "goal": (
            f"{GOAL_CHAINS_1000} 条千亿级、{GOAL_CHAINS_100} 条百亿级、合计突破 {GOAL_TOTAL} 亿元、"
            f"占规上工业总产值 {GOAL_SHARE:.0%} 以上"
        ),
        "chains_1000": sum(1 for x in outputs if x >= THOUSAND),
        "chains_100": sum(1 for x in outputs if HUNDRED <= x < THOUSAND),
        "total": total,
        "total_basis": "八条链本地企业产值合计，一家企业在多条链中只计一次",
        "industrial_output": industrial_output,
        # officers' words only: the variable (CHAINATLAS_INDUSTRIAL_OUTPUT) is the README's
        "industrial_output_basis": (
            "本办设置（规上工业总产值，亿元；种子文件未给出）"
            if industrial_output
            else "未设置（规上工业总产值为本办设置）：不计算占比"
        ),
        "share_of_industrial_output": share,
        "chain_targets_sum": round(targets, 2),
        "chain_targets_note": (
            f"种子文件 001 中八条链各自的 2026 年目标合计 {targets:g} 亿元，"
            f"{'低于' if targets < GOAL_TOTAL else '不低于'}总目标 {GOAL_TOTAL} 亿元"
        ),
    }


def four_lists(
    store: GraphStore, chain: str, month: str, grace: Grace | None = None
) -> dict[str, Any]:
    """四张清单 of a chain for a month (seed 000 §四.二): 目标 — the chain's 招商引资目标 for
    the month's year (:mod:`chainatlas.graph.workflows.goals`), with seed 001's 2026 output target
    beside it, labelled when inherited; 工作 — its projects on this month's lists and its open
    problems; 考核 — its 五未 projects; 政策 — the funds that serve it. Projects and problems are
    the chain's by id, so a chain never shows another layout's projects."""
    from chainatlas.graph.workflows.goals import chain_goals

    ch = resolve_chain(store, chain)
    prog = next(r for r in progress(store)["chains"] if r["chain"] == ch.id)
    ids = {n.id for _, n in store.neighbours(ch.id, ["IN_CHAIN"], "in") if n.label == "Project"}
    mine = {k: [r.name for r in v if r.id in ids] for k, v in month_lists(store, month).items()}
    st = stalls(store, month, grace)
    stalled = {k: [r.name for r in v if r.id in ids] for k, v in st.items()}
    problems = [n for _, n in store.neighbours(ch.id, ["IN_CHAIN"], "in") if n.label == "Problem"]
    policy = [n.name for _, n in store.neighbours(ch.id, ["SERVES"], "in") if n.label == "Fund"]
    return {
        "chain": ch.id,
        "name": ch.name,
        "layout": ch.props.get("layout"),
        "month": month,
        "targets": {
            "investment": chain_goals(store, ch.id, int(month[:4])),
            "2026": prog["target_2026"],
            "basis": prog["target_basis"],
            "inherited": prog["target_inherited"],
            "inherited_from": prog["target_from"],
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
