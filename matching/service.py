"""What the CLI and the API call: target lists and gap reports in json/xlsx, and the target
function the investment-attraction map uses."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pandas as pd

from chainatlas.graph.errors import NodeNotFound
from chainatlas.graph.maps import Target, Thresholds, resolve_chain
from chainatlas.graph.settings import HOME_AREA
from chainatlas.graph.store import GraphStore
from chainatlas.matching.gaps import ChainGaps, gaps
from chainatlas.matching.targets import RankedTarget, TargetIndex, resolve_segment
from chainatlas.viz.tables import xlsx_bytes

__all__ = ["gaps_report", "map_target_fn", "segment_in_chain", "targets_for", "targets_report"]


def segment_in_chain(store: GraphStore, segment: str, chain: str) -> bool:
    """True when ``segment`` is one of the chain's segments or below one (SUBSEGMENT_OF)."""
    ch = resolve_chain(store, chain)
    todo = [n.id for _, n in store.neighbours(ch.id, ["HAS_SEGMENT"], "out")]
    seen = set(todo)
    while todo:
        s = todo.pop()
        if s == segment:
            return True
        for _, c in store.neighbours(s, ["SUBSEGMENT_OF"], "in"):
            if c.id not in seen:
                seen.add(c.id)
                todo.append(c.id)
    return False


def targets_for(
    store: GraphStore,
    index: TargetIndex,
    segment: str,
    *,
    chain: str | None = None,
    top: int = 20,
    inferred_only: bool = False,
) -> dict[str, Any]:
    """``{"segment", "name", "chain", "targets": [...]}`` for one segment (id or name)."""
    sid = resolve_segment(store, segment)
    if chain is not None and not segment_in_chain(store, sid, chain):
        raise NodeNotFound(f"{segment}（不在产业链 {chain} 中）")
    ranked = index.rank(sid, top=top, inferred_only=inferred_only)
    node = store.get_node(sid)
    return {
        "segment": sid,
        "name": node.name if node else sid,
        "chain": resolve_chain(store, chain).id if chain else None,
        "targets": [
            {
                "firm": t.firm,
                "name": t.name,
                "region": t.region,
                "score": t.score,
                "known": t.known,
                "reasons": t.reasons,
            }
            for t in ranked
        ],
    }


def targets_report(results: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(
            results[0] if len(results) == 1 else results, ensure_ascii=False, indent=2
        ).encode("utf-8")
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results).encode("utf-8")
    rows = [
        {
            "环节": r["name"],
            "环节编号": r["segment"],
            "排名": i,
            "目标企业": t["name"],
            "企业编号": t["firm"],
            "所在地": t["region"],
            "得分": t["score"],
            "类型": "已记录" if t["known"] else "推断",
            "理由": "；".join(t["reasons"]),
        }
        for r in results
        for i, t in enumerate(r["targets"], 1)
    ]
    return xlsx_bytes({"招商目标": pd.DataFrame(rows)})


def gaps_report(
    store: GraphStore,
    chain: str,
    fmt: str,
    *,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
) -> tuple[ChainGaps, bytes]:
    g = gaps(store, chain, thresholds=thresholds, home_area=home_area)
    if fmt == "json":
        return g, json.dumps(dataclasses.asdict(g), ensure_ascii=False, indent=2).encode("utf-8")

    def rows(items: list[Any]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "环节": x.name,
                    "环节编号": x.segment,
                    "位置": x.stage,
                    "类型": x.kind,
                    "本地企业数": x.local_firms,
                    "全国企业数": x.national_firms,
                    "本地产值（亿元）": x.local_output,
                    "区位熵（企业数）": x.lq_count,
                    "区位熵（产值）": x.lq_output,
                    "下游依赖环节数": x.dependents,
                    "依赖的本地链主数": x.masters_depending,
                    "优先级": x.priority,
                    "依据": "；".join(x.reasons),
                }
                for x in items
            ]
        )

    return g, xlsx_bytes({"缺链强链": rows(g.segments), "延链候选": rows(g.extensions)})


def map_target_fn(index: TargetIndex):  # type: ignore[no-untyped-def]
    """A target function for :func:`chainatlas.graph.maps.attraction_map` backed by the ranking."""

    def pick(store: GraphStore, segment: str, chain: str, top: int) -> list[Target]:
        if segment not in index.sidx:
            return []
        return [_as_target(t) for t in index.rank(segment, top=top)]

    return pick


def _as_target(t: RankedTarget) -> Target:
    return Target(t.firm, t.name, t.region, t.score, t.known, t.reasons)
