"""Reading officers' and engineers' tables: CSV in UTF-8, UTF-8 with BOM or GBK, and xlsx.

Workbooks are read with openpyxl in read-only mode, one pass over the rows of one sheet, without
trusting the sheet's declared dimension: a 4.9 KB workbook whose only cell is ``A1048576``
declares a million rows, and pandas' reader padded every one of them (5 s). Here the rows are
counted as they come and a sheet longer than :data:`MAX_ROWS` (or wider than
:data:`MAX_COLUMNS`) is refused at that point. The same pass finds formula cells.

Reading cells is what costs (a 1 MB workbook of 12 million cells took minutes), so two checks
come before the body is read: the caller's ``header`` check (a table whose header names unknown
columns is refused at row 1, not after every cell was read), and :data:`MAX_CELLS`, a budget
of rows × columns estimated from the sheet's declared size or the CSV's line count, and
counted again as the rows come.

Officers' tables hold values, never formulas: a cell that is a formula, or text that starts like
one (``=``, ``+``, ``-``, ``@``; CSV/Excel injection), is refused with its file, row and column,
in workbooks and CSV alike. A plain number such as ``-3.5`` is a value, not a formula. Bundles
(the engineers' neo4j-admin CSVs) keep every value exactly and opt out of that rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from chainatlas.graph.errors import ImportFailed, RowError

__all__ = [
    "ENCODINGS",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "PROGRESS_MIN_ROWS",
    "NO_WORDS",
    "YES_WORDS",
    "formula_text_errors",
    "parse_cell",
    "read_table",
    "yes_no",
]

ENCODINGS = ("utf-8-sig", "gb18030")
#: Rows (header included) a worksheet may have; a template of every firm in the province fits.
MAX_ROWS = 200_000
#: Columns a worksheet may have; the widest template has 18.
MAX_COLUMNS = 1_000
#: Cells (rows × columns of the header's width or wider) a table may have: what an upload may
#: cost to read. A template of 100,000 firms × 18 columns fits.
MAX_CELLS = 2_000_000
#: Below this many rows a step is quick and shows no progress bar.
PROGRESS_MIN_ROWS = 10_000
#: How far down a refused header is looked for below row 1 (a title row, blank rows).
HEADER_SEARCH_ROWS = 6

_FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
_OLE2 = b"\xd0\xcf\x11\xe0"  # the signature of Excel 97-2003 (.xls) files
_XLS_HINT = "旧版 Excel 97-2003（.xls）文件不能导入：请在 Excel 中“另存为” .xlsx 工作簿后再导入"


#: What a typed bundle column holds, as its error messages name it
_TYPE_ZH = {
    **dict.fromkeys(("int", "long", "short", "byte"), "整数"),
    **dict.fromkeys(("float", "double"), "数字"),
    "date": "日期（YYYY-MM-DD）",
}


def parse_cell(raw: str, t: str, delim: str = ";") -> Any:
    """A cell of a typed bundle column (``int``, ``double``, ``boolean``, ``date``, arrays ``t[]``
    joined with ``delim``); ``ValueError`` names, in Chinese, the type expected.

    >>> parse_cell("yes", "int")
    Traceback (most recent call last):
    ...
    ValueError: 应为整数，而不是 'yes'
    """
    if t.endswith("[]"):
        return [parse_cell(x, t[:-2], delim) for x in raw.split(delim) if x != ""]
    if t == "boolean":
        low = raw.strip().lower()
        if low not in ("true", "false"):
            raise ValueError(f"不是布尔值（true/false）: {raw!r}")
        return low == "true"
    try:
        if t in ("int", "long", "short", "byte"):
            return int(raw)
        if t in ("float", "double"):
            return float(raw)
        if t == "date":
            return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:  # Python's reasons are English: name the type expected instead
        raise ValueError(f"应为{_TYPE_ZH[t]}，而不是 {raw[:40]!r}") from None
    return raw


#: The spellings of 是 that a yes/no cell of an officer's table may hold, compared without
#: surrounding space and case: ``Y``/``yes`` as typed, ``TRUE`` as a CSV writes it and ``True``
#: as a workbook's boolean cell reads (:func:`read_table`), ``1`` as a checkbox column exports.
YES_WORDS = ("是", "y", "yes", "true", "1")
#: The spellings of 否; an empty cell is 否 too.
NO_WORDS = ("否", "n", "no", "false", "0", "")


def yes_no(text: str) -> bool:
    """A yes/no cell of an officer's table (是否重大项目 …) as a boolean.

    One closed list of spellings (:data:`YES_WORDS`, :data:`NO_WORDS`), the same for every
    reader (templates, demand and supply lists); anything else is refused, never guessed
    (对, 有, √, 也许). The model itself stays strict: a stored boolean is a boolean, and only
    readers of tables turn these spellings into one.

    Parameters
    ----------
    text : str
        The cell as text.

    Returns
    -------
    bool
        True for 是 and its spellings, False for 否, its spellings and an empty cell.

    Raises
    ------
    ValueError
        In Chinese, naming the value, for any other text.

    Examples
    --------
    >>> yes_no("是"), yes_no(" Y "), yes_no("True"), yes_no("否"), yes_no("")
    (True, True, True, False, False)
    >>> yes_no("也许")
    Traceback (most recent call last):
    ...
    ValueError: 请填写 是 或 否，而不是 '也许'
    """
    low = text.strip().lower()
    if low in YES_WORDS:
        return True
    if low in NO_WORDS:
        return False
    raise ValueError(f"请填写 是 或 否，而不是 {text!r}")


def _fail(name: str, reason: str, row: int = 0, column: str = "") -> ImportFailed:
    return ImportFailed([RowError(name, row, column, reason)])


def _encoding(raw: bytes, name: str) -> str:
    """The first of :data:`ENCODINGS` that decodes ``raw`` as a whole."""
    for enc in ENCODINGS:
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise _fail(name, "无法识别文件编码（支持 UTF-8、UTF-8 BOM、GBK）")


def _is_formula_text(v: str) -> bool:
    """True for text that a spreadsheet would run as a formula; a plain number is not, nor is
    a lone dash."""
    s = v.strip()
    if not s.startswith(_FORMULA_START) or _NUMBER.fullmatch(s):
        return False
    return set(s) != {"-"}  # "-" or "--" stands for "none" in many tables


def formula_text_errors(df: pd.DataFrame, name: str) -> list[RowError]:
    """Every header or cell of ``df`` that starts like a formula, with its row and column
    (header = row 1, data row ``i`` = row ``i + 2``)."""
    bad = [
        RowError(name, 1, str(col), _formula_reason(str(col)))
        for col in df.columns
        if _is_formula_text(str(col))
    ]
    for col in df.columns:
        for i, v in enumerate(df[col].tolist()):
            if isinstance(v, str) and v and _is_formula_text(v):
                bad.append(RowError(name, i + 2, str(col), _formula_reason(v)))
    bad.sort(key=lambda e: e.row)
    return bad


def _formula_reason(v: str) -> str:
    first = v.lstrip()[:1]
    return f"单元格以 {first} 开头（疑似公式）: {v[:40]!r}；请去掉开头的 {first} 或改为文字说明"


def _cell_text(cell: Any) -> str:
    """A cell's value as text, as pandas' ``read_excel(dtype=str)`` gives it (whole numbers
    without ``.0``, dates as ``YYYY-MM-DD HH:MM:SS``)."""
    v = cell.value
    if v is None or cell.data_type == "e":  # empty, or an error value such as #N/A
        return ""
    if cell.data_type == "n" and isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


#: A check of a table's column names (as the frame will name them), run before its body is
#: read; it raises ``ImportFailed`` to refuse the table.
HeaderCheck = Callable[[list[str]], None]


def _too_many_cells(name: str, rows: int, columns: int) -> ImportFailed:
    return _fail(
        name,
        f"表格约 {rows:,} 行 × {columns:,} 列，超过 {MAX_CELLS:,} 个单元格的上限，请拆分后再导入",
    )


def _sheet_rows(
    path: Path,
    sheet: str | int | None,
    *,
    progress: bool,
    header: HeaderCheck | None = None,
    budget: int | None = None,
) -> tuple[str, list[list[str]]]:
    """The name of the worksheet read and its rows as text, trailing empty cells and rows
    dropped.

    Raises ``ImportFailed`` for a formula cell (each one listed), a sheet over the size limits
    (a believable declared size over :data:`MAX_CELLS` before any row is read), a header that
    ``header`` refuses (before the body is read), a missing sheet, or a file that is not a
    workbook.
    """
    import openpyxl

    name = path.name
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # zipfile/openpyxl raise many kinds for a file that is not a workbook
        with path.open("rb") as f:
            if f.read(4) == _OLE2:
                raise _fail(name, _XLS_HINT) from None
        raise _fail(
            name, "无法读取：不是有效的 Excel 工作簿（.xlsx），文件为空、已损坏或是其他格式"
        ) from None
    try:
        ws = _pick_sheet(book, sheet, name)
        declared = ws.max_row or 0
        width = ws.max_column or 0
        if budget is not None and 0 < declared <= MAX_ROWS and declared * width > budget:
            raise _too_many_cells(name, declared, width)
        ws.reset_dimensions()  # the declared size may lie: count the rows that are there
        total = declared if 0 < declared <= MAX_ROWS else None
        with tqdm(
            total=total,
            desc=f"读取 {name}",
            unit="行",
            # no (believable) declared size: a counter that appears if reading takes a while
            delay=0 if total else 1.0,
            disable=not progress or (total is not None and total < PROGRESS_MIN_ROWS),
        ) as bar:
            return ws.title, _scan(ws, name, bar, header, budget)
    finally:
        book.close()


def _scan(
    ws: Any, name: str, bar: tqdm[Any], check: HeaderCheck | None, budget: int | None
) -> list[list[str]]:
    """One pass over a worksheet's rows, stopping at the size limits and, after row 1, at a
    header that ``check`` refuses."""
    rows: list[list[str]] = []
    formulas: list[RowError] = []
    header: list[str] = []
    refused: ImportFailed | None = None  # row 1's refusal, while a header below is looked for
    last = 0  # the last row with a value
    cells = 0
    for r, row in enumerate(ws.rows, start=1):
        if r > MAX_ROWS:
            raise _fail(name, f"工作表「{ws.title}」超过 {MAX_ROWS:,} 行，请拆分后再导入")
        cells += max(len(row), len(header))
        if budget is not None and cells > budget:
            raise _too_many_cells(name, r, max(len(row), len(header)))
        values = [_cell_text(c) for c in row]
        while values and values[-1] == "":
            values.pop()
        if len(values) > MAX_COLUMNS:
            raise _fail(name, f"超过 {MAX_COLUMNS:,} 列，请删去多余的列后再导入", row=r)
        formulas += _formula_cells(row[: len(values)], header, name, r)
        if r == 1:
            header = [v.strip() for v in values]
            if check is not None:
                refused = _header_refusal(header, check, name)
                if refused is not None and not _title_like(header):
                    raise refused  # a header, wrong: refused before the body is read
        elif refused is not None:  # row 1 is not a header: is one of the next rows?
            _header_below(values, r, check, name)
            if r >= HEADER_SEARCH_ROWS:
                raise refused
        if values:
            last = r
        rows.append(values)
        bar.update()
    if refused is not None:
        raise refused
    if formulas:
        raise ImportFailed(formulas)
    return rows[:last]


def _header_refusal(header: list[str], check: HeaderCheck, name: str) -> ImportFailed | None:
    """Why row 1 is not an acceptable header (None when it is)."""
    if not header:
        return _fail(name, "工作表为空：第 1 行应为表头", row=1)
    try:
        check(_column_names(header))
    except ImportFailed as exc:
        return exc
    return None


def _title_like(row: list[str]) -> bool:
    """True for a row of at most one value: a title above a table's header, or a blank row,
    below which the header is looked for; a row of several values is a header, right or
    wrong."""
    return sum(1 for v in row if v.strip() and not v.startswith("Unnamed: ")) <= 1


def _header_below(values: list[str], r: int, check: HeaderCheck | None, name: str) -> None:
    """Refuse a table whose row ``r`` is the header ``check`` accepts while row 1 was not: a
    title row (or blank rows) above the header, as government spreadsheets often have. The
    rows are not read from there on: every row number the officer is told stays the file's."""
    header = [v.strip() for v in values]
    if check is None or not header or _header_refusal(header, check, name) is not None:
        return
    shown = "、".join(h for h in header[:3] if h) + ("…" if len(header) > 3 else "")
    raise _fail(
        name,
        f"第 1 行不是表头：表头应在第 1 行，这个表的表头在第 {r} 行（{shown}）；"
        f"请删除表头上方的 {r - 1} 行（标题行或空行）后再导入",
        row=1,
    )


