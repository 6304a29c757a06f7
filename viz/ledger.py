"""The monthly ledger report (通报晾晒) and lists as JSON, Excel sheets and an HTML page.

Every form of the report opens with the office's settings it used (本办设置: the 五未 grace
periods, problem time limits, the 拿地即开工 day limit), because the seeds give none of those
numbers and readers must not take them for the seed's."""

from __future__ import annotations

import dataclasses
import html
import json
from typing import TYPE_CHECKING, Any

from chainatlas.graph.workflows.ledger import (
    DATE_FIELDS,
    DATE_ZH,
    LISTS,
    NEW_LISTS,
    OFFICE,
    STALLS,
    ProjectRow,
)
from chainatlas.graph.workflows.report import Report
from chainatlas.viz.html import CJK_FONTS
from chainatlas.viz.tables import day, noted

if TYPE_CHECKING:  # pandas loads when a workbook is built
    import pandas as pd

__all__ = ["lists_json", "lists_tables", "report_html", "report_json", "report_tables"]


def report_json(r: Report) -> bytes:
    return json.dumps(dataclasses.asdict(r), ensure_ascii=False, indent=2).encode("utf-8")


def _group_df(rows: list[dict[str, Any]], what: str) -> pd.DataFrame:
    import pandas as pd

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
    df = pd.DataFrame(
        [{zh: x.get(k) for k, zh in cols.items()} for x in rows], columns=list(cols.values())
    )
    df.attrs["number_formats"] = {"五未占比": "0%"}  # a number in the cell, 18% on screen
    return df


def settings_table(r: Report) -> pd.DataFrame:
    """The office's settings the report used (本办设置), first in every form of the report."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "设置": x["name"],
                "取值": x["value"],
                "单位": x["unit"],
                "依据": x["basis"],
                "环境变量": x["setting"],
            }
            for x in r.settings
        ],
        columns=["设置", "取值", "单位", "依据", "环境变量"],
    )


def land_table(r: Report) -> pd.DataFrame:
    """拿地即开工 this month and to date: projects started, with a 拿地 date, within the
    office's day limit, median days."""
    import pandas as pd

    x = r.land_to_start
    rows = []
    for key, what in (("month", f"{r.month} 新开工"), ("to_date", f"截至 {r.month} 末已开工")):
        f = x.get(key) or {}
        rows.append(
            {
                "范围": what,
                "开工项目数": f.get("started"),
                "已登记拿地日期": f.get("with_land_date"),
                f"{x.get('measure', '')}项目数": f.get("within"),
                "拿地至开工天数中位数": f.get("median_days"),
            }
        )
    return pd.DataFrame(rows)


#: What the 上月/较上月 cells say when the previous month was not counted (an old report).
NO_PREVIOUS = "—（上月无数据）"


def _with_change(
    kind: str, name: str, now: dict[str, int], before: dict[str, int]
) -> dict[str, Any]:
    """One 概览 row: this month's count, last month's and the change (numbers, or
    :data:`NO_PREVIOUS` when last month was not counted)."""
    last = before.get(name)
    if last is None:
        return {"类别": kind, "清单": name, "项目数": now[name], "上月": NO_PREVIOUS,
                "较上月": NO_PREVIOUS}  # fmt: skip
    return {"类别": kind, "清单": name, "项目数": now[name], "上月": last,
            "较上月": now[name] - last}  # fmt: skip


def report_tables(r: Report) -> dict[str, pd.DataFrame]:
    import pandas as pd

    summary = pd.DataFrame(
        [_with_change("六张清单", k, r.lists, r.lists_previous) for k in LISTS]
        + [_with_change("三张新清单", k, r.lists, r.lists_previous) for k in NEW_LISTS]
        + [_with_change("五未", k, r.stalls, r.stalls_previous) for k in STALLS],
        columns=["类别", "清单", "项目数", "上月", "较上月"],
    )
    stalled = pd.DataFrame(
        [
            {
                "五未": x["stall"],
                "项目": x["name"],
                "产业链": x["chain"],
                "区域": x["region"],
                "责任单位": x.get("responsible_unit", ""),
                "起算日期": day(x["since"]),
            }
            for x in r.stalled
        ],
        columns=["五未", "项目", "产业链", "区域", "责任单位", "起算日期"],
    )
    return {
        OFFICE: settings_table(r),
        "概览": summary,
        "拿地即开工": land_table(r),
        "按产业链": noted(_group_df(r.by_chain, "产业链"), NONE),
        "按区县": noted(_group_df(r.by_region, "区县"), NONE),
        "按责任单位": noted(_group_df(r.by_unit, "责任单位"), NONE),
        "五未项目": noted(stalled, NONE),
        "五未督办": noted(supervision_table(r), NONE),
        "要素对接": docking_table(r),
    }


