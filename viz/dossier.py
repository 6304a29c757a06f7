"""A project's dossier (一项目一档案) as JSON and as one printable HTML page.

The page is a plain document — no script, styles inline (the API serves HTML documents under a
sandboxing policy that allows only that) — laid out for A4 print and for a phone: fact grids
fold to one column under 600 px and wide tables scroll sideways on screen but not on paper.
"""

from __future__ import annotations

import dataclasses
import html
import json
from typing import Any

from chainatlas.graph.workflows.dossier import AHEAD, CURRENT, Dossier
from chainatlas.graph.workflows.ledger import DATE_FIELDS, DATE_ZH
from chainatlas.viz.html import CJK_FONTS

__all__ = ["dossier_html", "dossier_json"]


def dossier_json(d: Dossier) -> bytes:
    return json.dumps(dataclasses.asdict(d), ensure_ascii=False, indent=2).encode("utf-8")


def _e(v: Any) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return html.escape("、".join(str(x) for x in v)) or "—"
    return html.escape(str(v))


def _date(v: Any) -> str:
    return f'<span class="date">{_e(v)}</span>'


def _facts(pairs: list[tuple[str, Any]]) -> str:
    items = "".join(f"<div><dt>{html.escape(k)}</dt><dd>{v}</dd></div>" for k, v in pairs)
    return f'<dl class="facts">{items}</dl>'


