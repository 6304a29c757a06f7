"""Every list as tables with Chinese headers, and Excel workbooks that are safe to open.

A workbook is written from whatever the store holds, so each cell is made writable and harmless
first (:func:`cell_value`, :func:`_as_text`):

- text that Excel would take for a formula (starting with ``= + - @``, a tab or a carriage
  return) is written as *text*: the cell is typed as a string and carries Excel's quote prefix
  (the hidden apostrophe Excel itself sets when one types ``'=1+1``). The cell shows exactly
  what is stored, and Excel never evaluates it, not even after the cell is edited;
- characters a workbook cannot hold (control characters, lone surrogates) are replaced by
  U+FFFD (�), so an export never fails on data stored before the model refused them;
- lists become text joined with 、; numbers stay numbers (``-5`` is a number, not a formula).

A table may carry its columns' Excel number formats in ``df.attrs["number_formats"]`` (column →
format, e.g. ``{"五未占比": "0%"}``): the cells stay numbers and Excel shows them as the page
does. An empty table keeps its header row; :func:`noted` adds a row that says why it is empty.

Bundle CSVs (:mod:`graph.io.bundle`) are data for machines and round trips and are not altered.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainatlas.graph.model import STAGE_ZH
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.workflows.ledger import DATE_FIELDS
from chainatlas.graph.workflows.maps import AttractionMap, Fishbone, MasterEntry

if TYPE_CHECKING:  # pandas loads when a table is built, not when a view module is imported
    import pandas as pd

__all__ = [
    "attraction_tables",
    "DATE_FORMAT",
    "cell_value",
    "day",
    "fishbone_tables",
    "formula_like",
    "masters_tables",
    "noted",
    "projects_tables",
    "write_xlsx",
    "xlsx_bytes",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What a workbook (XML 1.0) cannot hold: openpyxl's illegal characters and lone surrogates.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def formula_like(value: Any) -> bool:
    """Whether ``value`` is text that Excel would read as a formula (CSV/Excel injection)."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def cell_value(value: Any) -> Any:
    """``value`` as a workbook cell can hold it: lists as text joined with 、, characters a
    workbook cannot hold replaced by U+FFFD; numbers, booleans and empty cells unchanged."""
    if isinstance(value, list | tuple):
        value = "、".join(str(x) for x in value)
    if isinstance(value, str):
        return _UNWRITABLE.sub(REPLACEMENT, value)
    return value


def _as_text(ws: Any) -> None:
    """Type every formula-like cell of ``ws`` as quote-prefixed text (see the module)."""
    for row in ws.iter_rows():
        for cell in row:
            if formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def noted(df: pd.DataFrame, note: str) -> pd.DataFrame:
    """``df``, or when it has no rows, one row whose first cell says why (e.g. 「无」), under the
    same header, so an empty sheet still reads as a table with an answer."""
    import pandas as pd

    if not df.empty or not len(df.columns):
        return df
    out = pd.DataFrame([{df.columns[0]: note}], columns=df.columns)
    out.attrs.update(df.attrs)
    return out


#: How every date cell of an export shows (a real Excel date, as the import template takes it)
DATE_FORMAT = "yyyy-mm-dd"


