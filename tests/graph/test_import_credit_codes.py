"""One 统一社会信用代码, one firm (review S, B9): the firm template's import refuses a row
giving a code another firm holds — in the graph, or an earlier row of the same file — naming
that firm, as ``PUT /firms/{id}`` does; a row for the firm that holds the code goes through.
Real workbooks (pandas/openpyxl) into the seeded embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.creditcode import make_credit_code
from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.templates import import_template
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.graph.test_templates import GOOD_FIRM, _fill

HELD = "firm:sample-0010"  # 长兴县, with a credit code (sample data)


def test_a_code_a_stored_firm_holds_is_refused(seeded: EmbeddedStore, tmp_path: Path) -> None:
    code = seeded.require_node(HELD).props["credit_code"]
    before = seeded.counts()
    path = _fill(tmp_path, "firms", [GOOD_FIRM | {"统一社会信用代码": code.lower()}])
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, path, progress=False)
    (e,) = err.value.errors
    assert (e.row, e.column) == (2, "统一社会信用代码") and HELD in e.reason, e
    assert seeded.counts() == before
    # the firm that holds it, named by its id: an update, not a second firm
    path = _fill(tmp_path, "firms", [GOOD_FIRM | {"企业编号": HELD, "统一社会信用代码": code}])
    import_template(seeded, path, progress=False)
    assert seeded.require_node(HELD).name == GOOD_FIRM["企业名称"]
    assert len(seeded.find_nodes("Firm", {"credit_code": code})) == 1


def test_two_rows_with_one_code_are_refused(seeded: EmbeddedStore, tmp_path: Path) -> None:
    code = make_credit_code("91330522MA2B00009")
    rows = [
        GOOD_FIRM | {"企业编号": "firm:one", "统一社会信用代码": code},
        GOOD_FIRM | {"企业编号": "firm:two", "企业名称": "另一家", "统一社会信用代码": code},
    ]
    with pytest.raises(ImportFailed) as err:
        import_template(seeded, _fill(tmp_path, "firms", rows), progress=False)
    assert [(e.row, e.column) for e in err.value.errors] == [(3, "统一社会信用代码")]
    assert "firm:one" in err.value.errors[0].reason
