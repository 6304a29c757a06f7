"""Target lists, gap reports and element-matching results as the files users take away
(json, json lines, xlsx).

Rendering only: the figures come from :mod:`chainatlas.matching` (dependencies point down:
matching never renders). pandas is imported when a workbook is written, not before.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.model import STAGE_ZH
from chainatlas.graph.store.contract import GraphStore
from chainatlas.matching.gaps import ChainGaps, gaps
from chainatlas.viz.tables import noted, xlsx_bytes

if TYPE_CHECKING:
    import pandas as pd

    from chainatlas.graph.rules import Thresholds
    from chainatlas.matching.elements import Match, MatchResult
    from chainatlas.viz.attraction_list import AttractionList, Filters

__all__ = [
    "ATTRACTION_COLUMNS",
    "GAP_COLUMNS",
    "TARGET_COLUMNS",
    "attraction_report",
    "gaps_report",
    "match_tables",
    "targets_report",
    "why_none",
]


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
            "排名": rank,
            "目标企业": t["name"],
            "企业编号": t["firm"],
            "所在地": t["region"],
            "得分": score,
            "类型": "已记录" if t["known"] else "推断",
            "理由": "；".join(t["reasons"]),
        }
        for r in results
        for rank, score, t in _ranked(r["targets"], lambda t: (t["known"], t["score"]))
    ]
    import pandas as pd

    # the header stays when no firm clears the cut-off: an empty list is still a readable table
    return xlsx_bytes({"招商目标": pd.DataFrame(rows, columns=TARGET_COLUMNS)})


#: The columns of a target list's workbook, in order.
TARGET_COLUMNS = [
    "环节",
    "环节编号",
    "排名",
    "目标企业",
    "企业编号",
    "所在地",
    "得分",
    "类型",
    "理由",
]
#: The 招商图 worklist's workbook: a target list's columns, then what the page adds.
ATTRACTION_COLUMNS = [*TARGET_COLUMNS, "档次", "判定", "环节优先级", "招商方式"]
LANDING_COLUMNS = ["区域", "依据", "园区", "空置率", "面积（亩）"]


def attraction_report(al: AttractionList, filters: Filters) -> bytes:
    """The 招商图 worklist as a workbook: its targets in the page's order under the page's
    filters (every row, no paging), the landing sites, and a sheet that says which filters
    and which order were used."""
    import pandas as pd

    from chainatlas.graph.rules import VERDICT_ZH
    from chainatlas.viz.attraction_list import ORDER_RULE

    rows = [
        [
            g.name,
            g.segment,
            rank,
            r.name,
            r.firm,
            r.region,
            score,
            "已记录" if r.known else "推断",
            "；".join(r.reasons),
            r.tier,
            VERDICT_ZH[g.verdict],
            round(g.priority, 3),
            "、".join(r.methods),
        ]
        for g in filters.applied(al.groups)
        for rank, score, r in _ranked(g.rows)
    ]
    landing = [
        [site.region, site.basis, p.get("name"), p.get("vacancy"), p.get("area")]
        for site in al.map.landing
        for p in (site.parks or [{}])
    ]
    names = {g.segment: g.name for g in al.groups}
    segment = names.get(filters.segment, filters.segment) if filters.segment else None
    shown = {
        "产业链": al.map.chain.name,
        "环节": segment or "全部弱、缺环节",
        "所在地": filters.region or "全部",
        "档次": filters.tier or "全部",
        "类型": {"known": "已记录", "inferred": "推断"}.get(filters.kind or "", "全部"),
        "排序": ORDER_RULE,
        "说明": (
            "推断的目标是排序模型的推断，不是已记录的事实；得分 0–100 为校准后的把握程度，"
            "排名是推断目标在本环节内的名次。已记录的企业是图谱中的事实，不打分、不排名。"
        ),
    }
    return xlsx_bytes(
        {
            "招商目标": noted(pd.DataFrame(rows, columns=ATTRACTION_COLUMNS), why_none(filters)),
            "落地区域": pd.DataFrame(
                landing, columns=["区域", "依据", "园区", "空置率", "面积（亩）"]
            ),
            "说明": pd.DataFrame(list(shown.items()), columns=["项目", "内容"]),
        }
    )


def _ranked(
    rows: list[Any], facts: Callable[[Any], tuple[bool, float]] = lambda r: (r.known, r.score)
) -> list[tuple[int | None, float | None, Any]]:
    """(排名, 得分, row) as the 招商图 page shows them: a recorded firm (``facts(row)`` gives
    whether it is known, and its score) is a fact of the graph, with neither a score nor a
    rank; the inferred ones are numbered 1, 2, … within the segment."""
    out: list[tuple[int | None, float | None, Any]] = []
    n = 0
    for r in rows:
        known, score = facts(r)
        if known:
            out.append((None, None, r))
        else:
            n += 1
            out.append((n, score, r))
    return out


def why_none(filters: Filters) -> str:
    """Why the worklist under ``filters`` has no target, in the words of its filters, e.g.
    「无达到「重点」（≥25 分）的目标」."""
    from chainatlas.matching.targets import TIERS

    if not filters.active:
        return "无（本链弱、缺环节没有达到备选分数线的推断目标，也没有已记录的外地企业）"
    cuts = dict((name, cut) for cut, name in TIERS)
    what = []
    if filters.region:
        what.append(f"所在地为「{filters.region}」")
    if filters.tier in cuts:
        what.append(f"达到「{filters.tier}」（≥{cuts[filters.tier]:g} 分）")
    elif filters.tier:
        what.append(f"档次为「{filters.tier}」")
    kind = {"known": "已记录", "inferred": "推断"}.get(filters.kind or "", "")
    return f"无{'、'.join(what)}{'的' if what else ''}{kind}目标"


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

    import pandas as pd

    def rows(items: list[Any]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "环节": x.name,
                    "环节编号": x.segment,
                    "位置": STAGE_ZH.get(x.stage, x.stage),
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
            ],
            columns=GAP_COLUMNS,
        )

    return g, xlsx_bytes(
        {
            "缺链强链": rows(g.segments),
            "延链候选": noted(rows(g.extensions), NO_EXTENSIONS),
        }
    )


#: The columns of both sheets of a gap report's workbook, in order.
GAP_COLUMNS = [
    "环节",
    "环节编号",
    "位置",
    "类型",
    "本地企业数",
    "全国企业数",
    "本地产值（亿元）",
    "区位熵（企业数）",
    "区位熵（产值）",
    "下游依赖环节数",
    "依赖的本地链主数",
    "优先级",
    "依据",
]
#: What the 延链候选 sheet says when the product graph offers no candidate.
NO_EXTENSIONS = "无（产品图中没有与本链相邻、尚未列入鱼骨图且有企业的产品）"


def match_tables(res: MatchResult) -> dict[str, pd.DataFrame]:
    """The element-matching workbook's sheets with Chinese headers: 分配结果, 候选, 未匹配, and
    错误行 when rows were skipped."""
    import pandas as pd

    def row(m: Match) -> dict[str, Any]:
        d = res.demands.get(m.demand)
        return {
            "需求编号": m.demand,
            "需求": d.label() if d else "",
            "类型": d.kind if d else "",
            "供给编号": m.supply,
            "供给": m.supply_label,
            "候选排名": m.rank,
            "得分": m.score,
            "描述相似度": m.text,
            "环节接近度": m.proximity,
            "优先级": m.priority,
            "通过的约束": "；".join(m.passed),
            "来自图谱": "是" if m.from_graph else "",
        }

    unmatched = [
        {"需求编号": d, "需求": res.demands[d].label() if d in res.demands else "", "原因": why}
        for d, why in res.unmatched
    ]
    sheets = {
        "分配结果": pd.DataFrame([row(m) for m in res.assigned]),
        "候选": pd.DataFrame([row(m) for m in res.candidates]),
        "未匹配": pd.DataFrame(unmatched, columns=["需求编号", "需求", "原因"]),
    }
    if res.errors:
        sheets["错误行"] = pd.DataFrame(
            [{"文件": e.file, "行": e.row, "列": e.column, "原因": e.reason} for e in res.errors]
        )
    return sheets
