"""Reading officers' and engineers' tables: CSV in UTF-8, UTF-8 with BOM or GBK, and xlsx."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from chainatlas.graph.errors import ImportFailed, RowError

__all__ = ["ENCODINGS", "parse_cell", "read_table"]

ENCODINGS = ("utf-8-sig", "gb18030")


def parse_cell(raw: str, t: str, delim: str = ";") -> Any:
    """A cell of a typed bundle column (``int``, ``double``, ``boolean``, ``date``, arrays ``t[]``
    joined with ``delim``); ``ValueError`` names what is wrong."""
    if t.endswith("[]"):
        return [parse_cell(x, t[:-2], delim) for x in raw.split(delim) if x != ""]
    if t in ("int", "long", "short", "byte"):
        return int(raw)
    if t in ("float", "double"):
        return float(raw)
    if t == "boolean":
        low = raw.strip().lower()
        if low not in ("true", "false"):
            raise ValueError(f"不是布尔值（true/false）: {raw!r}")
        return low == "true"
    if t == "date":
        return date.fromisoformat(raw.strip()).isoformat()
    return raw


def _encoding(raw: bytes, name: str) -> str:
    """The first of :data:`ENCODINGS` that decodes ``raw`` as a whole."""
    for enc in ENCODINGS:
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise ImportFailed([RowError(name, 0, "", "无法识别文件编码（支持 UTF-8、UTF-8 BOM、GBK）")])


def _formula_cells(path: Path, sheet: str) -> list[tuple[int, str, str]]:
    """(row, header, formula) of every formula cell of ``sheet``: an uploaded table must hold
    values — a formula's cached result may be stale or absent, and formulas are how CSV/Excel
    injection travels."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        rows = book[sheet].iter_rows()
        header = [c.value for c in next(rows, ())]
        out = []
        for r, row in enumerate(rows, start=2):
            for j, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    head = (
                        header[j] if j < len(header) and header[j] is not None else f"第{j + 1}列"
                    )
                    out.append((r, str(head), str(cell.value)))
        return out
    finally:
        book.close()


def read_table(path: Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """All cells as strings ("" for empty), headers stripped. Formula cells in a workbook are
    refused (every one reported with row and column). Data row ``i`` of the frame is
    line ``i + 2`` of the file (the header is line 1).

    Raises
    ------
    ImportFailed
        When the file cannot be decoded or parsed; the error names the file.
    """
    name = path.name
    formulas: list[tuple[int, str, str]] = []
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
            if sheet is not None:
                name_of = sheet if isinstance(sheet, str) else list(book)[sheet]
            else:
                name_of = "数据" if "数据" in book else next(iter(book))
            df = book[name_of]
            formulas = _formula_cells(path, name_of)
        else:
            raw = path.read_bytes()
            # object, not str: with pyarrow installed pandas would build Arrow-backed strings
            # and convert them back, twice the time for the same Python strings
            df = pd.read_csv(
                io.BytesIO(raw), dtype=object, keep_default_na=False, encoding=_encoding(raw, name)
            )
    except ImportFailed:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds
        raise ImportFailed([RowError(name, 0, "", f"无法读取文件: {exc}")]) from None
    if formulas:
        raise ImportFailed(
            [
                RowError(name, row, str(head), f"单元格含公式 {text[:40]!r}：请粘贴为数值后再导入")
                for row, head, text in formulas
            ]
        )
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("")
