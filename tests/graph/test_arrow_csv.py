"""The Arrow parts of the columnar import path agree with the Python they replace: the CSV
reader with pandas' (the general path's), whitespace with ``str.strip``, JSON text with a JSON
encoder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.columnar import WHITESPACE, NotFast, json_object, json_strings, read_arrow
from chainatlas.graph.io.readers import read_table

HEAD = "id:ID,:LABEL,name\n"
# the characters that make CSV hard: quotes, separators, line breaks, padding, escapes, CJK
CELL_CHARS = st.sampled_from(
    ['"', ",", "\n", "\r", " ", "\t", "\\", "a", "1", "链", "\x07", "\u3000"]
)


def test_whitespace_is_what_str_strip_removes() -> None:
    assert set(WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def _both(path: Path) -> tuple[list[list[str]] | None, list[list[str]] | None]:
    """Rows (header first) as pandas and as Arrow read them; None where the reader refuses."""
    try:
        df = read_table(path)
        by_pandas: list[list[str]] | None = [list(df.columns)] + [
            [str(v) for v in row] for row in df.itertuples(index=False)
        ]
    except ImportFailed:
        by_pandas = None
    try:
        names, table = read_arrow(path)
        by_arrow: list[list[str]] | None = [names] + [
            list(row.values()) for row in table.to_pylist()
        ]
    except NotFast:
        by_arrow = None
    return by_pandas, by_arrow


@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(CELL_CHARS, max_size=40))
@example(body='a,b,"x ""q"" y"\n')
@example(body='"a\nb",L,"c,d"\r\n')
@example(body='a,b,c"d\n')
@example(body='"a"b,c,d\n')
@example(body="a,b\n")
@example(body="a,b,c,d\n")
@example(body="\n\na,b,c\n\n")
@example(body=',,"')  # a quote open at the end: pandas refuses, Arrow alone would not
@example(body="\r,1,")  # a lone CR: the two readers split the row differently
def test_arrow_reads_what_pandas_reads_or_declines(body: str, tmp_path: Path) -> None:
    """Whatever file Arrow reads, it reads cell for cell as pandas does: the fast path never
    sees other data than the general path would."""
    path = tmp_path / "nodes.csv"
    path.write_bytes((HEAD + body).encode("utf-8"))
    by_pandas, by_arrow = _both(path)
    if by_arrow is not None:
        assert by_arrow == by_pandas


@pytest.mark.parametrize(
    "head", ['id:ID,:LABEL,"name"\n', 'id:ID,:LABEL,"na\nme"\n', "id:ID,:LABEL,name,name\n"]
)
def test_quoted_headers_are_read_and_odd_ones_declined(head: str, tmp_path: Path) -> None:
    path = tmp_path / "nodes.csv"
    path.write_text(head + "seg:a,Segment,电池\n", encoding="utf-8")
    by_pandas, by_arrow = _both(path)
    if "\n" in head.strip() or head.count("name") == 2:
        assert by_arrow is None  # a header cell over two lines, a column twice
    else:
        assert by_arrow == by_pandas == [["id:ID", ":LABEL", "name"], ["seg:a", "Segment", "电池"]]


def test_a_bom_is_read_and_other_encodings_are_declined(tmp_path: Path) -> None:
    path = tmp_path / "nodes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + "seg:a,Segment,电池\n").encode())
    assert read_arrow(path)[0] == ["id:ID", ":LABEL", "name"]
    assert _both(path)[0] == _both(path)[1]
    path.write_bytes((HEAD + "seg:a,Segment,电池\n").encode("gbk"))
    with pytest.raises(NotFast):
        read_arrow(path)  # read by the general path instead
    assert _both(path)[0] is not None


@given(st.lists(st.text(), min_size=1, max_size=20))
@example(["".join(map(chr, range(32))) + '"\\/\u2028\ud7ff\U0001f600'])
def test_json_strings_are_json(values: list[str]) -> None:
    text = json_strings(pa.array(values, pa.string())).to_pylist()
    assert [json.loads(t) for t in text] == values


@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.text()), st.one_of(st.none(), st.integers())),
        min_size=1,
        max_size=10,
    )
)
def test_json_objects_leave_absent_values_out(rows: list[tuple[str | None, int | None]]) -> None:
    names = pa.array([r[0] for r in rows], pa.string())
    counts = pa.array([None if r[1] is None else str(r[1]) for r in rows], pa.string())
    for columns in (
        [("名称", json_strings(names))],
        [("名称", json_strings(names)), ("n", counts)],
    ):
        got = [json.loads(t) for t in json_object(columns, len(rows)).to_pylist()]
        want = [
            {k: v for k, v in zip(("名称", "n"), r, strict=True) if v is not None} for r in rows
        ]
        if len(columns) == 1:
            want = [{k: v for k, v in w.items() if k == "名称"} for w in want]
        assert got == want
