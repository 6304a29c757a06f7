"""Officer templates (Excel/CSV with Chinese headers) for firms, projects, demands and supplies.

``write_template`` writes a template with a notes sheet (xlsx) or a notes row starting with
``#`` (csv); ``import_template`` reads a filled one into graph nodes and relationships, with
every bad row reported (file, row, column, reason) and nothing written unless asked to skip.
A project row also meets the ledger's date rules (:mod:`chainatlas.graph.project_dates`), as
a project written through the records API does.

The rows of a filled template are read one way (:func:`template_rows`: headers without the
required marker ``*``, the notes row and blank rows skipped, each cell as stripped text, yes/no
cells by :func:`chainatlas.graph.io.readers.yes_no`), by this importer and by the demand and supply
lists of element matching, so a table one accepts the other reads alike.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from chainatlas.graph.errors import ImportFailed, RowError, ValidationFailed
from chainatlas.graph.home import DISTRICT_KINDS, HOME_AREA
from chainatlas.graph.io.bundle import ImportReport, RecordChanges, _write, check_rows
from chainatlas.graph.io.readers import PROGRESS_MIN_ROWS, read_table, yes_no
from chainatlas.graph.model import (
    ATTRACTION_METHODS,
    ELEMENT_KINDS,
    FIRM_TAGS,
    PROJECT_STAGES,
    Node,
    Relationship,
    validate_node,
)
from chainatlas.graph.project_dates import write_problems
from chainatlas.graph.store.contract import Batch, GraphStore, RelKey

__all__ = [
    "TEMPLATES",
    "Column",
    "TemplateRow",
    "closest_kind",
    "detect_kind",
    "header_kind",
    "import_template",
    "template_choices",
    "template_header",
    "template_rows",
    "write_template",
]


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool
    note: str
    example: str


_LIST_SEP = re.compile(r"[;；、,，]")
#: How many choices an error names for an unknown value (the closest first)
_HINTS = 6

#: 招商方式 as seed 000 §三（一）lists them (the template's note)
_METHODS_NOTE = "可选：" + "、".join(ATTRACTION_METHODS)
#: where a project, a demand or a supply may be (the check: :func:`_district`)
_DISTRICT_NOTE = "湖州市的区县或功能区，如 长兴县、南太湖新区；不能填湖州市或外地城市"
TEMPLATES: dict[str, list[Column]] = {
    "firms": [
        Column("企业编号", "id", False, "可留空；留空时按信用代码或企业名称生成", ""),
        Column("企业名称", "name", True, "企业全称", "湖州示例动力电池科技有限公司"),
        Column("统一社会信用代码", "credit_code", False, "18 位，填写时校验校验位", ""),
        Column("所在区域", "region", True, "区县、功能区或外地城市，如 长兴县、上海市", "长兴县"),
        Column(
            "梯度标签",
            "tags",
            False,
            f"多个用；分隔，可选：{'、'.join(FIRM_TAGS)}",
            "规上；专精特新",
        ),
        Column("产值（亿元）", "output", False, "上年度产值，单位亿元", "12.5"),
        Column("从业人数", "employees", False, "整数", "800"),
        Column("所属环节", "segments", False, "鱼骨图环节名称，多个用；分隔", "动力电池；电池包"),
        Column("链主所在产业链", "master_of", False, "若为链主，填产业链名称，多个用；分隔", ""),
        Column("所在园区", "park", False, "园区名称", ""),
    ],
    "projects": [
        Column("项目编号", "id", False, "可留空；留空时按项目名称生成", ""),
        Column("项目名称", "name", True, "", "年产 10GWh 储能电池示例项目"),
        Column("所属产业链", "chain", True, "产业链名称（现行 1366 布局优先）", "新能源与新型储能"),
        Column("所属环节", "segment", False, "鱼骨图环节名称", "锂电储能"),
        Column("所在区域", "region", True, _DISTRICT_NOTE, "长兴县"),
        Column("所在园区", "park", False, "园区名称", ""),
        Column("投资企业", "firm", False, "企业名称或统一社会信用代码（须已在库中）", ""),
        Column("总投资（亿元）", "investment", False, "单位亿元", "20"),
        Column("当前阶段", "stage", False, f"可选：{'、'.join(PROJECT_STAGES)}", "招商引资"),
        Column("是否重大项目", "major", False, "是/否", "是"),
        Column("签约日期", "signed", False, "YYYY-MM-DD", "2026-03-01"),
        Column("备案日期", "filed", False, "YYYY-MM-DD", ""),
        Column("拿地日期", "land_date", False, "YYYY-MM-DD；用于统计“拿地即开工”", ""),
        Column("开工日期", "started", False, "YYYY-MM-DD", ""),
        Column("竣工日期", "completed", False, "YYYY-MM-DD", ""),
        Column("投产日期", "producing", False, "YYYY-MM-DD", ""),
        Column("上规日期", "above_scale", False, "YYYY-MM-DD", ""),
        Column("达产日期", "at_capacity", False, "YYYY-MM-DD", ""),
        Column("责任单位", "responsible_unit", False, "", "长兴县投资促进局"),
        Column("招商方式", "attraction_method", False, _METHODS_NOTE, ""),
    ],
    "demands": [
        Column("需求编号", "id", False, "可留空；留空时自动生成", ""),
        Column("需求类型", "kind", True, f"可选：{'、'.join(ELEMENT_KINDS)}", "土地"),
        Column("需求描述", "description", True, "", "新增工业用地用于二期厂房"),
        Column("数量", "quantity", False, "数字", "50"),
        Column("单位", "unit", False, "如 亩、万元、吨标煤、人", "亩"),
        Column("所在区域", "region", True, _DISTRICT_NOTE, "长兴县"),
        Column("所属产业链", "chain", False, "产业链名称", "新能源与新型储能"),
        Column("所属环节", "segment", False, "鱼骨图环节名称", ""),
        Column("有效期起", "valid_from", False, "YYYY-MM-DD", "2026-01-01"),
        Column("有效期止", "valid_to", False, "YYYY-MM-DD", "2026-12-31"),
        Column("是否重大项目", "major", False, "是/否", "否"),
        Column("提出企业", "firm", False, "企业名称或统一社会信用代码（须已在库中）", ""),
        Column("所属项目", "project", False, "项目编号或项目名称（须已在库中）", ""),
    ],
    "supplies": [
        Column("供给编号", "id", False, "可留空；留空时自动生成", ""),
        Column("供给类型", "kind", True, f"可选：{'、'.join(ELEMENT_KINDS)}", "土地"),
        Column("供给描述", "description", True, "", "长兴经开区工业用地地块"),
        Column("数量", "quantity", False, "数字", "120"),
        Column("单位", "unit", False, "如 亩、万元、吨标煤、人", "亩"),
        Column("所在区域", "region", False, _DISTRICT_NOTE, "长兴县"),
        Column("所属产业链", "chain", False, "产业链名称", ""),
        Column("所属环节", "segment", False, "鱼骨图环节名称", ""),
        Column("有效期起", "valid_from", False, "YYYY-MM-DD", ""),
        Column("有效期止", "valid_to", False, "YYYY-MM-DD", ""),
        Column("可服务需求数", "capacity", False, "整数，留空表示按数量分配", "2"),
        Column("提供方", "provider", False, "单位名称", "长兴县自然资源和规划局"),
    ],
}
_TITLES = {"firms": "企业", "projects": "项目", "demands": "需求清单", "supplies": "供给清单"}


#: The fields whose cells a workbook template offers as a drop-down list (Excel data
#: validation): the fixed choices. A field missing here is free text.
_FIXED_CHOICES: dict[str, tuple[str, ...]] = {
    "stage": PROJECT_STAGES,
    "major": ("是", "否"),
    "kind": ELEMENT_KINDS,
    "attraction_method": ATTRACTION_METHODS,
}
#: The sheet holding the drop-down lists' choices (a list of more than 255 characters cannot
#: be written into the validation itself).
CHOICES_SHEET = "选项"


def template_choices(kind: str, store: GraphStore | None = None) -> dict[str, list[str]]:
    """Header → the choices its cells are offered in the ``kind`` workbook template: the fixed
    lists, the city's districts where a project, a demand or a supply is (not a firm, which
    may be anywhere), and with a ``store`` the chains (current layout first)."""
    out: dict[str, list[str]] = {}
    for c in TEMPLATES[kind]:
        if c.field in _FIXED_CHOICES:
            out[c.header] = list(_FIXED_CHOICES[c.field])
        elif c.field == "region" and kind != "firms":
            out[c.header] = [d for d in HOME_AREA if d != HOME_AREA[0]]
        elif c.field == "chain" and store is not None:
            chains = sorted(
                store.find_nodes("Chain"), key=lambda n: n.props.get("layout") != "1366"
            )
            out[c.header] = list(dict.fromkeys(n.name for n in chains))
    return out


def _drop_downs(book: Any, headers: list[str], choices: dict[str, list[str]]) -> None:
    """Drop-down lists on the 数据 sheet's columns that have ``choices``, the choices kept on
    the :data:`CHOICES_SHEET` sheet. A district, a stage or 是/否 outside the list is refused
    as it is typed; a chain outside it only warned about (an older layout's name is valid)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if not choices:
        return
    data, lists = book["数据"], book.create_sheet(CHOICES_SHEET)
    for j, (header, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(j)
        lists.cell(1, j, header)
        for i, v in enumerate(values, start=2):
            lists.cell(i, j, v)
        strict = header != "所属产业链"
        dv = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            errorStyle="stop" if strict else "warning",
            showErrorMessage=True,
            errorTitle=header,
            error=f"请从下拉列表中选择{header}"
            + ("" if strict else "（现行布局以外的名称也可填写）"),
        )
        col = get_column_letter(headers.index(header) + 1)
        dv.add(f"{col}2:{col}{_VALIDATED_ROWS}")
        data.add_data_validation(dv)
        lists.column_dimensions[letter].width = max(12, 2 * len(header) + 2)


#: How many data rows of a workbook template get the drop-down lists
_VALIDATED_ROWS = 20_001


def write_template(kind: str, out: Path, store: GraphStore | None = None) -> Path:
    """Write the ``kind`` template to ``out`` (``.xlsx`` with a 说明 sheet and drop-down lists
    for fixed choices, or ``.csv``); with a ``store``, the chains are a drop-down list too."""
    cols = TEMPLATES[kind]
    headers = _starred(cols)
    example = pd.DataFrame([[c.example for c in cols]], columns=headers)
    notes = pd.DataFrame(
        {
            "列名": headers,
            "必填": ["是" if c.required else "否" for c in cols],
            "说明": [c.note for c in cols],
            "示例": [c.example for c in cols],
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        note_row = pd.DataFrame(
            [["#说明：" + cols[0].note] + [c.note for c in cols[1:]]], columns=headers
        )
        pd.concat([note_row, example.iloc[0:0]]).to_csv(out, index=False, encoding="utf-8-sig")
    else:
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            example.iloc[0:0].to_excel(xw, sheet_name="数据", index=False)
            notes.to_excel(xw, sheet_name="说明", index=False)
            ws = xw.sheets["数据"]
            for i, h in enumerate(headers):
                ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(
                    12, 2 * len(h) + 2
                )
            plain = [template_header(h) for h in headers]
            _drop_downs(xw.book, plain, template_choices(kind, store))
    return out


def template_header(column: str) -> str:
    """A table's header as the template names it, without the required marker ``*``."""
    return column.rstrip("*").strip()


@dataclass(frozen=True)
class TemplateRow:
    """One data row of a filled template: its line in the file (the header is line 1) and
    each field's cell as stripped text, ``""`` where the cell or its whole column is absent."""

    line: int
    values: dict[str, str]


def template_rows(
    df: pd.DataFrame, fields: Mapping[str, str], *, progress: bool = False
) -> Iterator[TemplateRow]:
    """The data rows of a filled template (a frame from :func:`read_table`).

    Parameters
    ----------
    df : pandas.DataFrame
        The table, every cell text.
    fields : Mapping[str, str]
        Header (without ``*``) → field; columns it does not name are left out.
    progress : bool
        Show a bar while a long table is checked.

    Returns
    -------
    Iterator[TemplateRow]
        Every row with a value in a named column, except the notes row of a CSV template
        (its first cell starts with ``#``).
    """
    named = {c: fields[h] for c in df.columns if (h := template_header(str(c))) in fields}
    empty = dict.fromkeys(fields.values(), "")
    records = df.to_dict("records")
    bar = tqdm(
        records,
        desc="检查",
        unit="行",
        disable=not progress or len(records) < PROGRESS_MIN_ROWS,
    )
    for k, rec in enumerate(bar):
        if str(next(iter(rec.values()), "")).startswith("#"):
            continue  # the notes row of a CSV template
        values = dict(empty)
        for c, f in named.items():
            values[f] = str(rec[c]).strip()
        if any(values.values()):
            yield TemplateRow(k + 2, values)


def detect_kind(columns: list[str]) -> str | None:
    """Which template a table's headers belong to (all its required columns present)."""
    present = {template_header(c) for c in columns}
    for kind, cols in TEMPLATES.items():
        if all(c.header in present for c in cols if c.required) and cols[1].header in present:
            return kind
    return None


def closest_kind(columns: list[str]) -> str | None:
    """The template whose columns a table's header shares most (at least two of them), the
    one missing fewer required columns on a tie; None for a header like none of them."""
    present = {template_header(c) for c in columns}

    def score(kind: str) -> tuple[int, int]:
        cols = TEMPLATES[kind]
        missing = sum(1 for c in cols if c.required and c.header not in present)
        return len(present & {c.header for c in cols}), -missing

    best = max(TEMPLATES, key=score)
    return best if score(best)[0] >= 2 else None


#: What a header that names no template is told: the first columns of each template.
_UNKNOWN_HEADER = (
    "无法识别模板类型：第 1 行应为模板的表头（如 {}）；请使用本系统下载的模板填写，或指定模板类型"
)


def _unrecognised(columns: list[str], file: str) -> ImportFailed:
    """Row 1's error for a header no template matches whole: the closest template and its
    missing required columns, or, for a header like none, what a header looks like."""
    near = closest_kind(columns)
    if near is None:
        heads = "、".join(_starred(TEMPLATES["projects"])[1:4]) + "…"
        return ImportFailed([RowError(file, 1, "", _UNKNOWN_HEADER.format(heads))])
    present = {template_header(c) for c in columns}
    missing = [c.header for c in TEMPLATES[near] if c.required and c.header not in present]
    why = f"按表头最接近「{_TITLES[near]}模板」，缺少必填列：{'、'.join(missing)}"
    return ImportFailed([RowError(file, 1, "、".join(missing), why)])


def _starred(cols: list[Column]) -> list[str]:
    """Columns' headers as the template writes them (``*`` on a required one)."""
    return [c.header + ("*" if c.required else "") for c in cols]


def header_kind(columns: list[str], kind: str | None, file: str) -> str:
    """The template kind of a table's header (``kind`` when asked for), or ``ImportFailed``
    at row 1 for an unknown kind, a missing required column or a column the template does
    not know: a wrong header refuses the whole table before its body is read."""
    kind = kind or detect_kind(columns)
    if kind not in TEMPLATES:
        raise _unrecognised(columns, file)
    cols = TEMPLATES[kind]
    by_header = {template_header(c): c for c in columns}
    missing = [c.header for c in cols if c.required and c.header not in by_header]
    if missing:
        raise ImportFailed([RowError(file, 1, m, "缺少必填列") for m in missing])
    known = {x.header for x in cols}
    unknown = [c for c in by_header if c not in known]
    if unknown:
        raise ImportFailed([RowError(file, 1, u, "未知列") for u in unknown])
    return kind


def _home_order(name: str) -> int:
    """Where ``name`` comes in :data:`~chainatlas.graph.home.HOME_AREA` (others last)."""
    return HOME_AREA.index(name) if name in HOME_AREA else len(HOME_AREA)


class _Resolver:
    """Looks names up in the store: regions, chains, segments, parks, firms."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        regions = store.find_nodes("Region")
        self.regions = {n.name: n.id for n in regions}
        #: the city's districts and functional zones, where a project, a demand or a supply is
        local = [n for n in regions if n.props.get("kind") in DISTRICT_KINDS]
        local.sort(key=lambda n: _home_order(n.name))  # as the city lists them
        self.districts = {n.name: n.id for n in local}
        chains = store.find_nodes("Chain")
        chains.sort(key=lambda n: n.props.get("layout") != "1366")  # current layout first
        self.chains: dict[str, str] = {}
        for n in chains:
            self.chains.setdefault(n.name, n.id)
            self.chains.setdefault(n.id, n.id)
        self.parks = {n.name: n.id for n in store.find_nodes("Park")}
        self._segments: dict[str, str] | None = None
        self._chain_segments: dict[str, set[str]] = {}
        self._firms: dict[str, str] | None = None
        self._projects: dict[str, list[str]] | None = None

    def chain_hint(self, name: str) -> str:
        """The chains a user may have meant by ``name``: the closest names first, then the
        current layout's others, as an unknown region lists the districts."""
        names = [n for n in self.chains if not n.startswith("chain:") and ":" not in n]
        near = difflib.get_close_matches(name, names, n=_HINTS, cutoff=0.3)
        rest = [n for n in names if n not in near]
        shown = (near + rest)[:_HINTS]
        return f"（可填 {'、'.join(shown)} 等）" if shown else ""

    def segment(self, name: str) -> str | None:
        if self._segments is None:
            self._segments = {n.name: n.id for n in self.store.iter_nodes("Segment")}
        return self._segments.get(name)

    def segment_of(self, name: str, chain: str) -> str | None:
        """The segment of ``chain`` (or below one of its segments) named ``name``; None when
        the chain has none of that name."""
        if chain not in self._chain_segments:
            ids = [n.id for _, n in self.store.neighbours(chain, ["HAS_SEGMENT"], "out")]
            self._chain_segments[chain] = set(ids)
            todo = list(ids)
            while todo:
                for _, c in self.store.neighbours(todo.pop(), ["SUBSEGMENT_OF"], "in"):
                    if c.id not in self._chain_segments[chain]:
                        self._chain_segments[chain].add(c.id)
                        todo.append(c.id)
        mine = self._chain_segments[chain]
        by_id = name if name in mine else None
        return by_id or next(
            (n.id for n in self.store.find_nodes("Segment", {"name": name}) if n.id in mine), None
        )

    def segment_hint(self, name: str, chain: str | None = None) -> str:
        """A few segments a user may have meant by ``name``, closest first: of ``chain`` when
        it is known, else of every chain."""
        if chain is not None:
            self.segment_of(name, chain)  # fills the chain's segments
            names = {
                n.name for n in self.store.get_nodes(list(self._chain_segments[chain])).values()
            }
        else:
            self.segment(name)  # fills every segment
            names = set(self._segments or ())
        near = difflib.get_close_matches(name, sorted(names), n=_HINTS, cutoff=0)
        return f"（可填 {'、'.join(near)} 等）" if near else ""

    def firm(self, key: str) -> str | None:
        if self._firms is None:
            self._firms = {}
            for n in self.store.iter_nodes("Firm"):
                self._firms[n.name] = n.id
                if n.props.get("credit_code"):
                    self._firms[n.props["credit_code"]] = n.id
        return self._firms.get(key) or self._firms.get(key.upper())

    def projects(self, key: str) -> list[str]:
        """The projects ``key`` names: its id, or every project of that name."""
        if self._projects is None:
            self._projects = {}
            for n in self.store.iter_nodes("Project"):
                self._projects.setdefault(n.id, []).append(n.id)
                if n.name != n.id:
                    self._projects.setdefault(n.name, []).append(n.id)
        return self._projects.get(key, [])

    def region(self, name: str) -> str | None:
        """A known region, or a new one for a plausible place name outside the seeds."""
        if name in self.regions:
            return self.regions[name]
        if re.fullmatch(r"[\u4e00-\u9fff]{2,12}(省|市|区|县|州|盟|旗)", name):
            return f"region:{name}"
        return None


def _auto_id(prefix: str, *parts: str) -> str:
    h = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}:{h}"


#: A row's fields as text (:attr:`TemplateRow.values`).
Row = dict[str, str]
#: A row's problems: (column header, reason).
RowProblems = list[tuple[str, str]]
#: Builds one row's node and links; new regions go to the dict, problems to the list.
Builder = Callable[[Row, _Resolver, RowProblems, dict[str, Node]], tuple[Node, list[Relationship]]]


def import_template(
    store: GraphStore,
    path: Path,
    *,
    kind: str | None = None,
    skip_bad: bool = False,
    progress: bool = True,
) -> ImportReport:
    """Import a filled template (``.xlsx`` or ``.csv``) in one atomic batch.

    Raises
    ------
    ImportFailed
        Listing every bad row with its column, when there is one and ``skip_bad`` is false.
    """
    asked = kind

    def check_header(columns: list[str]) -> None:
        header_kind(columns, asked, path.name)

    # formulas and formula-like text are refused; a wrong header before the body is read
    df = read_table(path, progress=progress, header=check_header)
    kind = header_kind(list(df.columns), asked, path.name)
    cols = TEMPLATES[kind]
    errors: list[RowError] = []
    headers = {c.field: c.header for c in cols}
    nodes, rels = _rows(store, df, kind, path.name, errors, progress=progress)
    batch = check_rows(store, nodes, rels, errors, progress=progress)
    if kind == "projects":
        batch = _project_dates(store, batch, nodes, errors, path.name, df.attrs.get("sheet"))
    # name the Chinese header where a validation message names a property; a relationship of
    # a row already rejected is not a second error of that row
    bad_rows = {(e.file, e.row) for e in errors if not e.reason.endswith("对应节点行有错误")}
    errors = [
        RowError(e.file, e.row, headers.get(e.column, e.column), e.reason)
        for e in errors
        if not (e.reason.endswith("对应节点行有错误") and (e.file, e.row) in bad_rows)
    ]
    errors.sort(key=lambda e: e.row)  # the file's order, whichever check found a row's error
    if errors and not skip_bad:
        raise ImportFailed(errors)
    stale = stale_links(store, batch)
    batch.delete_relationships(stale)
    changes = record_changes(store, batch, stale, kind)
    total = len(batch.nodes) + len(batch.relationships)
    with tqdm(
        total=total, desc="写入", unit="行", disable=not progress or total < PROGRESS_MIN_ROWS
    ) as bar:
        report = _write(store, batch, errors, [path.name], skip_bad=skip_bad)
        bar.update(total)
    report.changes = changes
    return report


#: The label and noun of each template's records
_RECORDS = {
    "firms": ("Firm", "企业"),
    "projects": ("Project", "项目"),
    "demands": ("Demand", "需求"),
    "supplies": ("Supply", "供给"),
}


def record_changes(
    store: GraphStore, batch: Batch, stale: list[RelKey], kind: str
) -> RecordChanges:
    """How the batch of a ``kind`` template changes its records, read before it is written:
    new ones; stored ones whose properties (merged as the store merges them, ``None``
    removing one) or links change; the others, unchanged — so importing a file a second
    time says so rather than counting its rows as written again."""
    label, noun = _RECORDS[kind]
    records = [n for n in batch.nodes if n.label == label]
    stored = store.get_nodes([n.id for n in records])
    moved = {key[0] for key in stale}
    links: dict[str, set[tuple[str, str]]] = {}
    for r in batch.relationships:
        links.setdefault(r.start, set()).add((r.type, r.end))
    new = updated = 0
    for n in records:
        old = stored.get(n.id)
        if old is None:
            new += 1
            continue
        merged = dict(old.props)
        for k, v in n.props.items():
            if v is None:
                merged.pop(k, None)
            else:
                merged[k] = v
        wanted = links.get(n.id, set())
        have = {(r.type, r.end) for r, _ in store.neighbours(n.id, {t for t, _ in wanted})}
        if merged != old.props or n.id in moved or not wanted <= have:
            updated += 1
    return RecordChanges(noun, new, updated, len(records) - new - updated)


def _project_dates(
    store: GraphStore,
    batch: Batch,
    nodes: list[tuple[str, int, Node]],
    errors: list[RowError],
    file: str,
    sheet: str | None,
) -> Batch:
    """The batch without the projects whose dates break the ledger's rules, each problem an
    error of its row and date column (:func:`~chainatlas.graph.project_dates.write_problems`,
    the rules the records API and a stage move apply): dates out of order, a stage without
    its dates, an actual date in the future. A row is checked as the project will be, merged
    into the stored one (a blank cell keeps the stored date), on its dates as validated (an
    Excel date cell read as its day); a problem the stored project already had is not the
    row's. A workbook's errors name its sheet, as a CSV has none."""
    lines = {n.id: line for _, line, n in nodes}
    projects = [n for n in batch.nodes if n.label == "Project"]
    stored = store.get_nodes([n.id for n in projects])
    where = f"工作表「{sheet}」：" if sheet else ""
    refused: set[str] = set()
    for n in projects:
        old = stored.get(n.id)
        before = old.props if old is not None and old.label == "Project" else None
        for field, why in write_problems(before, n.props):
            errors.append(RowError(file, lines[n.id], field, where + why))
            refused.add(n.id)
    if not refused:
        return batch
    errors.sort(key=lambda e: e.row)  # the rows in the file's order, whichever check found them
    return Batch(
        nodes=[n for n in batch.nodes if n.id not in refused],
        relationships=[r for r in batch.relationships if r.start not in refused],
        prevalidated=True,
    )


#: The links a row states whole: a stored link of the same type to another end is replaced (a
#: move), so the district or chain that had the record loses it, as in the API. A firm's
#: segments, parks and chains are added to, not replaced.
REPLACED_LINKS = {
    "Firm": ("LOCATED_IN",),
    "Project": ("LOCATED_IN", "IN_CHAIN", "IN_SEGMENT", "FOR_FIRM"),
    "Demand": ("LOCATED_IN", "IN_CHAIN", "IN_SEGMENT", "FOR_FIRM", "FOR_PROJECT"),
    "Supply": ("LOCATED_IN", "IN_CHAIN", "IN_SEGMENT", "FOR_FIRM", "FOR_PROJECT"),
}


def stale_links(store: GraphStore, batch: Batch) -> list[RelKey]:
    """The stored links of the batch's records that its rows replace: for each record already
    stored and each link type its row names (:data:`REPLACED_LINKS`), the stored links of that
    type to ends the row does not name."""
    named: dict[tuple[str, str], set[str]] = {}
    for r in batch.relationships:
        named.setdefault((r.start, r.type), set()).add(r.end)
    labels = {n.id: n.label for n in batch.nodes}
    stored = store.get_nodes(list(labels))
    stale: list[RelKey] = []
    for node_id, label in labels.items():
        if node_id not in stored:
            continue
        for rtype in REPLACED_LINKS.get(label, ()):
            ends = named.get((node_id, rtype))
            if not ends:
                continue
            for rel, _ in store.neighbours(node_id, [rtype], "out"):
                if rel.end not in ends:
                    stale.append(rel.key)
    return stale


def _rows(
    store: GraphStore,
    df: pd.DataFrame,
    kind: str,
    name: str,
    errors: list[RowError],
    *,
    progress: bool,
) -> tuple[list[tuple[str, int, Node]], list[tuple[str, int, Relationship]]]:
    """The nodes and relationships of a template's rows (file, line, item); each bad row's
    errors go to ``errors`` instead."""
    cols = TEMPLATES[kind]
    res = _Resolver(store)
    headers = {c.field: c.header for c in cols}
    nodes: list[tuple[str, int, Node]] = []
    rels: list[tuple[str, int, Relationship]] = []
    new_regions: dict[str, Node] = {}
    for tr in template_rows(df, {c.header: c.field for c in cols}, progress=progress):
        line, row = tr.line, tr.values
        row_errors: RowProblems = [
            (c.header, "必填项为空") for c in cols if c.required and not row[c.field]
        ]
        # every error of a row at once: a row without its name is checked all the same
        fresh: dict[str, Node] = {}  # the row's new regions, kept only if the row is
        node, node_rels = _BUILDERS[kind](row, res, row_errors, fresh)
        if row_errors:  # also report what the model says about this row
            _model_problems(node, headers, row_errors)
            for col, why in row_errors:
                errors.append(RowError(name, line, col, why))
            continue
        new_regions.update(fresh)
        nodes.append((name, line, node))
        rels.extend((name, line, r) for r in node_rels)
    nodes.extend((name, 0, n) for n in new_regions.values())
    return nodes, rels


def _model_problems(node: Node, headers: dict[str, str], errs: RowProblems) -> None:
    """Add what the model says about a row already found wrong, but not twice for a column."""
    try:
        validate_node(node)
    except ValidationFailed as exc:
        seen = {col for col, _ in errs}
        for prop, why in exc.problems:
            col = headers.get(prop, prop)
            if col not in seen:
                errs.append((col, why))
                seen.add(col)


def _split(v: str) -> list[str]:
    return [x.strip() for x in _LIST_SEP.split(v) if x.strip()]


def _num(
    row: Row,
    field: str,
    header: str,
    errs: RowProblems,
    cast: Callable[[str], Any] = float,
) -> Any:
    v = row[field].replace(",", "")
    if not v:
        return None
    try:
        return cast(v)
    except ValueError:
        errs.append((header, f"不是有效数字：{row[field]!r}"))
        return None


def _district(
    row: Row, res: _Resolver, errs: RowProblems, new: dict[str, Node], node_id: str
) -> list[Relationship]:
    """LOCATED_IN for a project, a demand or a supply: one of the city's districts or
    functional zones (:data:`~chainatlas.graph.home.DISTRICT_KINDS`, as a district token's
    scope), never the city itself or a place outside it, which the monthly 通报晾晒 would rank
    as a district."""
    name = row.get("region", "")
    if not name:
        return []
    if name in res.districts:
        return [Relationship(node_id, "LOCATED_IN", res.districts[name])]
    choices = "、".join(res.districts) or "（图谱中没有区县）"
    why = "不是区县或功能区" if name in res.regions else "未知区域"
    errs.append(("所在区域", f"{why}：{name!r}（可填 {choices}）"))
    return []


def _region(
    row: dict[str, str],
    res: _Resolver,
    errs: list[tuple[str, str]],
    new: dict[str, Node],
    node_id: str,
) -> list[Relationship]:
    """LOCATED_IN for a firm: any known region, or a new one for a plausible place name (a
    firm may be anywhere)."""
    if not row.get("region"):
        return []
    rid = res.region(row["region"])
    if rid is None:
        errs.append(
            (
                "所在区域",
                f"未知区域 {row['region']!r}（可填 {'、'.join(list(res.regions)[:9])} 等）",
            )
        )
        return []
    if rid not in res.regions.values() and rid not in new:
        new[rid] = Node(rid, "Region", {"name": row["region"], "kind": "其他"})
    return [Relationship(node_id, "LOCATED_IN", rid)]


def _chain_seg(
    row: dict[str, str], res: _Resolver, errs: list[tuple[str, str]], node_id: str
) -> list[Relationship]:
    out = []
    cid = None
    if row.get("chain"):
        cid = res.chains.get(row["chain"])
        if cid is None:
            errs.append(
                ("所属产业链", f"未知产业链 {row['chain']!r}{res.chain_hint(row['chain'])}")
            )
        else:
            out.append(Relationship(node_id, "IN_CHAIN", cid))
    if row.get("segment"):
        sid = res.segment(row["segment"])
        if sid is None:
            hint = res.segment_hint(row["segment"], cid)
            errs.append(("所属环节", f"未知环节 {row['segment']!r}{hint}"))
        elif cid is not None and (sid := res.segment_of(row["segment"], cid)) is None:
            hint = res.segment_hint(row["segment"], cid)
            why = f"环节 {row['segment']!r} 不属于产业链 {row['chain']!r}{hint}"
            errs.append(("所属环节", why))
        else:
            out.append(Relationship(node_id, "IN_SEGMENT", sid))
    return out


def _firm_link(
    row: dict[str, str], res: _Resolver, errs: list[tuple[str, str]], node_id: str, header: str
) -> list[Relationship]:
    if not row.get("firm"):
        return []
    fid = res.firm(row["firm"])
    if fid is None:
        errs.append((header, f"库中没有企业 {row['firm']!r}（请先导入企业）"))
        return []
    return [Relationship(node_id, "FOR_FIRM", fid)]


def _project_link(
    row: dict[str, str], res: _Resolver, errs: list[tuple[str, str]], node_id: str
) -> list[Relationship]:
    """FOR_PROJECT: the demand belongs to this project (一项目一档案)."""
    if not row.get("project"):
        return []
    found = res.projects(row["project"])
    if not found:
        errs.append(("所属项目", f"库中没有项目 {row['project']!r}（请填项目编号或名称）"))
        return []
    if len(found) > 1:
        errs.append(("所属项目", f"有 {len(found)} 个项目名为 {row['project']!r}，请填项目编号"))
        return []
    return [Relationship(node_id, "FOR_PROJECT", found[0])]


def _yes_no(row: Row, errs: RowProblems) -> bool | None:
    """The row's 是否重大项目 cell (:func:`yes_no`); ``None`` with a problem when refused."""
    try:
        return yes_no(row["major"])
    except ValueError as exc:
        errs.append(("是否重大项目", str(exc)))
        return None


def _check_code_free(code: str, fid: str, res: _Resolver, errs: RowProblems) -> None:
    """A 统一社会信用代码 names one firm: a row giving a code that another firm holds (in the
    graph, or an earlier row of the file) is refused, as ``PUT /firms/{id}`` refuses it."""
    if not code:
        return
    holder = res.firm(code)
    if holder is not None and holder != fid:
        why = f"{code} 已属于企业 {holder}，一家企业只登记一次；请核对代码，或在编号列填写 {holder}"
        errs.append(("统一社会信用代码", why))
    elif res._firms is not None:
        res._firms[code] = fid  # a later row with this code and another id is refused too


def _build_firm(
    row: Row, res: _Resolver, errs: RowProblems, new: dict[str, Node]
) -> tuple[Node, list[Relationship]]:
    fid = row["id"] or ("firm:" + (row["credit_code"].upper() or row["name"]))
    _check_code_free(row["credit_code"].upper(), fid, res, errs)
    props: dict[str, Any] = {
        "name": row["name"],
        "region": row["region"],
        "credit_code": row["credit_code"] or None,
        "tags": _split(row["tags"]),
        "output": _num(row, "output", "产值（亿元）", errs),
        "employees": _num(row, "employees", "从业人数", errs, int),
    }
    rels = _region(row, res, errs, new, fid)
    for s in _split(row["segments"]):
        sid = res.segment(s)
        if sid is None:
            errs.append(("所属环节", f"未知环节 {s!r}{res.segment_hint(s)}"))
        else:
            rels.append(Relationship(fid, "OPERATES_IN", sid))
    for c in _split(row["master_of"]):
        cid = res.chains.get(c)
        if cid is None:
            errs.append(("链主所在产业链", f"未知产业链 {c!r}{res.chain_hint(c)}"))
        else:
            rels.append(Relationship(fid, "CHAIN_MASTER_OF", cid))
    if row["park"]:
        pid = res.parks.get(row["park"])
        if pid is None:
            errs.append(("所在园区", f"未知园区 {row['park']!r}"))
        else:
            rels.append(Relationship(fid, "IN_PARK", pid))
    return Node(fid, "Firm", props), rels


def _build_project(
    row: Row, res: _Resolver, errs: RowProblems, new: dict[str, Node]
) -> tuple[Node, list[Relationship]]:
    pid = row["id"] or f"project:{row['name']}"
    props: dict[str, Any] = {
        k: row[k] or None
        for k in (
            "name",
            "region",
            "stage",
            "responsible_unit",
            "attraction_method",
            "signed",
            "filed",
            "land_date",
            "started",
            "completed",
            "producing",
            "above_scale",
            "at_capacity",
        )
    }
    props["investment"] = _num(row, "investment", "总投资（亿元）", errs)
    props["major"] = _yes_no(row, errs)
    rels = _district(row, res, errs, new, pid) + _chain_seg(row, res, errs, pid)
    rels += _firm_link(row, res, errs, pid, "投资企业")
    if row["park"]:
        park = res.parks.get(row["park"])
        if park is None:
            errs.append(("所在园区", f"未知园区 {row['park']!r}"))
        else:
            rels.append(Relationship(pid, "IN_PARK", park))
    return Node(pid, "Project", props), rels


def _build_element(label: str) -> Builder:
    def build(
        row: Row, res: _Resolver, errs: RowProblems, new: dict[str, Node]
    ) -> tuple[Node, list[Relationship]]:
        parts = [row["kind"], row["description"], row["region"]]
        parts.append(row.get("firm", "") or row.get("provider", ""))
        if row.get("project"):  # the same need of two projects is two demands
            parts.append(row["project"])
        nid = row["id"] or _auto_id(label.lower(), *parts)
        props: dict[str, Any] = {
            k: row[k] or None
            for k in ("kind", "description", "unit", "region", "valid_from", "valid_to")
        }
        props["quantity"] = _num(row, "quantity", "数量", errs)
        if label == "Demand":
            props["major"] = _yes_no(row, errs)
        else:
            props["capacity"] = _num(row, "capacity", "可服务需求数", errs, int)
            props["provider"] = row["provider"] or None
        rels = _district(row, res, errs, new, nid) + _chain_seg(row, res, errs, nid)
        if label == "Demand":
            rels += _firm_link(row, res, errs, nid, "提出企业")
            rels += _project_link(row, res, errs, nid)
        return Node(nid, label, props), rels

    return build


_BUILDERS: dict[str, Builder] = {
    "firms": _build_firm,
    "projects": _build_project,
    "demands": _build_element("Demand"),
    "supplies": _build_element("Supply"),
}
