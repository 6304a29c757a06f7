"""``chainatlas project show|follow-up|land``: one project's dossier (一项目一档案), its
follow-ups (一环节一跟进) and its 拿地 date, on the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from chainatlas.api.cli_acting import signed_as
from chainatlas.api.cli_common import (
    OUT_HELP,
    Ctx,
    date_option,
    emit,
    file_safe,
    out_format,
    pass_ctx,
    project_hint,
    user_errors,
)

__all__ = ["BY_HELP", "project"]

#: the ``--by`` of a command that writes a history line
BY_HELP = (
    "经办人员姓名（可选）：记在「命令行（市链长办）」旁，如「命令行（市链长办）（经办：张三）」"
)


@click.group()
def project() -> None:
    """一项目一档案：项目档案、随时跟进（一环节一跟进）、登记拿地。"""


@project.command("show")
@click.argument("project_id", metavar="PROJECT")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "html"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help=OUT_HELP)
@pass_ctx
def project_show(c: Ctx, project_id: str, fmt: str, out: Path | None) -> None:
    """项目档案：项目、责任单位、投资企业、产业链/环节/区域、阶段与跟进、要素需求、问题、拿地即开工。"""
    from chainatlas.graph.workflows.dossier import project_dossier
    from chainatlas.viz.dossier import dossier_html, dossier_json

    fmt = out_format(fmt, out, ["json", "html"])
    with c.existing_store() as store, user_errors(), project_hint():
        d = project_dossier(
            store,
            project_id,
            grace=c.settings.grace(),
            land_to_start_days=c.settings.land_to_start_days,
        )
    data = dossier_json(d) if fmt == "json" else dossier_html(d).encode("utf-8")
    emit(data, fmt, out, f"项目档案-{file_safe(d.project.get('name') or project_id)}.{fmt}")


@project.command("follow-up")
@click.argument("project_id", metavar="PROJECT")
@click.option("--note", required=True, help="跟进内容")
@click.option("--by", default="", help=BY_HELP)
@click.option(
    "--date", "on", default=None, callback=date_option, help="跟进日期 YYYY-MM-DD（默认今天）"
)
@pass_ctx
def project_follow_up(c: Ctx, project_id: str, note: str, by: str, on: date | None) -> None:
    """在项目当前阶段记一条跟进（任何时候都可以，不必推进阶段）。"""
    from chainatlas.graph.workflows.ledger import add_follow_up

    with c.existing_store() as store, user_errors(), project_hint():
        f = add_follow_up(store, project_id, note, by=signed_as(store, by), on=on)
    click.echo(f"{f['id']}：{f['date']}（{f['stage']}）{f['note']}")


@project.command("land")
@click.argument("project_id", metavar="PROJECT")
@click.option("--date", "on", required=True, callback=date_option, help="拿地日期 YYYY-MM-DD")
@click.option("--by", default="", help=BY_HELP)
@click.option("--note", default="")
@pass_ctx
def project_land(c: Ctx, project_id: str, on: date, by: str, note: str) -> None:
    """登记拿地日期（记一条跟进），用于统计“拿地即开工”。"""
    from chainatlas.graph.workflows.ledger import record_land

    with c.existing_store() as store, user_errors(), project_hint():
        p = record_land(store, project_id, on, by=signed_as(store, by), note=note)
    click.echo(f"{p.name}：拿地日期 {p.props['land_date']}")
