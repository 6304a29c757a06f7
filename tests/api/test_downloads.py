"""The one download helper (api/downloads.py): media type from the one table, a file name only
for files, shown in the browser (inline) for pages and drawings, saved otherwise, with an ASCII
fallback beside the UTF-8 name."""

from __future__ import annotations

from urllib.parse import unquote

from chainatlas.api.downloads import MEDIA_TYPES, download
from chainatlas.viz.export import FORMATS


def test_the_table_is_the_views_own_plus_the_bundle() -> None:
    assert {k: MEDIA_TYPES[k] for k in FORMATS} == FORMATS
    assert MEDIA_TYPES["zip"] == "application/zip"


def test_json_carries_no_file_name() -> None:
    r = download(b"{}", "json", "缺链分析-汽车.json")
    assert r.media_type == "application/json"
    assert "content-disposition" not in r.headers


def test_workbooks_and_bundles_are_saved_under_their_chinese_name() -> None:
    r = download(b"x", "xlsx", "一本账清单-2026-02.xlsx", fallback="ledger")
    cd = r.headers["content-disposition"]
    assert cd.startswith('attachment; filename="ledger.xlsx"; ')
    assert unquote(cd.split("filename*=UTF-8''")[1]) == "一本账清单-2026-02.xlsx"
    assert (
        download(b"x", "zip", "产业链图谱包.zip", fallback="bundle")
        .headers["content-disposition"]
        .startswith('attachment; filename="bundle.zip"')
    )


def test_pages_and_drawings_open_in_the_browser() -> None:
    for fmt in ("html", "svg"):
        r = download(b"<x/>", fmt, f"产业链鱼骨图-汽车.{fmt}")
        assert r.headers["content-type"].startswith(MEDIA_TYPES[fmt].split(";")[0])
        assert r.headers["content-disposition"].startswith(f'inline; filename="chainatlas.{fmt}"')
    assert "content-disposition" not in download("<p/>", "html").headers  # no name, no file