#: The note of an empty sheet: its header, and this under it
NONE = "无"


def docking_table(r: Report) -> pd.DataFrame:
    """要素对接 (seed 000 §四.三): the stored needs, the dockings by state at the month's end,
    and the needs met by then and in the month."""
    import pandas as pd

    x = r.dockings or {}
    by = x.get("by_status") or {}
    share = x.get("met_share")
    row = {
        "库内需求": x.get("demands"),
        "已推荐对接的需求": x.get("demands_docked"),
        **{f"对接记录（{k}）": v for k, v in by.items()},
        "已落实需求（截至月末）": x.get("demands_met"),
        "本月落实需求": x.get("demands_met_in_month"),
        "落实率": share,  # a number, shown as a percentage
    }
    df = pd.DataFrame([row])
    df.attrs["number_formats"] = {"落实率": "0%"}
    return df


def supervision_table(r: Report) -> pd.DataFrame:
    """The month's 五未 督办 items (市链长办牵头跟踪督办, seed 000 §四.四): new, continuing and
    closed ones, each with its project, stall, the day the stall began and who answers it."""
    import pandas as pd

    cols = {
        "state": "本月情况",
        "stall": "五未",
        "title": "督办事项",
        "stall_from": "滞后起始",
        "status": "状态",
        "closed": "办结日期",
        "supervisor": "督办",
        "assignee": "承办",
        "region": "区域",
        "id": "编号",
    }
    dates = ("stall_from", "closed")
    rows = [
        {zh: day(x.get(k)) if k in dates else x.get(k) for k, zh in cols.items()}
        for x in r.supervision
    ]
    return pd.DataFrame(rows, columns=list(cols.values()))


def lists_json(lists: dict[str, list[ProjectRow]]) -> bytes:
    """The lists as JSON: each project with its chain, region, stage and 责任单位."""
    data = {
        k: [
            {
                "id": r.id,
                "name": r.name,
                "chain": r.chain,
                "region": r.region,
                "stage": r.stage,
                "responsible_unit": r.responsible_unit,
            }
            for r in v
        ]
        for k, v in lists.items()
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def lists_tables(lists: dict[str, list[ProjectRow]]) -> dict[str, pd.DataFrame]:
    import pandas as pd

    out = {}
    for name, rows in lists.items():
        df = pd.DataFrame(
            [
                {
                    "项目编号": r.id,
                    "项目": r.name,
                    "产业链": r.chain,
                    "区域": r.region,
                    "责任单位": r.responsible_unit,
                    "阶段": r.stage,
                    "总投资（亿元）": r.investment,
                    "重大项目": "是" if r.major else "",
                    **{f"{DATE_ZH[k]}日期": v for k, v in r.dates.items()},  # real dates
                }
                for r in rows
            ],
            columns=_LIST_COLUMNS,
        )
        out[name] = noted(df, NONE)  # an empty list keeps its header, and says 无
    return out


#: The columns of a list's sheet (an empty list has them too)
_LIST_COLUMNS = [
    "项目编号",
    "项目",
    "产业链",
    "区域",
    "责任单位",
    "阶段",
    "总投资（亿元）",
    "重大项目",
    *(f"{DATE_ZH[k]}日期" for k in DATE_FIELDS),
]


def _html_cell(v: Any, percent: bool) -> str:
    """A cell as the page shows it: empty for none, a share as 18%."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return f"{v:.0%}" if percent and isinstance(v, int | float) else str(v)


def report_html(r: Report) -> str:
    e = html.escape
    parts = []
    for title, df in report_tables(r).items():
        head = "".join(f"<th>{e(str(c))}</th>" for c in df.columns)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{e(_html_cell(v, '%' in df.attrs.get('number_formats', {}).get(c, '')))}</td>"
                for c, v in zip(df.columns, row, strict=True)
            )
            + "</tr>"
            for row in df.itertuples(index=False)
        )
        parts.append(
            f"<h2>{e(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    used = "；".join(f"{x['name']} {x['value']} {x['unit']}" for x in r.settings)
    note = (
        f"{OFFICE}（种子文件只规定五未的状态，未规定天数和时限）：{used}。排名按五未占比从低到高。"
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