def day(value: Any) -> Any:
    """An ISO date (``YYYY-MM-DD`` text) as a date, for a workbook to hold a real Excel date;
    anything else as it is (a value not a date is kept rather than lost)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _number_formats(ws: Any, df: pd.DataFrame) -> None:
    """Apply ``df.attrs["number_formats"]`` (column → Excel number format) to the data rows,
    and :data:`DATE_FORMAT` to every date cell, so all exports show dates alike."""
    for i, col in enumerate(df.columns, 1):
        fmt = df.attrs.get("number_formats", {}).get(col)
        for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            if fmt:
                cell.number_format = fmt
            elif cell.is_date:
                cell.number_format = DATE_FORMAT


def _write(target: Path | io.BytesIO, sheets: dict[str, pd.DataFrame]) -> None:
    import pandas as pd

    with pd.ExcelWriter(target, engine="openpyxl") as xw:
        for name, df in sheets.items():
            safe = df.map(cell_value) if not df.empty else df.copy()
            safe.columns = [cell_value(str(c)) for c in safe.columns]
            safe.to_excel(xw, sheet_name=name[:31], index=False)
            ws = xw.sheets[name[:31]]
            _as_text(ws)
            _number_formats(ws, df)
            for i, col in enumerate(safe.columns, 1):
                ws.column_dimensions[ws.cell(1, i).column_letter].width = min(
                    60, max(10, 2 * len(str(col)) + 2)
                )


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write ``sheets`` (name → table) as a workbook at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, sheets)
    return path


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """The workbook of :func:`write_xlsx` as bytes (for downloads)."""
    buf = io.BytesIO()
    _write(buf, sheets)
    return buf.getvalue()


def fishbone_tables(fb: Fishbone) -> dict[str, pd.DataFrame]:
    import pandas as pd

    segs = pd.DataFrame(
        [
            {
                "环节位置": STAGE_ZH[s.stage],
                "环节": s.name,
                "上级环节": s.parent or "",
                "重点领域": "是" if s.key else "",
                "判定": VERDICT_ZH[s.verdict],
                "本地企业数": len(s.local_firms),
                "本地产值（亿元）": s.local_output,
                "外地企业数": s.outside_firms,
                "梯度": "、".join(f"{k}{v}" for k, v in s.tiers.items()),
                "链主": "、".join(m.name for m in s.chain_masters),
                "服务平台/基金/人才": "、".join(r.name for r in s.serving),
                "共享产业链": "、".join(r.name for r in s.shared_with),
                "跨链": "是" if s.cross_chain else "",
                "判定依据": s.reason,
            }
            for s in fb.all_segments()
        ]
    )
    firms = pd.DataFrame(
        [
            {
                "环节": s.name,
                "企业": f.name,
                "所在地": f.region,
                "产值（亿元）": f.output,
                "梯度": "、".join(f.tags),
                "示例数据": "是" if f.sample else "",
            }
            for s in fb.all_segments()
            for f in s.local_firms
        ]
    )
    return {"环节": segs, "本地企业": firms}


def attraction_tables(am: AttractionMap) -> dict[str, pd.DataFrame]:
    import pandas as pd

    targets = pd.DataFrame(
        [
            {
                "环节": s.name,
                "判定": VERDICT_ZH[s.verdict],
                "目标企业": t.name,
                "企业编号": t.firm,
                "所在地": t.region,
                "得分": t.score,
                "类型": "已记录" if t.known else "推断",
                "理由": "；".join(t.reasons),
            }
            for s in am.segments
            for t in s.targets
        ]
    )
    landing = pd.DataFrame(
        [
            {
                "区域": site.region,
                "依据": site.basis,
                "园区": p.get("name"),
                "空置率": p.get("vacancy"),
                "面积（亩）": p.get("area"),
            }
            for site in am.landing
            for p in (site.parks or [{}])
        ]
    )
    return {"招商目标": targets, "落地区域": landing}


def masters_tables(entries: list[MasterEntry]) -> dict[str, pd.DataFrame]:
    import pandas as pd

    masters = pd.DataFrame(
        [
            {
                "企业": m.firm.name,
                "企业编号": m.firm.id,
                "角色": m.role,
                "所在地": m.region,
                "供应商数": len(m.suppliers),
                "本地供应商数": sum(1 for s in m.suppliers if s.local),
                "本地化配套比例": m.local_ratio,
                "本地化配套比例（金额加权）": m.local_ratio_value,
                "客户数": len(m.customers),
            }
            for m in entries
        ]
    )
    links = pd.DataFrame(
        [
            {
                "企业": m.firm.name,
                "关系": kind,
                "对方": x.name,
                "对方所在地": x.region,
                "本地": "是" if x.local else "否",
                "金额（亿元）": x.value,
            }
            for m in entries
            for kind, xs in (("供应商", m.suppliers), ("客户", m.customers))
            for x in xs
        ]
    )
    cands = pd.DataFrame(
        [
            {
                "链主/伙伴": m.firm.name,
                "以商引商候选": c.name,
                "所在地": c.region,
                "供货金额（亿元）": c.value,
            }
            for m in entries
            for c in m.candidates
        ]
    )
    return {"链主与伙伴": masters, "供需关系": links, "以商引商候选": cands}


_PROJECT_COLS = {
    "id": "项目编号",
    "name": "项目名称",
    "chain": "产业链",
    "segment": "环节",
    "region": "区域",
    "park": "园区",
    "firm": "企业",
    "investment": "总投资（亿元）",
    "stage": "阶段",
    "major": "重大项目",
    "signed": "签约日期",
    "filed": "备案日期",
    "land_date": "拿地日期",
    "started": "开工日期",
    "completed": "竣工日期",
    "producing": "投产日期",
    "above_scale": "上规日期",
    "at_capacity": "达产日期",
    "responsible_unit": "责任单位",
    "sample": "示例数据",
}


#: The project fields written as 是/否, as the import template asks for them.
_PROJECT_FLAGS = ("major", "sample")


def _project_cell(key: str, value: Any) -> Any:
    """A project field as the import template writes it: flags as 是/否, ISO dates as dates."""
    if key in _PROJECT_FLAGS:
        return "是" if value else "否"
    if key in DATE_FIELDS and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # kept as stored rather than lost
    return value


def projects_tables(projects: list[dict[str, Any]]) -> dict[str, pd.DataFrame]:
    """The 重点项目库 sheet: the import template's columns, 是/否 flags and real Excel dates, so
    an exported workbook reads like a filled template."""
    import pandas as pd

    rows = [{zh: _project_cell(k, p.get(k)) for k, zh in _PROJECT_COLS.items()} for p in projects]
    return {"重点项目库": pd.DataFrame(rows, columns=list(_PROJECT_COLS.values()))}
