"""``chainatlas match --stored`` and ``chainatlas dockings list|status|summary``.

The stored 关键需求清单 and 核心供给清单 matched on the command line, and their 对接 records
followed up, with the same rules as the API (:mod:`chainatlas.api.routes.dockings`): the
command acts as the 市链长办 unless ``--role``/``--scope`` say otherwise, and writes are
audited in ``auth.db``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from chainatlas.api.cli_acting import acting, as_role, cli_audited
from chainatlas.api.cli_common import user_errors
from chainatlas.graph.model import DOCKING_STATUSES

__all__ = ["dockings", "run_stored"]


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def run_stored(
    c: Any, chain: str | None, region: str | None, top: int, role: str, scope: tuple[str, ...]
) -> None:
    """``match --stored``: the stored lists matched, new pairs recorded as 推荐."""
    from chainatlas.api.routes.dockings import demands_in_reach
    from chainatlas.matching.stored import match_stored, stored_demands

    with c.existing_store() as store, user_errors():
        who = acting(store, role, scope)
        demands = demands_in_reach(store, who, stored_demands(store, chain, region))
        command = "chainatlas match --stored" + (f" --chain {chain}" if chain else "")
        command += f" --region {region}" if region else ""
        intended = {"chain": chain, "region": region, "demands": len(demands)}
        with cli_audited(c.settings.home, who, command, "对接", None, intended) as e:
            res = match_stored(store, demands=demands, top=top, home_area=c.settings.home_area)
            e.after = {"new_dockings": res.new_dockings}
    click.echo(
        f"库内需求 {res.demands} 条、供给 {res.supplies} 条：推荐对接 {len(res.assigned)}"
        f"（新增 {len(res.new_dockings)}），未匹配 {len(res.unmatched)}"
    )
    for m in res.assigned:
        click.echo(f"  {m['demand']} → {m['supply_label']}（{m['docking']}）")
    for u in res.unmatched:
        click.echo(f"  未匹配 {u['demand']}：{u['reason']}")
    for err in res.skipped:
        click.echo(f"  跳过 {err.file}：{err.column} {err.reason}", err=True)


@click.group()
def dockings() -> None:
    """对接记录：库内需求与供给匹配的结果（推荐 → 对接中 → 已落实 / 未落实）。"""


@dockings.command("list")
@click.option("--status", type=click.Choice(DOCKING_STATUSES), default=None, help="只列这个状态")
@click.pass_obj
def dockings_list(c: Any, status: str | None) -> None:
    """对接记录（JSON）。"""
    from chainatlas.graph.workflows.dockings import docking_rows

    with c.existing_store() as store, user_errors():
        rows = [r for r in docking_rows(store) if status is None or r["status"] == status]
    _echo(rows)


@dockings.command("status")
@click.argument("docking")
@click.argument("status", type=click.Choice(DOCKING_STATUSES))
@click.option("--note", default="", help="说明")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="日期")
@as_role
@click.pass_obj
def dockings_status(
    c: Any, docking: str, status: str, note: str, on: Any, role: str, scope: tuple[str, ...]
) -> None:
    """更新一条对接记录的状态（须能修改其需求）。"""
    from chainatlas.api.auth import check_scope
    from chainatlas.graph.workflows.dockings import demand_of, set_status

    with c.existing_store() as store, user_errors():
        who = acting(store, role, scope)
        check_scope(store, who, node=demand_of(store, docking))
        before = store.require_node(docking).props
        command = f"chainatlas dockings status {docking} {status}"
        with cli_audited(c.settings.home, who, command, docking, before, {"status": status}) as e:
            day = on.date() if on else date.today()
            row = set_status(store, docking, status, on=day, by=who.name, note=note)
            e.after = {"status": row["status"]}
    click.echo(f"{docking}：{row['status']}")


@dockings.command("summary")
@click.option("--month", required=True, help="月份 YYYY-MM")
@click.pass_obj
def dockings_summary(c: Any, month: str) -> None:
    """某月需求落实情况：对接记录按状态、已落实的需求数（JSON）。"""
    import re

    from chainatlas.graph.workflows.dockings import docking_summary

    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter(f"月份应为 YYYY-MM：{month!r}", param_hint="'--month'")
    with c.existing_store() as store, user_errors():
        _echo(docking_summary(store, month))
