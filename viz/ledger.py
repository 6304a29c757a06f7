"""The monthly ledger report (通报晾晒) and lists as Excel sheets and an HTML page."""

from __future__ import annotations

import dataclasses
import html
import json
from typing import Any

import pandas as pd

from chainatlas.graph.ledger import LISTS, NEW_LISTS, STALLS, ProjectRow, Report
from chainatlas.viz.html import CJK_FONTS

__all__ = ["lists_tables", "report_html", "report_json", "report_tables"]


def report_json(r: Report) -> bytes:
    return json.dumps(dataclasses.asdict(r), ensure_ascii=False, indent=2).encode("utf-8")


def _group_df(rows: list[dict[str, Any]], what: str) -> pd.DataFrame:
    cols = {
        "rank": "排名",
        "name": what,
        "projects": "项目数",
        **{s: s for s in STALLS},
        "stalled": "五未合计",
        "stalled_last_month": "上月五未",
        "change": "较上月",
        "share": "五未占比",
    }
    return pd.DataFrame(
        [{zh: x.get(k) for k, zh in cols.items()} for x in rows], columns=list(cols.values())
    )


def report_tables(r: Report) -> dict[str, pd.DataFrame]:
    summary = pd.DataFrame(
        [{"类别": "六张清单", "清单": k, "项目数": r.lists[k]} for k in LISTS]
        + [{"类别": "三张新清单", "清单": k, "项目数": r.lists[k]} for k in NEW_LISTS]
        + [
            {
                "类别": "五未",
                "清单": k,
                "项目数": r.stalls[k],
                "上月": r.stalls_previous[k],
                "较上月": r.stalls[k] - r.stalls_previous[k],
            }
            for k in STALLS
        ]
    )
    stalled = pd.DataFrame(
        [
            {
                "五未": x["stall"],
                "项目": x["name"],
                "产业链": x["chain"],
                "区域": x["region"],
                "起算日期": x["since"],
            }
            for x in r.stalled
        ]
    )
    return {
        "概览": summary,
        "按产业链": _group_df(r.by_chain, "产业链"),
        "按区县": _group_df(r.by_region, "区县"),
        "五未项目": stalled,
    }


def lists_tables(lists: dict[str, list[ProjectRow]]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, rows in lists.items():
        out[name] = pd.DataFrame(
            [
                {
                    "项目编号": r.id,
                    "项目": r.name,
                    "产业链": r.chain,
                    "区域": r.region,
                    "阶段": r.stage,
                    "总投资（亿元）": r.investment,
                    "重大项目": "是" if r.major else "",
                    **{k: (str(v) if v else "") for k, v in r.dates.items()},
                }
                for r in rows
            ]
        )
    return out


def report_html(r: Report) -> str:
    e = html.escape
    parts = []
    for title, df in report_tables(r).items():
        head = "".join(f"<th>{e(str(c))}</th>" for c in df.columns)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{e('' if v is None or (isinstance(v, float) and v != v) else str(v))}</td>"
                for v in row
            )
            + "</tr>"
            for row in df.itertuples(index=False)
        )
        parts.append(
            f"<h2>{e(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    g = r.grace
    note = (
        f"五未判定宽限期：签约后{g.sign_to_start}天未开工、开工后{g.start_to_complete}天未竣工、"
        f"竣工后{g.complete_to_produce}天未投产、投产后{g.produce_to_above_scale}天未上规、"
        f"上规后{g.above_scale_to_capacity}天未达产；排名按五未占比从低到高。"
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>一本账月度通报 {e(r.month)}</title>
<style>
body {{ font-family: {CJK_FONTS}; margin: 20px; color: #1f2933; }}
table {{ border-collapse: collapse; font-size: 13px; margin-bottom: 8px; }}
th, td {{ border: 1px solid #e4e7eb; padding: 4px 8px; text-align: left; }}
th {{ background: #f5f7fa; }} h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; }}
.note {{ color: #52606d; font-size: 13px; }}
</style></head>
<body><h1>产业链项目“一本账”月度通报（{e(r.month)}，对比 {e(r.previous)}）</h1>
<p class="note">{e(note)}</p>{"".join(parts)}</body></html>
"""
