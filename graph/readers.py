"""Reading officers' and engineers' tables: CSV in UTF-8, UTF-8 with BOM or GBK, and xlsx."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from graph.errors import ImportFailed, RowError

__all__ = ["ENCODINGS", "read_table"]

ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(raw: bytes, name: str) -> str:
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ImportFailed([RowError(name, 0, "", "无法识别文件编码（支持 UTF-8、UTF-8 BOM、GBK）")])


def read_table(path: Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """All cells as strings ("" for empty), headers stripped. Data row ``i`` of the frame is
    line ``i + 2`` of the file (the header is line 1).

    Raises
    ------
    ImportFailed
        When the file cannot be decoded or parsed; the error names the file.
    """
    name = path.name
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
            if sheet is not None:
                df = book[sheet] if isinstance(sheet, str) else list(book.values())[sheet]
            else:
                df = book.get("数据", next(iter(book.values())))
        else:
            text = _decode(path.read_bytes(), name)
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except ImportFailed:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds
        raise ImportFailed([RowError(name, 0, "", f"无法读取文件: {exc}")]) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("")
