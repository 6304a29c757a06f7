"""The audit page names the system's own 五未督办 passes in the office's words: the service's
background pass (「五未督办自动同步」) and ``chainatlas ledger sync`` run by cron
(「五未督办同步（命令行）」), not the raw ``后台 五未督办同步`` / ``CLI chainatlas ledger sync``,
which stay as the cell's tooltip."""

from __future__ import annotations

import html
import re
from pathlib import Path

from chainatlas.api.auth import AuthStore
from chainatlas.api.routes.ui.admin import action_zh
from chainatlas.api.supervisor import SYSTEM_PRINCIPAL, sync_as_system
from chainatlas.api.testing import cli
from chainatlas.graph.rules import Grace
from tests.api.webui import Browsers

AUTO, CLI = "五未督办自动同步", "五未督办同步（命令行）"


def _cells(page: str) -> list[tuple[str, str]]:
    """(tooltip, text) of each 操作 cell of the audit table."""
    cells = re.findall(r'<td class="action" title="([^"]*)">([^<]*)</td>', page)
    return [(html.unescape(t), html.unescape(x)) for t, x in cells]


def test_the_background_pass_is_named_on_the_audit_page(ui: Browsers, tmp_path: Path) -> None:
    assert sync_as_system(ui.store, Grace(), ui.auth, tmp_path / "home").changed
    (row,) = ui.auth.audit_log()
    # as ``chainatlas ledger sync`` records itself (the next test runs the real command)
    ui.auth.audit(SYSTEM_PRINCIPAL, "CLI", "chainatlas ledger sync", "五未督办", None, {})
    cells = _cells(ui.as_("city").get("/ui/admin/audit").text)
    assert (f"{row['method']} {row['path']}", AUTO) in cells
    assert ("CLI chainatlas ledger sync", CLI) in cells
    assert not [c for c in cells if c[1] == c[0]]  # no row shown as its raw request


def test_chainatlas_ledger_sync_is_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cli(home, "init")
    cli(home, "ledger", "sync")
    auth = AuthStore(home / "auth.db")
    try:
        (row,) = auth.audit_log()
    finally:
        auth.close()
    assert action_zh(str(row["method"]), str(row["path"])) == CLI