def _table(header: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _names(items: list[dict[str, Any]]) -> str:
    return _e([x["name"] for x in items]) if items else "—"


def _basics(d: Dossier) -> str:
    p = d.project
    investment = f"{p['investment']:g} 亿元" if p.get("investment") is not None else None
    return _facts(
        [
            ("项目编号", _e(p["id"])),
            ("责任单位", _e(d.responsible_unit)),
            ("当前阶段", _e(p.get("stage") or "未设定")),
            ("投资企业", _names(d.firms)),
            (
                "产业链",
                _e([f"{c['name']}（{c.get('layout') or '—'}）" for c in d.chains])
                if d.chains
                else "—",
            ),
            ("环节", _names(d.segments)),
            ("区域", _e(d.regions) if d.regions else "—"),
            ("园区", _names(d.parks)),
            ("总投资", _e(investment)),
            ("重大项目", _e(bool(p.get("major")))),
        ]
    )


def _dates(d: Dossier) -> str:
    return _facts([(f"{DATE_ZH[k]}日期", _e(d.project.get(k))) for k in DATE_FIELDS])


def _land(d: Dossier) -> str:
    x = d.land_to_start
    cls = "ok" if x["met"] else "muted"
    return (
        f'<p class="{cls}"><strong>{_e(x["verdict"])}</strong></p>'
        + _facts(
            [
                ("拿地日期", _e(x["land_date"])),
                ("开工日期", _e(x["started"])),
                ("拿地至开工", _e(f"{x['days']} 天" if x["days"] is not None else None)),
            ]
        )
        + f'<p class="source">“{_e(x["measure"])}”出自{_e(x["source"])}</p>'
    )


def _stages(d: Dossier) -> str:
    out = []
    for s in d.stages:
        status = s["status"]
        mark = "now" if status == CURRENT else "ahead" if status == AHEAD else "done"
        warn = '<span class="warn">缺跟进记录</span>' if s["missing_follow_up"] else ""
        notes = "".join(
            f'<li><span class="when">{_e(f.get("date"))}</span> {_e(f.get("note"))}'
            f'<span class="by">{_e(f.get("by")) if f.get("by") else ""}</span></li>'
            for f in s["follow_ups"]
        )
        out.append(
            f'<li class="stage {mark}"><div class="stage-head"><b>{_e(s["stage"])}</b>'
            f' <span class="status">{_e(status)}</span>{warn}</div>'
            + (f'<ul class="notes">{notes}</ul>' if notes else "")
            + "</li>"
        )
    return f'<ol class="stages">{"".join(out)}</ol>'


def _demands(d: Dossier) -> str:
    rows = [
        [
            _e(x.get("kind")),
            _e(x.get("description")),
            _e(
                f"{x['quantity']:g} {x.get('unit') or ''}".strip()
                if x.get("quantity") is not None
                else None
            ),
            _e(x.get("firm")),
            _date(x.get("valid_to")),
            _e(bool(x.get("major"))),
        ]
        for x in d.demands
    ]
    return _table(["类型", "需求", "数量", "提出企业", "有效期止", "重大"], rows, "暂无要素需求")


def _problems(d: Dossier) -> str:
    rows = [
        [
            _e(x.get("title")),
            _e(x.get("level")),
            _e(x.get("status")),
            _e(x.get("assignee")),
            _date(x.get("raised")),
            _date(x.get("due")) + (' <span class="warn">逾期</span>' if x["overdue"] else ""),
        ]
        for x in d.problems
    ]
    return _table(["问题", "级别", "状态", "承办", "提出", "期限"], rows, "暂无问题")


def _ledger(d: Dossier) -> str:
    x = d.ledger
    grace = "；".join(f"{s['name']} {s['value']} {s['unit']}" for s in d.settings)
    return (
        _facts(
            [
                ("本月所在清单", f"{_e(x['lists']) if x['lists'] else '—'}（{_e(x['month'])}）"),
                ("五未状态", _e(x["stall"] or "无")),
            ]
        )
        + f'<p class="source">本办设置（种子文件未规定天数）：{_e(grace)}</p>'
    )


_CSS = f"""
* {{ box-sizing: border-box; }}
body {{ font-family: {CJK_FONTS}; color: #1f2933; margin: 0; background: #f5f7fa; }}
main {{ max-width: 960px; margin: 0 auto; padding: 24px 20px 40px; background: #fff; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }}
h2 {{ font-size: 16px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid #243b53; }}
.sub {{ color: #52606d; font-size: 13px; margin: 0 0 8px; }}
.facts {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 24px;
  margin: 0; }}
.facts div {{ display: flex; gap: 12px; border-bottom: 1px dotted #d9e2ec; padding: 4px 0; }}
.facts dt {{ flex: 0 0 6.5em; color: #52606d; }}
.facts dd {{ margin: 0; overflow-wrap: anywhere; }}
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
th, td {{ border: 1px solid #d9e2ec; padding: 5px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f0f4f8; white-space: nowrap; }}
.stages {{ list-style: none; margin: 0; padding: 0; }}
.stage {{ border-left: 4px solid #d9e2ec; padding: 6px 0 6px 12px; margin-bottom: 4px; }}
.stage.done {{ border-color: #3ebd93; }}
.stage.now {{ border-color: #f0b429; background: #fffbea; }}
.stage.ahead {{ color: #9aa5b1; }}
.status {{ font-size: 12px; color: #52606d; margin-left: 6px; }}
.notes {{ margin: 4px 0 0; padding-left: 18px; font-size: 13px; }}
.notes li {{ margin: 2px 0; }}
.date {{ white-space: nowrap; }}
.when {{ color: #52606d; margin-right: 6px; font-variant-numeric: tabular-nums; }}
.by {{ color: #7b8794; margin-left: 6px; }}
.warn {{ color: #ab091e; font-size: 12px; margin-left: 8px; border: 1px solid #ab091e;
  border-radius: 3px; padding: 0 4px; }}
.ok {{ color: #0c6b58; }}
.muted {{ color: #52606d; }}
.source {{ color: #7b8794; font-size: 12px; }}
@media (max-width: 600px) {{
  main {{ padding: 16px 12px 32px; }}
  .facts {{ grid-template-columns: 1fr; }}
  .scroll table {{ min-width: 36em; }}
  h1 {{ font-size: 19px; }}
}}
@media print {{
  @page {{ size: A4; margin: 16mm 14mm; }}
  body {{ background: #fff; }}
  main {{ max-width: none; padding: 0; }}
  .scroll {{ overflow: visible; }}
  h2 {{ break-after: avoid; }}
  .stage, tr, .facts div {{ break-inside: avoid; }}
  .stage.now {{ background: none; }}
}}
"""


def dossier_html(d: Dossier) -> str:
    """The dossier as one self-contained, printable page."""
    name = _e(d.project.get("name") or d.project["id"])
    sections = [
        ("基本信息", _basics(d)),
        ("关键日期", _dates(d)),
        ("拿地即开工", _land(d)),
        ("阶段与跟进（一环节一跟进）", _stages(d)),
        (f"要素需求（{len(d.demands)}）", _demands(d)),
        (f"问题（{len(d.problems)}）", _problems(d)),
        ("一本账状态", _ledger(d)),
    ]
    body = "".join(f"<section><h2>{html.escape(t)}</h2>{c}</section>" for t, c in sections)
    sample = "（示例数据）" if d.project.get("sample") else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>项目档案：{name}</title><style>{_CSS}</style></head>
<body><main>
<h1>项目档案：{name}{sample}</h1>
<p class="sub">一项目一档案 · 责任单位：{_e(d.responsible_unit)} · 生成日期 {_e(d.as_of)}</p>
{body}
</main></body></html>
"""
