"""A projects workbook that breaks the ledger's date rules, uploaded as users do: the import
page (一个浏览器, its form and CSRF token), the API's ``POST /import`` and ``chainatlas
import``. Each refuses the whole file in Chinese, naming the file, the sheet, the row and the
column, and writes nothing."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.cli import main
from chainatlas.graph.io.templates import write_template
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers, post_form

GOOD = {"项目名称": "上传日期好项目", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
BACKWARDS = GOOD | {"项目名称": "上传倒序项目", "签约日期": "2026-03-01", "开工日期": "2025-12-01"}
WHY = "工作表「数据」：开工日期 2025-12-01 早于签约日期 2026-03-01"


def _workbook(tmp_path: Path, rows: list[dict[str, str]]) -> bytes:
    path = write_template("projects", tmp_path / "projects.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["数据"]
    headers = [str(c.value).rstrip("*") for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(page: str, id_: str) -> str:
    m = re.search(rf'<(p|table)\b[^>]*id="{id_}"[^>]*>(.*?)</\1>', page, re.S)
    assert m is not None, id_
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(2))))


def test_the_import_page_refuses_in_chinese(
    ui: Browsers, seeded: EmbeddedStore, tmp_path: Path
) -> None:
    city = ui.as_("city")
    before = seeded.counts()
    files = {"file": ("日期.xlsx", _workbook(tmp_path, [GOOD, BACKWARDS]), "application/x")}
    r = post_form(city, "/ui/admin/import", "/ui/admin/import", files=files)
    assert r.status_code == 422
    assert "导入失败：1 行有错误，未写入任何数据" in _text(r.text, "import-error")
    assert f"日期.xlsx 3 开工日期 {WHY}" in _text(r.text, "row-errors")
    assert seeded.counts() == before


def test_the_api_answers_422_with_the_row(
    client: TestClient, seeded: EmbeddedStore, tmp_path: Path
) -> None:
    before = seeded.counts()
    files = {"file": ("日期.xlsx", _workbook(tmp_path, [GOOD, BACKWARDS]), "application/x")}
    r = client.post("/api/v1/import", files=files)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem")
    body = r.json()
    assert body["errors"] == [{"file": "日期.xlsx", "row": 3, "column": "开工日期", "reason": WHY}]
    assert seeded.counts() == before


def test_the_cli_exits_1_and_names_the_row(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()
    assert runner.invoke(main, [*home, "init", "--no-sample"]).exit_code == 0
    before = runner.invoke(main, [*home, "stats", "--json"]).output
    path = tmp_path / "日期.xlsx"
    path.write_bytes(_workbook(tmp_path, [GOOD, BACKWARDS]))
    res = runner.invoke(main, [*home, "import", str(path), "--quiet"])
    assert res.exit_code == 1
    assert "导入失败：1 处错误，未写入任何数据" in res.output
    assert f"日期.xlsx 第 3 行，列「开工日期」: {WHY}" in res.output
    assert "Traceback" not in res.output
    assert runner.invoke(main, [*home, "stats", "--json"]).output == before
    path.write_bytes(_workbook(tmp_path, [GOOD]))
    res = runner.invoke(main, [*home, "import", str(path), "--quiet"])
    assert res.exit_code == 0 and "已导入 节点 1 个" in res.output