def _formula_cells(row: Any, header: list[str], name: str, r: int) -> list[RowError]:
    """Row ``r``'s formula cells: a formula's cached result may be stale or absent, and
    formulas are how CSV/Excel injection travels."""
    out = []
    for j, c in enumerate(row):
        if c.data_type == "f":
            col = header[j] if j < len(header) and header[j] else f"第{j + 1}列"
            why = f"单元格含公式 {str(c.value)[:40]!r}：请粘贴为数值后再导入"
            out.append(RowError(name, r, col, why))
    return out


def _pick_sheet(book: Any, sheet: str | int | None, name: str) -> Any:
    """The asked-for worksheet, else the one named 数据, else the first."""
    sheets = book.worksheets
    if not sheets:
        raise _fail(name, "工作簿中没有工作表")
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise _fail(name, f"工作簿只有 {len(sheets)} 个工作表")
        return sheets[sheet]
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise _fail(name, f"没有名为「{sheet}」的工作表（有：{'、'.join(book.sheetnames)}）")
        return book[sheet]
    return book["数据"] if "数据" in book.sheetnames else sheets[0]


def _frame(rows: list[list[str]], name: str) -> pd.DataFrame:
    """A frame of text cells from a header row and data rows, the columns named as pandas
    names them (a blank header is ``Unnamed: j``, a repeated one ``x.1``)."""
    if not rows or not rows[0]:
        raise _fail(name, "工作表为空：第 1 行应为表头")
    width = max(len(r) for r in rows)
    columns = _column_names(rows[0] + [""] * (width - len(rows[0])))
    data = [r + [""] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(data, columns=columns, dtype=object)


def _column_names(header: list[str]) -> list[str]:
    """A header row's columns as pandas names them (a blank header is ``Unnamed: j``, a
    repeated one ``x.1``)."""
    columns: list[str] = []
    seen: dict[str, int] = {}
    for j, cell in enumerate(header):
        head = cell if cell != "" else f"Unnamed: {j}"
        k = seen.get(head, 0)
        seen[head] = k + 1
        columns.append(head if k == 0 else f"{head}.{k}")
    return columns


def _read_csv(
    path: Path, name: str, check: HeaderCheck | None = None, budget: int | None = None
) -> pd.DataFrame:
    raw = path.read_bytes()
    if raw[:4] == _OLE2:
        raise _fail(name, _XLS_HINT)
    if not raw.strip():
        raise _fail(name, "文件为空：第 1 行应为表头")
    try:
        encoding = _encoding(raw, name)
        # object, not str: with pyarrow installed pandas would build Arrow-backed strings
        # and convert them back, twice the time for the same Python strings
        head = pd.read_csv(io.BytesIO(raw), dtype=object, nrows=0, encoding=encoding)
        columns = [str(c).strip() for c in head.columns]
        lines = raw.count(b"\n") + 1  # at least the rows (a quoted cell may span lines)
        if budget is not None and lines * len(columns) > budget:
            raise _too_many_cells(name, lines, len(columns))
        if check is not None:
            _check_csv_header(raw, encoding, columns, check, name)
        return pd.read_csv(io.BytesIO(raw), dtype=object, keep_default_na=False, encoding=encoding)
    except ImportFailed:
        raise
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            want, line, got = m.groups()
            raise _fail(
                name, f"列数与表头不符：表头 {want} 列，这一行 {got} 列", row=int(line)
            ) from None
        raise _fail(name, "无法读取：CSV 格式有误（引号未闭合或列数不一致）") from None
    except Exception:  # pandas raises many kinds for text that is not a table
        raise _fail(name, "无法读取：不是有效的 CSV 表格") from None


def _check_csv_header(
    raw: bytes, encoding: str, columns: list[str], check: HeaderCheck, name: str
) -> None:
    """``check`` on a CSV's first line; when it refuses, the next lines are looked at for the
    header (a title row above it is named as such, see :func:`_header_below`)."""
    refused = _header_refusal(columns, check, name)
    if refused is None:
        return
    if not _title_like(columns):
        raise refused
    lines = raw.decode(encoding).splitlines()[1:HEADER_SEARCH_ROWS]
    for r, values in enumerate(csv.reader(lines), start=2):
        while values and values[-1].strip() == "":
            values.pop()
        _header_below(values, r, check, name)
    raise refused


def read_table(
    path: Path,
    *,
    sheet: str | int | None = None,
    keep_formula_text: bool = False,
    progress: bool = False,
    header: HeaderCheck | None = None,
    cell_budget: bool = True,
) -> pd.DataFrame:
    """All cells as strings ("" for empty), headers stripped. Data row ``i`` of the frame is
    line ``i + 2`` of the file (the header is line 1). A workbook's frame names the worksheet
    it was read from in ``df.attrs["sheet"]``, for errors found later to name it.

    ``header``, when given, is called with the column names (stripped, named as the frame
    will name them) before any body row is read; it refuses a table by raising
    ``ImportFailed``. A table over :data:`MAX_CELLS` is refused before its body is read,
    unless ``cell_budget`` is false (bundles: the engineers' data, city office only, whose
    rows are many and narrow).

    Formula cells of a workbook are refused, and so is text that starts like a formula in a
    workbook or CSV unless ``keep_formula_text`` is true (bundles, which keep values exactly).
    ``progress`` shows a bar while a long workbook is read.

    Raises
    ------
    ImportFailed
        When the file cannot be decoded or parsed, is too large, holds formulas or has a header
        that ``header`` refuses; every
        error names the file (and the row and column where there is one).
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _fail(name, _XLS_HINT)
    title = None
    if suffix in (".xlsx", ".xlsm"):
        budget = MAX_CELLS if cell_budget else None
        title, rows = _sheet_rows(path, sheet, progress=progress, header=header, budget=budget)
        df = _frame(rows, name)
    else:
        df = _read_csv(path, name, header, MAX_CELLS if cell_budget else None)
    df.columns = [str(c).strip() for c in df.columns]
    df = df.fillna("")
    if not keep_formula_text:
        bad = formula_text_errors(df, name)
        if bad:
            raise ImportFailed(bad)
    if title is not None:
        df.attrs["sheet"] = title
    return df
