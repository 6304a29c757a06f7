"""Error text in users' words (review B, s6, B4): no English 'or', no regular expression, no
label such as Platform, and 不存在 messages that say what was looked for."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from chainatlas.graph.errors import ImportFailed, ValidationFailed
from chainatlas.graph.io.templates import import_template, write_template
from chainatlas.graph.model import LABEL_ZH, LABELS, zh_message
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.checklist import set_slot
from tests.api.webui import Browsers

#: what gives a regular expression away
REGEX = re.compile(r"\^|\$|\[0-9\]|\{4\}|\(open\|")


def _message(page: str) -> str:
    """The error page's text, tags and spacing dropped."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_a_stage_not_in_the_list_is_told_the_list_in_chinese(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """B4.1: pydantic's 「'企业服务' or '政策争取'」 becomes 「企业服务 或 政策争取」."""
    tpl = write_template("projects", tmp_path / "blank.xlsx")
    cols = pd.read_excel(tpl, sheet_name="数据").columns
    row = {"项目名称": "阶段测试", "所属产业链": "新能源与新型储能", "所在区域": "长兴县"}
    row |= {"当前阶段": "开工"}
    df = pd.DataFrame([{c: row.get(c.rstrip("*"), "") for c in cols}], columns=cols)
    df.to_excel(tmp_path / "p.xlsx", sheet_name="数据", index=False)
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, tmp_path / "p.xlsx", progress=False)
    (e,) = err.value.errors
    assert e.column == "当前阶段"
    assert e.reason == (
        "取值应为 产业研究、招商引资、研判会商、落地开工、投产达效、企业服务 或 政策争取，"
        "而不是 '开工'"
    )


def test_literal_errors_of_the_api_have_no_english() -> None:
    error = {"type": "literal_error", "input": "x", "ctx": {"expected": "'json', 'xlsx' or 'html'"}}
    assert zh_message(error) == "取值应为 json、xlsx 或 html，而不是 'x'"


@pytest.mark.parametrize(
    "path, says",
    [
        ("/ui/ledger?month=2026-13", "月份：应为年月 YYYY-MM，如 2026-10，而不是 '2026-13'"),
        ("/ui/problems?view=xyz", "视图：应为 open（未办结）、overdue（逾期）"),
        ("/ui/firms?local=2", "本地企业：应为 1 或 0（或留空）"),
    ],
)
def test_a_bad_parameter_is_told_in_words(ui: Browsers, path: str, says: str) -> None:
    """B4.2: the page says what the parameter should be, never the regular expression."""
    r = ui.as_("city").get(path)
    assert r.status_code == 422
    text = _message(r.text)
    assert says in text and not REGEX.search(text), text


def test_the_api_says_it_in_words_too(client: TestClient) -> None:
    r = client.get("/api/v1/ledger/report?month=2026-13")
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith("月份：应为年月 YYYY-MM") and not REGEX.search(detail), detail


def test_every_label_has_a_chinese_name() -> None:
    assert set(LABEL_ZH) == set(LABELS)


def test_a_missing_platform_is_named_as_a_platform(seeded: EmbeddedStore) -> None:
    """B4.3: 「（Platform，可用编号）」 becomes the Chinese word."""
    with pytest.raises(ValidationFailed) as err:
        set_slot(seeded, "1366:bio", "platforms", "不存在的平台")
    message = str(err.value)
    assert "Platform" not in message
    assert "图谱中没有「不存在的平台」这个平台（可填平台名称或编号）" in message


@pytest.mark.parametrize(
    "path, says",
    [
        (
            "/ui/chain/1366:bio/map?segment=nosuch",
            "环节不存在：'nosuch'（不是生物医药的弱、缺环节）",
        ),
        ("/ui/project/nosuch", "项目不存在：'nosuch'"),
        ("/ui/admin/template/nope.xlsx", "模板不存在：'nope'（可选："),
    ],
)
def test_not_found_says_what_was_looked_for(ui: Browsers, path: str, says: str) -> None:
    """B4.4: the explanation outside the quotes, and 项目/环节 instead of 节点."""
    r = ui.as_("city").get(path)
    assert r.status_code == 404
    text = _message(r.text)
    assert says in text and "节点" not in text, text
