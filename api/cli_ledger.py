"""``chainatlas ledger report|lists|sync|stage|chain|progress``: the 一本账 on the command line.

The monthly report, the six lists and the three new ones, bringing the 五未 督办 items up to
today (``sync``: what the service does by itself, for cron without the service), moving a
project to its next stage, one chain's 十个一 and four lists, and the 2026 targets' progress;
the same rules and month format (YYYY-MM) as ``/api/v1/ledger``. The report reads the 督办
items as stored and says on stderr when they are behind today.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from chainatlas.api.cli_acting import signed_as
from chainatlas.api.cli_common import (
    CliError,
    Ctx,
    chain_hint,
    emit,
    out_format,
    pass_ctx,
    user_errors,
)
from chainatlas.api.cli_project import BY_HELP

__all__ = ["ledger"]


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--month`` as the API takes it: YYYY-MM (``26-1`` and ``2026-1`` are refused)."""
    from chainatlas.graph.workflows.ledger import MONTH_PATTERN

    if value is not None and not re.fullmatch(MONTH_PATTERN, value):
        raise CliError(f"--month 应为 YYYY-MM（四位年份、两位月份，如 2026-02），而不是 {value!r}")
    return value


_MONTH = click.option("--month", required=True, callback=_month, help="月份 YYYY-MM")


@click.group()
def ledger() -> None:
    """一本账：项目阶段、六张清单、三张新清单、五未与月度通报。"""


@ledger.command("report")
@_MONTH
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xlsx", "html"]),
    default="json",
    show_default=True,
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def ledger_report(c: Ctx, month: str, fmt: str, out: Path | None) -> None:
    """月度通报晾晒：按产业链和区县统计五未、排名、较上月变化，点名五未项目。"""
    from chainatlas.graph.workflows.report import monthly_report
    from chainatlas.graph.workflows.supervision import sync_supervision
    from chainatlas.viz.ledger import report_html, report_json, report_tables
    from chainatlas.viz.tables import xlsx_bytes

    fmt = out_format(fmt, out, ["json", "xlsx", "html"])
    with c.existing_store() as store, user_errors():
        behind = sync_supervision(store, c.settings.grace(), dry_run=True).changed
        r = monthly_report(
            store,
            month,
            c.settings.grace(),
            due_days=c.settings.due_days(),
            land_to_start_days=c.settings.land_to_start_days,
        )
    if behind:
        click.echo(
            "提示：五未督办事项尚未更新到今天（服务运行时会自动更新）；"
            "可先运行 chainatlas ledger sync",
            err=True,
        )
    if fmt == "xlsx":
        data = xlsx_bytes(report_tables(r))
    else:
        data = report_json(r) if fmt == "json" else report_html(r).encode("utf-8")
    emit(data, fmt, out, f"一本账月度通报-{month}.{fmt}")


@ledger.command("lists")
@_MONTH
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def ledger_lists(c: Ctx, month: str, fmt: str, out: Path | None) -> None:
    """六张清单与三张新清单（由日期推算，不手工维护），含责任单位。"""
    from chainatlas.graph.workflows.ledger import month_lists
    from chainatlas.viz.ledger import lists_json, lists_tables
    from chainatlas.viz.tables import xlsx_bytes

    fmt = out_format(fmt, out, ["json", "xlsx"])
    with c.existing_store() as store, user_errors():
        lists = month_lists(store, month)
    if fmt == "xlsx":
        emit(xlsx_bytes(lists_tables(lists)), fmt, out, f"一本账清单-{month}.xlsx")
        return
    emit(lists_json(lists), "json", out, "")


@ledger.command("sync")
@pass_ctx
def ledger_sync(c: Ctx) -> None:
    """把五未督办事项更新到今天（服务运行时会自动进行；无服务时可由定时任务运行）。"""
    from chainatlas.api.auth import AuthStore
    from chainatlas.api.supervisor import Origin, sync_as_system
    from chainatlas.graph.workflows.supervision import SYSTEM

    home = c.settings.home
    with c.existing_store() as store, user_errors():
        auth = AuthStore(home / "auth.db")
        try:
            origin = Origin.of("CLI", "chainatlas ledger sync")
            r = sync_as_system(store, c.settings.grace(), auth, home, origin)
        finally:
            auth.close()
    click.echo(
        f"五未督办事项（{SYSTEM}）：新增 {len(r.opened)}，重新督办 {len(r.reopened)}，"
        f"办结 {len(r.closed)}"
    )


@ledger.command("stage")
@click.argument("project")
@click.argument("to")
@click.option("--by", default="", help=BY_HELP)
@click.option("--note", default="")
@pass_ctx
def ledger_stage(c: Ctx, project: str, to: str, by: str, note: str) -> None:
    """把项目推进到下一阶段（记录一环节一跟进）。"""
    from chainatlas.graph.workflows.ledger import move_stage

    with c.existing_store() as store, user_errors():
        p = move_stage(store, project, to, by=signed_as(store, by), note=note)
    click.echo(f"{p.name}：当前阶段 {p.props['stage']}")


@ledger.command("chain")
@click.argument("chain")
@_MONTH
@pass_ctx
def ledger_chain(c: Ctx, chain: str, month: str) -> None:
    """一条产业链的十个一清单、四张清单与 2026 目标进度（JSON）。"""
    import dataclasses

    from chainatlas.graph.workflows.progress import checklist, four_lists

    with c.existing_store() as store, user_errors(), chain_hint():
        data = {
            "checklist": [dataclasses.asdict(x) for x in checklist(store, chain)],
            **four_lists(store, chain, month, c.settings.grace()),
        }
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@ledger.command("progress")
@pass_ctx
def ledger_progress(c: Ctx) -> None:
    """各产业链 2026 年目标进度与“3566”目标（按本地企业产值）。"""
    from chainatlas.graph.workflows.progress import progress

    with c.existing_store() as store, user_errors():
        data = progress(
            store,
            home_area=c.settings.home_area,
            industrial_output=c.settings.industrial_output,
        )
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
